using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Writes the two ONNX graphs (opset 17, batched over users) that serve the mixture (kNN-Embed) path of
/// <see cref="ClusterQuotaRetriever"/> for one list length M: the <em>encoder</em>, which looks a batch of
/// users up in the exported per-user tables, and the <em>quota scorer</em>, which turns the encoder's outputs
/// into the retriever's lists, unimodal fill included. Both run on plain ONNX Runtime.
/// <see cref="OnnxServingDirectory"/> writes them together with the unimodal scorer and a manifest.
/// </summary>
/// <remarks>
/// <para>Encoder: <see cref="UserRowsInput"/> int64 <c>[batch]</c> (rows 0..U-1) to
/// <see cref="UserEmbeddingName"/> float <c>[batch, d]</c>, <see cref="MixtureClustersName"/> int64
/// <c>[batch, m]</c> (-1 pads users with fewer than m components), <see cref="MixtureWeightsName"/> double
/// <c>[batch, m]</c> (the engine's weights, bit for bit; 0 for padding), <see cref="MixtureEmbeddingsName"/>
/// float <c>[batch, m, d]</c> and <see cref="QuotasName"/> int64 <c>[batch, m]</c> (the slots of each
/// component for the exported M and alpha, computed by <see cref="QuotaAllocator"/> at export; 0 for padding).</para>
/// <para>Quota scorer: the encoder's outputs except the weights, plus, when exported with an exclusion mask,
/// <see cref="ExclusionMaskInput"/> float <c>[batch, I]</c> (0 keeps, negative infinity excludes; build it
/// with <see cref="OnnxExclusionMask.Build"/>). Outputs <see cref="ItemRowsOutput"/> int64 <c>[batch, M]</c>
/// and <see cref="ScoresOutput"/> float <c>[batch, M]</c>: the retriever's list in its order. When the
/// retriever's list is shorter than M (too few unexcluded items), the tail holds item row -1 and score
/// negative infinity. ONNX Runtime sums the dot products in another order than the engine, so where two scores are
/// within float rounding of each other this list may order them differently from the engine; the scorer's candidate
/// outputs (<see cref="ComponentCandidateRowsOutput"/>) let <see cref="OnnxCandidateScorer"/> return the engine's lists
/// exactly.</para>
/// <para>Each model written to a stream is one protobuf message, limited to 2 GB; larger tables are refused with
/// <see cref="NotSupportedException"/>. Written into a serving directory (<see cref="OnnxServingDirectory"/>), a model past the
/// limit keeps its large tables in ONNX external data instead (<see cref="OnnxExternalData"/>). The grouped item table is C x S x d, where S is the largest cluster,
/// so unbalanced clusterings cost more than the item table itself.</para>
/// </remarks>
public static class MixtureOnnxExporter
{
    /// <summary>Encoder input: int64 <c>[batch]</c> user rows (0-based).</summary>
    public const string UserRowsInput = UnimodalOnnxExporter.UserRowsInput;

    /// <summary>Encoder output and scorer input: float <c>[batch, d]</c> user embeddings (for the unimodal fill).</summary>
    public const string UserEmbeddingName = "user_embedding";

    /// <summary>Encoder output and scorer input: int64 <c>[batch, m]</c> component clusters by descending weight, -1 for padding.</summary>
    public const string MixtureClustersName = "mixture_clusters";

    /// <summary>Encoder output: double <c>[batch, m]</c> component weights, 0 for padding.</summary>
    public const string MixtureWeightsName = "mixture_weights";

    /// <summary>Encoder output and scorer input: float <c>[batch, m, d]</c> component embeddings, zero for padding.</summary>
    public const string MixtureEmbeddingsName = "mixture_embeddings";

    /// <summary>Encoder output and scorer input: int64 <c>[batch, m]</c> slots per component for the exported M, 0 for padding.</summary>
    public const string QuotasName = "quotas";

    /// <summary>Optional scorer input: float <c>[batch, I]</c>, 0 keeps an item, negative infinity excludes it.</summary>
    public const string ExclusionMaskInput = UnimodalOnnxExporter.ExclusionMaskInput;

