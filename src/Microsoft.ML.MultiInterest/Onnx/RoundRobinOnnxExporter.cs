using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Writes the ONNX graphs (opset 17, batched over users) that serve <see cref="RoundRobinRetriever"/>: the
/// <em>encoder</em> (the mixture encoder of <see cref="MixtureOnnxExporter"/>, here over the learned components: user
/// rows to C_s component vectors and their weights) and the <em>round-robin scorer</em>, which returns, for every user
/// component, its nearest K × C_d unseen item components and a few more (<see cref="OnnxServingManifest.CandidateSlack"/>).
/// The final step, summing an item's fetched components, ranking per component and merging by <c>max_c w_c / rank_c</c>,
/// is done on the .NET side with the very code <see cref="RoundRobinRetriever"/> runs: <see cref="OnnxRoundRobinScorer"/>
/// first re-scores the candidates with the engine's arithmetic and proves (or, where it cannot, fetches with the engine)
/// each component's K × C_d, so its lists are the retriever's bit for bit; <see cref="RoundRobinOnnxMerge"/> merges the
/// scorer's own lists, which are the retriever's whenever the two dot products rank the components alike (exactly for
/// integer-valued tables; otherwise up to near-ties within float rounding).
/// </summary>
/// <remarks>
/// <para>Encoder: see <see cref="MixtureOnnxExporter"/>; the cluster ids it returns are the component indices (-1 pads a
/// user with fewer components, as kNN-Embed tables may), its weights are the engine's, bit for bit, in descending order.</para>
/// <para>Scorer: <see cref="MixtureEmbeddingsName"/> float <c>[batch, m, d]</c> and, when exported with a mask,
/// <see cref="ExclusionMaskInput"/> float <c>[batch, I]</c> (0 keeps, negative infinity excludes; see
/// <see cref="OnnxExclusionMask.Build"/>). Outputs <see cref="ComponentRowsOutput"/> int64 <c>[batch, m, F]</c> (item
/// component rows <c>i × C_d + l</c>, nearest first, -1 past the unexcluded ones) and <see cref="ComponentScoresOutput"/>
/// float <c>[batch, m, F]</c> (their dot products, negative infinity for -1), where F = min(K × C_d + slack, I × C_d); the
/// slack is <see cref="OnnxServingManifest.CandidateSlack"/> (16; 0 in a directory exported before 2026-12).</para>
/// <para>A scorer exported from a pipeline whose item key type holds keys without training edges has item component rows per
/// key, zero for those, and adds the constant <c>item_absence</c> float <c>[I]</c> (0 for an item, negative infinity for a
/// key without one; <see cref="ItemAbsence"/>) to the scores of every item's components, as it adds the mask, so such rows
/// come out as -1 past the end and are never fetched.</para>
/// </remarks>
public static class RoundRobinOnnxExporter
{
    /// <summary>Scorer output: int64 <c>[batch, m, F]</c> nearest item component rows per user component, -1 past the end.</summary>
    public const string ComponentRowsOutput = "component_rows";

    /// <summary>Scorer output: float <c>[batch, m, F]</c> dot products of <see cref="ComponentRowsOutput"/>, negative infinity past the end.</summary>
    public const string ComponentScoresOutput = "component_scores";

    /// <summary>Scorer initializer: float <c>[d, I × C_d]</c>, the item components transposed (read back by <see cref="OnnxRoundRobinScorer"/>).</summary>
    internal const string ItemComponentsName = "item_components_t";

