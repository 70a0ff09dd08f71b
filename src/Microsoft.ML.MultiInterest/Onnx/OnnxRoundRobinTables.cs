using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// What <see cref="OnnxRoundRobinScorer"/> re-ranks ONNX Runtime's round-robin candidates with, read back from the serving
/// directory's own graphs (no second copy on disk): the item components (the scorer's table), the largest component norm
/// that bounds the two computations' rounding, the engine's nearest-component search for the lists the candidates cannot
/// prove, the items the scorer never fetches (keys without an item, <see cref="ItemAbsence"/>), and, when the directory has
/// the DCM history encoder, the soft k-means settings the engine clusters a fresh history with. Read-only once built; thread-safe.
/// </summary>
internal sealed class OnnxRoundRobinTables
{
    private readonly Lazy<RoundRobinRetriever> _retriever;

    private OnnxRoundRobinTables(EmbeddingMatrix itemComponents, int destinationComponents, DcmClustering? dcm, int[] absentItems)
    {
        ItemComponents = itemComponents;
        DestinationComponents = destinationComponents;
        Dcm = dcm;
        AbsentItems = absentItems;
        // The retriever packs a copy of the table for the search kernel; only a scan needs it.
        _retriever = new Lazy<RoundRobinRetriever>(() => new RoundRobinRetriever(itemComponents, destinationComponents));
        for (int r = 0; r < itemComponents.Rows; r++)
        {
            double sum = 0;
            foreach (float v in itemComponents.ReadRow(r)) sum += (double)v * v;
            NormBound = Math.Max(NormBound, Math.Sqrt(sum));
        }
    }

    /// <summary>Item components, rows <c>i × C_d + l</c>, as the engine's <see cref="RoundRobinRetriever"/> indexes them.</summary>
    public EmbeddingMatrix ItemComponents { get; }

    /// <summary>C_d.</summary>
    public int DestinationComponents { get; }

    /// <summary>
    /// The items that are none (keys without training edges, <see cref="ItemAbsence"/>), ascending: the scorer never fetches
    /// their components, so an engine search must not either, and a fresh history reads as without them. Empty for a
    /// directory whose every item is one (and for one exported before the mask).
    /// </summary>
    public int[] AbsentItems { get; }

    /// <summary>The largest Euclidean norm of any item component.</summary>
    public double NormBound { get; }

    /// <summary>The engine's soft k-means settings (seeds, τ, β, T), read from the history encoder; null without one.</summary>
    public DcmClustering? Dcm { get; }

    /// <summary>The engine's nearest-component search, for a component whose candidates do not prove its list (built on first use).</summary>
    public RoundRobinRetriever Retriever => _retriever.Value;

    /// <summary>Reads the tables of the round-robin directory <paramref name="directory"/> described by <paramref name="manifest"/>.</summary>
    /// <exception cref="InvalidDataException">A graph lacks a table or its shape disagrees with the manifest.</exception>
    public static OnnxRoundRobinTables Read(string directory, OnnxServingManifest manifest)
    {
        string scorerPath = Path.Combine(directory, manifest.RoundRobinScorer!.File);
        int cd = manifest.DestinationComponents, d = manifest.Dimension;
        long rows = (long)manifest.Items * cd;
        var f = TensorProto.Types.DataType.Float;
        var tables = OnnxInitializerFile.Read(scorerPath, [ItemAbsence.InitializerName], (RoundRobinOnnxExporter.ItemComponentsName, f), (ItemAbsence.InitializerName, f));
        var (shape, values) = tables[RoundRobinOnnxExporter.ItemComponentsName];
        if (cd < 1 || shape.Length != 2 || shape[0] != d || shape[1] != rows)
            throw new InvalidDataException($"'{scorerPath}' holds item components of shape [{string.Join(", ", shape)}], not [{d}, {rows}] "
                + $"(dimension, {manifest.Items} items x {cd} components) as the manifest says.");
        var transposed = (float[])values;
        var table = new EmbeddingMatrix(checked((int)rows), d);
        for (int j = 0; j < d; j++)
            for (int r = 0; r < rows; r++) table.Values[(long)r * d + j] = transposed[(long)j * rows + r];
        int[] absent = tables.TryGetValue(ItemAbsence.InitializerName, out var mask) ? ItemAbsence.AbsentRows(mask, scorerPath, manifest.Items) : [];
        var dcm = manifest.HistoryEncoder is { } history ? ReadDcm(Path.Combine(directory, history.File), manifest) : null;
        return new OnnxRoundRobinTables(table, cd, dcm, absent);
    }

