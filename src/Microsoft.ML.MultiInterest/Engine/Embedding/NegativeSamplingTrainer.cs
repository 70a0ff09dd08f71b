namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Negative-sampling link prediction, in the manner of PyTorch-BigGraph: every epoch shuffles the edges, cuts them
/// into chunks, and contrasts each edge with negatives that corrupt its item and its user (sampled uniformly, by
/// degree^0.75, and from the chunk's other edges).
/// </summary>
/// <remarks>
/// With one thread a run is deterministic. With more, each thread trains its own slice of the shuffled edges with its
/// own random stream (seeded from <c>Seed</c> and the thread number) and writes the shared tables without locks
/// (Hogwild): the order in which updates land depends on scheduling, so results differ slightly between runs.
/// </remarks>
internal static class NegativeSamplingTrainer
{
    /// <summary>
    /// Trains for <c>o.Epochs</c> epochs. With a <paramref name="scorer"/>, measures validation Recall@K after every
    /// epoch into <paramref name="curve"/>, returns the best epoch's tables and stops early after <c>o.EarlyStoppingPatience</c>
    /// epochs without a gain.
    /// </summary>
    /// <returns>The embeddings and the epoch they come from.</returns>
    public static (GraphEmbeddingResult Result, int Epoch) Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads,
        IProgress<EpochStats>? progress, ValidationScorer? scorer, ValidationCurve curve, CancellationToken ct)
    {
        // Initialise users then items from one stream, so the start depends on Seed only.
        var init = new EmbeddingRandom(o.Seed, -1);
        var users = new EmbeddingTable(graph.UserCount, o.Dimension);
        var items = new EmbeddingTable(graph.ItemCount, o.Dimension);
        if (o.Initialization == EmbeddingInitialization.TruncatedSvd)
        {
            var (svdUsers, svdItems) = SpectralFactors.Compute(graph, o.Dimension, o.Svd, o.Seed, threads, ct)
                .Embed(o.Dimension, o.Svd.SpectralExponent, o.Svd.ItemDegreeExponent);
            users.CopyFrom(svdUsers);
            items.CopyFrom(svdItems);
        }
        else
        {
            users.InitializeNormal(o.InitScale, ref init);
            items.InitializeNormal(o.InitScale, ref init);
        }

        // Flat edge lists, so a shuffled permutation can address edges directly.
        int edgeCount = graph.EdgeCount;
        var edgeUsers = new int[edgeCount];
        var edgeItems = graph.EdgeItems.ToArray();
        var offsets = graph.Offsets;
        for (int u = 0; u < graph.UserCount; u++) edgeUsers.AsSpan(offsets[u], offsets[u + 1] - offsets[u]).Fill(u);
        float[]? edgeWeights = graph.HasWeights ? graph.EdgeWeights.ToArray() : null;

        AliasSampler? userSampler = null, itemSampler = null;
        if (o.DegreeNegatives > 0)
        {
            var userDegrees = new int[graph.UserCount];
            for (int u = 0; u < userDegrees.Length; u++) userDegrees[u] = graph.DegreeOf(u);
            userSampler = AliasSampler.FromDegrees(userDegrees, o.DegreeExponent);
            itemSampler = AliasSampler.FromDegrees(graph.ItemDegrees(), o.DegreeExponent);
        }

        float[]? userLogQ = null, itemLogQ = null;
        if (o.PopularityCorrection)
        {
            var userDegrees = new int[graph.UserCount];
            for (int u = 0; u < userDegrees.Length; u++) userDegrees[u] = graph.DegreeOf(u);
            userLogQ = SamplingLogProbabilities.Compute(userDegrees, o);
            itemLogQ = SamplingLogProbabilities.Compute(graph.ItemDegrees(), o);
        }

        float[]? userPenalty = null, itemPenalty = null;
        if (o.L2Regularization > 0 && o.Loss != EmbeddingLoss.CosineContrastive)
        {
            var userDegrees = new int[graph.UserCount];
            for (int u = 0; u < userDegrees.Length; u++) userDegrees[u] = graph.DegreeOf(u);
            userPenalty = PerEdgePenalty(userDegrees, o);
            itemPenalty = PerEdgePenalty(graph.ItemDegrees(), o);
        }

        var workers = new ChunkWorker[threads];
        for (int t = 0; t < threads; t++)
            workers[t] = new ChunkWorker(o, users, items, edgeUsers, edgeItems, edgeWeights, userSampler, itemSampler, new EmbeddingRandom(o.Seed, t + 1),
                userLogQ, itemLogQ, userPenalty, itemPenalty);

        // No capacity from Epochs: int.MaxValue epochs (train until early stopping) would reserve an impossible list.
        var stats = new List<EpochStats>();
        var (tables, epoch) = EpochLoop.Run(edgeCount, o, threads, (t, slice, current, token) => workers[t].Run(slice, current, token),
            () => Output(users, items, graph, o), scorer == null ? null : m => scorer.Score(m.Users, m.Items, threads),
            "negative-sampling", stats, progress, curve, ct);
        return (new GraphEmbeddingResult(tables.Users, tables.Items, stats) { Algorithm = EmbeddingAlgorithm.NegativeSampling, Settings = Describe(o) }, epoch);
    }

    /// <summary>
    /// The tables as matrices: unit rows for the cosine loss (whose scores a dot product then reproduces), and user
    /// vectors blended with their history's mean item vector when <see cref="GraphEmbeddingOptions.HistoryBlend"/> is set.
    /// </summary>
    private static (EmbeddingMatrix Users, EmbeddingMatrix Items) Output(EmbeddingTable users, EmbeddingTable items, BipartiteGraph graph, GraphEmbeddingOptions o)
    {
        var (u, i) = (users.ToMatrix(), items.ToMatrix());
        if (o.Loss == EmbeddingLoss.CosineContrastive) (u, i) = (u.Normalized(), i.Normalized());
        if (o.HistoryBlend > 0) BlendWithHistory(u, i, graph, o.HistoryBlend);
        return (u, i);
    }

    /// <summary>u ← (1 − g)·u + g·mean(v_i : i in u's training items); users without edges keep their vector.</summary>
    internal static void BlendWithHistory(EmbeddingMatrix users, EmbeddingMatrix items, BipartiteGraph graph, float g)
    {
        var mean = new float[users.Dimension];
        for (int u = 0; u < users.Rows; u++)
        {
            var history = graph.ItemsOf(u);
            if (history.Length == 0) continue;
            Array.Clear(mean);
            foreach (int item in history) VectorMath.AddScaled(mean, items.ReadRow(item), 1f / history.Length);
            var row = users.Row(u);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1 - g, row);
            VectorMath.AddScaled(row, mean, g);
        }
    }

    /// <summary>λ·deg^(ν−1) per entity: applied at each of its deg edges per epoch, it sums to λ·deg^ν.</summary>
    private static float[] PerEdgePenalty(ReadOnlySpan<int> degrees, GraphEmbeddingOptions o)
    {
        var penalty = new float[degrees.Length];
        for (int j = 0; j < penalty.Length; j++)
            penalty[j] = degrees[j] > 0 ? (float)(o.L2Regularization * Math.Pow(degrees[j], o.L2DegreeExponent - 1)) : 0f;
        return penalty;
    }

    /// <summary>The settings in words, for reports.</summary>
    public static string Describe(GraphEmbeddingOptions o) => InvariantText.Of(() =>
        $"negative-sampling d={o.Dimension} epochs={o.Epochs} loss={o.Loss} lr={o.LearningRate} negatives={o.UniformNegatives}u+{o.BatchNegatives}b+{o.DegreeNegatives}d"
        + (o.Initialization == EmbeddingInitialization.TruncatedSvd ? " init=truncated-svd" : "")
        + (o.PopularityCorrection ? " logq-correction" : "")
        + (o.L2Regularization > 0 ? $" l2={o.L2Regularization:G3} l2-degree-exponent={o.L2DegreeExponent:G3}" : "")
        + (o.HistoryBlend > 0 ? $" history-blend={o.HistoryBlend:G3}" : ""));
}
