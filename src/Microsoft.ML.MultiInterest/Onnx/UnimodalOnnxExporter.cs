using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Writes the single-vector (unimodal) scorer as a self-contained ONNX model (opset 17) whose
/// initializers hold the user and item embeddings:
/// <c>user_rows</c> → Gather(user embeddings) → Gemm(·, items, transB) → [Add(item_absence)] → [Add(exclusion_mask)] → TopK(M + slack)
/// → <c>candidate_rows</c>, <c>candidate_scores</c>, and their first M, <c>item_rows</c>, <c>scores</c>. The batch dimension is dynamic.
/// </summary>
/// <remarks>
/// <para>Inputs: <see cref="UserRowsInput"/>, int64 <c>[batch]</c>, rows of the exported user table (0-based;
/// ONNX Gather would also accept negative rows counted from the end, so pass only 0..users-1).
/// When exported with an exclusion mask, also <see cref="ExclusionMaskInput"/>, float <c>[batch, items]</c>:
/// 0 keeps an item, negative infinity removes it (it is added to the scores; build it with
/// <see cref="OnnxExclusionMask.Build"/>). A dense additive mask was chosen over a padded list of item ids
/// because it is exact with a single Add and has no padding convention; it costs batch x items floats.</para>
/// <para>Outputs: <see cref="ItemRowsOutput"/>, int64 <c>[batch, candidates]</c>, item rows best first, and
/// <see cref="ScoresOutput"/>, float <c>[batch, candidates]</c>, their dot products. ONNX TopK puts equal
/// scores in ascending index order, the library's tie rule. When a user has fewer than
/// <c>candidates</c> items left after exclusion, the tail of its row holds excluded items with score
/// negative infinity: treat those entries as absent (the engine returns a shorter list). Where two eligible scores are
/// within float rounding of each other these lists may order them differently from <see cref="UnimodalRetriever"/> (ONNX
/// Runtime sums in another order, and the engine calls scores within 2e-7 a tie for the lower row); the candidate outputs
/// <see cref="CandidateRowsOutput"/> and <see cref="CandidateScoresOutput"/> let <see cref="OnnxCandidateScorer"/> return
/// the engine's lists exactly.</para>
/// <para>A model exported from a pipeline whose item key type holds keys without training edges has a row per key, zero for
/// those, and adds the constant <c>item_absence</c> (negative infinity on those rows) to the scores, so they come last
/// with the excluded items and are never listed.</para>
/// <para>A model file is one protobuf message, which is limited to 2 GB: written to a path, a model that would pass it keeps
/// its large tables in ONNX external data, a side file beside it (<see cref="OnnxExternalData"/>, docs/onnx.md); written to a
/// stream, it is refused.</para>
/// </remarks>
public static class UnimodalOnnxExporter
{
    /// <summary>Name of the int64 <c>[batch]</c> input holding user rows.</summary>
    public const string UserRowsInput = "user_rows";

    /// <summary>Name of the optional float <c>[batch, items]</c> input added to the scores (0 keeps, -inf excludes).</summary>
    public const string ExclusionMaskInput = "exclusion_mask";

    /// <summary>Name of the int64 <c>[batch, candidates]</c> output holding item rows, best first.</summary>
    public const string ItemRowsOutput = "item_rows";

    /// <summary>Name of the float <c>[batch, candidates]</c> output holding the scores of <see cref="ItemRowsOutput"/>.</summary>
    public const string ScoresOutput = "scores";

    /// <summary>
    /// Name of the int64 <c>[batch, k]</c> output holding the candidates: the top k = min(M + slack, items) item rows by
    /// ONNX Runtime's scores (slack: <see cref="OnnxServingManifest.CandidateSlack"/>), which <see cref="OnnxCandidateScorer"/>
    /// re-ranks with the engine's arithmetic. <see cref="ItemRowsOutput"/> is their first M.
    /// </summary>
    public const string CandidateRowsOutput = "candidate_rows";

    /// <summary>Name of the float <c>[batch, k]</c> output holding the scores of <see cref="CandidateRowsOutput"/>.</summary>
    public const string CandidateScoresOutput = "candidate_scores";

