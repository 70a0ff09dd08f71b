namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Scores candidate lists and user representations against the held-out edges with <see cref="MetricsScorer"/>
/// (the ML.NET evaluator's scorer too): per-user Recall@K, NDCG@K, Diversity@K and EMD, averaged in test-user order so the
/// means do not depend on the thread count.
/// </summary>
internal sealed class ProtocolScorer
{
    private readonly BipartiteGraph _test;
    private readonly int[] _testUsers;
    private readonly EmbeddingMatrix _unitItems;
    private readonly EmbeddingMatrix _unitFitItems;
    private readonly int _threads;
    private readonly HeldOutMisses _misses;
    private readonly int _missedUsers;

    /// <summary>Creates a scorer.</summary>
    /// <param name="test">The held-out edges over seen users and items.</param>
    /// <param name="testUsers">The user rows with a seen held-out edge, ascending.</param>
    /// <param name="itemEmbeddings">The item vectors Diversity@K is measured on.</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores.</param>
    /// <param name="misses">Unseen held-out items per user, counted as misses; <see cref="HeldOutMisses.None"/> to drop them.</param>
    /// <param name="missedUsers">Test users with no seen held-out item, counted with Recall = NDCG = 0.</param>
    /// <param name="fitItemEmbeddings">
    /// The item vectors of the space the user representations live in, for the goodness of fit; default
    /// <paramref name="itemEmbeddings"/>. A model with its own vectors (learned mixtures) fits in its own space while its
    /// diversity is measured in the shared one, so that every row of a table is measured with the same ruler.
    /// </param>
    public ProtocolScorer(BipartiteGraph test, int[] testUsers, EmbeddingMatrix itemEmbeddings, int threads, HeldOutMisses? misses = null, int missedUsers = 0,
        EmbeddingMatrix? fitItemEmbeddings = null)
    {
        _misses = misses ?? HeldOutMisses.None;
        _missedUsers = missedUsers;
        _test = test;
        _testUsers = testUsers;
        _unitItems = itemEmbeddings.Normalized();
        _unitFitItems = fitItemEmbeddings == null ? _unitItems : fitItemEmbeddings.Normalized();
        _threads = threads;
    }

    /// <summary>Scores one method. Mixture methods pass <paramref name="mixtures"/>; the unimodal one its user embeddings.</summary>
    public MethodEvaluation Score(string name, IReadOnlyDictionary<int, RankedLists> lists, MixtureTable? mixtures, EmbeddingMatrix? userEmbeddings)
    {
        var cutoffs = lists.Keys.Order().ToArray();
        var ranked = cutoffs.Select(k => lists[k]).ToArray();
        MetricsScorer.FitSource fit = mixtures != null
            ? (solver, q, heldOut) => RetrievalMetrics.GoodnessOfFit(solver, mixtures.Embeddings(_testUsers[q]), mixtures.Weights(_testUsers[q]), _unitFitItems, heldOut)
            : (_, q, heldOut) => RetrievalMetrics.UnimodalGoodnessOfFit(userEmbeddings!.ReadRow(_testUsers[q]), _unitFitItems, heldOut);
        var means = MetricsScorer.Score(cutoffs, _testUsers.Length, (c, q) => ranked[c].IndicesOf(q), q => _test.ItemsOf(_testUsers[q]),
            _unitItems, fit, _threads, q => _misses.UnseenItemsOf(_testUsers[q]), _missedUsers);
        var recall = new Dictionary<int, double>();
        var ndcg = new Dictionary<int, double>();
        var diversity = new Dictionary<int, double>();
        for (int c = 0; c < cutoffs.Length; c++)
        {
            recall[cutoffs[c]] = means.Recall[c];
            ndcg[cutoffs[c]] = means.Ndcg[c];
            diversity[cutoffs[c]] = means.Diversity[c];
        }
        return new MethodEvaluation(name, recall, ndcg, diversity, means.Emd, lists, mixtures);
    }
}
