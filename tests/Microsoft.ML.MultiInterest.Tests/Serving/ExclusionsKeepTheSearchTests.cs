using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// Recommend(user, history, count, exclude) must not treat the excluded items as the user's history anywhere, also not in
/// the clustered pool's history lists (PoolHistoryLists): excluding an item that is not in a list must leave the list as it was.
/// </summary>
public class ExclusionsKeepTheSearchTests
{
    [Theory]
    [InlineData(HistoryPoolSearch.Exact)]
    [InlineData(HistoryPoolSearch.Clustered)]
    public void Excluding_an_item_outside_the_list_leaves_a_history_pool_list_unchanged(HistoryPoolSearch search)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        var mi = ml.MultiInterest();
        var embedded = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Threads = 1,
            Als = new ImplicitAlsOptions { Regularization = 0.05, RegularizationExponent = 0.5, UnobservedWeight = 0.1, Iterations = 6 },
        }).Fit(keyed).Transform(keyed);
        // Relevance only (lambda 1, no interest term) and a pool as large as the catalogue (24 items), so a list is the top 5
        // of every item the search reaches: excluding an item that is not in the list leaves it unchanged unless the search changed.
        var fitted = mi.MmrRetriever(new MmrRetrieverEstimator.Options
        {
            Candidates = 5, Lambda = 1, PoolSize = 30, InterestWeight = 0, Interests = MmrInterests.History, ItemsPerInterest = 3, MaxInterests = 3,
            Threads = 1, PoolSearch = search, PoolLists = 8, PoolProbes = 0, PoolUserProbes = 1, PoolHistoryLists = true,
        }).Fit(embedded);
        var recommender = mi.CreateRecommender(fitted);
        var items = MLNetTestData.Edges().Select(e => e.Item).Distinct().ToArray();
        var changed = new List<string>();
        foreach (var (user, history) in new[] { ("u0", (string[]?)null), ("someone-new", new[] { "i0", "i1" }) })
        {
            var plain = recommender.Recommend(user, history, 5);
            var listed = plain.Items.Select(r => r.ItemId).ToHashSet();
            foreach (string x in items.Where(x => !listed.Contains(x) && history?.Contains(x) != true))
            {
                var served = recommender.Recommend(user, history, 5, exclude: [x]);
                if (!served.Items.Select(r => r.ItemId).SequenceEqual(plain.Items.Select(r => r.ItemId))) changed.Add($"{user} without {x}");
            }
        }
        Assert.Empty(changed);
    }

    /// <summary>
    /// Regression: with history lists, the clustered search left out the items of the graph that picks the lists (the user's
    /// own) and not the request's excluded items, so Recommend(..., exclude) returned the very items it was told to exclude.
    /// </summary>
    [Theory]
    [InlineData(HistoryPoolSearch.Exact)]
    [InlineData(HistoryPoolSearch.Clustered)]
    public void Excluded_items_are_never_returned_by_a_history_pool(HistoryPoolSearch search)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        var mi = ml.MultiInterest();
        var embedded = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Threads = 1,
            Als = new ImplicitAlsOptions { Regularization = 0.05, RegularizationExponent = 0.5, UnobservedWeight = 0.1, Iterations = 6 },
        }).Fit(keyed).Transform(keyed);
        var fitted = mi.MmrRetriever(new MmrRetrieverEstimator.Options
        {
            Candidates = 5, Lambda = 1, PoolSize = 30, InterestWeight = 0, Interests = MmrInterests.History, ItemsPerInterest = 3, MaxInterests = 3,
            Threads = 1, PoolSearch = search, PoolLists = 8, PoolProbes = 0, PoolUserProbes = 1, PoolHistoryLists = true,
        }).Fit(embedded);
        var recommender = mi.CreateRecommender(fitted);
        var items = MLNetTestData.Edges().Select(e => e.Item).Distinct().ToArray();
        var leaked = new List<string>();
        foreach (var (user, history) in new[] { ("u0", (string[]?)null), ("u3", null), ("someone-new", new[] { "i0", "i1" }) })
        {
            foreach (string x in recommender.Recommend(user, history, 5).Items.Select(r => r.ItemId))
                if (recommender.Recommend(user, history, 5, exclude: [x]).Items.Any(r => r.ItemId == x)) leaked.Add($"{user}: {x}");
            if (recommender.Recommend(user, history, 5, exclude: items).Items.Count > 0) leaked.Add($"{user}: every item excluded");
        }
        Assert.Empty(leaked);
    }
}