    /// <summary>Writes the scorer to <paramref name="output"/>, whole: a stream cannot carry external data, so a scorer over 2 GB is refused.</summary>
    /// <param name="users">User embeddings; row r answers user row r.</param>
    /// <param name="items">Item embeddings, same dimension; returned item rows index this table.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    /// <param name="exclusionMask">True to add the <see cref="ExclusionMaskInput"/> input (seen-item exclusion).</param>
    /// <exception cref="NotSupportedException">The tables pass 2 GB: export to a path, where they go to external data.</exception>
    public static void Export(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, Stream output, bool exclusionMask = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
        OnnxModelFile.WriteWhole(BuildModel(users, items, candidates, exclusionMask), output, "unimodal scorer");
    }

    /// <summary>
    /// Writes the scorer to the file <paramref name="path"/> (created or overwritten), with its tables in its side file
    /// <c>path + ".data"</c> when <paramref name="externalData"/> says so or the scorer would pass 2 GB (then open it from its
    /// path, with the side file beside it; a side file an earlier export left is removed when the scorer is written whole).
    /// </summary>
    /// <param name="users">User embeddings; row r answers user row r.</param>
    /// <param name="items">Item embeddings, same dimension; returned item rows index this table.</param>
    /// <param name="candidates">M, the list length: 1 to the number of items.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="exclusionMask">True to add the <see cref="ExclusionMaskInput"/> input (seen-item exclusion).</param>
    /// <param name="externalData">
    /// <see cref="OnnxExternalData.Automatic"/> (default): whole unless the scorer would pass 2 GB; <see cref="OnnxExternalData.Always"/>:
    /// the tables in the side file whatever their size.
    /// </param>
    public static void Export(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, string path, bool exclusionMask = false,
        OnnxExternalData externalData = OnnxExternalData.Automatic)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = ExternalDataPolicy.Enter(externalData);
        OnnxModelFile.Write(BuildModel(users, items, candidates, exclusionMask), path);
    }

    /// <summary>Builds the model without writing it (validates the arguments first).</summary>
    /// <param name="users">User embeddings.</param>
    /// <param name="items">Item embeddings.</param>
    /// <param name="candidates">M.</param>
    /// <param name="exclusionMask">True to add the exclusion mask input.</param>
    /// <param name="itemAbsence">The rows of <paramref name="items"/> that hold no item (<see cref="ItemAbsence.Mask"/>), or null when all do.</param>
    internal static ModelProto BuildModel(EmbeddingMatrix users, EmbeddingMatrix items, int candidates, bool exclusionMask, float[]? itemAbsence = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        if (users.Rows < 1) throw new ArgumentException("The user embedding table is empty: there is nothing to export.", nameof(users));
        if (users.Dimension != items.Dimension)
            throw new ArgumentException($"User embeddings have dimension {users.Dimension} but item embeddings {items.Dimension}.", nameof(users));
        return BuildScorer(users, items, candidates, exclusionMask, itemAbsence);
    }

    /// <summary>
    /// Builds the vector scorer: the same ranking as <see cref="BuildModel"/>, but its input is the users' vectors themselves,
    /// <see cref="MixtureOnnxExporter.UserEmbeddingName"/> float <c>[batch, d]</c>, in place of user rows, so a vector computed
    /// outside the model (a fresh history's mean item vector) can be ranked; only the item table is stored.
    /// </summary>
    internal static ModelProto BuildVectorModel(EmbeddingMatrix items, int candidates, bool exclusionMask, float[]? itemAbsence = null) =>
        BuildScorer(null, items, candidates, exclusionMask, itemAbsence);

    /// <summary>The scorer over <paramref name="items"/>: of the rows of <paramref name="users"/>, or of given vectors when it is null.</summary>
    private static ModelProto BuildScorer(EmbeddingMatrix? users, EmbeddingMatrix items, int candidates, bool exclusionMask, float[]? itemAbsence)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Rows < 1) throw new ArgumentException("The item embedding table is empty: there is nothing to export.", nameof(items));
        MixtureExportChecks.Candidates(candidates, items.Rows);
        ItemAbsence.Check(itemAbsence, items.Rows);
        MixtureExportChecks.CheckSize(users != null ? "unimodal scorer" : "vector scorer", ((double)(users?.Values.Length ?? 0) + items.Values.Length) * sizeof(float));
        users?.ThrowIfNotFinite("user embeddings");
        items.ThrowIfNotFinite("item embeddings");

        const string UserTable = UserTableName, ItemTable = ItemTableName, K = CandidateCountName;
        int k = CandidateCount(candidates, items.Rows, OnnxServingDefaults.CandidateSlack);
        const string RawScores = "raw_scores", MaskedScores = "masked_scores";
        string userVectors = "user_vectors";
        var f = TensorProto.Types.DataType.Float;
        var i64 = TensorProto.Types.DataType.Int64;

        var graph = new OnnxGraphBuilder(users != null ? "unimodal_scorer" : "vector_scorer");
        if (users != null)
        {
            graph.AddInput(UserRowsInput, i64, [null])
                .AddInitializer(UserTable, [users.Rows, users.Dimension], users.Values)
                .AddNode("Gather", [UserTable, UserRowsInput], [userVectors], OnnxAttributes.Int("axis", 0));
        }
        else
        {
            userVectors = MixtureOnnxExporter.UserEmbeddingName;
            graph.AddInput(userVectors, f, [null, items.Dimension]);
        }
        graph.AddInitializer(ItemTable, [items.Rows, items.Dimension], items.Values)
            .AddInitializer(K, [1], [(long)k])
            .AddInitializer("list_start", [1], [0L])
            .AddInitializer("list_end", [1], [(long)candidates])
            .AddInitializer("list_axis", [1], [1L])
            .AddNode("Gemm", [userVectors, ItemTable], [RawScores], OnnxAttributes.Int("transB", 1));
        string scores = RawScores;
        if (itemAbsence != null)
        {
            // Rows without an item (zero rows of keys without edges) are never candidates; the mask broadcasts over the batch.
            graph.AddInitializer(ItemAbsence.InitializerName, [items.Rows], itemAbsence)
                .AddNode("Add", [RawScores, ItemAbsence.InitializerName], ["present_scores"]);
            scores = "present_scores";
        }
        if (exclusionMask)
        {
            graph.AddInput(ExclusionMaskInput, f, [null, items.Rows])
                .AddNode("Add", [scores, ExclusionMaskInput], [MaskedScores]);
            scores = MaskedScores;
        }
        // TopK puts equal scores in ascending index order, so the first M of the sorted candidates are TopK's own top M.
        graph.AddNode("TopK", [scores, K], [CandidateScoresOutput, CandidateRowsOutput],
                OnnxAttributes.Int("axis", -1), OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1))
            .AddNode("Slice", [CandidateScoresOutput, "list_start", "list_end", "list_axis"], [ScoresOutput])
            .AddNode("Slice", [CandidateRowsOutput, "list_start", "list_end", "list_axis"], [ItemRowsOutput])
            .AddOutput(ItemRowsOutput, i64, [null, candidates])
            .AddOutput(ScoresOutput, f, [null, candidates])
            .AddOutput(CandidateRowsOutput, i64, [null, k])
            .AddOutput(CandidateScoresOutput, f, [null, k]);
        return graph.Build(users != null
            ? $"Unimodal scorer: top {candidates} (and {k} candidates) of {items.Rows} items by dot product for {users.Rows} users (dimension {users.Dimension})."
            : $"Vector scorer: top {candidates} (and {k} candidates) of {items.Rows} items by dot product with the given vectors (dimension {items.Dimension}).");
    }

    /// <summary>How many candidates the scorer outputs: M plus the slack, at most the item count.</summary>
    internal static int CandidateCount(int candidates, int items, int slack) => Math.Min(candidates + slack, items);

    /// <summary>The initializer holding TopK's candidate count (<see cref="CandidateCount"/>), read back to check a manifest against its graph.</summary>
    internal const string CandidateCountName = "k";

    /// <summary>The user table's initializer name (read back by <see cref="OnnxCandidateScorer"/>).</summary>
    internal const string UserTableName = "user_embeddings";

    /// <summary>The item table's initializer name (read back by <see cref="OnnxCandidateScorer"/>).</summary>
    internal const string ItemTableName = "item_embeddings";
}
