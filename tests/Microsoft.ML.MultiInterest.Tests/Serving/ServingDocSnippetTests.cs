using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using EdgeRow = Microsoft.ML.MultiInterest.Tests.MLNet.MLNetTestData.Edge;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// The "Serving" snippet of README.md and docs/pipeline.md is this test's region, compiled and run: the test fails when
/// the documents and the code drift apart.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class ServingDocSnippetTests
{
    [Fact]
    public void ServingSnippet_Compiles_Runs_AndMatchesTheDocs()
    {
        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var pipeline = MLNetTestData.KeyPipeline(mlContext)
            .Append(mlContext.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mlContext.MultiInterest().SphericalKMeans(numberOfClusters: 4))
            .Append(mlContext.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mlContext.MultiInterest().ClusterQuotaRetriever(candidates: 5));
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        #region Serving
        var mi = mlContext.MultiInterest();
        ITransformer model = pipeline.Fit(train);                            // ... + ClusterQuotaRetriever
        MultiInterestRecommender recommender = mi.CreateRecommender(model);  // or, from a zip, `using var loaded = MultiInterestModel.Load(mlContext, "model.zip");` then mi.CreateRecommender(loaded)

        RecommendationList known = recommender.Recommend("u1");                                // Trained: training items excluded
        RecommendationList fresh = recommender.Recommend("u1", history: ["i3", "i7"]);         // Trained, fresh items excluded too
        RecommendationList cold = recommender.Recommend("new-user", history: ["i3", "i7"]);    // History: mixture and vector of i3, i7
        RecommendationList none = recommender.Recommend("new-user");                           // Popular: the flagged fallback
        foreach (Recommendation r in fresh.Items) Console.WriteLine($"{r.Rank}. {r.ItemId} {r.Score:F3} ({fresh.Source})");
        IReadOnlyList<Recommendation> similar = recommender.SimilarItems("i3", count: 10);
        #endregion
        Console.SetOut(console);

        Assert.Equal(CandidateSource.Trained, known.Source);
        Assert.DoesNotContain(fresh.Items, r => r.ItemId is "i3" or "i7");
        Assert.Equal(CandidateSource.History, cold.Source);
        Assert.Equal(CandidateSource.Popular, none.Source);
        Assert.Equal(10, similar.Count);
        Assert.Contains("1. ", output.ToString());

        foreach (string doc in new[] { "README.md", "docs/pipeline.md" })
            DocSnippets.AssertOnPage(Path.Combine("Serving", nameof(ServingDocSnippetTests) + ".cs"), "Serving", doc);

        #region ServingRows
        // Request rows: the columns the chain's stages read, User and Item (unused when serving: any value).
        IDataView requests = mlContext.Data.LoadFromEnumerable(new[] { new EdgeRow { User = "u1", Item = "" }, new EdgeRow { User = "new-user", Item = "" } });
        IDataView served = model.Transform(requests);   // adds Candidates, CandidateScores and CandidateSource (Trained, Popular)
        #endregion
        Assert.Equal(["Trained", "Popular"], served.GetColumn<ReadOnlyMemory<char>>(MultiInterestColumnNames.CandidateSource).Select(s => s.ToString()));
        Assert.Equal(known.Items.Count, served.GetColumn<VBuffer<float>>(MultiInterestColumnNames.CandidateScores).First().Length);
        DocSnippets.AssertOnPage(Path.Combine("Serving", nameof(ServingDocSnippetTests) + ".cs"), "ServingRows", "docs/pipeline.md");
    }
}
