using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The two graphs of history-interest MMR (<see cref="OnnxServingDirectory.ExportHistoryMmr"/>): an encoder of each user
/// row's vector and history interests (computed at export), and a pool scorer that ranks the catalogue once per vector
/// (a Unimodal pool's is the vector scorer, <see cref="UnimodalOnnxExporter.BuildVectorModel"/>: once per user).
/// The pool's union, its re-scoring by the best vector and the MMR re-ranking are the engine's (<see cref="OnnxHistoryMmrScorer"/>):
/// a greedy loop of N steps over pairwise cosines is the client's work, as the round-robin merge is.
/// </summary>
public static class HistoryMmrGraphs
{
    /// <summary>The encoder's input: user rows, int64 <c>[batch]</c>.</summary>
    public const string UserRowsInput = "user_rows";

    /// <summary>Each user's own vector, float <c>[batch, d]</c> (encoder output, pool scorer input).</summary>
    public const string UserEmbeddingName = "user_embedding";

    /// <summary>Each user's interest vectors, float <c>[batch, K, d]</c>, zero rows past its count (encoder output, pool scorer input).</summary>
    public const string InterestEmbeddingsName = "interest_embeddings";

    /// <summary>
    /// 0 for each vector the pool uses and negative infinity for padding, float <c>[batch, K + 1]</c>: the user's own vector
    /// first, then its interests (encoder output, pool scorer input).
    /// </summary>
    public const string QueryMaskName = "query_mask";

    /// <summary>Each user's interest count, int64 <c>[batch]</c> (encoder output).</summary>
    public const string InterestCountsName = "interest_counts";

    /// <summary>Each interest's share of the user's history, double <c>[batch, K]</c>, 0 past its count (encoder output).</summary>
    public const string InterestWeightsName = "interest_weights";

    /// <summary>The pool scorer's optional seen-item mask, float <c>[batch, I]</c>: 0 keeps, negative infinity excludes.</summary>
    public const string ExclusionMaskInput = "exclusion_mask";

    /// <summary>Per user and vector (own first, then interests), the top min(N + slack, I) item rows, int64 <c>[batch, K + 1, k]</c>.</summary>
    public const string CandidateRowsOutput = "query_candidate_rows";

    /// <summary>Their scores, float <c>[batch, K + 1, k]</c>; negative infinity for excluded items and padding vectors.</summary>
    public const string CandidateScoresOutput = "query_candidate_scores";

    /// <summary>
    /// A clustered pool's list mask, float <c>[batch, L]</c> (pool scorer input): 0 for each inverted list the user's vectors
    /// search, negative infinity for the others. The items of masked lists are left out of the interests' rankings (and of the
    /// user vector's when it probes the lists too, <see cref="OnnxServingManifest.PoolUserProbes"/>).
    /// </summary>
    public const string ListMaskInput = "list_mask";

    /// <summary>A clustered pool's lists: each vector's score against each list centroid, float <c>[batch, K + 1, L]</c> (list scorer output).</summary>
    public const string ListScoresOutput = "list_scores";

    /// <summary>Each item's inverted list, int64 <c>[I]</c> (a clustered pool scorer's initializer).</summary>
    internal const string ItemListsName = "item_lists";

    /// <summary>The inverted lists' centroids, float <c>[L, d]</c> (the list scorer's initializer).</summary>
    internal const string ListCentroidsName = "list_centroids";

    internal const string UserTableName = UnimodalOnnxExporter.UserTableName;
    internal const string ItemTableName = UnimodalOnnxExporter.ItemTableName;
    internal const string InterestTableName = "interest_table";
    internal const string InterestWeightTableName = "interest_weight_table";
    internal const string InterestCountTableName = "interest_count_table";

    /// <summary>The vectors per user the pool scorer ranks with: the user's own and up to K interests.</summary>
    internal static int Queries(int maxInterests) => maxInterests + 1;

