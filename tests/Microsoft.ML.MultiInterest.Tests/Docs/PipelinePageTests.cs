using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Tests.Embedding;
using EdgeRow = Microsoft.ML.MultiInterest.Tests.MLNet.MLNetTestData.Edge;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// docs/pipeline.md's first snippet (the pipeline), its <c>EvaluateRetriever</c> snippet and its "Embeddings trained
/// elsewhere" snippet are this file's regions, compiled and run on the planted graph written as edge files: until
/// 2026-12-06 no test held them, though the page's other snippets were.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class PipelinePageTests
{
    private const string Test = "Docs/PipelinePageTests.cs";

    [Fact]
    public void ThePipelineAndEvaluateRetrieverSnippets_CompileRun_AndAreOnThePage()
    {
        using var directory = new Scratch();
        var (trainPath, testPath) = WritePlanted(directory.Path);
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            #region Pipeline
            // One row per edge, raw ids: public sealed class EdgeRow { public string User { get; set; } = ""; public string Item { get; set; } = ""; }
            var trainRows = EdgeFile.Read(trainPath).Select(e => new EdgeRow { User = e.User, Item = e.Item }).ToList();
            var testRows  = EdgeFile.Read(testPath).Select(e => new EdgeRow { User = e.User, Item = e.Item }).ToList();

            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(trainRows);
            var test = ml.Data.LoadFromEnumerable(testRows);
            var mi = ml.MultiInterest();

            var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(mi.GraphEmbedding())   // Auto: algorithm and dimension chosen on a hold-out (algorithm: fixes both, with dimension:)
                .Append(mi.SphericalKMeans(numberOfClusters: 100))
                .Append(mi.KnnSmoothedMixture(components: 5, neighbors: 10, lambda: 0.8))
                .Append(mi.ClusterQuotaRetriever(candidates: 50));
            var model = pipeline.Fit(train);

            // Every row of a held-out edge now carries its user's 50 candidates.
            var scored = model.Transform(test);
            var metrics = mi.Evaluate(scored, heldOut: scored, itemEmbeddings: model.Transform(train));
            Console.WriteLine(metrics);

            // Candidates inherit the Item key names: MapKeyToValue gives raw ids back.
            var named = ml.Transforms.Conversion.MapKeyToValue("UserId", "User")
                .Append(ml.Transforms.Conversion.MapKeyToValue("CandidateIds", "Candidates"))
                .Fit(scored).Transform(scored);
            #endregion

            Assert.True(metrics.RecallAtK[50] > 0.5, $"Recall@50 {metrics.RecallAtK[50]}");
            Assert.StartsWith("i", named.GetColumn<VBuffer<ReadOnlyMemory<char>>>("CandidateIds").First().DenseValues().First().ToString(), StringComparison.Ordinal);

            #region PipelineEvaluateRetriever
            var upstream = new TransformerChain<ITransformer>(model.Take(model.Count() - 1).ToArray()); // all but the retriever
            var fitData = upstream.Transform(train);
            var heldOut = upstream.Transform(test);
            var knnEmbed = mi.EvaluateRetriever(fitData, heldOut, k => mi.ClusterQuotaRetriever(candidates: k));
            var unimodal = mi.EvaluateRetriever(fitData, heldOut, k => mi.UnimodalRetriever(candidates: k),
                new MultiInterestEvaluatorOptions { Representation = UserRepresentation.Unimodal });
            // The same test users, so the two rows pair user by user: the difference and its standard error.
            var paired = knnEmbed.Against(unimodal);
            Console.WriteLine($"Recall@50 {paired.Recall[50].Difference:+0.0000;-0.0000} ± {paired.Recall[50].StandardError:F4}");
            #endregion

            Assert.Equal(metrics.RecallAtK[50], knnEmbed.RecallAtK[50], 12);   // M = 50: the one list, as the page says
            Assert.Contains("Recall@50 ", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Console.SetOut(console);
        }
        DocSnippets.AssertOnPage(Test, "Pipeline", "docs/pipeline.md");
        DocSnippets.AssertOnPage(Test, "PipelineEvaluateRetriever", "docs/pipeline.md");
    }

    [Fact]
    public void TheEmbeddingsTrainedElsewhereSnippet_CompilesRuns_AndIsOnThePage()
    {
        using var directory = new Scratch();
        var (trainPath, _) = WritePlanted(directory.Path);
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var train = ml.Data.LoadFromEnumerable(EdgeFile.Read(trainPath).Select(e => new EdgeRow { User = e.User, Item = e.Item }).ToList());
        // "Elsewhere": vectors of another fit, written as the id<TAB>v0... files the snippet reads.
        var trained = ml.Transforms.Conversion.MapValueToKey("User").Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 8 })).Fit(train).LastTransformer;
        string userEmbeddingsPath = Path.Combine(directory.Path, "user_embeddings.tsv"), itemEmbeddingsPath = Path.Combine(directory.Path, "item_embeddings.tsv");
        EmbeddingFile.Write(userEmbeddingsPath, new IdMap(trained.UserIds), trained.UserEmbeddings.ToDense());
        EmbeddingFile.Write(itemEmbeddingsPath, new IdMap(trained.ItemIds), trained.ItemEmbeddings.ToDense());

        #region EmbeddingsElsewhere
        var users = EmbeddingFile.Read(userEmbeddingsPath);   // id<TAB>v0<TAB>v1..., e.g. "user_embeddings.tsv"
        var items = EmbeddingFile.Read(itemEmbeddingsPath);
        var userPairs = users.Ids.Ids.Select((id, r) => new KeyValuePair<string, float[]>(id, users.Vectors.ReadRow(r).ToArray()));
        var itemPairs = items.Ids.Ids.Select((id, r) => new KeyValuePair<string, float[]>(id, items.Vectors.ReadRow(r).ToArray()));

        var pipeline = ml.Transforms.Conversion.MapValue("UserEmbedding", userPairs, "User")   // Vector<Single, d>
            .Append(ml.Transforms.Conversion.MapValue("ItemEmbedding", itemPairs, "Item"))
            .Append(ml.Transforms.Conversion.MapValueToKey("User"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(mi.SphericalKMeans(numberOfClusters: 100))   // at most the items; cit-HepPh's paper runs use 2000
            .Append(mi.KnnSmoothedMixture())
            .Append(mi.ClusterQuotaRetriever(candidates: 50));
        #endregion

        var lists = pipeline.Fit(train).Transform(train).GetColumn<VBuffer<uint>>(MultiInterestColumnNames.Candidates).First();
        Assert.Equal(50, lists.Length);
        DocSnippets.AssertOnPage(Test, "EmbeddingsElsewhere", "docs/pipeline.md");
    }

    /// <summary>The planted graph's training and held-out edges as user<TAB>item files (ids u0, i0, ...).</summary>
    private static (string Train, string Test) WritePlanted(string directory)
    {
        var planted = PlantedGraph.Create();
        var graph = planted.Train;
        string train = Path.Combine(directory, "train.tsv"), test = Path.Combine(directory, "test.tsv");
        EdgeFile.Write(train, Enumerable.Range(0, graph.UserCount).SelectMany(u => graph.ItemsOf(u).ToArray().Select(i => new RawEdge($"u{u}", $"i{i}", 1f))));
        EdgeFile.Write(test, planted.HeldOut.Select(p => new RawEdge($"u{p.User}", $"i{p.Item}", 1f)));
        return (train, test);
    }

    /// <summary>A directory of the test's own, deleted on dispose.</summary>
    private sealed class Scratch : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mi-pipeline-page-{Guid.NewGuid():N}")).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
