using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>A directory whose new users are read by a divide-and-conquer model: its format version and what its manifest must hold.</summary>
public sealed partial class OnnxServingManifest
{
    /// <summary>
    /// The version of a quota or unimodal directory with a divide-and-conquer history encoder (<see cref="HistoryEncoder"/>,
    /// <see cref="OnnxServingDirectory.Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, QuotaRetrievalOptions, string, bool, DivideConquerModel, bool, bool, OnnxExternalData)"/>,
    /// <see cref="OnnxServingDirectory.ExportUnimodalWithDivideConquerEncoder"/>): 5. A version-4 reader would read such a directory's fresh
    /// histories by counting their mixture and by their mean, not by the model, so it refuses it.
    /// </summary>
    public const int DivideConquerHistoryFormatVersion = 5;

    /// <summary>
    /// An MMR directory whose pool holds the divide-and-conquer history encoder (a stage with <c>HistoryVector = Encoder</c>,
    /// its pool's unimodal directory written with it) is of format version <see cref="DivideConquerHistoryFormatVersion"/> or
    /// later, as its exporter writes it: one that says less was edited, and is refused rather than served.
    /// </summary>
    /// <param name="manifest">The MMR directory's manifest.</param>
    /// <param name="pool">Its pool's manifest (itself checked when read, as a unimodal directory's).</param>
    /// <param name="path">The MMR manifest's path, for the message.</param>
    internal static void CheckMmrPoolEncoder(OnnxServingManifest manifest, OnnxServingManifest pool, string path)
    {
        if (pool.HistoryEncoder == null || manifest.FormatVersion >= DivideConquerHistoryFormatVersion) return;
        throw new InvalidDataException($"The ONNX serving manifest '{path}' (format version {manifest.FormatVersion}, retrieval '{manifest.Retrieval}') has a pool whose manifest "
            + $"has a history_encoder (a fresh history's vector read by the divide-and-conquer encoder's query), which only an {MmrRetrieval} directory of format version "
            + $"{DivideConquerHistoryFormatVersion} or later holds: it was edited or damaged. Export the directory again.");
    }

    /// <summary>
    /// A history encoder outside a round-robin directory is the divide-and-conquer one: only in a quota or unimodal directory
    /// (an MMR directory's pool among them, <see cref="CheckMmrPoolEncoder"/>) of version 5 or later, its outputs the readings such a directory serves (the mixture's three tensors, the single query, or
    /// both; a unimodal directory the query alone). Anywhere else no scorer reads it, so the manifest was edited.
    /// </summary>
    private static void CheckDivideConquerEncoder(OnnxServingManifest manifest, string path)
    {
        string[] mixture = [MixtureOnnxExporter.MixtureClustersName, MixtureOnnxExporter.MixtureWeightsName, MixtureOnnxExporter.MixtureEmbeddingsName];
        if (manifest.HistoryQuotaScorer != null && (manifest.HistoryEncoder is not { } encoder || !mixture.All(encoder.Outputs.Contains) || manifest.RoundRobinScorer != null))
            throw new InvalidDataException($"The ONNX serving manifest '{path}' has a history_quota_scorer but no history_encoder giving a fresh history's mixture, which "
                + "alone it serves: it was edited or damaged. Export the directory again.");
        var outputs = manifest.HistoryEncoder!.Outputs ?? [];
        bool hasMixture = mixture.All(outputs.Contains), hasVector = outputs.Contains(MixtureOnnxExporter.UserEmbeddingName);
        int expected = (hasMixture ? mixture.Length : 0) + (hasVector ? 1 : 0);
        bool fits = manifest.Retrieval switch
        {
            ClusterQuotaRetrieval => hasMixture || hasVector,
            UnimodalRetrieval => hasVector && !hasMixture,
            _ => false,
        };
        if (!fits || outputs.Count != expected || manifest.FormatVersion < DivideConquerHistoryFormatVersion)
            throw new InvalidDataException($"The ONNX serving manifest '{path}' (format version {manifest.FormatVersion}, retrieval '{manifest.Retrieval}') has a history_encoder "
                + $"with outputs [{string.Join(", ", outputs)}], which only a round-robin directory, or a {ClusterQuotaRetrieval} or {UnimodalRetrieval} directory of format version "
                + $"{DivideConquerHistoryFormatVersion} or later reading a fresh history's mixture (mixture_*) or vector (user_embedding) by it, holds: it was edited or damaged. "
                + "Export the directory again.");
    }
}