    /// <summary>
    /// The user vectors of the round-robin directory <paramref name="directory"/>, read from its encoder graph (the scorer does
    /// not use them: only to tell which user rows hold a user, <see cref="UserAbsence"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The encoder lacks the table or its shape disagrees with the manifest.</exception>
    public static EmbeddingMatrix ReadUsers(string directory, OnnxServingManifest manifest)
    {
        string encoderPath = Path.Combine(directory, manifest.Encoder.File);
        var (shape, values) = OnnxInitializerFile.Read(encoderPath, (MixtureEncoderGraph.UserTableName, TensorProto.Types.DataType.Float))[MixtureEncoderGraph.UserTableName];
        if (shape.Length != 2 || shape[0] != manifest.Users || shape[1] != manifest.Dimension)
            throw new InvalidDataException($"'{encoderPath}' holds user vectors of shape [{string.Join(", ", shape)}], not [{manifest.Users}, {manifest.Dimension}] "
                + "(users, dimension) as the manifest says.");
        return new EmbeddingMatrix(shape[0], shape[1], (float[])values);
    }

    /// <summary>
    /// The engine's soft k-means settings from the history encoder's initializers. The graph keeps 1/τ, which is all the
    /// engine's forward pass uses (<see cref="SoftClustering.Forward"/> multiplies by <c>1f / τ</c>), so any τ whose float
    /// reciprocal is that value clusters alike; the trained τ is one, within a few ulps of the reciprocal's reciprocal.
    /// </summary>
    private static DcmClustering ReadDcm(string path, OnnxServingManifest manifest)
    {
        if (!OnnxVerifiedOpening.Exists(path)) throw new FileNotFoundException($"The ONNX serving manifest lists '{Path.GetFileName(path)}', which is missing.", path);
        ModelProto model;
        using (var file = OnnxVerifiedOpening.OpenRead(path)) model = ModelProto.Parser.ParseFrom(file);
        var seedTensor = OnnxTensorReader.Find(model, DcmOnnxExporter.SeedsName);
        var shape = OnnxTensorReader.Shape(seedTensor);
        if (shape.Length != 2 || shape[0] != manifest.Components || shape[1] != manifest.Dimension)
            throw new InvalidDataException($"'{path}' holds seeds of shape [{string.Join(", ", shape)}]; the round-robin scorer takes {manifest.Components} interests of dimension {manifest.Dimension}.");
        float inverse = OnnxTensorReader.Floats(OnnxTensorReader.Find(model, DcmOnnxExporter.InverseTemperatureName), path).Single();
        float beta = OnnxTensorReader.Floats(OnnxTensorReader.Find(model, DcmOnnxExporter.PriorWeightName), path).Single();
        int steps = model.Graph.Node.Count(n => n.OpType == DcmOnnxExporter.StepOperator);
        float guess = 1f / inverse, tau = guess;
        // The guess, then one ulp up, one down, two up, two down...
        for (int step = 1; step <= 8 && 1f / tau != inverse; step++)
        {
            tau = guess;
            for (int u = 0; u < (step + 1) / 2; u++) tau = step % 2 == 1 ? MathF.BitIncrement(tau) : MathF.BitDecrement(tau);
        }
        if (!float.IsFinite(inverse) || inverse <= 0 || 1f / tau != inverse)
            throw new InvalidDataException($"'{path}' holds the inverse temperature {inverse}, which is no positive float's reciprocal.");
        // Absent when the weights are the masses themselves (exponent 1), as in directories exported before the exponent existed.
        float exponent = model.Graph.Initializer.Any(t => t.Name == DcmOnnxExporter.WeightExponentName)
            ? (float)OnnxTensorReader.Doubles(OnnxTensorReader.Find(model, DcmOnnxExporter.WeightExponentName), path).Single()
            : DcmDefaults.WeightExponent;
        return new DcmClustering(new EmbeddingMatrix(shape[0], shape[1], OnnxTensorReader.Floats(seedTensor, path)), tau, beta, steps, exponent);
    }
}
