using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// What the ML.NET stages say of inputs a pipeline gets wrong without any single column being mistyped: a view with no
/// edges, output names that would hide a column, per-user values that change between a user's rows, a column name off
/// by case inside an estimator chain, and held-out edges that are the training edges.
/// </summary>
public class StageInputGuardsTests
{
    private static (MLContext Ml, IDataView Embedded, IDataView Clustered) Fitted()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
        var clustered = ml.MultiInterest().SphericalKMeans(numberOfClusters: 3).Fit(embedded).Transform(embedded);
        return (ml, embedded, clustered);
    }

    [Fact]
    public void AViewWithoutEdges_IsSaidToHaveNone_ByEveryStageThatReadsEdges()
    {
        var (ml, _, clustered) = Fitted();
        var mi = ml.MultiInterest();
        var mixtures = mi.KnnSmoothedMixture(components: 2, neighbors: 2).Fit(clustered);
        var empty = ml.Data.SkipRows(mixtures.Transform(clustered), int.MaxValue);
        var fits = new Dictionary<string, Action>
        {
            ["GraphEmbedding"] = () => mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(empty),
            ["KnnSmoothedMixture"] = () => mi.KnnSmoothedMixture(components: 2, neighbors: 2).Fit(empty),
            ["Unimodal"] = () => mi.UnimodalRetriever(5).Fit(empty),
            ["ClusterQuota"] = () => mi.ClusterQuotaRetriever(5).Fit(empty),
            ["Mmr"] = () => mi.MmrRetriever(5).Fit(empty),
        };
        var components = ml.MultiInterest().GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("mixture")).Fit(MLNetTestData.Keyed(ml, out _));
        var noComponents = ml.Data.SkipRows(components.Transform(MLNetTestData.Keyed(ml, out _)), int.MaxValue);
        fits["RoundRobin"] = () => mi.RoundRobinRetriever(5).Fit(noComponents);
        foreach (var (stage, fit) in fits)
        {
            var error = Assert.Throws<ArgumentException>(fit);
            Assert.True(error.Message.StartsWith("The data has no edges: no row has both a user key in 'User' (option UserColumnName) and an item key in 'Item'", StringComparison.Ordinal), $"{stage}: {error.Message}");
            Assert.Contains("(the view has no rows)", error.Message);
        }

        // Rows whose keys are all missing (values the key mapping never saw) are no edges either, and are counted.
        var unseen = MLNetTestData.KeyPipeline(ml).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()))
            .Transform(ml.Data.LoadFromEnumerable(new List<MLNetTestData.Edge> { new() { User = "stranger", Item = "nothing" }, new() { User = "u0", Item = "nothing" } }));
        var missing = Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(unseen));
        Assert.Contains("(2 rows have a missing key, 0: an empty id or NaN, or a value the fitted MapValueToKey did not see)", missing.Message);
    }

    private sealed class EdgeWithTextHistory
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string History { get; set; } = "";
    }

    private sealed class EdgeWithHistory
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string[] History { get; set; } = [];
    }

    /// <summary>
    /// A History column the fitted stage would refuse at Transform is refused by the shape check (a scalar) and by Fit (keys of
    /// another mapping), as ML.NET's contract asks: a fitted transformer accepts the schema it was fitted on.
    /// </summary>
    [Fact]
    public void AHistoryColumnTheStageCannotRead_IsRefusedByTheShapeCheckAndByFit_NotFirstByTransform()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding());
        var scalarShape = MLNetTestData.KeyPipeline(ml).Append(embedding).GetOutputSchema(MLNetTestData.RawShape<EdgeWithTextHistory>(ml));
        var shape = Assert.Throws<ArgumentException>(() => mi.UnimodalRetriever(5).GetOutputSchema(scalarShape));
        Assert.Contains("Input column 'History' (option HistoryColumnName) must be a vector of item keys or of item ids (text), or absent", shape.Message);

        // Keys of the history's own mapping (2 values, not the model's items): Fit refuses, where it fitted and Transform refused.
        var edges = MLNetTestData.Edges().Select(e => new EdgeWithHistory { User = e.User, Item = e.Item, History = ["i0", "i1"] }).ToList();
        var raw = ml.Data.LoadFromEnumerable(edges);
        var keyed = MLNetTestData.KeyPipeline(ml).Append(ml.Transforms.Conversion.MapValueToKey("History")).Fit(raw).Transform(raw);
        var embedded = embedding.Fit(keyed).Transform(keyed);
        var fit = Assert.Throws<ArgumentException>(() => mi.UnimodalRetriever(5).Fit(embedded));
        Assert.Contains("History column 'History' (option HistoryColumnName) holds keys over 2 values", fit.Message);
    }

    [Fact]
    public void OutputNamesThatWouldHideAColumn_AreRefusedByTheOption_AndHarmlessReuseIsAccepted()
    {
        var mi = new MLContext().MultiInterest();
        Assert.Equal("CandidateScoresColumnName", Assert.Throws<ArgumentException>(() =>
            mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { CandidateScoresColumnName = "Candidates" })).ParamName);
        var hidden = Assert.Throws<ArgumentException>(() => mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { CandidatesColumnName = "User" }));
        Assert.Equal("CandidatesColumnName", hidden.ParamName);
        Assert.Contains("'User', which is the input column of UserColumnName", hidden.Message);
        Assert.Equal("CandidateSourceColumnName", Assert.Throws<ArgumentException>(() =>
            mi.MmrRetriever(new MmrRetrieverEstimator.Options { CandidateSourceColumnName = "MixtureWeights" })).ParamName);
        Assert.Equal("CandidatesColumnName", Assert.Throws<ArgumentException>(() =>
            mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { CandidatesColumnName = "ItemComponents" })).ParamName);
        Assert.Equal("MixtureWeightsColumnName", Assert.Throws<ArgumentException>(() =>
            mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { MixtureWeightsColumnName = "Item" })).ParamName);
        Assert.Equal("SimilarityColumnName", Assert.Throws<ArgumentException>(() =>
            mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 2, SimilarityColumnName = "ItemCluster" })).ParamName);
        Assert.Equal("ItemEmbeddingColumnName", Assert.Throws<ArgumentException>(() =>
            mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { ItemEmbeddingColumnName = "Item" })).ParamName);
        Assert.Equal("CandidateScoresColumnName", Assert.Throws<ArgumentException>(() =>
            mi.RankFusion(new RankFusionEstimator.Options { SourceColumnNames = ["A"], CandidateScoresColumnName = "Candidates" })).ParamName);
        // Scores named like a source are refused at Fit, once the source is known to be a candidate list (a scores column given
        // as a source is that mistake instead: RankFusionMLNetTests).
        mi.RankFusion(new RankFusionEstimator.Options { SourceColumnNames = ["A", "B"], CandidateScoresColumnName = "B" });
        Assert.Equal("UserEmbeddingColumnName", Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.MixtureEmbedding, InitialItemsColumnName = "Start", UserEmbeddingColumnName = "Start",
        })).ParamName);

        // A fused list may replace a source of its name, and a retraining may replace the item embeddings it starts from.
        mi.RankFusion(new RankFusionEstimator.Options { SourceColumnNames = ["Candidates", "Other"] });
        mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.MixtureEmbedding, InitialItemsColumnName = "ItemEmbedding" });
    }

    private sealed class VectorEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        [VectorType(2)] public float[] UserEmbedding { get; set; } = [];

        [VectorType(2)] public float[] ItemEmbedding { get; set; } = [];
    }

    /// <summary>Two users of two items each; user b's second row carries <paramref name="laterUserValue"/> where its first has 1.</summary>
    private static IDataView Vectors(MLContext ml, float laterUserValue)
    {
        var raw = ml.Data.LoadFromEnumerable(new List<VectorEdge>
        {
            new() { User = "a", Item = "x", UserEmbedding = [1, 0], ItemEmbedding = [1, 0] },
            new() { User = "b", Item = "y", UserEmbedding = [0, 1], ItemEmbedding = [0, 1] },
            new() { User = "a", Item = "z", UserEmbedding = [1, 0], ItemEmbedding = [1, 1] },
            new() { User = "b", Item = "z", UserEmbedding = [0, laterUserValue], ItemEmbedding = [1, 1] },
        });
        return MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(0.5f, "0.5")]
    public void AUsersLaterRowWithAnotherVector_IsRefusedNamingTheUserAndCoordinate(float later, string shown)
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().UnimodalRetriever(candidates: 1).Fit(Vectors(ml, later)));
        Assert.Contains($"Input column 'UserEmbedding' (option UserEmbeddingColumnName) gives user key 2 ('b') two values (1 at coordinate 1 on its first row, {shown} on a later one)", error.Message);

        // The same vector on every row is what the stages expect: a's best unseen item is y, b's is x.
        var lists = ml.MultiInterest().UnimodalRetriever(candidates: 1).Fit(Vectors(ml, 1)).Transform(Vectors(ml, 1)).GetColumn<uint[]>("Candidates").ToArray();
        Assert.Equal([2u, 1u, 2u, 1u], lists.Select(l => l[0]).ToArray());
    }

    [Fact]
    public void AnItemsLaterRowInAnotherCluster_IsRefused()
    {
        var (ml, _, clustered) = Fitted();
        // The first row's item moves to another cluster on its other users' rows: per-row clusters, not an item's (the lambda
        // runs once per cursor, so the rows are told apart by their user, not by the order they come in).
        var first = ml.Data.CreateEnumerable<ClusterRow>(clustered, reuseRowObject: false).First();
        uint user = first.User, item = first.Item;
        var moved = ml.Transforms.CustomMapping<ClusterRow, ClusterOutput>((from, to) =>
        {
            uint cluster = from.Item == item && from.User != user ? (from.ItemCluster == 1 ? 2u : 1u) : from.ItemCluster;
            // ML.NET reads a key into a class as its number but writes a class's value v as key v + 1.
            to.ItemCluster = cluster - 1;
        }, contractName: null).Fit(clustered).Transform(clustered);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 2).Fit(moved));
        Assert.Contains($"Input column 'ItemCluster' (option ItemClusterColumnName) gives item key {item} ('i", error.Message);
        Assert.Contains("') two values (cluster key", error.Message);
        Assert.Contains("on its first row", error.Message);
        Assert.Contains("it must hold one cluster per item, the same on all of the item's rows (it belongs to the item, not to the edge)", error.Message);
    }

    /// <summary>The mapping's output: the cluster only (User and Item pass through untouched).</summary>
    private sealed class ClusterOutput
    {
        [KeyType(3)] public uint ItemCluster { get; set; }
    }

    private sealed class ClusterRow
    {
        [KeyType(16)] public uint User { get; set; }

        [KeyType(24)] public uint Item { get; set; }

        [KeyType(3)] public uint ItemCluster { get; set; }
    }

    [Fact]
    public void AUsersLaterRowWithAnotherMixture_IsRefused()
    {
        var (ml, _, clustered) = Fitted();
        var mixed = ml.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 2).Fit(clustered).Transform(clustered);
        // The first row's user halves its first component's weight on its other rows (the lambda runs once per cursor, so the
        // rows are told apart by their item, not by the order they come in).
        var first = ml.Data.CreateEnumerable<MixtureRow>(mixed, reuseRowObject: false).First();
        uint user = first.User, item = first.Item;
        var changed = ml.Transforms.CustomMapping<MixtureRow, MixtureOutput>((from, to) =>
        {
            to.MixtureWeights = (double[])from.MixtureWeights.Clone();
            if (from.User == user && from.Item != item) to.MixtureWeights[0] /= 2;
        }, contractName: null).Fit(mixed).Transform(mixed);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().ClusterQuotaRetriever(candidates: 3).Fit(changed));
        Assert.Contains($"(options MixtureClustersColumnName, MixtureWeightsColumnName, MixtureEmbeddingsColumnName) give user key {user} ('u", error.Message);
        Assert.Contains("') two mixtures (its first row and a later one differ)", error.Message);

        // A NaN weight on all of its rows is refused too (it was read as padding: not above 0).
        var nan = ml.Transforms.CustomMapping<MixtureRow, MixtureOutput>((from, to) =>
        {
            to.MixtureWeights = (double[])from.MixtureWeights.Clone();
            if (from.User == user) to.MixtureWeights[0] = double.NaN;
        }, contractName: null).Fit(mixed).Transform(mixed);
        var nonFinite = Assert.Throws<ArgumentException>(() => ml.MultiInterest().ClusterQuotaRetriever(candidates: 3).Fit(nan));
        Assert.Contains($"Input column 'MixtureWeights' (option MixtureWeightsColumnName) holds a non-finite value (NaN) at index 0 of user key {user}", nonFinite.Message);
    }

    private sealed class MixtureOutput
    {
        [VectorType(2)] public double[] MixtureWeights { get; set; } = [];
    }

    private sealed class MixtureRow
    {
        [KeyType(16)] public uint User { get; set; }

        [KeyType(24)] public uint Item { get; set; }

        [VectorType(2)] public double[] MixtureWeights { get; set; } = [];
    }

    [Fact]
    public void AnItemsLaterRowWithAnotherVector_IsRefusedByKMeans_AndByTheRetrievers()
    {
        var (ml, embedded, _) = Fitted();
        var first = ml.Data.CreateEnumerable<ItemVectorRow>(embedded, reuseRowObject: false).First();
        var changed = ml.Transforms.CustomMapping<ItemVectorRow, ItemVectorOutput>((from, to) =>
        {
            to.ItemEmbedding = (float[])from.ItemEmbedding.Clone();
            if (from.Item == first.Item && from.User != first.User) to.ItemEmbedding[3] += 1;
        }, contractName: null).Fit(embedded).Transform(embedded);
        var retriever = Assert.Throws<ArgumentException>(() => ml.MultiInterest().UnimodalRetriever(candidates: 3).Fit(changed));
        Assert.Contains($"Input column 'ItemEmbedding' (option ItemEmbeddingColumnName) gives item key {first.Item} ('i", retriever.Message);
        // Unchanged, the copy is accepted: only the differing row is refused.
        var copied = ml.Transforms.CustomMapping<ItemVectorRow, ItemVectorOutput>((from, to) => to.ItemEmbedding = (float[])from.ItemEmbedding.Clone(), contractName: null)
            .Fit(embedded).Transform(embedded);
        ml.MultiInterest().UnimodalRetriever(candidates: 3).Fit(copied);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(numberOfClusters: 3).Fit(changed));
        Assert.Contains($"Input column 'ItemEmbedding' (option FeatureColumnName) gives item key {first.Item} ('i", error.Message);
        Assert.Contains($"') two values ({first.ItemEmbedding[3]} at coordinate 3 on its first row", error.Message);
    }

    private sealed class ItemVectorRow
    {
        [KeyType(16)] public uint User { get; set; }

        [KeyType(24)] public uint Item { get; set; }

        [VectorType(8)] public float[] ItemEmbedding { get; set; } = [];
    }

    private sealed class ItemVectorOutput
    {
        [VectorType(8)] public float[] ItemEmbedding { get; set; } = [];
    }

    [Fact]
    public void AUsersLaterRowWithOtherLearnedComponents_IsRefusedByRoundRobin()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var embedded = ml.MultiInterest().GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("mixture")).Fit(keyed).Transform(keyed);
        var first = ml.Data.CreateEnumerable<ComponentWeightsRow>(embedded, reuseRowObject: false).First();
        var changed = ml.Transforms.CustomMapping<ComponentWeightsRow, ComponentWeightsOutput>((from, to) =>
        {
            to.UserComponentWeights = (double[])from.UserComponentWeights.Clone();
            if (from.User == first.User && from.Item != first.Item) to.UserComponentWeights[0] /= 2;
        }, contractName: null).Fit(embedded).Transform(embedded);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().RoundRobinRetriever(candidates: 3).Fit(changed));

        // An item's components that change on a later row are refused too.
        var firstItem = ml.Data.CreateEnumerable<ItemComponentsRow>(embedded, reuseRowObject: false).First();
        var items = ml.Transforms.CustomMapping<ItemComponentsRow, ItemComponentsOutput>((from, to) =>
        {
            to.ItemComponents = (float[])from.ItemComponents.Clone();
            if (from.Item == firstItem.Item && from.User != firstItem.User) to.ItemComponents[0] += 1;
        }, contractName: null).Fit(embedded).Transform(embedded);
        var itemError = Assert.Throws<ArgumentException>(() => ml.MultiInterest().RoundRobinRetriever(candidates: 3).Fit(items));
        Assert.Contains($"Input column 'ItemComponents' (option ItemComponentsColumnName) gives item key {firstItem.Item} ('i", itemError.Message);
        Assert.Contains($"Input column 'UserComponents' (option UserComponentsColumnName) gives user key {first.User} ('u", error.Message);
        Assert.Contains("') two values (its first row's components, or their weights in 'UserComponentWeights' (option UserComponentWeightsColumnName), differ", error.Message);
    }

    private sealed class ComponentWeightsRow
    {
        [KeyType(16)] public uint User { get; set; }

        [KeyType(24)] public uint Item { get; set; }

        [VectorType(3)] public double[] UserComponentWeights { get; set; } = [];
    }

    private sealed class ItemComponentsRow
    {
        [KeyType(16)] public uint User { get; set; }

        [KeyType(24)] public uint Item { get; set; }

        [VectorType(16)] public float[] ItemComponents { get; set; } = [];
    }

    private sealed class ItemComponentsOutput
    {
        [VectorType(16)] public float[] ItemComponents { get; set; } = [];
    }

    private sealed class ComponentWeightsOutput
    {
        [VectorType(3)] public double[] UserComponentWeights { get; set; } = [];
    }

    [Fact]
    public void ColumnsLookedUpByKey_AreMarkedSo_AndOnlyByTheKeyColumnTheyWereLookedUpBy()
    {
        var (ml, embedded, clustered) = Fitted();
        var mixed = ml.MultiInterest().KnnSmoothedMixture(components: 2, neighbors: 2).Fit(clustered).Transform(clustered);
        // These columns skip the later-row comparison: the stage that appended them looked each value up by the key.
        foreach (var (column, key) in new[] { ("UserEmbedding", "User"), ("ItemEmbedding", "Item"), ("ItemCluster", "Item"), ("MixtureClusters", "User"),
            ("MixtureWeights", "User"), ("MixtureEmbeddings", "User") })
        {
            Assert.True(PerKeyAnnotation.Holds(mixed.Schema[column], mixed.Schema[key]), column);
            Assert.False(PerKeyAnnotation.Holds(mixed.Schema[column], mixed.Schema[key == "User" ? "Item" : "User"]), column);
        }
        // A user column rebuilt from other values under the same name (here the item ids) no longer matches the mark, so a
        // retriever compares the rows again (the vectors are per old user, not per new key).
        var rekeyed = ml.Transforms.Conversion.MapKeyToValue("ItemId", "Item").Append(ml.Transforms.Conversion.MapValueToKey("User", "ItemId")).Fit(embedded).Transform(embedded);
        Assert.False(PerKeyAnnotation.Holds(rekeyed.Schema["UserEmbedding"], rekeyed.Schema["User"]));
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().UnimodalRetriever(candidates: 3).Fit(rekeyed));
        Assert.Contains("Input column 'UserEmbedding' (option UserEmbeddingColumnName) gives user key", error.Message);
        // The same users numbered in another order (same cardinality, other ids per key): the fingerprint tells them apart.
        var vocabulary = ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Select(e => e.User).Distinct().Reverse().Select(u => new UserTerm { UserId = u }).ToList());
        var renumbered = ml.Transforms.Conversion.MapKeyToValue("UserId", "User").Append(ml.Transforms.Conversion.MapValueToKey("User", "UserId", keyData: vocabulary))
            .Fit(embedded).Transform(embedded);
        Assert.Equal(embedded.Schema["User"].Type, renumbered.Schema["User"].Type);
        Assert.False(PerKeyAnnotation.Holds(renumbered.Schema["UserEmbedding"], renumbered.Schema["User"]));
        // Numeric ids carry numeric KeyValues, fingerprinted too: the library's own columns keep the fast path.
        var numeric = ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Select(e => new NumericEdge { User = int.Parse(e.User[1..], System.Globalization.CultureInfo.InvariantCulture),
            Item = int.Parse(e.Item[1..], System.Globalization.CultureInfo.InvariantCulture) }).ToList());
        var numericKeyed = MLNetTestData.KeyPipeline(ml).Fit(numeric).Transform(numeric);
        var numericEmbedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(numericKeyed).Transform(numericKeyed);
        Assert.True(PerKeyAnnotation.Holds(numericEmbedded.Schema["UserEmbedding"], numericEmbedded.Schema["User"]));
        // The mixture columns keep the annotations they had.
        Assert.Equal(ComponentSourceAnnotation.KnnSmoothedMixture, ComponentSourceAnnotation.Read(mixed.Schema["MixtureEmbeddings"]));
        Assert.NotNull(mixed.Schema["MixtureClusters"].Annotations.Schema.GetColumnOrNull("KeyValues"));
        // A vector replaced by another transform is not, and neither are the clusters computed from it.
        var replaced = ml.Transforms.CustomMapping<ItemVectorRow, ItemVectorOutput>((from, to) => to.ItemEmbedding = (float[])from.ItemEmbedding.Clone(), contractName: null)
            .Fit(embedded).Transform(embedded);
        Assert.False(PerKeyAnnotation.Holds(replaced.Schema["ItemEmbedding"], replaced.Schema["Item"]));
        var reclustered = ml.MultiInterest().SphericalKMeans(numberOfClusters: 3).Fit(replaced).Transform(replaced);
        Assert.False(PerKeyAnnotation.Holds(reclustered.Schema["ItemCluster"], reclustered.Schema["Item"]));
    }

    [Fact]
    public void ABadWeight_IsNamedByItsColumnAndTheDatasRow_NotByItsIndexAmongTheKeptEdges()
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges().Select(e => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = 1 }).ToList();
        // Two rows of a user the key mapping never saw (skipped), then a negative weight at row 5 of the data.
        edges.Insert(0, new MLNetTestData.WeightedEdge { User = "stranger", Item = "i0", Weight = 1 });
        edges.Insert(1, new MLNetTestData.WeightedEdge { User = "stranger", Item = "i1", Weight = 1 });
        edges[5].Weight = -1;
        var raw = ml.Data.LoadFromEnumerable(edges);
        var keys = MLNetTestData.KeyPipeline(ml).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
        var o = MLNetTestData.SmallEmbedding();
        o.WeightColumnName = "Weight";
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().GraphEmbedding(o).Fit(keys.Transform(raw)));
        Assert.Contains("Input column 'Weight' (option WeightColumnName) holds the weight -1 at row 5 of the data: weights must be positive and finite.", error.Message);
    }

    private sealed class UserTerm
    {
        public string UserId { get; set; } = "";
    }

    private sealed class NumericEdge
    {
        public int User { get; set; }

        public int Item { get; set; }
    }

    [Fact]
    public void AColumnNameOffByCase_InAnEstimatorChain_NamesTheColumnThatDiffersOnlyInCase()
    {
        var (ml, embedded, _) = Fitted();
        var chain = ml.Transforms.CopyColumns("Spare", "Item").Append(ml.MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { UserColumnName = "user" }));
        var error = Assert.Throws<ArgumentException>(() => chain.Fit(embedded));
        Assert.Contains("Input column 'user' (option UserColumnName) was not found in the input schema; its columns are 'User', 'Item'", error.Message);
        Assert.Contains("('User' differs only in case: names are case-sensitive)", error.Message);
    }

    [Fact]
    public void EvaluatingOnTheTrainingEdges_IsWarned_AndAHeldOutSplitIsNot()
    {
        var (ml, embedded, _) = Fitted();
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var mi = ml.MultiInterest();
        var options = new MultiInterestEvaluatorOptions { Cutoffs = [5] };

        var retriever = mi.UnimodalRetriever(5).Fit(embedded);
        var onTraining = mi.Evaluate(retriever.Transform(embedded), embedded, embedded, options);
        Assert.Equal(0, onTraining.RecallAtK[5]);
        Assert.Contains(warnings, w => w.Contains($"{embedded.GetRowCount()} of the {embedded.GetRowCount()} held-out edges are also edges of the item embeddings view", StringComparison.Ordinal));
        warnings.Clear();
        mi.EvaluateRetriever(embedded, embedded, k => mi.UnimodalRetriever(k), options);
        Assert.Contains(warnings, w => w.Contains("held-out edges are also edges of the fit data", StringComparison.Ordinal));

        // Without the users in the item view, a recall of 0 everywhere is what is warned of.
        warnings.Clear();
        mi.Evaluate(retriever.Transform(embedded), embedded, ml.Transforms.DropColumns("User").Fit(embedded).Transform(embedded), options);
        Assert.Contains(warnings, w => w.Contains("Recall is 0 at every cutoff for all", StringComparison.Ordinal) && !w.Contains("also edges", StringComparison.Ordinal));

        // Nor are they counted when the item view's users are keyed otherwise (same count, other ids per key): its key 3 is
        // not the held-out edges' user 3.
        warnings.Clear();
        var rekeyed = ml.Transforms.Conversion.MapKeyToValue("UserId", "User")
            .Append(ml.Transforms.Conversion.MapValueToKey("User", "UserId", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
            .Fit(embedded).Transform(embedded);
        Assert.NotNull(KeyTypeMatch.Mismatch(new(rekeyed.Schema["User"], "a"), new(embedded.Schema["User"], "b")));
        mi.Evaluate(retriever.Transform(embedded), embedded, rekeyed, options);
        Assert.Contains(warnings, w => w.Contains("Recall is 0 at every cutoff for all", StringComparison.Ordinal) && !w.Contains("also edges", StringComparison.Ordinal));

        // A real hold-out: the training part carries the embeddings, the other part is scored against them.
        var split = ml.Data.TrainTestSplit(MLNetTestData.Keyed(ml, out _), testFraction: 0.25, seed: 2);
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(split.TrainSet);
        var train = embedding.Transform(split.TrainSet);
        warnings.Clear();
        var heldOut = mi.EvaluateRetriever(train, split.TestSet, k => mi.UnimodalRetriever(k), options);
        Assert.True(heldOut.UserCount > 0);
        Assert.DoesNotContain(warnings, w => w.Contains("held-out edges", StringComparison.Ordinal));

        // An item view holding every edge (it need only cover the items) is no fault: nothing is warned while recall is not 0.
        var all = embedding.Transform(MLNetTestData.Keyed(ml, out _));
        var scored = mi.UnimodalRetriever(5).Fit(train).Transform(split.TestSet);
        warnings.Clear();
        var covered = mi.Evaluate(scored, split.TestSet, all, options);
        Assert.True(covered.RecallAtK[5] > 0);
        Assert.DoesNotContain(warnings, w => w.Contains("held-out", StringComparison.Ordinal) || w.Contains("Recall is 0", StringComparison.Ordinal));
    }

    [Fact]
    public void ARecallOfZeroWithUnseenUsers_IsWarnedOverTheUsersTheSummaryCounts_NamingTheMissesApart()
    {
        // Held-out rows of a new user, of a trained user's new item and of a trained user's training item: Recall averages
        // over all three users (two missed), and the warning counts them as the summary does, not as "all 1 test users".
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
        var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keys.Transform(raw)).Transform(keys.Transform(raw));
        var warnings = MLNetTestData.Warnings(ml);
        var trainedItem = MLNetTestData.Edges().First(e => e.User == "u1").Item;
        var heldOut = keys.Transform(ml.Data.LoadFromEnumerable(new[]
        {
            new MLNetTestData.Edge { User = "new-user", Item = "i0" },
            new MLNetTestData.Edge { User = "u2", Item = "new-item" },
            new MLNetTestData.Edge { User = "u1", Item = trainedItem },
        }));
        var mi = ml.MultiInterest();
        var metrics = mi.Evaluate(mi.UnimodalRetriever(5).Fit(embedded).Transform(embedded), heldOut, embedded, new MultiInterestEvaluatorOptions { Cutoffs = [5] });

        Assert.Equal((1, 2), (metrics.UserCount, metrics.MissedUsers));
        Assert.Equal(0, metrics.RecallAtK[5]);
        Assert.Contains("Users: 3 in Recall@K and NDCG@K, of which 2 users scored 0", metrics.ToString(), StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.Contains("Recall is 0 at every cutoff for all 3 test users (2 users unseen in training or holding out only unseen items, "
            + "scored 0 as misses, and 1 user with a list)", StringComparison.Ordinal));
    }

    [Fact]
    public void OptionsChangedAfterTheEstimatorIsMade_ChangeNothing()
    {
        var (ml, embedded, _) = Fitted();
        var mi = ml.MultiInterest();
        var unimodal = new UnimodalRetrieverEstimator.Options { Candidates = 4 };
        var estimator = mi.UnimodalRetriever(unimodal);
        unimodal.Candidates = 0;
        unimodal.CandidatesColumnName = "User";
        var lists = estimator.Fit(embedded).Transform(embedded);
        Assert.Equal(4, ((VectorDataViewType)lists.Schema["Candidates"].Type).Size);
        Assert.IsType<KeyDataViewType>(lists.Schema["User"].Type);

        var twoLists = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 4, CandidatesColumnName = "A", CandidateScoresColumnName = "SA" }).Fit(embedded).Transform(embedded);
        twoLists = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 3, CandidatesColumnName = "B", CandidateScoresColumnName = "SB", CandidateSourceColumnName = "SourceB" })
            .Fit(twoLists).Transform(twoLists);
        var fusion = new RankFusionEstimator.Options { SourceColumnNames = ["A", "B"], Candidates = 5 };
        var fuse = mi.RankFusion(fusion);
        var before = fuse.Fit(twoLists).Transform(twoLists).GetColumn<float[]>("CandidateScores").ToArray();
        fusion.Weights = [-1, 1];
        fusion.SourceColumnNames[0] = "Missing";
        var after = fuse.Fit(twoLists).Transform(twoLists).GetColumn<float[]>("CandidateScores").ToArray();
        Assert.Equal(before, after);
    }
}
