using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The ML.NET evaluator (<see cref="MultiInterestCatalog.EvaluateRetriever"/>) and the command line's evaluator
/// (<see cref="ProtocolEvaluator"/>) score through the same scorer: on the same edges, embeddings and clusters they
/// give the same Recall@K, NDCG@K, Diversity@K and EMD for every method of the protocol.
/// </summary>
public class EvaluationPathsTests
{
    private static readonly int[] Cutoffs = [2, 5];
    private const int Components = 2, Neighbors = 3;

    [Fact]
    public void EvaluateRetriever_GivesTheProtocolEvaluatorsFigures()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var chain = ((IEnumerable<ITransformer>)p.Upstream).ToArray();
        var embedding = chain.OfType<GraphEmbeddingTransformer>().Single();
        var kmeans = chain.OfType<SphericalKMeansTransformer>().Single();

        // The CLI's path: the engine's graphs, the fitted embeddings and clusters, ProtocolEvaluator.
        var train = Graph(p.Train, embedding);
        var test = Graph(p.HeldOut, embedding);
        var assignments = Enumerable.Range(0, train.ItemCount).Select(i => kmeans.ClusterOfItem((uint)i + 1)).ToArray();
        Assert.All(assignments, c => Assert.True(c >= 0));
        var clustering = ItemClustering.Create(assignments, kmeans.NumberOfClusters, embedding.ItemEmbeddings.ToDense());
        var protocol = ProtocolEvaluator.Run(train, test, embedding.UserEmbeddings.ToDense(), embedding.ItemEmbeddings.ToDense(), clustering,
            new ProtocolSettings { Components = Components, Neighbors = Neighbors, Cutoffs = Cutoffs, Threads = 1 });