    /// <summary>Builds the encoder over <paramref name="users"/> and every user row's <paramref name="interests"/> (rows 0..U-1, K at least 1).</summary>
    internal static ModelProto BuildEncoder(EmbeddingMatrix users, HistoryInterests interests)
    {
        int u = users.Rows, k = interests.MaxInterests, d = users.Dimension;
        var (counts, vectors, weights) = interests.ToTables();
        var queryMask = new float[u * (k + 1)];
        for (int r = 0; r < u; r++)
            for (int j = (int)counts[r]; j < k; j++) queryMask[r * (k + 1) + 1 + j] = float.NegativeInfinity;
        var f = TensorProto.Types.DataType.Float;
        var f64 = TensorProto.Types.DataType.Double;
        var i64 = TensorProto.Types.DataType.Int64;
        var axis0 = OnnxAttributes.Int("axis", 0);
        return new OnnxGraphBuilder("history_encoder")
            .AddInput(UserRowsInput, i64, [null])
            .AddInitializer(UserTableName, [u, d], users.Values)
            .AddInitializer(InterestTableName, [u, k, d], vectors)
            .AddInitializer("query_mask_table", [u, k + 1], queryMask)
            .AddInitializer(OnnxTensors.Double(InterestWeightTableName, [u, k], weights))
            .AddInitializer(InterestCountTableName, [u], counts)
            .AddNode("Gather", [UserTableName, UserRowsInput], [UserEmbeddingName], axis0)
            .AddNode("Gather", [InterestTableName, UserRowsInput], [InterestEmbeddingsName], axis0)
            .AddNode("Gather", ["query_mask_table", UserRowsInput], [QueryMaskName], axis0)
            .AddNode("Gather", [InterestWeightTableName, UserRowsInput], [InterestWeightsName], axis0)
            .AddNode("Gather", [InterestCountTableName, UserRowsInput], [InterestCountsName], axis0)
            .AddOutput(UserEmbeddingName, f, [null, d])
            .AddOutput(InterestEmbeddingsName, f, [null, k, d])
            .AddOutput(QueryMaskName, f, [null, k + 1])
            .AddOutput(InterestWeightsName, f64, [null, k])
            .AddOutput(InterestCountsName, i64, [null])
            .Build($"History-interest encoder: {u} users, their vectors and up to {k} history interests of dimension {d}.");
    }

    /// <summary>
    /// Builds the pool scorer: each of a user's K + 1 vectors ranks every item; its top min(N + slack, I) are the candidates.
    /// With <paramref name="itemLists"/> (a clustered pool) the scorer takes the list mask, and the interests (all K + 1 vectors
    /// with <paramref name="userSearchesLists"/>) rank only the items of the lists it leaves open.
    /// </summary>
    internal static ModelProto BuildPoolScorer(EmbeddingMatrix items, int maxInterests, int poolSize, bool exclusionMask,
        ReadOnlySpan<int> itemLists = default, int lists = 0, bool userSearchesLists = false)
    {
        if (lists > 0) return BuildListedPoolScorer(items, maxInterests, poolSize, exclusionMask, itemLists, lists, userSearchesLists);
        int i = items.Rows, d = items.Dimension, q = Queries(maxInterests);
        int k = CandidateCount(poolSize, i);
        var f = TensorProto.Types.DataType.Float;
        var i64 = TensorProto.Types.DataType.Int64;
        var g = new OnnxGraphBuilder("history_pool_scorer")
            .AddInput(UserEmbeddingName, f, [null, d])
            .AddInput(InterestEmbeddingsName, f, [null, maxInterests, d])
            .AddInput(QueryMaskName, f, [null, q]);
        if (exclusionMask) g.AddInput(ExclusionMaskInput, f, [null, i]);
        g.AddInitializer(ItemTableName, [i, d], items.Values)
            .AddInitializer("axis_1", [1], [1L])
            .AddInitializer("axis_2", [1], [2L])
            .AddInitializer("k", [1], [(long)k])
            .AddNode("Unsqueeze", [UserEmbeddingName, "axis_1"], ["user_query"])                              // [B,1,d]
            .AddNode("Concat", ["user_query", InterestEmbeddingsName], ["queries"], OnnxAttributes.Int("axis", 1))  // [B,K+1,d]
            .AddNode("Transpose", [ItemTableName], ["items_by_column"], OnnxAttributes.Ints("perm", [1, 0]))  // [d,I]
            .AddNode("MatMul", ["queries", "items_by_column"], ["raw_scores"])                               // [B,K+1,I]
            .AddNode("Unsqueeze", [QueryMaskName, "axis_2"], ["query_mask_column"])                          // [B,K+1,1]
            .AddNode("Add", ["raw_scores", "query_mask_column"], ["query_scores"]);
        string scores = "query_scores";
        if (exclusionMask)
        {
            g.AddNode("Unsqueeze", [ExclusionMaskInput, "axis_1"], ["mask_row"])                              // [B,1,I]
                .AddNode("Add", [scores, "mask_row"], ["unseen_scores"]);
            scores = "unseen_scores";
        }
        return g.AddNode("TopK", [scores, "k"], [CandidateScoresOutput, CandidateRowsOutput], OnnxAttributes.Int("axis", -1), OnnxAttributes.Int("largest", 1),
                OnnxAttributes.Int("sorted", 1))
            .AddOutput(CandidateRowsOutput, i64, [null, q, k])
            .AddOutput(CandidateScoresOutput, f, [null, q, k])
            .Build($"History-interest pool scorer: each of up to {q} vectors per user ranks {i} items of dimension {d}; top {k} (pool {poolSize} + slack).");
    }

