using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The epoch loop of the SGD trainers (negative sampling, mixture embeddings, DCM): every epoch shuffles the edge order
/// with one seeded stream, hands each worker a contiguous slice of it (Hogwild: each thread sees a random subset of the
/// edges), records the epoch's statistics, and, with a validation scorer, measures the epoch's vectors, keeps the best
/// epoch's and stops after <see cref="GraphEmbeddingOptions.EarlyStoppingPatience"/> epochs without a gain.
/// </summary>
internal static class EpochLoop
{
    /// <summary>Trains worker <paramref name="worker"/> on <paramref name="edges"/> (edge ids) for 0-based <paramref name="epoch"/>; returns the summed loss.</summary>
    public delegate double SliceTrainer(int worker, ReadOnlySpan<int> edges, int epoch, CancellationToken ct);

    /// <summary>Runs up to <c>o.Epochs</c> epochs.</summary>
    /// <typeparam name="T">What a snapshot of the model is (tables, or a mixture result).</typeparam>
    /// <param name="edgeCount">Number of training edges.</param>
    /// <param name="o">Epochs, seed and patience.</param>
    /// <param name="threads">Workers (slices per epoch).</param>
    /// <param name="train">Trains one slice.</param>
    /// <param name="snapshot">The model as it stands, as the trainer returns it.</param>
    /// <param name="score">Validation figures of a snapshot, or null for no validation (then every epoch runs).</param>
    /// <param name="label">Names the curve's points ("<paramref name="label"/> epoch N").</param>
    /// <param name="stats">Receives one entry per epoch run.</param>
    /// <param name="progress">Receives the same entries as they happen; may be null.</param>
    /// <param name="curve">Receives one validation point per epoch when <paramref name="score"/> is given.</param>
    /// <param name="ct">Checked between epochs (and by the workers between chunks).</param>
    /// <returns>The best epoch's snapshot and its 1-based number; without validation, the last snapshot and <c>o.Epochs</c>.</returns>
    public static (T Result, int Epoch) Run<T>(int edgeCount, GraphEmbeddingOptions o, int threads, SliceTrainer train, Func<T> snapshot,
        Func<T, ValidationScore>? score, string label, List<EpochStats> stats, IProgress<EpochStats>? progress, ValidationCurve curve,
        CancellationToken ct)
    {
        var order = new int[edgeCount];
        for (int e = 0; e < edgeCount; e++) order[e] = e;
        var shuffle = new EmbeddingRandom(o.Seed, 0);
        var losses = new double[threads];
        var parallel = Parallelism.Options(threads);
        T best = default!;
        bool kept = false;
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0;
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            shuffle.Shuffle(order);
            int current = epoch;
            if (threads == 1)
            {
                losses[0] = train(0, order, current, ct);
            }
            else
            {
                Parallel.For(0, threads, parallel, t =>
                {
                    int from = (int)((long)edgeCount * t / threads), to = (int)((long)edgeCount * (t + 1) / threads);
                    losses[t] = train(t, order.AsSpan(from, to - from), current, ct);
                });
            }
            ct.ThrowIfCancellationRequested();
            double seconds = clock.Elapsed.TotalSeconds;
            double totalLoss = 0;
            foreach (double l in losses) totalLoss += l;
            var epochStats = new EpochStats(epoch + 1, totalLoss / edgeCount, seconds, edgeCount / Math.Max(seconds, 1e-9));
            stats.Add(epochStats);
            progress?.Report(epochStats);
            if (score == null) continue;

            var model = snapshot();
            var figures = score(model);
            curve.Add(new ValidationPoint($"{label} epoch {epoch + 1}", epoch + 1, figures.Recall, figures.Ndcg) { Dimension = o.Dimension });
            if (!kept || figures.Recall > bestScore)
            {
                (best, kept, bestScore, bestEpoch) = (model, true, figures.Recall, epoch + 1);
            }
            else if (o.EarlyStoppingPatience > 0 && epoch + 1 - bestEpoch >= o.EarlyStoppingPatience) break;
        }
        return kept ? (best, bestEpoch) : (snapshot(), o.Epochs);
    }
}
