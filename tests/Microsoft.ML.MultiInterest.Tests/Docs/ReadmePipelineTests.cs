using Microsoft.ML.MultiInterest.Tests.Embedding;
using EdgeRow = Microsoft.ML.MultiInterest.Tests.MLNet.MLNetTestData.Edge;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// README's "In an ML.NET pipeline" snippet is this test's region, compiled and run on the planted graph's training and
/// held-out edges as rows of raw ids: until 2026-12-06 no test held it.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class ReadmePipelineTests
{
    [Fact]
    public void TheReadmePipelineSnippet_CompilesRuns_AndIsOnThePage()
    {
        var planted = PlantedGraph.Create();
        var graph = planted.Train;
        var trainRows = Enumerable.Range(0, graph.UserCount)
            .SelectMany(u => graph.ItemsOf(u).ToArray().Select(i => new EdgeRow { User = $"u{u}", Item = $"i{i}" })).ToList();
        var testRows = planted.HeldOut.Select(p => new EdgeRow { User = $"u{p.User}", Item = $"i{p.Item}" }).ToList();
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            #region ReadmePipeline
            var ml = new MLContext(seed: 1);
            var mi = ml.MultiInterest();
            IDataView train = ml.Data.LoadFromEnumerable(trainRows);   // rows with string User, Item
            var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(mi.GraphEmbedding())               // + UserEmbedding, ItemEmbedding (Auto: algorithm and dimension chosen on a hold-out)
                .Append(mi.SphericalKMeans(numberOfClusters: 100))                           // + ItemCluster, ClusterSimilarity (at most the items; 2000 for cit-HepPh)
                .Append(mi.KnnSmoothedMixture(components: 5, neighbors: 10, lambda: 0.8))    // + MixtureClusters/Weights/Embeddings
                .Append(mi.ClusterQuotaRetriever(candidates: 50, alpha: 1.0));               // + Candidates, CandidateScores, CandidateSource
            var model = pipeline.Fit(train);
            var scored = model.Transform(ml.Data.LoadFromEnumerable(testRows));   // the held-out edges, rows like trainRows
            // The scored rows hold both the lists (a user's first row) and the held-out edges they are scored against.
            // Recall@K, NDCG@K and Diversity@K (K = 10, 20, 50) read the first K of each list of 50: for quotas not the
            // protocol's figures, which retrieve each K on its own (mi.EvaluateRetriever; docs/pipeline.md, "Evaluation").
            Console.WriteLine(mi.Evaluate(scored, heldOut: scored, itemEmbeddings: model.Transform(train)));
            #endregion
            Console.SetOut(console);

            var metrics = mi.Evaluate(scored, heldOut: scored, itemEmbeddings: model.Transform(train));
            Assert.Contains(metrics.ToString(), output.ToString(), StringComparison.Ordinal);
            Assert.Equal(planted.HeldOut.Select(p => p.User).Distinct().Count(), metrics.UserCount);
            Assert.True(metrics.RecallAtK[50] > 0.5, $"Recall@50 {metrics.RecallAtK[50]}");
            Assert.True(metrics.Emd is not null, "the mixtures' EMD");
        }
        finally
        {
            Console.SetOut(console);
        }
        DocSnippets.AssertOnPage(Path.Combine("Docs", nameof(ReadmePipelineTests) + ".cs"), "ReadmePipeline", "README.md");
    }
}
