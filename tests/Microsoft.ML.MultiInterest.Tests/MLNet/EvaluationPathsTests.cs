using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

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
        var clustering = ItemClustering.Create(assignments, kmeans.NumberOfClusters, embedding.ItemEmbeddings);
        var protocol = ProtocolEvaluator.Run(train, test, embedding.UserEmbeddings, embedding.ItemEmbeddings, clustering,
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
        return BipartiteGraph.FromEdges(embedding.UserEmbeddings.Rows, embedding.ItemEmbeddings.Rows, users, items);
    }
}
