using Microsoft.ML.MultiInterest.Engine;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>The round-robin directories of learned multi-vector models (DCM, mixture embeddings): their exports and checks.</summary>
public static partial class OnnxServingDirectory
{
    /// <summary>
    /// Writes the serving directory of a learned mixture model (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/> or
    /// <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>): <see cref="EncoderFileName"/> (user rows to components and
    /// weights), <see cref="RoundRobinScorerFileName"/> (<see cref="RoundRobinOnnxExporter"/>) and the manifest; the client
    /// merges the scorer's lists with <see cref="RoundRobinOnnxMerge"/>, or <see cref="OnnxRoundRobinScorer"/> runs it all.
    /// With <paramref name="dcm"/>, also <see cref="HistoryEncoderFileName"/> (<see cref="DcmOnnxExporter"/>: padded history
    /// item rows to the K interests and weights), so users unseen in training are served from their history.
    /// </summary>
    /// <param name="model">The learned components (<see cref="GraphEmbeddingResult.Mixture"/>).</param>
    /// <param name="candidates">K, the largest list length served: 1 to the number of items.</param>
    /// <param name="directory">The directory to write into (created if needed).</param>
    /// <param name="exclusionMask">True to give the scorer the exclusion mask input (seen-item exclusion).</param>
    /// <param name="dcm">
    /// The soft k-means of a differentiable-clustering <paramref name="model"/> (<see cref="GraphEmbeddingResult.Dcm"/>), over the
    /// same item rows as its item components; null to write no history encoder.
    /// </param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    /// <exception cref="ArgumentException"><paramref name="dcm"/> does not fit <paramref name="model"/> (items, dimension, interests, or C_d above 1).</exception>
    public static OnnxServingManifest ExportRoundRobin(MixtureEmbeddingResult model, int candidates, string directory, bool exclusionMask = false, DcmModel? dcm = null, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        return signatures.Finished(ExportRoundRobinOverKeys(model, candidates, directory, exclusionMask, dcm, itemAbsence: null));
    }