        // The ML.NET path: the same upstream stages, one retrieval per cutoff.
        var options = new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Threads = 2 };
        var knn = mi.EvaluateRetriever(p.Train, p.HeldOut, k => mi.ClusterQuotaRetriever(candidates: k), options);
        var withoutMixture = new TransformerChain<ITransformer>(chain[..^1]);
        var upstreamTrain = withoutMixture.Transform(p.TrainRaw);
        var unsmoothed = mi.KnnSmoothedMixture(Components, Neighbors, lambda: 0).Fit(upstreamTrain);
        var mixture = mi.EvaluateRetriever(unsmoothed.Transform(upstreamTrain), withoutMixture.Transform(p.TestRaw),
            k => mi.ClusterQuotaRetriever(candidates: k), options);
        var unimodal = mi.EvaluateRetriever(p.Train, p.HeldOut, k => mi.UnimodalRetriever(candidates: k),
            new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.Unimodal });
        var mmr = mi.EvaluateRetriever(p.Train, p.HeldOut, k => mi.MmrRetriever(candidates: k),
            new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.Unimodal });

        Assert.Equal(protocol.TestUsers.Count, knn.UserCount);
        AssertSame(protocol["knn_embed"], knn);
        AssertSame(protocol["mixture"], mixture);
        AssertSame(protocol["unimodal"], unimodal);
        AssertSame(protocol["mmr"], mmr);
        // Paired user by user, the two paths agree too: the same per-user figures in the same user order.
        AssertSamePairs(protocol["mmr"].Against(protocol["unimodal"]), mmr.Against(unimodal));
        AssertSamePairs(protocol["knn_embed"].Against(protocol["unimodal"]), knn.Against(unimodal));
    }

    /// <summary>
    /// Held-out edges of unseen items and an unseen user (keys 0 after the key mapping fitted on training, as after
    /// TrainTestSplit) count as misses by default on both paths, with the same figures; dropped, they give the figures
    /// of the held-out edges without them.
    /// </summary>
    [Fact]
    public void UnseenUsersAndItems_CountAsMissesOnBothPaths_OrAreDropped()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var chain = ((IEnumerable<ITransformer>)p.Upstream).ToArray();
        var embedding = chain.OfType<GraphEmbeddingTransformer>().Single();
        var kmeans = chain.OfType<SphericalKMeansTransformer>().Single();

        var rawTest = Raw(p.TestRaw);
        var testUsers = rawTest.Select(e => e.User).Distinct().ToArray();
        var extended = rawTest.Concat(
        [
            new RawEdge(testUsers[0], "unseen-item-a", 1), new RawEdge(testUsers[0], "unseen-item-a", 1),
            new RawEdge(testUsers[1], "unseen-item-b", 1), new RawEdge("unseen-user", rawTest[0].Item, 1),
        ]).ToList();
        var extendedRaw = p.Ml.Data.LoadFromEnumerable(extended.Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }).ToList());
        var extendedHeldOut = p.Upstream.Transform(extendedRaw);

        // The CLI's path: raw ids over the key mapping's id maps, GraphData.BuildHeldOut, ProtocolEvaluator with the misses.
        var users = new IdMap(KeyNames.Of(p.Train.Schema[MultiInterestColumnNames.User], embedding.UserEmbeddings.KeyCount));
        var items = new IdMap(KeyNames.Of(p.Train.Schema[MultiInterestColumnNames.Item], embedding.ItemEmbeddings.KeyCount));
        var train = Graph(p.Train, embedding);
        var heldOut = GraphData.BuildHeldOut(extended, users, items, "test");
        // Distinct pairs on the raw ids (the repeated line counts once); the ML.NET path below counts rows, all of them key 0.
        Assert.Equal(3, heldOut.UnseenEdges);
        Assert.Equal(1, heldOut.Misses.UnseenUsers);
        Assert.Equal(2, heldOut.Misses.UnseenItems);
        var assignments = Enumerable.Range(0, train.ItemCount).Select(i => kmeans.ClusterOfItem((uint)i + 1)).ToArray();
        var clustering = ItemClustering.Create(assignments, kmeans.NumberOfClusters, embedding.ItemEmbeddings.ToDense());
        var settings = new ProtocolSettings { Components = Components, Neighbors = Neighbors, Cutoffs = Cutoffs, Threads = 1 };
        var missed = ProtocolEvaluator.Run(train, heldOut.Graph, embedding.UserEmbeddings.ToDense(), embedding.ItemEmbeddings.ToDense(), clustering, settings, misses: heldOut.Misses);
        var dropped = ProtocolEvaluator.Run(train, heldOut.Graph, embedding.UserEmbeddings.ToDense(), embedding.ItemEmbeddings.ToDense(), clustering, settings);
        Assert.Equal(1, missed.MissedUsers);

        // The ML.NET path on the keyed views: default Unseen = Miss, then Drop.
        var options = new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Threads = 2 };
        var knn = mi.EvaluateRetriever(p.Train, extendedHeldOut, k => mi.ClusterQuotaRetriever(candidates: k), options);
        Assert.Equal(UnseenHeldOut.Miss, knn.Unseen);
        Assert.Equal(1, knn.MissedUsers);
        Assert.Equal(4, knn.UnseenEdges);
        AssertSame(missed["knn_embed"], knn);
        var unimodal = mi.EvaluateRetriever(p.Train, extendedHeldOut, k => mi.UnimodalRetriever(candidates: k),
            new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Representation = UserRepresentation.Unimodal });
        AssertSame(missed["unimodal"], unimodal);
        // The missed user pairs as 0 against 0 in Recall on both paths; a Drop evaluation does not pair with a Miss one.
        AssertSamePairs(missed["knn_embed"].Against(missed["unimodal"]), knn.Against(unimodal));
        Assert.Equal(knn.UserCount + 1, knn.Against(unimodal).Recall[Cutoffs[0]].Users);
        Assert.Equal(knn.UserCount, knn.Against(unimodal).Diversity[Cutoffs[0]].Users);

        var knnDropped = mi.EvaluateRetriever(p.Train, extendedHeldOut, k => mi.ClusterQuotaRetriever(candidates: k),
            new MultiInterestEvaluatorOptions { Cutoffs = Cutoffs, Threads = 2, Unseen = UnseenHeldOut.Drop });
        AssertSame(dropped["knn_embed"], knnDropped);
        Assert.Contains("0 and 1 missed users", Assert.Throws<ArgumentException>(() => knnDropped.Against(unimodal)).Message);
        var original = mi.EvaluateRetriever(p.Train, p.HeldOut, k => mi.ClusterQuotaRetriever(candidates: k), options);
        // Dropping the unseen edges leaves the original held-out items to the same users: the two pair, level everywhere.
        Assert.All(original.Against(knnDropped).Recall.Values, d => Assert.Equal((0.0, 0.0), (d.Difference, d.StandardError)));
        foreach (int k in Cutoffs)
        {
            Assert.Equal(original.RecallAtK[k], knnDropped.RecallAtK[k]);
            Assert.True(knn.RecallAtK[k] < knnDropped.RecallAtK[k]);
            Assert.Equal(knnDropped.DiversityAtK[k], knn.DiversityAtK[k]);
        }
        Assert.Equal(knnDropped.Emd, knn.Emd);

        // Evaluate (one list, prefixes) counts the same misses.
        var scored = mi.ClusterQuotaRetriever(candidates: Cutoffs[^1]).Fit(p.Train).Transform(extendedHeldOut);
        var prefixes = mi.Evaluate(scored, extendedHeldOut, p.Train, options);
        Assert.Equal(1, prefixes.MissedUsers);
        Assert.Equal(4, prefixes.UnseenEdges);
    }

    private static List<RawEdge> Raw(IDataView view) =>
        view.GetColumn<string>(MultiInterestColumnNames.User).Zip(view.GetColumn<string>(MultiInterestColumnNames.Item), (u, i) => new RawEdge(u, i, 1)).ToList();

    private static void AssertSamePairs(PairedComparison expected, PairedComparison actual)
    {
        Assert.Equal(expected.ByActivity.Count, actual.ByActivity.Count);
        for (int g = 0; g < expected.ByActivity.Count; g++) AssertSamePairs(expected.ByActivity[g], actual.ByActivity[g]);
        foreach (int k in Cutoffs)
        {
            foreach (var (e, a) in new[] { (expected.Recall[k], actual.Recall[k]), (expected.Ndcg[k], actual.Ndcg[k]), (expected.Diversity[k], actual.Diversity[k]) })
            {
                Assert.Equal(e.Users, a.Users);
                if (e.Users == 0) continue;   // an empty quartile: NaN on both paths
                Assert.Equal(e.Difference, a.Difference, 1e-15);
                Assert.Equal(e.StandardError, a.StandardError, 1e-15);
            }
        }
    }

    private static void AssertSame(MethodEvaluation expected, MultiInterestMetrics actual)
    {
        foreach (int k in Cutoffs)
        {
            Assert.Equal(expected.Recall[k], actual.RecallAtK[k]);
            Assert.Equal(expected.Ndcg[k], actual.NdcgAtK[k]);
            Assert.Equal(expected.Diversity[k], actual.DiversityAtK[k]);
        }
        Assert.Equal(expected.Emd, actual.Emd!.Value);
        // The per-activity breakdown comes from the same scorer on both paths.
        Assert.Equal(expected.ByActivity.Count, actual.ByActivity.Count);
        Assert.Equal(expected.ByActivity.Sum(g => g.Users), actual.UserCount);
        for (int g = 0; g < expected.ByActivity.Count; g++)
        {
            var (e, a) = (expected.ByActivity[g], actual.ByActivity[g]);
            Assert.Equal((e.Users, e.LowerDegree, e.UpperDegree), (a.UserCount, a.LowerDegree, a.UpperDegree));
            if (e.Users == 0) continue;
            foreach (int k in Cutoffs)
            {
                Assert.Equal(e.Recall[k], a.RecallAtK[k]);
                Assert.Equal(e.Ndcg[k], a.NdcgAtK[k]);
                Assert.Equal(e.Diversity[k], a.DiversityAtK[k]);
            }
            Assert.Equal(e.Emd, a.Emd!.Value);
        }
        Assert.True(expected.Emd > 0 && expected.Diversity[Cutoffs[^1]] > 0 && expected.Ndcg[Cutoffs[^1]] > 0);
    }

    /// <summary>The edges of <paramref name="view"/> as an engine graph over the key mapping's rows (key - 1).</summary>
    private static BipartiteGraph Graph(IDataView view, GraphEmbeddingTransformer embedding)
    {
        var users = view.GetColumn<uint>(MultiInterestColumnNames.User).Select(k => (int)k - 1).ToArray();
        var items = view.GetColumn<uint>(MultiInterestColumnNames.Item).Select(k => (int)k - 1).ToArray();
        return BipartiteGraph.FromEdges(embedding.UserEmbeddings.KeyCount, embedding.ItemEmbeddings.KeyCount, users, items);
    }
}