    /// <summary>Writes the encoder over a learned mixture model (all its users, components in descending weight order).</summary>
    /// <param name="model">The learned components and weights (<see cref="GraphEmbeddingResult.Mixture"/>).</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    public static void ExportEncoder(MixtureEmbeddingResult model, Stream output)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (users, table) = EncoderTables(model);
        ExportEncoder(users, table, output);
    }

    /// <summary>Writes the encoder over any mixture table (learned, kNN-Embed or Mixture).</summary>
    /// <param name="users">User vectors (the encoder's <see cref="UserEmbeddingName"/> output); row r is user row r.</param>
    /// <param name="mixtures">The users' components and weights, one row per user row.</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    public static void ExportEncoder(EmbeddingMatrix users, MixtureTable mixtures, Stream output) =>
        MixtureOnnxExporter.ExportEncoder(users, mixtures, 1, 1.0, output);

    /// <summary>Writes the round-robin scorer graph to <paramref name="output"/>.</summary>
    /// <param name="itemComponents">Rows <c>i × C_d + l</c>: component l of item i (the item embeddings when C_d = 1).</param>
    /// <param name="destinationComponents">C_d ≥ 1.</param>
    /// <param name="maxComponents">m, the (padded) components per user the encoder returns.</param>
    /// <param name="candidates">K, the largest list length served (every K' ≤ K is served by the same outputs); 1 to the number of items.</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    /// <param name="exclusionMask">True to add the <see cref="ExclusionMaskInput"/> input (seen-item exclusion).</param>
    public static void ExportScorer(EmbeddingMatrix itemComponents, int destinationComponents, int maxComponents, int candidates, Stream output, bool exclusionMask = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
        OnnxModelFile.WriteWhole(BuildScorer(itemComponents, destinationComponents, maxComponents, candidates, exclusionMask), output, "round-robin scorer");
    }

    /// <summary>The encoder's tables for a learned model: each user's mean component as its vector, and its mixture table.</summary>
    internal static (EmbeddingMatrix Users, MixtureTable Table) EncoderTables(MixtureEmbeddingResult model)
    {
        int cs = model.SourceComponents, d = model.Dimension;
        var users = new EmbeddingMatrix(model.UserCount, d);
        for (int u = 0; u < model.UserCount; u++)
        {
            var row = users.Values.AsSpan(u * d, d);
            var components = model.ComponentsOfUser(u);
            for (int c = 0; c < cs; c++)
                for (int j = 0; j < d; j++) row[j] += components[c * d + j] / cs;
        }
        return (users, model.ToMixtureTable(Enumerable.Range(0, model.UserCount).ToArray()));
    }

    /// <summary>
    /// F, the candidates per user component: K × C_d, which the merge takes, plus <paramref name="slack"/>, which
    /// <see cref="OnnxRoundRobinScorer"/> needs to prove the K × C_d are the engine's; at most every row.
    /// </summary>
    internal static int FetchCount(int candidates, int destinationComponents, int rows, int slack) =>
        (int)Math.Min((long)candidates * destinationComponents + slack, rows);

    /// <summary>Validates the arguments and builds the scorer model (<paramref name="slack"/> other than the default only to test older directories).</summary>
    /// <param name="itemComponents">Rows <c>i × C_d + l</c>: component l of item i.</param>
    /// <param name="destinationComponents">C_d ≥ 1.</param>
    /// <param name="maxComponents">m, the (padded) components per user.</param>
    /// <param name="candidates">K.</param>
    /// <param name="exclusionMask">True to add the exclusion mask input.</param>
    /// <param name="slack">The candidates fetched beyond K × C_d per component.</param>
    /// <param name="itemAbsence">
    /// The items of <paramref name="itemComponents"/> that are none (<see cref="ItemAbsence.Mask"/>, one entry per item), or
    /// null when every item is one (the graph is then as before the mask).
    /// </param>
    internal static ModelProto BuildScorer(EmbeddingMatrix itemComponents, int destinationComponents, int maxComponents, int candidates, bool exclusionMask,
        int slack = OnnxServingDefaults.CandidateSlack, float[]? itemAbsence = null)
    {
        ArgumentNullException.ThrowIfNull(itemComponents);
        if (destinationComponents < 1) throw new ArgumentOutOfRangeException(nameof(destinationComponents), destinationComponents, "destinationComponents (C_d) must be at least 1.");
        if (itemComponents.Rows < 1 || itemComponents.Rows % destinationComponents != 0)
            throw new ArgumentException($"{itemComponents.Rows} item component rows are not a positive whole number of items with {destinationComponents} components each.", nameof(itemComponents));
        if (maxComponents < 1) throw new ArgumentOutOfRangeException(nameof(maxComponents), maxComponents, "maxComponents (m) must be at least 1.");
        int rows = itemComponents.Rows, items = rows / destinationComponents, d = itemComponents.Dimension;
        MixtureExportChecks.Candidates(candidates, items);
        ItemAbsence.Check(itemAbsence, items);
        MixtureExportChecks.CheckSize("round-robin scorer", (double)rows * (d * sizeof(float) + sizeof(long)));
        itemComponents.ThrowIfNotFinite("item components");
        int fetch = FetchCount(candidates, destinationComponents, rows, slack);

        var f = TensorProto.Types.DataType.Float;
        var i64 = TensorProto.Types.DataType.Int64;
        var transposed = new float[(long)rows * d];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < d; j++) transposed[(long)j * rows + r] = itemComponents.Values[(long)r * d + j];
        var g = new OnnxGraphBuilder("round_robin_scorer")
            .AddInput(MixtureEmbeddingsName, f, [null, maxComponents, d]);
        if (exclusionMask) g.AddInput(ExclusionMaskInput, f, [null, items]);
        g.AddInitializer(ItemComponentsName, [d, rows], transposed)
            .AddInitializer("fetch", [1], [(long)fetch])
            .AddInitializer("minus_one", [], [-1L])
            .AddInitializer("neg_inf", [], [float.NegativeInfinity])
            .AddNode("MatMul", [MixtureEmbeddingsName, ItemComponentsName], ["raw_scores"]); // [B,m,R]
        string scores = "raw_scores";
        // Both per-item masks reach the item component rows through row_items (row r is a component of item r / C_d).
        if (exclusionMask || (itemAbsence != null && destinationComponents > 1))
            g.AddInitializer("row_items", [rows], Enumerable.Range(0, rows).Select(r => (long)(r / destinationComponents)).ToArray());
        if (itemAbsence != null)
        {
            // Keys without an item (zero rows, which score 0) are never fetched; the constant broadcasts over batch and components.
            g.AddInitializer(ItemAbsence.InitializerName, [items], itemAbsence);
            string rowAbsence = ItemAbsence.InitializerName;
            if (destinationComponents > 1)
            {
                g.AddNode("Gather", [ItemAbsence.InitializerName, "row_items"], ["row_absence"], OnnxAttributes.Int("axis", 0));   // [R]
                rowAbsence = "row_absence";
            }
            g.AddNode("Add", ["raw_scores", rowAbsence], ["present_scores"]);
            scores = "present_scores";
        }
        if (exclusionMask)
        {
            g.AddInitializer("mask_axis", [1], [1L])
                .AddNode("Gather", [ExclusionMaskInput, "row_items"], ["row_mask"], OnnxAttributes.Int("axis", 1))   // [B,R]
                .AddNode("Unsqueeze", ["row_mask", "mask_axis"], ["row_mask_b"])                                   // [B,1,R]
                .AddNode("Add", [scores, "row_mask_b"], ["masked_scores"]);
            scores = "masked_scores";
        }
        g.AddNode("TopK", [scores, "fetch"], ["top_scores", "top_rows"], OnnxAttributes.Int("axis", -1), OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1))
            .AddNode("IsInf", ["top_scores"], ["top_missing"], OnnxAttributes.Int("detect_positive", 0))
            .AddNode("Where", ["top_missing", "minus_one", "top_rows"], [ComponentRowsOutput])
            .AddNode("Where", ["top_missing", "neg_inf", "top_scores"], [ComponentScoresOutput])
            .AddOutput(ComponentRowsOutput, i64, [null, maxComponents, fetch])
            .AddOutput(ComponentScoresOutput, f, [null, maxComponents, fetch]);
        return g.Build($"Round-robin scorer: nearest {fetch} of {rows} item components ({items} items x {destinationComponents}) for up to {maxComponents} user components of dimension {d}.");
    }
}