    /// <summary>
    /// <see cref="ExportRoundRobin"/> over item components indexed by item key, with <paramref name="itemAbsence"/>
    /// (<see cref="ItemAbsence.Mask"/>): the items of <paramref name="model"/> that are none (keys without training edges, zero
    /// components), which the scorer never fetches and the history encoder reads as padding; null when every item is one.
    /// </summary>
    internal static OnnxServingManifest ExportRoundRobinOverKeys(MixtureEmbeddingResult model, int candidates, string directory, bool exclusionMask, DcmModel? dcm,
        float[]? itemAbsence)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var (users, table) = RoundRobinOnnxExporter.EncoderTables(model);
        MixtureExportChecks.Encoder(users, table, 1, 1.0);
        if (dcm != null) CheckDcm(model, table.MaxComponents, dcm);
        return WriteRoundRobin(users, table, model.ItemComponents, model.DestinationComponents, candidates, directory, exclusionMask, dcm, itemAbsence);
    }

    /// <summary>
    /// Writes the round-robin serving directory of any mixture table (a kNN-Embed or Mixture stage's): the encoder of the
    /// users' components and weights (a user with fewer than m components padded, which the scorer's merge skips), the
    /// round-robin scorer over the item vectors (C_d = 1) and the manifest; <see cref="OnnxRoundRobinScorer"/> serves it as
    /// <see cref="RoundRobinRetriever"/> serves the same table.
    /// </summary>
    /// <param name="users">User vectors (the encoder's user vector output); row r is user row r.</param>
    /// <param name="mixtures">The users' components (embeddings) and weights, one row per user row, in the order the merge reads them.</param>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="candidates">K, the largest list length served: 1 to the number of items.</param>
    /// <param name="directory">The directory to write into (created if needed).</param>
    /// <param name="exclusionMask">True to give the scorer the exclusion mask input (seen-item exclusion).</param>
    /// <param name="externalData">
    /// Where the graphs keep their tables: <see cref="OnnxExternalData.Automatic"/> (default) writes each graph whole unless it
    /// would pass 2 GB; <see cref="OnnxExternalData.Always"/> puts every graph's large tables in its side file (<c>&lt;graph&gt;.onnx.data</c>).
    /// </param>
    /// <returns>The manifest that was written.</returns>
    public static OnnxServingManifest ExportMixtureRoundRobin(EmbeddingMatrix users, MixtureTable mixtures, EmbeddingMatrix items, int candidates, string directory,
        bool exclusionMask = false, OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        using var externalDataScope = ExternalDataPolicy.Enter(externalData);
        using var signatures = OnnxExportScope.Enter(directory);
        return signatures.Finished(ExportMixtureRoundRobinOverKeys(users, mixtures, items, candidates, directory, exclusionMask, itemAbsence: null));
    }

    /// <summary>
    /// <see cref="ExportMixtureRoundRobin"/> over a table indexed by item key, with <paramref name="itemAbsence"/>
    /// (<see cref="ItemAbsence.Mask"/>): the rows of <paramref name="items"/> that hold no item, which the scorer never fetches;
    /// null when every row is an item.
    /// </summary>
    internal static OnnxServingManifest ExportMixtureRoundRobinOverKeys(EmbeddingMatrix users, MixtureTable mixtures, EmbeddingMatrix items, int candidates, string directory,
        bool exclusionMask, float[]? itemAbsence)
    {
        ArgumentNullException.ThrowIfNull(mixtures);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        MixtureExportChecks.Together(users, items);
        MixtureExportChecks.Encoder(users, mixtures, 1, 1.0);
        if (!mixtures.HasEmbeddings || mixtures.Dimension != items.Dimension)
            throw new ArgumentException($"The mixtures must carry component embeddings of the items' dimension {items.Dimension}.", nameof(mixtures));
        return WriteRoundRobin(users, mixtures, items, 1, candidates, directory, exclusionMask, null, itemAbsence);
    }

    /// <summary>
    /// Writes the round-robin scorer, the encoder (and DCM's history encoder) and the manifest (arguments already checked);
    /// <paramref name="itemAbsence"/>, when given, goes into the scorer and the history encoder.
    /// </summary>
    private static OnnxServingManifest WriteRoundRobin(EmbeddingMatrix users, MixtureTable table, EmbeddingMatrix itemComponents, int destinationComponents, int candidates,
        string directory, bool exclusionMask, DcmModel? dcm, float[]? itemAbsence)
    {
        var scorer = RoundRobinOnnxExporter.BuildScorer(itemComponents, destinationComponents, table.MaxComponents, candidates, exclusionMask, itemAbsence: itemAbsence);
        var historyEncoder = dcm == null ? null : DcmOnnxExporter.BuildEncoder(dcm, itemAbsence);
        Directory.CreateDirectory(directory);
        Write(scorer, directory, RoundRobinScorerFileName);
        Write(MixtureEncoderGraph.Build(users, PaddedMixtures.Create(table, 1, 1.0), 1, 1.0), directory, EncoderFileName);
        if (historyEncoder != null) Write(historyEncoder, directory, HistoryEncoderFileName);
        string[] mask = exclusionMask ? [ExclusionMaskInput] : [];
        var manifest = new OnnxServingManifest
        {
            Retrieval = OnnxServingManifest.RoundRobinRetrieval,
            Candidates = candidates,
            Alpha = 1.0,
            Users = users.Rows,
            Items = itemComponents.Rows / destinationComponents,
            Components = table.MaxComponents,
            DestinationComponents = destinationComponents,
            Dimension = itemComponents.Dimension,
            HistoryMean = dcm == null,
            ExclusionMask = exclusionMask,
            CandidateSlack = OnnxServingDefaults.CandidateSlack,
            Encoder = EncoderGraph(),
            RoundRobinScorer = new OnnxServingGraph
            {
                File = RoundRobinScorerFileName,
                Inputs = [MixtureEmbeddingsName, .. mask],
                Outputs = [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput],
            },
            HistoryEncoder = dcm == null ? null : new OnnxServingGraph
            {
                File = HistoryEncoderFileName,
                Inputs = [DcmOnnxExporter.HistoryRowsInput],
                Outputs = [MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName],
            },
        };
        manifest.Write(directory);
        return manifest;
    }

    /// <summary>The history encoder must read the scorer's item rows and return the encoder's m interests of dimension d.</summary>
    private static void CheckDcm(MixtureEmbeddingResult model, int components, DcmModel dcm)
    {
        if (model.DestinationComponents != 1)
            throw new ArgumentException($"A differentiable-clustering model has one component per item, but the model has {model.DestinationComponents}.", nameof(dcm));
        if (dcm.Items.Rows != model.ItemCount || dcm.Items.Dimension != model.Dimension)
            throw new ArgumentException($"The DCM item table is {dcm.Items.Rows} x {dcm.Items.Dimension}, but the model's item components are "
                + $"{model.ItemCount} x {model.Dimension}: the history encoder must read the scorer's item rows.", nameof(dcm));
        if (dcm.Interests != components)
            throw new ArgumentException($"The DCM model has {dcm.Interests} interests, but the model {components} components per user.", nameof(dcm));
    }
}
