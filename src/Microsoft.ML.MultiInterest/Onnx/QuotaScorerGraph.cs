using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The quota scorer graph: <see cref="ClusterQuotaRetriever"/> for one list length M, written as a fixed
/// sequence of tensor operations over a batch of users (see docs/onnx.md for the diagram).
/// </summary>
/// <remarks>
/// Stages: (1) each component scores the members of its own cluster and keeps its top min(M + slack, S) eligible
/// items (also outputs, with the fallback's top min(M + slack, I): the candidates <see cref="OnnxCandidateScorer"/> re-ranks
/// with the engine's arithmetic; the list itself uses at most M of each); (2) quotas are cut to what each component found and the shortfall is handed on in component order
/// with a closed form of the engine's loop; (3) the unimodal top M is the fallback, minus items already
/// taken; (4) every candidate gets an integer sort key (its place in the final list, or
/// <see cref="Absent"/>) and the M smallest keys are the list.
/// </remarks>
internal static class QuotaScorerGraph
{
    /// <summary>The sort key of an entry that is not in the list; every real key is below 2M.</summary>
    private const long Absent = long.MaxValue;

    /// <summary>The initializer of the item table, <c>[I, d]</c>: the unimodal scorer's, under its name (a directory with external data stores it once).</summary>
    internal const string ItemTableName = UnimodalOnnxExporter.ItemTableName;

    /// <summary>The initializer of the members' item rows, <c>[C, S]</c> int64 (read back by <see cref="OnnxCandidateScorer"/>).</summary>
    internal const string ClusterItemRowsName = "cluster_item_rows";

    /// <summary>The initializer of the padding marks, <c>[C, S]</c> float, 0 for a member and negative infinity for padding.</summary>
    internal const string ClusterPaddingName = "cluster_padding";

