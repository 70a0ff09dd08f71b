namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Scores candidate lists and user representations against the held-out edges: per-user Recall@K,
/// Diversity@K and EMD, averaged in test-user order so the means do not depend on the thread count.
/// </summary>
internal sealed class ProtocolScorer
{
    private readonly BipartiteGraph _test;
    private readonly int[] _testUsers;
    private readonly EmbeddingMatrix _unitItems;
    private readonly int _threads;

    public ProtocolScorer(BipartiteGraph test, int[] testUsers, EmbeddingMatrix itemEmbeddings, int threads)
    {
        _test = test;
        _testUsers = testUsers;
        _unitItems = itemEmbeddings.Normalized();
        _threads = threads;
    }

    /// <summary>Scores one method. Mixture methods pass <paramref name="mixtures"/>; the unimodal one its user embeddings.</summary>
    public MethodEvaluation Score(string name, IReadOnlyDictionary<int, RankedLists> lists, MixtureTable? mixtures, EmbeddingMatrix? userEmbeddings)
    {
        int n = _testUsers.Length;
        var recall = new Dictionary<int, double>();
        var diversity = new Dictionary<int, double>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads <= 0 ? Environment.ProcessorCount : _threads };
        foreach (var (k, ranked) in lists)
        {
            var r = new double[n];
            var d = new double[n];
            Parallel.For(0, n, parallel, q =>
            {
                var candidates = ranked.IndicesOf(q);
                r[q] = RetrievalMetrics.Recall(candidates, _test.ItemsOf(_testUsers[q]));
                d[q] = RetrievalMetrics.Diversity(candidates, _unitItems);
            });
            recall[k] = Mean(r);
            diversity[k] = Mean(d);
        }

        var emd = new double[n];
        Parallel.For(0, n, parallel, () => new EarthMoversDistance(), (q, _, solver) =>
        {
            int user = _testUsers[q];
            var heldOut = _test.ItemsOf(user);
            emd[q] = mixtures != null
                ? RetrievalMetrics.GoodnessOfFit(solver, mixtures.Embeddings(user), mixtures.Weights(user), _unitItems, heldOut)
                : RetrievalMetrics.UnimodalGoodnessOfFit(userEmbeddings!.ReadRow(user), _unitItems, heldOut);
            return solver;
        }, _ => { });
        return new MethodEvaluation(name, recall, diversity, Mean(emd), lists, mixtures);
    }

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return values.Length == 0 ? 0 : sum / values.Length;
    }
}
