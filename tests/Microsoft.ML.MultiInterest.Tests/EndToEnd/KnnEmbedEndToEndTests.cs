using Xunit.Abstractions;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.EndToEnd;

/// <summary>The whole engine pipeline on a subsample of the paper's graph.</summary>
public class KnnEmbedEndToEndTests
{
    private readonly ITestOutputHelper _output;

    public KnnEmbedEndToEndTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void EveryMethodBeatsMostPopularAndSmoothingBeatsTheUnsmoothedMixture()
    {
        var data = new CitHepPhSubsample(items: 3000, users: 4000);
        var embedding = GraphEmbeddingTrainerEngine.Fit(data.Train, new GraphEmbeddingOptions { Dimension = 48, Epochs = 12, Seed = 3 });
        var kmeans = SphericalKMeans.Fit(embedding.ItemEmbeddings, new SphericalKMeansOptions { Clusters = 150, MaxIterations = 15, Seed = 3 });
        var clustering = ItemClustering.Create(kmeans.Assignments, 150, embedding.ItemEmbeddings, kmeans.Centroids);
        var settings = new ProtocolSettings { Components = 5, Neighbors = 10, Lambda = 0.8 };
        var result = ProtocolEvaluator.Run(data.Train, data.Test, embedding.UserEmbeddings, embedding.ItemEmbeddings, clustering, settings);

        double popular = MostPopularRecall(data, 50);
        foreach (var m in result.Methods)
            _output.WriteLine($"{m.Name}: R@10 {m.Recall[10]:F3} R@50 {m.Recall[50]:F3} D@50 {m.Diversity[50]:F3} EMD {m.Emd:F3}");
        _output.WriteLine($"most popular: R@50 {popular:F3}; {data.Train.EdgeCount} train edges, {result.TestUsers.Count} test users");

        foreach (var m in result.Methods) Assert.True(m.Recall[50] > 1.5 * popular, $"{m.Name} R@50 {m.Recall[50]:F3} is not far above most-popular {popular:F3}");
        Assert.True(result["knn_embed"].Recall[50] > result["mixture"].Recall[50], "kNN smoothing should beat the unsmoothed mixture at R@50");
        Assert.True(result["knn_embed"].Emd < result["unimodal"].Emd, "a mixture should fit held-out items better than one vector");
    }

    private static double MostPopularRecall(CitHepPhSubsample data, int k)
    {
        var degrees = data.Train.ItemDegrees();
        var order = Enumerable.Range(0, data.Train.ItemCount).OrderByDescending(i => degrees[i]).ThenBy(i => i).ToArray();
        double sum = 0;
        int users = 0;
        for (int u = 0; u < data.Test.UserCount; u++)
        {
            var heldOut = data.Test.ItemsOf(u);
            if (heldOut.Length == 0) continue;
            var top = order.Where(i => !data.Train.Contains(u, i)).Take(k).ToArray();
            sum += RetrievalMetrics.Recall(top, heldOut);
            users++;
        }
        return sum / users;
    }
}