    /// <summary>Builds the scorer over the grouped items and <paramref name="items"/> (for the fallback and the head).</summary>
    /// <param name="grouped">The items grouped by cluster (or by condition: an item may be in no group, then only the fill reaches it).</param>
    /// <param name="items">The item table of the fallback (the unimodal ranking).</param>
    /// <param name="components">m, the components per user.</param>
    /// <param name="layout">
    /// M, the unimodal head's H slots (the list opens with the fallback's first H items, which the components then skip; the
    /// encoder's quotas must share out M − H slots) and where hand-off slots go.
    /// </param>
    /// <param name="exclusionMask">Whether the graph takes the exclusion mask input.</param>
    public static ModelProto Build(ClusterGroupedItems grouped, EmbeddingMatrix items, int components, QuotaListLayout layout, bool exclusionMask)
    {
        layout.Validate();
        int candidates = layout.Candidates, headSlots = layout.HeadSlots;
        int m = components, d = items.Dimension, s = grouped.Slots, itemCount = items.Rows;
        int k = CandidatesPerComponent(candidates, s, OnnxServingDefaults.CandidateSlack);
        int kFallback = UnimodalOnnxExporter.CandidateCount(candidates, itemCount, OnnxServingDefaults.CandidateSlack);
        var f = TensorProto.Types.DataType.Float;
        var i64 = TensorProto.Types.DataType.Int64;
        var g = new OnnxGraphBuilder("quota_scorer")
            .AddInput(MixtureClustersName, i64, [null, m])
            .AddInput(MixtureEmbeddingsName, f, [null, m, d])
            .AddInput(QuotasName, i64, [null, m])
            .AddInput(UserEmbeddingName, f, [null, d]);
        if (exclusionMask) g.AddInput(ExclusionMaskInput, f, [null, itemCount]);

        g.AddInitializer(ClusterItemRowsName, [grouped.Clusters, s], grouped.Rows)
            .AddInitializer(ClusterPaddingName, [grouped.Clusters, s], grouped.Padding)
            .AddInitializer(ItemTableName, [itemCount, d], items.Values)
            .AddInitializer("zero", [], [0L])
            .AddInitializer("zero_f", [], [0f])
            .AddInitializer("minus_one", [], [-1L])
            .AddInitializer("neg_inf", [], [float.NegativeInfinity])
            .AddInitializer("absent", [], [Absent])
            .AddInitializer("dummy_item", [], [(long)itemCount])
            .AddInitializer("component_axis", [], [1L])
            .AddInitializer("last_axis", [1], [-1L])
            .AddInitializer(ComponentCandidateCountName, [1], [(long)k])
            .AddInitializer("k_list", [1], [(long)candidates])
            .AddInitializer(FallbackCandidateCountName, [1], [(long)kFallback])
            .AddInitializer("list_start", [1], [0L])
            .AddInitializer("component_axis_1d", [1], [1L])
            .AddInitializer("rank_in_component", [1, 1, k], Enumerable.Range(0, k).Select(r => (long)r).ToArray())
            // Component entries follow the head: place = H + the slots of earlier components + rank.
            .AddInitializer("head_slots", [], [(long)headSlots])
            // The head is the fallback's first H entries (key r); later fallback entries fill after every component (key M + r).
            .AddInitializer("fallback_key", [1, candidates], Enumerable.Range(0, candidates).Select(r => r < headSlots ? r : (long)candidates + r).ToArray())
            .AddInitializer("flat_taken_shape", [2], [0L, (long)m * k])
            .AddInitializer("chosen_width", [1], [(long)itemCount + 1]);

        // (0) The fallback, the unimodal top M: the head (its first H items) and the fill of short lists.
        g.AddNode("Gemm", [UserEmbeddingName, ItemTableName], ["fallback_raw"], OnnxAttributes.Int("transB", 1));
        string fallbackScores = "fallback_raw";
        if (exclusionMask)
        {
            g.AddNode("Add", ["fallback_raw", ExclusionMaskInput], ["fallback_unseen"]);
            fallbackScores = "fallback_unseen";
        }
        // The fallback's candidates, M + slack, for re-ranking; the list's fallback is their first M (TopK puts equal scores in
        // ascending index order, so that is TopK's own top M).
        g.AddNode("TopK", [fallbackScores, FallbackCandidateCountName], [FallbackCandidateScoresOutput, FallbackCandidateRowsOutput], Axis(-1), Largest(true), Sorted())
            .AddNode("Slice", [FallbackCandidateScoresOutput, "list_start", "k_list", "component_axis_1d"], ["fallback_scores"])
            .AddNode("Slice", [FallbackCandidateRowsOutput, "list_start", "k_list", "component_axis_1d"], ["fallback_rows"]);
        string headMask = "";
        if (headSlots > 0)
        {
            // The head's items, -inf in a [B, I + 1] table, so that the components skip them as they skip seen items.
            g.AddInitializer("head_end", [1], [(long)headSlots])
                .AddNode("Slice", [FallbackCandidateRowsOutput, "list_start", "head_end", "component_axis_1d"], ["head_rows"])
                .AddNode("Shape", ["head_rows"], ["head_shape"])
                .AddNode("Expand", ["neg_inf", "head_shape"], ["head_marks"])
                .AddNode("Shape", [UserEmbeddingName], ["head_batch"], OnnxAttributes.Int("end", 1))
                .AddNode("Concat", ["head_batch", "chosen_width"], ["head_table_shape"], Axis(0))
                .AddNode("Expand", ["zero_f", "head_table_shape"], ["no_head"])
                .AddNode("ScatterElements", ["no_head", "head_rows", "head_marks"], ["head_table"], Axis(1));
            headMask = "head_table";
        }

        // (1) Each component against its own cluster. Padding components (cluster -1) read cluster 0 and
        // are then masked out entirely, so they find nothing and take no slots. The members' vectors are gathered from the
        // item table by their rows (a padding slot reads row 0 and is masked): a table of vectors grouped by cluster would
        // hold C x S x d floats, the largest cluster's size times every cluster (20x the item table on Ciao).
        g.AddNode("GreaterOrEqual", [MixtureClustersName, "zero"], ["is_component"])
            .AddNode("Max", [MixtureClustersName, "zero"], ["safe_clusters"])
            .AddNode("Gather", [ClusterItemRowsName, "safe_clusters"], ["component_rows"], Axis(0))  // [B,m,S]
            .AddNode("Gather", [ItemTableName, "component_rows"], ["component_items"], Axis(0))  // [B,m,S,d]
            .AddNode("Unsqueeze", [MixtureEmbeddingsName, "last_axis"], ["component_columns"])    // [B,m,d,1]
            .AddNode("MatMul", ["component_items", "component_columns"], ["item_scores_col"])     // [B,m,S,1]
            .AddNode("Squeeze", ["item_scores_col", "last_axis"], ["item_scores"])                // [B,m,S]
            .AddNode("Gather", [ClusterPaddingName, "safe_clusters"], ["component_padding"], Axis(0))
            .AddNode("Add", ["item_scores", "component_padding"], ["member_scores"]);
        string eligible = "member_scores";
        if (exclusionMask || headSlots > 0)
        {
            // Only the masks read the members' rows flat (an initializer no node reads makes ONNX Runtime warn at every opening).
            g.AddInitializer("flat_cluster_shape", [3], [0L, m, s])
                .AddInitializer("flat_component_shape", [2], [0L, (long)m * s])
                .AddNode("Reshape", ["component_rows", "flat_component_shape"], ["flat_component_rows"]);
        }
        if (exclusionMask)
        {
            g.AddNode("GatherElements", [ExclusionMaskInput, "flat_component_rows"], ["flat_component_mask"], Axis(1))
                .AddNode("Reshape", ["flat_component_mask", "flat_cluster_shape"], ["component_mask"])
                .AddNode("Add", [eligible, "component_mask"], ["unseen_scores"]);
            eligible = "unseen_scores";
        }
        if (headSlots > 0)
        {
            g.AddNode("GatherElements", [headMask, "flat_component_rows"], ["flat_component_head"], Axis(1))
                .AddNode("Reshape", ["flat_component_head", "flat_cluster_shape"], ["component_head"])
                .AddNode("Add", [eligible, "component_head"], ["off_head_scores"]);
            eligible = "off_head_scores";
        }
        g.AddNode("Unsqueeze", ["is_component", "last_axis"], ["is_component_col"])
            .AddNode("Where", ["is_component_col", eligible, "neg_inf"], ["eligible_scores"])
            .AddNode("TopK", ["eligible_scores", ComponentCandidateCountName], [ComponentCandidateScoresOutput, "ranked_slots"], Axis(-1), Largest(true), Sorted())
            .AddNode("GatherElements", ["component_rows", "ranked_slots"], [ComponentCandidateRowsOutput], Axis(-1))       // [B,m,k]
            .AddNode("IsInf", [ComponentCandidateScoresOutput], ["ranked_missing"], OnnxAttributes.Int("detect_positive", 0))
            .AddNode("Not", ["ranked_missing"], ["ranked_found"])
            .AddNode("Cast", ["ranked_found"], ["ranked_found_count"], OnnxAttributes.Int("to", (long)i64))
            .AddNode("ReduceSum", ["ranked_found_count", "last_axis"], ["found"], OnnxAttributes.Int("keepdims", 0)) // [B,m]
            // The engine ranks at most M per component; the slack candidates are for re-ranking only.
            .AddNode("Min", ["found", "k_list"], ["available"]);

        // (2) granted = min(quota, available); the shortfall goes to the components in order, each taking
        // min(spare, what is left after the earlier ones took theirs) - the engine's loop in closed form.
        g.AddNode("Min", [QuotasName, "available"], ["granted"])
            .AddNode("Sub", [QuotasName, "granted"], ["shortfall"])
            .AddNode("ReduceSum", ["shortfall", "last_axis"], ["leftover"], OnnxAttributes.Int("keepdims", 1)) // [B,1]
            .AddNode("Sub", ["available", "granted"], ["spare"])
            .AddNode("CumSum", ["spare", "component_axis"], ["spare_before"], OnnxAttributes.Int("exclusive", 1))
            .AddNode("Sub", ["leftover", "spare_before"], ["leftover_here_raw"])
            .AddNode("Max", ["leftover_here_raw", "zero"], ["leftover_here"])
            .AddNode("Min", ["spare", "leftover_here"], ["extra"])
            .AddNode("Add", ["granted", "extra"], ["take"])
            .AddNode("Unsqueeze", ["take", "last_axis"], ["take_col"])
            .AddNode("Less", ["rank_in_component", "take_col"], ["taken"]);                  // [B,m,k]
        if (layout.ExtrasAfterQuotas)
        {
            // Every component's granted quota first, in component order, then the hand-off's extras in component order.
            g.AddNode("CumSum", ["granted", "component_axis"], ["first_granted"], OnnxAttributes.Int("exclusive", 1))
                .AddNode("ReduceSum", ["granted", "last_axis"], ["all_granted"], OnnxAttributes.Int("keepdims", 1))   // [B,1]
                .AddNode("CumSum", ["extra", "component_axis"], ["first_extra"], OnnxAttributes.Int("exclusive", 1))
                .AddNode("Add", ["all_granted", "first_extra"], ["extra_start"])
                .AddNode("Sub", ["extra_start", "granted"], ["extra_offset"])       // place of rank r >= granted: extra_start + r - granted
                .AddNode("Unsqueeze", ["granted", "last_axis"], ["granted_col"])
                .AddNode("Unsqueeze", ["first_granted", "last_axis"], ["first_granted_col"])
                .AddNode("Unsqueeze", ["extra_offset", "last_axis"], ["extra_offset_col"])
                .AddNode("Less", ["rank_in_component", "granted_col"], ["in_quota"])
                .AddNode("Where", ["in_quota", "first_granted_col", "extra_offset_col"], ["first_place_col"]);
        }
        else
        {
            // Each component's whole take contiguously, in component order.
            g.AddNode("CumSum", ["take", "component_axis"], ["first_place"], OnnxAttributes.Int("exclusive", 1))
                .AddNode("Unsqueeze", ["first_place", "last_axis"], ["first_place_col"]);
        }
        g.AddNode("Add", ["first_place_col", "rank_in_component"], ["place_after_head"])
            .AddNode("Add", ["place_after_head", "head_slots"], ["place"])
            .AddNode("Where", ["taken", "place", "absent"], ["taken_keys"]);

        // (3) The fill: the fallback (computed first, as the head masks the components) without items the components took.
        // Taken items are marked in a [B, I + 1] table; entries not taken write 0 into the spare last column. Those writes
        // repeat an index, which ScatterElements without a reduction does not allow ("indices should not have duplicate
        // entries", opset 16-17), so the marks are added: the spare column sums zeros, a taken item is 1 (or more), either way
        // the same table in any order.
        g.AddNode("Where", ["taken", ComponentCandidateRowsOutput, "dummy_item"], ["taken_or_dummy"])
            .AddNode("Reshape", ["taken_or_dummy", "flat_taken_shape"], ["taken_items"])
            .AddNode("Reshape", ["taken", "flat_taken_shape"], ["taken_flat"])
            .AddNode("Cast", ["taken_flat"], ["taken_marks"], OnnxAttributes.Int("to", (long)f))
            .AddNode("Shape", [UserEmbeddingName], ["batch_size"], OnnxAttributes.Int("end", 1))
            .AddNode("Concat", ["batch_size", "chosen_width"], ["chosen_shape"], Axis(0))
            .AddNode("Expand", ["zero_f", "chosen_shape"], ["nothing_chosen"])
            .AddNode("ScatterElements", ["nothing_chosen", "taken_items", "taken_marks"], ["chosen"], Axis(1), OnnxAttributes.String("reduction", "add"))
            .AddNode("GatherElements", ["chosen", "fallback_rows"], ["fallback_chosen"], Axis(1))
            .AddNode("Equal", ["fallback_chosen", "zero_f"], ["fallback_new"])
            .AddNode("IsInf", ["fallback_scores"], ["fallback_missing"], OnnxAttributes.Int("detect_positive", 0))
            .AddNode("Not", ["fallback_missing"], ["fallback_found"])
            .AddNode("And", ["fallback_new", "fallback_found"], ["fallback_used"])
            .AddNode("Where", ["fallback_used", "fallback_key", "absent"], ["fallback_keys"]);

        // (4) Component entries are keyed by their place (H..M-1), the head by its rank (0..H-1), fill entries by M + fallback rank, so
        // the M smallest keys are the list in order; absent entries sort last and are blanked.
        g.AddNode("Reshape", ["taken_keys", "flat_taken_shape"], ["taken_keys_flat"])
            .AddNode("Reshape", [ComponentCandidateRowsOutput, "flat_taken_shape"], ["ranked_rows_flat"])
            .AddNode("Reshape", [ComponentCandidateScoresOutput, "flat_taken_shape"], ["ranked_scores_flat"])
            .AddNode("Concat", ["taken_keys_flat", "fallback_keys"], ["all_keys"], Axis(1))
            .AddNode("Concat", ["ranked_rows_flat", "fallback_rows"], ["all_rows"], Axis(1))
            .AddNode("Concat", ["ranked_scores_flat", "fallback_scores"], ["all_scores"], Axis(1))
            .AddNode("TopK", ["all_keys", "k_list"], ["list_keys", "list_entries"], Axis(-1), Largest(false), Sorted())
            .AddNode("GatherElements", ["all_rows", "list_entries"], ["list_rows"], Axis(1))
            .AddNode("GatherElements", ["all_scores", "list_entries"], ["list_scores"], Axis(1))
            .AddNode("Less", ["list_keys", "absent"], ["listed"])
            .AddNode("Where", ["listed", "list_rows", "minus_one"], [ItemRowsOutput])
            .AddNode("Where", ["listed", "list_scores", "neg_inf"], [ScoresOutput])
            .AddOutput(ItemRowsOutput, i64, [null, candidates])
            .AddOutput(ScoresOutput, f, [null, candidates])
            .AddOutput(ComponentCandidateRowsOutput, i64, [null, m, k])
            .AddOutput(ComponentCandidateScoresOutput, f, [null, m, k])
            .AddOutput(FallbackCandidateRowsOutput, i64, [null, kFallback])
            .AddOutput(FallbackCandidateScoresOutput, f, [null, kFallback]);
        return g.Build($"Quota scorer: top {candidates} of {itemCount} items in {grouped.Clusters} groups (largest {s}) for up to {m} components of dimension {d}, "
            + $"unimodal head of {headSlots}, unimodal fill{(layout.ExtrasAfterQuotas ? ", hand-off after every quota" : "")}.");
    }

    /// <summary>The initializers holding the TopK counts of a component's and of the fallback's candidates, read back to check a manifest against its graph.</summary>
    internal const string ComponentCandidateCountName = "k_cluster", FallbackCandidateCountName = "k_fallback";

    /// <summary>How many candidates each component keeps: M plus the slack, at most the largest cluster (TopK cannot return more than it scores).</summary>
    public static int CandidatesPerComponent(int candidates, int largestCluster, int slack) => Math.Min(candidates + slack, largestCluster);

    private static AttributeProto Axis(long axis) => OnnxAttributes.Int("axis", axis);

    private static AttributeProto Largest(bool largest) => OnnxAttributes.Int("largest", largest ? 1 : 0);

    private static AttributeProto Sorted() => OnnxAttributes.Int("sorted", 1);
}
