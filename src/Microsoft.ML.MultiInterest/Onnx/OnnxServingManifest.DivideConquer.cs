using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>A directory whose new users are read by a divide-and-conquer model: its format version and what its manifest must hold.</summary>
public sealed partial class OnnxServingManifest
{
    /// <summary>
    /// The version of a quota, unimodal or conditional directory with a divide-and-conquer history encoder (<see cref="HistoryEncoder"/>,
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
    /// A merged conditional directory whose parts hold the divide-and-conquer history encoder (a stage with <c>HistoryVector = Encoder</c>)
    /// holds it in both (each part reads a fresh history's vector itself) and is of format version <see cref="DivideConquerHistoryFormatVersion"/>
    /// or later, as its exporter writes it: one that says otherwise was edited, and is refused rather than served (a part without
    /// it would read the history's mean where the other reads the encoder's query).
    /// </summary>
    /// <param name="manifest">The merged directory's manifest.</param>
    /// <param name="explicitPart">Its explicit part's manifest (itself checked when read, as a conditional directory's).</param>
    /// <param name="implicitPart">Its implicit part's manifest (itself checked when read, as a quota directory's).</param>
    /// <param name="path">The merged manifest's path, for the message.</param>
    internal static void CheckConditionalPartsEncoder(OnnxServingManifest manifest, OnnxServingManifest explicitPart, OnnxServingManifest implicitPart, string path)
    {
        bool inExplicit = explicitPart.HistoryEncoder != null, inImplicit = implicitPart.HistoryEncoder != null;
        if (inExplicit != inImplicit)
        {
            var (with, without) = inExplicit ? (OnnxConditionalMergeScorer.ExplicitDirectoryName, OnnxConditionalMergeScorer.ImplicitDirectoryName)
                : (OnnxConditionalMergeScorer.ImplicitDirectoryName, OnnxConditionalMergeScorer.ExplicitDirectoryName);
            throw new InvalidDataException($"The ONNX serving manifest '{path}' (retrieval '{manifest.Retrieval}') has parts of which '{with}' reads a fresh history's vector "
                + $"by the divide-and-conquer encoder and '{without}' does not, where its exporter writes the history_encoder in both or neither: it was edited or damaged. "
                + "Export the directory again.");
        }
        if (!inExplicit || manifest.FormatVersion >= DivideConquerHistoryFormatVersion) return;
        throw new InvalidDataException($"The ONNX serving manifest '{path}' (format version {manifest.FormatVersion}, retrieval '{manifest.Retrieval}') has parts whose manifests "
            + $"have a history_encoder (a fresh history's vector read by the divide-and-conquer encoder's query), which only a {ConditionalMergedRetrieval} directory of format version "
            + $"{DivideConquerHistoryFormatVersion} or later holds: it was edited or damaged. Export the directory again.");
    }

    /// <summary>
    /// A history encoder outside a round-robin directory is the divide-and-conquer one: only in a quota or unimodal directory
    /// (an MMR directory's pool among them, <see cref="CheckMmrPoolEncoder"/>) or a conditional one (a merged directory's parts
    /// among them, <see cref="CheckConditionalPartsEncoder"/>) of version 5 or later, its outputs the readings such a directory
    /// serves (the mixture's three tensors, the single query, or both; a unimodal or conditional directory the query alone, a
    /// conditional one reading a history's conditions with its condition model). Anywhere else no scorer reads it, so the
    /// manifest was edited.
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
            UnimodalRetrieval or ConditionalRetrieval => hasVector && !hasMixture,
            _ => false,
        };
        if (!fits || outputs.Count != expected || manifest.FormatVersion < DivideConquerHistoryFormatVersion)
            throw new InvalidDataException($"The ONNX serving manifest '{path}' (format version {manifest.FormatVersion}, retrieval '{manifest.Retrieval}') has a history_encoder "
                + $"with outputs [{string.Join(", ", outputs)}], which only a round-robin directory, a {ClusterQuotaRetrieval} or {UnimodalRetrieval} directory of format version "
                + $"{DivideConquerHistoryFormatVersion} or later reading a fresh history's mixture (mixture_*) or vector (user_embedding) by it, or a {ConditionalRetrieval} directory "
                + $"of format version {DivideConquerHistoryFormatVersion} or later reading a fresh history's vector (user_embedding) by it, holds: it was edited or damaged. "
                + "Export the directory again.");
    }
}
