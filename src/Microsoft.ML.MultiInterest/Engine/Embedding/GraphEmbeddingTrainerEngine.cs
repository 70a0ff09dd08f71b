using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Learns user and item embeddings of a bipartite graph so that <c>dot(user, item)</c> scores engagement, in the
/// manner of PyTorch-BigGraph: every epoch shuffles the edges, cuts them into chunks, and contrasts each edge with
/// negatives that corrupt its item and its user (sampled uniformly, by degree^0.75, and from the chunk's other edges).
/// </summary>
/// <remarks>
/// With <see cref="GraphEmbeddingOptions.Threads"/> = 1 a run is deterministic. With more threads, each thread trains
/// its own slice of the shuffled edges with its own random stream (seeded from <c>Seed</c> and the thread number) and
/// writes the shared tables without locks (Hogwild): the order in which updates land then depends on scheduling, so
/// results differ slightly between runs, but quality does not, because two threads rarely touch one row at once.
/// </remarks>
public static class GraphEmbeddingTrainerEngine
{
    /// <summary>Trains embeddings for every user and item index of <paramref name="graph"/>.</summary>
    /// <param name="graph">The engagement graph; edge weights, when present, scale each edge's loss.</param>
    /// <param name="options">Settings; validated, then copied (later changes do not affect the run).</param>
    /// <param name="progress">Optional sink receiving the statistics of each finished epoch.</param>
    /// <param name="ct">Cancels training between chunks; an <see cref="OperationCanceledException"/> is then thrown.</param>
    /// <returns>The embeddings and per-epoch statistics.</returns>
    /// <exception cref="ArgumentException">The graph has no edges.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid (the message names it).</exception>
    public static GraphEmbeddingResult Fit(BipartiteGraph graph, GraphEmbeddingOptions options, IProgress<EpochStats>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (graph.EdgeCount == 0)
            throw new ArgumentException("The graph has no edges: there is nothing to learn embeddings from.", nameof(graph));
        var o = options.Clone();
        int threads = o.Threads == 0 ? Environment.ProcessorCount : o.Threads;

        // Initialise users then items from one stream, so the start depends on Seed only.
        var init = new EmbeddingRandom(o.Seed, -1);
        var users = new EmbeddingTable(graph.UserCount, o.Dimension);
        var items = new EmbeddingTable(graph.ItemCount, o.Dimension);
        users.InitializeNormal(o.InitScale, ref init);
        items.InitializeNormal(o.InitScale, ref init);

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

        var workers = new ChunkWorker[threads];
        for (int t = 0; t < threads; t++)
            workers[t] = new ChunkWorker(o, users, items, edgeUsers, edgeItems, edgeWeights, userSampler, itemSampler, new EmbeddingRandom(o.Seed, t + 1));

        var order = new int[edgeCount];
        for (int e = 0; e < edgeCount; e++) order[e] = e;
        var shuffle = new EmbeddingRandom(o.Seed, 0);
        var losses = new double[threads];
        var stats = new List<EpochStats>(o.Epochs);
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            shuffle.Shuffle(order);
            int current = epoch;
            if (threads == 1)
            {
                losses[0] = workers[0].Run(order, current, ct);
            }
            else
            {
                // Contiguous slices of the shuffled order: each thread sees a random subset of edges.
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int from = (int)((long)edgeCount * t / threads), to = (int)((long)edgeCount * (t + 1) / threads);
                    losses[t] = workers[t].Run(order.AsSpan(from, to - from), current, ct);
                });
            }
            ct.ThrowIfCancellationRequested();
            double seconds = clock.Elapsed.TotalSeconds;
            double totalLoss = 0;
            foreach (double l in losses) totalLoss += l;
            var epochStats = new EpochStats(epoch + 1, totalLoss / edgeCount, seconds, edgeCount / Math.Max(seconds, 1e-9));
            stats.Add(epochStats);
            progress?.Report(epochStats);
        }
        return new GraphEmbeddingResult(users.ToMatrix(), items.ToMatrix(), stats);
    }
}
