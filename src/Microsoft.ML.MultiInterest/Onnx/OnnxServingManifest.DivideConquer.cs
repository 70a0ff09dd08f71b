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
    /// A history encoder outside a round-robin directory is the divide-and-conquer one: only in a quota or unimodal directory of
    /// version 5 or later, its outputs the readings such a directory serves (the mixture's three tensors, the single query, or
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