    /// <summary>Scorer output: int64 <c>[batch, M]</c> item rows in the retriever's order, -1 past the end of a short list.</summary>
    public const string ItemRowsOutput = UnimodalOnnxExporter.ItemRowsOutput;

    /// <summary>Scorer output: float <c>[batch, M]</c> scores of <see cref="ItemRowsOutput"/>, negative infinity past the end of a short list.</summary>
    public const string ScoresOutput = UnimodalOnnxExporter.ScoresOutput;

    /// <summary>
    /// Scorer output: int64 <c>[batch, m, k]</c>, each component's candidates, the top k = min(M + slack, S) eligible members
    /// of its cluster by ONNX Runtime's scores (slack: <see cref="OnnxServingManifest.CandidateSlack"/>). Entries whose score
    /// is negative infinity (excluded items, padding, padding components) are not candidates.
    /// </summary>
    public const string ComponentCandidateRowsOutput = "component_candidate_rows";

    /// <summary>Scorer output: float <c>[batch, m, k]</c>, the scores of <see cref="ComponentCandidateRowsOutput"/>, best first.</summary>
    public const string ComponentCandidateScoresOutput = "component_candidate_scores";

    /// <summary>
    /// Scorer output: int64 <c>[batch, k]</c>, the fallback's candidates, the top k = min(M + slack, I) eligible items of the
    /// catalogue by the user's vector (ONNX Runtime's scores). Entries whose score is negative infinity are excluded items.
    /// </summary>
    public const string FallbackCandidateRowsOutput = "fallback_candidate_rows";

    /// <summary>Scorer output: float <c>[batch, k]</c>, the scores of <see cref="FallbackCandidateRowsOutput"/>, best first.</summary>
    public const string FallbackCandidateScoresOutput = "fallback_candidate_scores";

    /// <summary>Writes the encoder graph to <paramref name="output"/>.</summary>
    /// <param name="users">User embeddings; row r is user row r (the fallback's query).</param>
    /// <param name="mixtures">The users' mixtures, one row per user row.</param>
    /// <param name="candidates">M, the list length the quotas are computed for; at least 1.</param>
    /// <param name="alpha">Quota exponent, finite and non-negative (1 = proportional to the weights).</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    public static void ExportEncoder(EmbeddingMatrix users, MixtureTable mixtures, int candidates, double alpha, Stream output)
    {
        CheckWritable(output);
        OnnxModelFile.WriteWhole(BuildEncoder(users, mixtures, candidates, alpha), output, "mixture encoder");
    }

    /// <summary>Writes the quota scorer graph to <paramref name="output"/>.</summary>
    /// <param name="items">Item embeddings; returned item rows index this table.</param>
    /// <param name="clustering">The item clusters the mixtures refer to.</param>
    /// <param name="mixtures">The mixtures the encoder serves (fixes m and checks the cluster ids).</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    /// <param name="exclusionMask">True to add the <see cref="ExclusionMaskInput"/> input (seen-item exclusion).</param>
    public static void ExportQuotaScorer(EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures, int candidates, Stream output, bool exclusionMask = false)
    {
        CheckWritable(output);
        OnnxModelFile.WriteWhole(BuildQuotaScorer(items, clustering, mixtures, candidates, exclusionMask), output, "quota scorer");
    }

    /// <summary>Validates the arguments and builds the encoder model.</summary>
    internal static ModelProto BuildEncoder(EmbeddingMatrix users, MixtureTable mixtures, int candidates, double alpha)
    {
        MixtureExportChecks.Encoder(users, mixtures, candidates, alpha);
        return MixtureEncoderGraph.Build(users, PaddedMixtures.Create(mixtures, candidates, alpha), candidates, alpha);
    }

    /// <summary>Validates the arguments and builds the quota scorer model.</summary>
    internal static ModelProto BuildQuotaScorer(EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures, int candidates, bool exclusionMask)
    {
        MixtureExportChecks.QuotaScorer(items, clustering, mixtures, candidates);
        return QuotaScorerGraph.Build(ClusterGroupedItems.Create(clustering), items, mixtures.MaxComponents,
            new QuotaListLayout(candidates, HeadSlots: 0, ExtrasAfterQuotas: false), exclusionMask);
    }

    private static void CheckWritable(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
    }
}
