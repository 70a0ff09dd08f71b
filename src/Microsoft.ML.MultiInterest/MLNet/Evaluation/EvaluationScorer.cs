using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Computes the metrics of every test user with the engine's <see cref="RetrievalMetrics"/> and averages them
/// with a <see cref="MetricsAccumulator"/> in test-user order, so the figures do not depend on the thread count.
/// </summary>
internal static class EvaluationScorer
{
    /// <param name="cutoffs">The cutoffs K, ascending.</param>
    /// <param name="lists">Per cutoff, per test user: the candidate item rows, best first; the first K are scored.</param>
    /// <param name="heldOut">The test users and their held-out items.</param>
    /// <param name="items">The item embeddings.</param>
    /// <param name="representations">The users' representations, or null for no goodness of fit.</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores.</param>
    /// <param name="retrievalPerCutoff">Whether each cutoff has its own lists (reported in the metrics).</param>
    public static MultiInterestMetrics Score(int[] cutoffs, int[][][] lists, HeldOutEdges heldOut, ItemEmbeddingTable items,
        UserRepresentations? representations, int threads, bool retrievalPerCutoff)
    {
        int n = heldOut.Users.Length, count = cutoffs.Length;
        for (int c = 0; c < count; c++)
            for (int q = 0; q < n; q++)
                foreach (int item in lists[c][q]) items.Require(item, () => $"a candidate of user {heldOut.DescribeUser(q)}");
        if (representations != null)
            for (int q = 0; q < n; q++)
                foreach (int item in heldOut.Items[q]) items.Require(item, () => $"a held-out item of user {heldOut.DescribeUser(q)}");

        var unitItems = items.UnitItems;
        var recalls = new double[n * count];
        var diversities = new double[n * count];
        var distances = new double[n];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads };
        Parallel.For(0, n, parallel, () => new EarthMoversDistance(), (q, _, solver) =>
        {
            var heldOutItems = heldOut.Items[q];
            for (int c = 0; c < count; c++)
            {
                var list = lists[c][q];
                var top = list.AsSpan(0, Math.Min(cutoffs[c], list.Length));
                recalls[q * count + c] = RetrievalMetrics.Recall(top, heldOutItems);
                diversities[q * count + c] = RetrievalMetrics.Diversity(top, unitItems);
            }
            if (representations?.Kind == UserRepresentation.Mixture)
                distances[q] = RetrievalMetrics.GoodnessOfFit(solver, representations.Points[q], representations.Weights![q], unitItems, heldOutItems);
            else if (representations?.Kind == UserRepresentation.Unimodal)
                distances[q] = RetrievalMetrics.UnimodalGoodnessOfFit(representations.Points[q], unitItems, heldOutItems);
            return solver;
        }, _ => { });

        var accumulator = new MetricsAccumulator(cutoffs);
        for (int q = 0; q < n; q++)
            accumulator.Add(recalls.AsSpan(q * count, count), diversities.AsSpan(q * count, count), distances[q]);
        var recall = cutoffs.Select(accumulator.MeanRecall).ToArray();
        var diversity = cutoffs.Select(accumulator.MeanDiversity).ToArray();
        double? emd = representations == null ? null : accumulator.MeanEarthMoversDistance;
        return new MultiInterestMetrics(cutoffs, recall, diversity, emd, representations?.Kind ?? UserRepresentation.None, n, retrievalPerCutoff);
    }
}
