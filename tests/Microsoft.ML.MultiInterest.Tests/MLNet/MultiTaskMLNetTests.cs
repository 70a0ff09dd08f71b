using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>Multi-task mixture embeddings through the ML.NET face: the relation key column and the relation weights.</summary>
public class MultiTaskMLNetTests
{
    public sealed class Edge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string Relation { get; set; } = "";
    }

    private sealed class RelationName
    {
        public string Relation { get; set; } = "";
    }

    /// <summary>A planted two-relation edge list (relations 'likes' and 'follows'), with User, Item and Relation key-mapped.</summary>
    internal static IDataView Keyed(MLContext ml, out IDataView raw)
    {
        var g = TwoRelationGraph.Create(users: 16).Train;
        var edges = new List<Edge>();
        for (int u = 0, e = 0; u < g.UserCount; u++)
            foreach (int i in g.ItemsOf(u)) edges.Add(new Edge { User = $"u{u}", Item = $"i{i}", Relation = g.EdgeRelations[e++] == 0 ? "likes" : "follows" });
        raw = ml.Data.LoadFromEnumerable(edges);
        return MLNetTestData.KeyPipeline(ml).Append(ml.Transforms.Conversion.MapValueToKey("Relation")).Fit(raw).Transform(raw);
    }

    internal static GraphEmbeddingTrainer.Options Options(float[]? weights = null) => new()
    {
        Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Dimension = 8, Epochs = 3, Threads = 1, Seed = 5, UniformNegatives = 5, BatchNegatives = 5, ChunkSize = 10,
        RelationColumnName = "Relation",
        Mixture = new MixtureEmbeddingOptions { SourceComponents = 2, RelationWeights = weights },
    };

    [Fact]
    public void RowsWithARelationTheMappingDoesNotKnow_AreWarnedOfWithTheirCount()
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        Keyed(ml, out var raw);
        // u0's rows under a relation the relation mapping (fitted on 'likes' and 'follows' only) does not know.
        var edges = ml.Data.CreateEnumerable<Edge>(raw, reuseRowObject: false)
            .Select(e => e.User == "u0" ? new Edge { User = e.User, Item = e.Item, Relation = "other" } : e).ToList();
        int u0Rows = edges.Count(e => e.User == "u0");
        var data = ml.Data.LoadFromEnumerable(edges);
        var relations = ml.Data.LoadFromEnumerable(new[] { new RelationName { Relation = "likes" }, new RelationName { Relation = "follows" } });
        var keyed = MLNetTestData.KeyPipeline(ml).Append(ml.Transforms.Conversion.MapValueToKey("Relation", keyData: relations)).Fit(data).Transform(data);
        ml.MultiInterest().GraphEmbedding(Options()).Fit(keyed);
        Assert.Contains(warnings, w => w.Contains($"Skipped {u0Rows} rows with a missing relation key in 'Relation' (option RelationColumnName)", StringComparison.Ordinal));
    }

    [Fact]
    public void TheRelationColumnTrainsAsTheEngineDoesOnTheSameRelations()
    {
        var ml = new MLContext(seed: 1);
        var keyed = Keyed(ml, out _);
        var options = Options([1f, 0.5f]);
        var fitted = ml.MultiInterest().GraphEmbedding(options).Fit(keyed).Mixture!;

        // The same edges, relations and settings given to the engine directly.
        var users = MLNetTestData.Keys(keyed, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(keyed, "Item").Select(k => (int)k - 1).ToArray();
        var relations = MLNetTestData.Keys(keyed, "Relation").Select(k => (int)k - 1).ToArray();
        var graph = BipartiteGraph.FromEdges(users.Max() + 1, items.Max() + 1, users, items, default, relations, 2);
        var engine = GraphEmbeddingTrainerEngine.Fit(graph, options.ToEngine(5)).Mixture!;
        Assert.Equal(engine.UserComponents.Values, fitted.UserComponents.Values);
        Assert.Equal(engine.ItemComponents.Values, fitted.ItemComponents.Values);

        // Without the relation column the run differs (negatives are drawn over all items).
        var plain = Options([1f, 0.5f]);
        plain.RelationColumnName = null;
        plain.Mixture.RelationWeights = null;
        var single = ml.MultiInterest().GraphEmbedding(plain).Fit(keyed).Mixture!;
        Assert.NotEqual(single.UserComponents.Values, fitted.UserComponents.Values);
    }

    /// <summary>
    /// A walkthrough of relations found a user and items whose every edge is of a relation weighted 0 left at their random
    /// starting vectors and served as trained, without a word (such items filled a third of the top-10 slots). The fit says so,
    /// with the counts.
    /// </summary>
    [Fact]
    public void NodesWithEdgesOnlyInARelationOfWeightZero_AreWarnedOf()
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        Keyed(ml, out var raw);
        var edges = ml.Data.CreateEnumerable<Edge>(raw, reuseRowObject: false).ToList();
        int followsOnlyItems = edges.GroupBy(e => e.Item).Count(g => g.All(e => e.Relation == "follows"));
        edges.Add(new Edge { User = "uV", Item = "v0", Relation = "follows" });
        edges.Add(new Edge { User = "uV", Item = "v1", Relation = "follows" });
        var data = ml.Data.LoadFromEnumerable(edges);
        var keyed = MLNetTestData.KeyPipeline(ml).Append(ml.Transforms.Conversion.MapValueToKey("Relation")).Fit(data).Transform(data);
        Assert.Equal(1u, MLNetTestData.Keys(keyed, "Relation").First()); // "likes" is key 1, relation 0

        ml.MultiInterest().GraphEmbedding(Options([1f, 0f])).Fit(keyed);
        Assert.Contains(warnings, w => w.Contains($"1 user(s) and {followsOnlyItems + 2} item(s) have edges only in relations of weight 0", StringComparison.Ordinal));
        warnings.Clear();
        ml.MultiInterest().GraphEmbedding(Options([1f, 0.1f])).Fit(keyed);
        Assert.DoesNotContain(warnings, w => w.Contains("relations of weight 0", StringComparison.Ordinal));
    }

    /// <summary>Regression (a walkthrough of relations): a pair in two relations was refused naming dense subgraph indices, not the ids.</summary>
    [Fact]
    public void APairInTwoRelations_IsRefusedNamingItsIds()
    {
        var ml = new MLContext(seed: 1);
        Keyed(ml, out var raw);
        var edges = ml.Data.CreateEnumerable<Edge>(raw, reuseRowObject: false).ToList();
        var twice = edges.First(e => e.Relation == "likes");
        edges.Add(new Edge { User = twice.User, Item = twice.Item, Relation = "follows" });
        var data = ml.Data.LoadFromEnumerable(edges);
        var keyed = MLNetTestData.KeyPipeline(ml).Append(ml.Transforms.Conversion.MapValueToKey("Relation")).Fit(data).Transform(data);
        var e = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(Options()).Fit(keyed));
        Assert.Contains($"('{twice.User}')", e.Message, StringComparison.Ordinal);
        Assert.Contains($"('{twice.Item}')", e.Message, StringComparison.Ordinal);
        Assert.Contains("occurs in relations key 1 ('likes') and key 2 ('follows') of column 'Relation' (option RelationColumnName): a pair belongs to one relation", e.Message,
            StringComparison.Ordinal);
        Assert.Equal("RelationColumnName", e.ParamName);
    }

    [Fact]
    public void BadRelationSettingsAreNamed()
    {
        var ml = new MLContext(seed: 1);
        var keyed = Keyed(ml, out var raw);
        var notKey = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(Options()).Fit(
            MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw)));
        Assert.Contains("'Relation' (option RelationColumnName) must be a key type over UInt32", notKey.Message);

        var other = Options();
        other.Algorithm = EmbeddingAlgorithm.NegativeSampling;
        var algorithm = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(other));
        Assert.Equal("RelationColumnName", algorithm.ParamName);
        Assert.Contains("only Algorithm = MixtureEmbedding trains on relations", algorithm.Message);

        var count = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(Options([1f, 1f, 1f])).Fit(keyed));
        Assert.Contains("Mixture.RelationWeights has 3 weights, but column 'Relation' (option RelationColumnName) is a key over 2 values", count.Message);

        var withoutColumn = Options([1f, 1f]);
        withoutColumn.RelationColumnName = null;
        var unset = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(withoutColumn).Fit(keyed));
        Assert.Contains("RelationColumnName is not set", unset.Message);

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MultiInterest().GraphEmbedding(Options([1f, -1f])));
        Assert.Equal("RelationWeights", negative.ParamName);
    }

    [Fact]
    public void ThePipelinePageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        Keyed(ml, out var raw);
        var mi = ml.MultiInterest();
        {
            #region MultiTask
            var keyed = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(ml.Transforms.Conversion.MapValueToKey("Relation")) // e.g. "likes", "follows": keys 1, 2 in order of first sight
                .Fit(raw).Transform(raw);
            var model = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.MixtureEmbedding,
                // The Options path keeps the single-vector Margin and LearningRate: set the mixture model's, as mi.MixtureEmbedding does.
                Margin = MixtureEmbeddingDefaults.Margin,
                LearningRate = MixtureEmbeddingDefaults.LearningRate,
                RelationColumnName = "Relation",
                Mixture = new MixtureEmbeddingOptions { SourceComponents = 5, RelationWeights = [1f, 0.5f] },
            }).Fit(keyed);
            #endregion
            Assert.Equal(5, model.Mixture!.SourceComponents);
        }

        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(MultiTaskMLNetTests) + ".cs"), "MultiTask", "docs/pipeline.md");
    }
}
