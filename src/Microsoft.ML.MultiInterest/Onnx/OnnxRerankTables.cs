using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// What <see cref="OnnxCandidateScorer"/> re-ranks ONNX Runtime's candidates with, read back from the serving directory's
/// own graphs (no second copy on disk): the user and item tables (the unimodal scorer's initializers), the item clusters
/// (the quota scorer's grouped member rows), the engine's retrievers over them for the scans the candidates cannot
/// settle, and the largest item norms that bound the two computations' rounding. Read-only once built; thread-safe.
/// </summary>
internal sealed class OnnxRerankTables
{
    private readonly Lazy<UnimodalRetriever> _catalogue;

    private OnnxRerankTables(EmbeddingMatrix users, EmbeddingMatrix items, ItemClustering clustering)
    {
        Users = users;
        Items = items;
        Clustering = clustering;
        Clusters = new ClusterQuotaRetriever(items, clustering);
        // Packing the catalogue for the search kernel costs a copy of the item table; only a scan needs it.
        _catalogue = new Lazy<UnimodalRetriever>(() => new UnimodalRetriever(items));
        ClusterNormBound = new double[clustering.ClusterCount];
        for (int c = 0; c < clustering.ClusterCount; c++)
        {
            foreach (int item in clustering.MembersOf(c)) ClusterNormBound[c] = Math.Max(ClusterNormBound[c], Norm(items.ReadRow(item)));
            ItemNormBound = Math.Max(ItemNormBound, ClusterNormBound[c]);
        }
    }

    /// <summary>The user table, row = user row.</summary>
    public EmbeddingMatrix Users { get; }

    /// <summary>The item table, row = item row.</summary>
    public EmbeddingMatrix Items { get; }

    /// <summary>The item clusters the mixtures refer to (members in ascending item order, as the engine's).</summary>
    public ItemClustering Clustering { get; }

    /// <summary>The engine's cluster search, for a component whose candidates do not prove its ranking.</summary>
    public ClusterQuotaRetriever Clusters { get; }

    /// <summary>The engine's catalogue search, for a unimodal list whose candidates do not prove it (built on first use).</summary>
    public UnimodalRetriever Catalogue => _catalogue.Value;

    /// <summary>Per cluster, the largest Euclidean norm of its members (0 for an empty cluster).</summary>
    public double[] ClusterNormBound { get; }

    /// <summary>The largest Euclidean norm of any item.</summary>
    public double ItemNormBound { get; }

    /// <summary>Reads the tables of the directory <paramref name="directory"/> described by <paramref name="manifest"/>.</summary>
    /// <exception cref="InvalidDataException">A graph lacks a table or its shape disagrees with the manifest.</exception>
    public static OnnxRerankTables Read(string directory, OnnxServingManifest manifest)
    {
        var (users, items) = ReadTables(Path.Combine(directory, manifest.UnimodalScorer.File), manifest);
        var quota = Parse(Path.Combine(directory, manifest.QuotaScorer.File));
        var rowsTensor = OnnxTensorReader.Find(quota, QuotaScorerGraph.ClusterItemRowsName);
        var paddingTensor = OnnxTensorReader.Find(quota, QuotaScorerGraph.ClusterPaddingName);
        var shape = OnnxTensorReader.Shape(rowsTensor);
        if (shape.Length != 2 || shape[0] != manifest.Clusters || !shape.SequenceEqual(OnnxTensorReader.Shape(paddingTensor)))
            throw new InvalidDataException($"'{manifest.QuotaScorer.File}' in '{directory}' holds member tables of shape [{string.Join(", ", shape)}], not [{manifest.Clusters}, S].");
        var rows = OnnxTensorReader.Int64s(rowsTensor);
        var padding = OnnxTensorReader.Floats(paddingTensor);
        var assignments = new int[manifest.Items];
        assignments.AsSpan().Fill(-1);
        for (int slot = 0; slot < rows.Length; slot++)
        {
            if (padding[slot] != 0f) continue;
            long item = rows[slot];
            if ((ulong)item >= (ulong)assignments.Length || assignments[item] >= 0)
                throw new InvalidDataException($"'{manifest.QuotaScorer.File}' in '{directory}' lists item row {item} outside 0..{assignments.Length - 1} or in two clusters.");
            assignments[item] = slot / shape[1];
        }
        int missing = Array.IndexOf(assignments, -1);
        if (missing >= 0)
            throw new InvalidDataException($"'{manifest.QuotaScorer.File}' in '{directory}' puts item row {missing} in no cluster.");
        return new OnnxRerankTables(users, items, ItemClustering.Create(assignments, manifest.Clusters, items));
    }

    /// <summary>The user and item tables of the unimodal scorer (its parsed model is dropped on return).</summary>
    private static (EmbeddingMatrix Users, EmbeddingMatrix Items) ReadTables(string path, OnnxServingManifest manifest)
    {
        var unimodal = Parse(path);
        return (Matrix(unimodal, UnimodalOnnxExporter.UserTableName, manifest.Users, manifest.Dimension),
            Matrix(unimodal, UnimodalOnnxExporter.ItemTableName, manifest.Items, manifest.Dimension));
    }

    private static ModelProto Parse(string path)
    {
        using var file = File.OpenRead(path);
        try
        {
            return ModelProto.Parser.ParseFrom(file);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable ONNX model: {e.Message}", e);
        }
    }

    private static EmbeddingMatrix Matrix(ModelProto model, string name, int rows, int dimension)
    {
        var tensor = OnnxTensorReader.Find(model, name);
        var shape = OnnxTensorReader.Shape(tensor);
        if (shape.Length != 2 || shape[0] != rows || shape[1] != dimension)
            throw new InvalidDataException($"Initializer '{name}' of '{model.Graph.Name}' has shape [{string.Join(", ", shape)}], not [{rows}, {dimension}] as the manifest says.");
        return new EmbeddingMatrix(rows, dimension, OnnxTensorReader.Floats(tensor));
    }

    private static double Norm(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (float v in row) sum += (double)v * v;
        return Math.Sqrt(sum);
    }
}
