using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Conditional;

/// <summary>ConditionalRetriever's lists: quotas, exclusions, the union with implicit components, followed topics.</summary>
public class ConditionalRetrieverTests
{
    private sealed record World(PlantedTopics Topics, GraphEmbeddingResult Fit, ItemConditions Conditions, ConditionalModel Model, int[] Users, RankedLists Unimodal);

    private static readonly Lazy<World> Shared = new(() =>
    {
        var topics = PlantedTopics.Create(seed: 2);
        var fit = topics.Embed();
        var conditions = topics.Conditions();
        var model = ConditionalModel.Fit(topics.Train, fit.UserEmbeddings, fit.ItemEmbeddings, conditions, new ConditionalOptions { Epochs = 2 });
        var users = Enumerable.Range(0, PlantedTopics.Users).ToArray();
        var unimodal = new UnimodalRetriever(fit.ItemEmbeddings).Retrieve(fit.UserEmbeddings, users, topics.Train, 100, 1);
        return new World(topics, fit, conditions, model, users, unimodal);
    });

    [Theory]
    [InlineData(7, 1.0)]
    [InlineData(20, 1.0)]
    [InlineData(13, 0.0)]
    [InlineData(30, 2.0)]
    public void EachConditionGetsItsQuotaAndListsHoldNoSeenOrRepeatedItem(int m, double alpha)
    {
        var w = Shared.Value;
        var table = w.Model.Represent(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, maxConditions: 3, threads: 1);
        var lists = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions).Retrieve(table, null, w.Users, w.Topics.Train, [m],
            new ConditionalRetrievalOptions { Alpha = alpha }, null, null, 1)[0];
        var quotas = new int[3];
        foreach (int u in w.Users)
        {
            var list = lists.IndicesOf(u).ToArray();
            Assert.Equal(m, list.Length);
            Assert.Equal(m, list.Distinct().Count());
            Assert.DoesNotContain(list, i => w.Topics.Train.Contains(u, i));
            // Conditions hold 40 items each, more than any quota: every condition gets exactly its quota, and they sum to M.
            int n = table.ComponentCount(u);
            QuotaAllocator.Allocate(table.Weights(u), table.Clusters(u), alpha, m, quotas);
            Assert.Equal(m, quotas.AsSpan(0, n).ToArray().Sum());
            for (int j = 0; j < n; j++) Assert.Equal(quotas[j], list.Count(i => PlantedTopics.TopicOf(i) == table.Clusters(u)[j]));
        }
    }

    [Fact]
    public void ConditionsOnlyRankByTheConditionalQueryInsideTheCondition()
    {
        var w = Shared.Value;
        var table = w.Model.Represent(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, maxConditions: 1, threads: 1);
        var lists = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions).Retrieve(table, null, w.Users, w.Topics.Train, [5], null, null, null, 1)[0];
        foreach (int u in w.Users.Take(20))
        {
            int c = table.Clusters(u)[0];
            var query = table.Embedding(u, 0).ToArray();
            var expected = w.Conditions.MembersOf(c).ToArray().Where(i => !w.Topics.Train.Contains(u, i))
                .OrderByDescending(i => VectorMath.Dot(query, w.Fit.ItemEmbeddings.ReadRow(i))).ThenBy(i => i).Take(5);
            Assert.Equal(expected, lists.IndicesOf(u).ToArray());
        }
    }

    [Theory]
    [InlineData(1, 0.0, 10)]   // one condition of 40 items: every list filled by its components
    [InlineData(1, 0.0, 60)]   // longer than a condition: every list needs the unimodal fill
    [InlineData(2, 0.3, 30)]   // a unimodal head: every list reads it
    public void TheUnimodalFill_SearchedForShortListsOnly_GivesTheListsOfTheWholeFallback(int maxConditions, double headShare, int m)
    {
        // Serving paths search the fill (FillFactor x M of the unimodal ranking) only for the lists the components leave short.
        var w = Shared.Value;
        var train = w.Topics.Train;
        var table = w.Model.Represent(train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, maxConditions, threads: 1);
        var retriever = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions);
        var options = new ConditionalRetrievalOptions { HeadShare = headShare };
        var users = w.Users.Where(u => u % 4 != 0).Reverse().ToArray();
        var unimodal = new UnimodalRetriever(w.Fit.ItemEmbeddings);
        RankedLists Fill(IReadOnlyList<int> some) => unimodal.Retrieve(w.Fit.UserEmbeddings, some, train, ConditionalDefaults.FillFactor * m, 1);
        var whole = retriever.Retrieve(table, null, users, train, [m], options, Fill(users), null, 1)[0];
        int searched = 0;
        var lazy = UnimodalFill.Lazily(users, m, headShare > 0,
            (some, fill) => retriever.Retrieve(table, null, some, train, [m], options, fill, null, 1)[0],
            some => { searched += some.Length; return Fill(some); },
            () => unimodal.Check(w.Fit.UserEmbeddings, users, train, ConditionalDefaults.FillFactor * m));
        Assert.Equal(m == 10 ? 0 : users.Length, searched);
        for (int q = 0; q < users.Length; q++)
        {
            Assert.Equal(whole.IndicesOf(q).ToArray(), lazy.IndicesOf(q).ToArray());
            Assert.Equal(whole.ScoresOf(q).ToArray(), lazy.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void TheFillRanking_StopsAtTheCatalogueAndTheCandidateBound()
    {
        // FillFactor x M, but a ranking past the catalogue holds the same items in more slots, and past the bound M itself has
        // (1,048,576) the search refused it: an M above 524,288 over a catalogue that large failed whenever a list came out short.
        Assert.Equal(ConditionalDefaults.FillFactor * 10, ConditionalDefaults.FillLength(10, 1_000));
        Assert.Equal(15, ConditionalDefaults.FillLength(10, 15));
        Assert.Equal(10, ConditionalDefaults.FillLength(10, 5));
        int m = RetrievalLimits.MaxCandidates / 2 + 1;
        Assert.Equal(RetrievalLimits.MaxCandidates, ConditionalDefaults.FillLength(m, 3_000_000));
        Assert.Equal(RetrievalLimits.MaxCandidates, ConditionalDefaults.FillLength(RetrievalLimits.MaxCandidates, int.MaxValue));
    }

    [Fact]
    public void TheUnionWithImplicitComponentsSharesOneQuotaPolicy()
    {
        var w = Shared.Value;
        var train = w.Topics.Train;
        // Implicit components: the unsmoothed Mixture over a 12-cluster partition (topic x sub-style).
        var clusters = Enumerable.Range(0, train.ItemCount).Select(i => i / 20).ToArray();
        var clustering = ItemClustering.Create(clusters, 12, w.Fit.ItemEmbeddings);
        var implicitTable = MixtureBuilder.BuildMle(train, clustering, w.Fit.ItemEmbeddings, 4, 1);
        var explicitTable = w.Model.Represent(train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, maxConditions: 3, threads: 1);
        var retriever = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions, clustering);
        int[] cutoffs = [10, 50];

        // ImplicitShare 1 drops the conditions: the same sets as cluster quotas over the implicit mixtures.
        var implicitOnly = retriever.Retrieve(explicitTable, implicitTable, w.Users, train, cutoffs, new ConditionalRetrievalOptions { ImplicitShare = 1 }, w.Unimodal, null, 1);
        var quota = new ClusterQuotaRetriever(w.Fit.ItemEmbeddings, clustering).Retrieve(implicitTable, w.Users, train, cutoffs, 1.0, w.Unimodal, 1);
        // ImplicitShare 0 drops the implicit components: the conditional lists.
        var explicitOnly = retriever.Retrieve(explicitTable, implicitTable, w.Users, train, cutoffs, new ConditionalRetrievalOptions { ImplicitShare = 0 }, w.Unimodal, null, 1);
        var conditional = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions).Retrieve(explicitTable, null, w.Users, train, cutoffs, null, w.Unimodal, null, 1);
        var merged = retriever.Retrieve(explicitTable, implicitTable, w.Users, train, cutoffs, new ConditionalRetrievalOptions { ImplicitShare = 0.5 }, w.Unimodal, null, 1);
        for (int t = 0; t < cutoffs.Length; t++)
        {
            Assert.Equal(conditional[t].Indices, explicitOnly[t].Indices);
            foreach (int u in w.Users)
            {
                Assert.Equal(quota[t].IndicesOf(u).ToArray().Order(), implicitOnly[t].IndicesOf(u).ToArray().Order());
                var list = merged[t].IndicesOf(u).ToArray();
                Assert.Equal(cutoffs[t], list.Length);
                Assert.Equal(list.Length, list.Distinct().Count());
                Assert.DoesNotContain(list, i => train.Contains(u, i));
            }
        }
        // With half the weight each, the merged lists differ from both kinds alone.
        Assert.NotEqual(merged[0].Indices, conditional[0].Indices);
        Assert.NotEqual(merged[0].Indices, implicitOnly[0].Indices);
    }

    [Fact]
    public void AUnimodalHeadOpensTheListAndTheQuotasSplitTheRest()
    {
        var w = Shared.Value;
        var table = w.Model.Represent(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, maxConditions: 3, threads: 1);
        var retriever = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions);
        var all = retriever.Retrieve(table, null, w.Users, w.Topics.Train, [10], new ConditionalRetrievalOptions { HeadShare = 1 }, w.Unimodal, null, 1)[0];
        var part = retriever.Retrieve(table, null, w.Users, w.Topics.Train, [10], new ConditionalRetrievalOptions { HeadShare = 0.3 }, w.Unimodal, null, 1)[0];
        var quotas = new int[3];
        foreach (int u in w.Users)
        {
            Assert.Equal(w.Unimodal.IndicesOf(u)[..10].ToArray(), all.IndicesOf(u).ToArray());
            var list = part.IndicesOf(u).ToArray();
            Assert.Equal(w.Unimodal.IndicesOf(u)[..3].ToArray(), list[..3]);
            Assert.Equal(10, list.Distinct().Count());
            // The 7 other slots follow the quotas of M = 7, on top of what the head holds of each condition.
            QuotaAllocator.Allocate(table.Weights(u), table.Clusters(u), 1.0, 7, quotas);
            for (int j = 0; j < table.ComponentCount(u); j++)
            {
                int c = table.Clusters(u)[j];
                Assert.Equal(quotas[j], list[3..].Count(i => PlantedTopics.TopicOf(i) == c));
            }
        }
        Assert.Throws<ArgumentException>(() => retriever.Retrieve(table, null, w.Users, w.Topics.Train, [10], new ConditionalRetrievalOptions { HeadShare = 0.3 }));
    }

    [Fact]
    public void AFollowedTopicTheUserNeverEngagedWithGetsItsShareOfTheList()
    {
        var w = Shared.Value;
        int user = 0;
        int unseen = Enumerable.Range(0, PlantedTopics.Topics).First(t => !w.Topics.UserTopics[user].Contains(t));
        int[] follows = [w.Topics.UserTopics[user][0], unseen];
        var table = w.Model.Represent(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, [user], followed: [follows], threads: 1);
        Assert.Equal(follows.Order(), table.Clusters(user).ToArray());
        Assert.All(table.Weights(user).ToArray(), x => Assert.Equal(0.5, x, 12));
        var list = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions).Retrieve(table, null, [user], w.Topics.Train, [10], null, null, null, 1)[0].IndicesOf(0).ToArray();
        Assert.Equal(5, list.Count(i => PlantedTopics.TopicOf(i) == unseen));
        Assert.Equal(5, list.Count(i => PlantedTopics.TopicOf(i) == follows[0]));
    }
}