    /// <summary>
    /// The clustered pool's scorer: the user's own vector and its interests are ranked in two parts, so the list mask
    /// (<see cref="ListMaskInput"/>, gathered to the items) is added to the interests' scores alone, as one [B, 1, I] row with
    /// the exclusion mask, costing no more full-size operations than the exact pool's graph; the user's part gets the list
    /// mask too when it probes the lists (<paramref name="userSearchesLists"/>). Same inputs and outputs as the exact one's,
    /// plus the list mask.
    /// </summary>
    private static ModelProto BuildListedPoolScorer(EmbeddingMatrix items, int maxInterests, int poolSize, bool exclusionMask,
        ReadOnlySpan<int> itemLists, int lists, bool userSearchesLists)
    {
        int i = items.Rows, d = items.Dimension, q = Queries(maxInterests);
        int k = CandidateCount(poolSize, i);
        var f = TensorProto.Types.DataType.Float;
        var i64 = TensorProto.Types.DataType.Int64;
        var listOf = new long[i];
        for (int r = 0; r < i; r++) listOf[r] = itemLists[r];
        var g = new OnnxGraphBuilder("history_pool_scorer")
            .AddInput(UserEmbeddingName, f, [null, d])
            .AddInput(InterestEmbeddingsName, f, [null, maxInterests, d])
            .AddInput(QueryMaskName, f, [null, q])
            .AddInput(ListMaskInput, f, [null, lists]);
        if (exclusionMask) g.AddInput(ExclusionMaskInput, f, [null, i]);
        g.AddInitializer(ItemTableName, [i, d], items.Values)
            .AddInitializer(ItemListsName, [i], listOf)
            .AddInitializer("axis_1", [1], [1L])
            .AddInitializer("axis_2", [1], [2L])
            .AddInitializer("interest_rows_start", [1], [1L])
            .AddInitializer("interest_rows_end", [1], [(long)q])
            .AddInitializer("k", [1], [(long)k])
            .AddNode("Transpose", [ItemTableName], ["items_by_column"], OnnxAttributes.Ints("perm", [1, 0]))                  // [d,I]
            .AddNode("Gather", [ListMaskInput, ItemListsName], ["item_list_mask"], OnnxAttributes.Int("axis", 1))            // [B,I]
            .AddNode("Unsqueeze", ["item_list_mask", "axis_1"], ["list_mask_row"]);                                          // [B,1,I]
        string listed = "list_mask_row", unlisted = "";
        if (exclusionMask)
        {
            g.AddNode("Unsqueeze", [ExclusionMaskInput, "axis_1"], ["exclusion_row"])                                          // [B,1,I]
                .AddNode("Add", ["list_mask_row", "exclusion_row"], ["listed_unseen_row"]);
            (listed, unlisted) = ("listed_unseen_row", "exclusion_row");
        }
        // The user's own vector: [B,1,I] scores, its mask (the lists' when it probes them, else the exclusions' alone).
        g.AddNode("Unsqueeze", [UserEmbeddingName, "axis_1"], ["user_query"])                                                 // [B,1,d]
            .AddNode("MatMul", ["user_query", "items_by_column"], ["user_raw_scores"]);                                      // [B,1,I]
        string userMask = userSearchesLists ? listed : unlisted;
        string userScores = "user_raw_scores";
        if (userMask.Length > 0)
        {
            g.AddNode("Add", [userScores, userMask], ["user_scores"]);
            userScores = "user_scores";
        }
        // The interests: [B,K,I] scores plus the listed row and the padding rows' -inf.
        g.AddNode("MatMul", [InterestEmbeddingsName, "items_by_column"], ["interest_raw_scores"])                             // [B,K,I]
            .AddNode("Slice", [QueryMaskName, "interest_rows_start", "interest_rows_end", "axis_1"], ["interest_query_mask"]) // [B,K]
            .AddNode("Unsqueeze", ["interest_query_mask", "axis_2"], ["interest_mask_column"])                               // [B,K,1]
            .AddNode("Add", ["interest_raw_scores", listed], ["interest_listed_scores"])
            .AddNode("Add", ["interest_listed_scores", "interest_mask_column"], ["interest_scores"])
            .AddNode("TopK", [userScores, "k"], ["user_candidate_scores", "user_candidate_rows"], OnnxAttributes.Int("axis", -1), OnnxAttributes.Int("largest", 1),
                OnnxAttributes.Int("sorted", 1))
            .AddNode("TopK", ["interest_scores", "k"], ["interest_candidate_scores", "interest_candidate_rows"], OnnxAttributes.Int("axis", -1),
                OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1))
            .AddNode("Concat", ["user_candidate_rows", "interest_candidate_rows"], [CandidateRowsOutput], OnnxAttributes.Int("axis", 1))
            .AddNode("Concat", ["user_candidate_scores", "interest_candidate_scores"], [CandidateScoresOutput], OnnxAttributes.Int("axis", 1));
        return g.AddOutput(CandidateRowsOutput, i64, [null, q, k])
            .AddOutput(CandidateScoresOutput, f, [null, q, k])
            .Build($"History-interest pool scorer over {lists} inverted lists: each of up to {q} vectors per user ranks the {i} items of dimension {d} "
                + $"its user's list mask leaves open ({(userSearchesLists ? "the user's own vector too" : "the user's own vector all of them")}); top {k} (pool {poolSize} + slack).");
    }

    /// <summary>
    /// Builds a clustered pool's list scorer: each of a user's K + 1 vectors against each list centroid, the scores a client
    /// picks each vector's probed lists from (the top <see cref="OnnxServingManifest.PoolProbes"/>, ties to the lower list) to
    /// make the pool scorer's list mask. It also keeps the centroids the .NET scorer rebuilds the engine's index from.
    /// </summary>
    internal static ModelProto BuildListScorer(EmbeddingMatrix centroids, int maxInterests)
    {
        int l = centroids.Rows, d = centroids.Dimension, q = Queries(maxInterests);
        var f = TensorProto.Types.DataType.Float;
        return new OnnxGraphBuilder("history_pool_lists")
            .AddInput(UserEmbeddingName, f, [null, d])
            .AddInput(InterestEmbeddingsName, f, [null, maxInterests, d])
            .AddInitializer(ListCentroidsName, [l, d], centroids.Values.AsSpan(0, l * d))
            .AddInitializer("axis_1", [1], [1L])
            .AddNode("Unsqueeze", [UserEmbeddingName, "axis_1"], ["user_query"])                              // [B,1,d]
            .AddNode("Concat", ["user_query", InterestEmbeddingsName], ["queries"], OnnxAttributes.Int("axis", 1))  // [B,K+1,d]
            .AddNode("Transpose", [ListCentroidsName], ["centroids_by_column"], OnnxAttributes.Ints("perm", [1, 0]))  // [d,L]
            .AddNode("MatMul", ["queries", "centroids_by_column"], [ListScoresOutput])                       // [B,K+1,L]
            .AddOutput(ListScoresOutput, f, [null, q, l])
            .Build($"History-interest pool lists: each of up to {q} vectors per user against {l} inverted-list centroids of dimension {d}.");
    }

    /// <summary>Candidates per vector: N plus the slack, at most the catalogue.</summary>
    internal static int CandidateCount(int poolSize, int items) => Math.Min(poolSize + OnnxServingDefaults.CandidateSlack, items);
}
