using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.RoundTrip;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// Fit -> mlContext.Model.Save -> mlContext.Model.Load in another process -> Transform gives the in-memory
/// columns: same types and KeyValues, keys and candidate lists identical, floats within 1e-5.
/// </summary>
public sealed class SaveLoadTests : IDisposable
{
    private static readonly string[] StageColumns =
        ["UserEmbedding", "ItemEmbedding", "ItemCluster", "ClusterSimilarity", "MixtureClusters", "MixtureWeights", "MixtureEmbeddings", "Candidates", "CandidateScores"];

    private readonly FittedStages _stages = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-saveload-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The training edges plus an unseen user and an unseen item (key 0 paths).</summary>
    private List<(string User, string Item)> Edges() =>
        [.. _stages.Edges.Select(e => (e.User, e.Item)), ("ghost", "i0"), ("u0", "nothing"), ("ghost", "nothing")];

    private IDataView RawEdges() =>
        _stages.Ml.Data.LoadFromEnumerable(Edges().Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }).ToList());

    private string Save(ITransformer model, DataViewSchema schema, string name)
    {
        string path = Path.Combine(_directory, name);
        _stages.Ml.Model.Save(model, schema, path);
        return path;
    }

    [Fact]
    public void EachStage_SavedAlone_LoadsInAnotherProcess_WithTheSameColumns()
    {
        var s = _stages;
        string[] zips =
        [
            Save(s.Keys, s.Raw.Schema, "keys.zip"),
            Save(s.Embedding, s.Keyed.Schema, "embedding.zip"),
            Save(s.KMeans, s.Embedded.Schema, "kmeans.zip"),
            Save(s.Mixture, s.Clustered.Schema, "mixture.zip"),
            Save(s.Quota, s.Mixed.Schema, "quota.zip"),
        ];
        var inMemory = s.Quota.Transform(s.Mixture.Transform(s.KMeans.Transform(s.Embedding.Transform(s.Keys.Transform(RawEdges())))));
        var expected = ColumnDump.Dump(inMemory, StageColumns);
        var loaded = SeparateProcess.Transform(_directory, Edges(), StageColumns, zips);
        DumpAssert.Same(expected, loaded);
        // The test is only meaningful if the candidate lists are not all empty.
        Assert.Contains(expected.Single(c => c.Name == "Candidates").Rows, row => row.Split(' ').All(k => k != "0"));
    }

    /// <summary>
    /// A stage saved without its key mapping, fed raw text ids: the loaded chain refuses the text column by name. It once
    /// parsed the text as key numbers, so "8" read the user with key 8 and "u8" the unseen row, without a word.
    /// </summary>
    [Fact]
    public void StageSavedWithoutItsKeyMapping_RefusesTextIds_ByColumnName()
    {
        var s = _stages;
        var loaded = _stages.Ml.Model.Load(Save(s.Embedding, s.Keyed.Schema, "embedding-alone.zip"), out _);
        Assert.NotNull(loaded.Transform(s.Keyed).Preview(3));
        var numericIds = _stages.Ml.Data.LoadFromEnumerable(new[] { new MLNetTestData.Edge { User = "8", Item = "3" } });
        var e = Assert.ThrowsAny<Exception>(() => loaded.Transform(numericIds).Preview(1));
        Assert.Contains("'User'", e.Message, StringComparison.Ordinal);
        Assert.Contains("String", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnimodalRetriever_LoadsInAnotherProcess_WithTheSameLists()
    {
        var s = _stages;
        string[] zips = [Save(s.Keys, s.Raw.Schema, "keys.zip"), Save(s.Embedding, s.Keyed.Schema, "embedding.zip"), Save(s.Unimodal, s.Embedded.Schema, "unimodal.zip")];
        string[] columns = ["Candidates", "CandidateScores"];
        var expected = ColumnDump.Dump(s.Unimodal.Transform(s.Embedding.Transform(s.Keys.Transform(RawEdges()))), columns);
        DumpAssert.Same(expected, SeparateProcess.Transform(_directory, Edges(), columns, zips));
    }

    [Fact]
    public void Mixture_FittedWithTheClusteredNeighborIndex_LoadsInAnotherProcess_WithTheSameColumns()
    {
        var s = _stages;
        // One probe of four lists: approximate neighbours, so the saved mixtures are the clustered index's own.
        var mixture = s.Ml.MultiInterest().KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options
        {
            Components = 2, Neighbors = 3, NeighborIndex = MultiInterest.Engine.NeighborIndexKind.Clustered, NeighborLists = 4, NeighborProbes = 1,
        }).Fit(s.Clustered);
        string[] zips = [Save(s.Keys, s.Raw.Schema, "keys.zip"), Save(s.Embedding, s.Keyed.Schema, "embedding.zip"),
            Save(s.KMeans, s.Embedded.Schema, "kmeans.zip"), Save(mixture, s.Clustered.Schema, "mixture-clustered.zip")];
        string[] columns = ["MixtureClusters", "MixtureWeights", "MixtureEmbeddings"];
        var expected = ColumnDump.Dump(mixture.Transform(s.KMeans.Transform(s.Embedding.Transform(s.Keys.Transform(RawEdges())))), columns);
        DumpAssert.Same(expected, SeparateProcess.Transform(_directory, Edges(), columns, zips));
    }

    [Fact]
    public void WholePipeline_SavedAsOneZip_LoadsInAnotherProcess_WithTheSameColumns()
    {
        var pipeline = _stages.FitWholePipeline();
        string zip = Save(pipeline, _stages.Raw.Schema, "pipeline.zip");
        var expected = ColumnDump.Dump(pipeline.Transform(RawEdges()), StageColumns);
        DumpAssert.Same(expected, SeparateProcess.Transform(_directory, Edges(), StageColumns, zip));
    }

    [Theory]
    [InlineData("mixture")]
    [InlineData("dcm")]
    public void RoundRobinPipeline_SavedAsOneZip_LoadsInAnotherProcess_WithTheSameColumns(string kind)
    {
        var ml = _stages.Ml;
        var mi = ml.MultiInterest();
        var pipeline = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding(kind))).Append(mi.RoundRobinRetriever(candidates: 5))
            .Fit(_stages.Raw);
        string zip = Save(pipeline, _stages.Raw.Schema, kind + "-roundrobin.zip");
        string[] columns = ["UserEmbedding", "UserComponents", "UserComponentWeights", "ItemComponents", "Candidates", "CandidateScores", "CandidateSource"];
        var expected = ColumnDump.Dump(pipeline.Transform(RawEdges()), columns);
        DumpAssert.Same(expected, SeparateProcess.Transform(_directory, Edges(), columns, zip));
    }

    [Fact]
    public void TypedAccessor_ReadsBackTheLearnedTables()
    {
        var s = _stages;
        var chain = new TransformerChain<ITransformer>(s.Keys, s.Embedding, s.KMeans, s.Mixture, s.Quota, s.Unimodal);
        var model = MultiInterestModel.Load(s.Ml, Save(chain, s.Raw.Schema, "chain.zip"));

        var embedding = Assert.IsType<SavedGraphEmbedding>(model.GraphEmbedding);
        Assert.Equal(s.Embedding.UserEmbeddings.ToDense().Values, embedding.UserEmbeddings.ToDense().Values);
        Assert.Equal(s.Embedding.ItemEmbeddings.ToDense().Values, embedding.ItemEmbeddings.ToDense().Values);
        Assert.Equal(s.Embedding.UserIds, embedding.UserIds);
        Assert.Equal(s.Embedding.ItemIds, embedding.ItemIds);
        Assert.Equal(("User", "UserEmbedding"), (embedding.UserColumnName, embedding.UserEmbeddingColumnName));

        var clustering = Assert.IsType<SavedClustering>(model.Clustering);
        Assert.Equal(s.KMeans.Centroids.Values, clustering.Centroids.Values);
        for (uint key = 0; key <= clustering.ItemCount + 1; key++) Assert.Equal(s.KMeans.ClusterOfItem(key), clustering.ClusterOfItem(key));
        for (int c = 0; c < s.KMeans.NumberOfClusters; c++) Assert.Equal(s.KMeans.ItemsOfCluster(c), clustering.ItemsOfCluster(c));
        Assert.Equal(Enumerable.Range(0, s.KMeans.NumberOfClusters).Sum(c => clustering.ItemsOfCluster(c).Length),
            Enumerable.Range(1, clustering.ItemCount).Count(key => clustering.ClusterOfItem((uint)key) >= 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => clustering.ItemsOfCluster(s.KMeans.NumberOfClusters));

        var mixtures = Assert.IsType<SavedMixtures>(model.Mixtures);
        Assert.Equal(s.Mixture.ClusterCount, mixtures.ClusterCount);
        for (int u = 0; u < s.Mixture.Mixtures.UserCount; u++)
        {
            Assert.Equal(s.Mixture.Mixtures.Clusters(u).ToArray(), mixtures.Mixtures.Clusters(u).ToArray());
            Assert.Equal(s.Mixture.Mixtures.Weights(u).ToArray(), mixtures.Mixtures.Weights(u).ToArray());
            Assert.Equal(s.Mixture.Mixtures.Embeddings(u).ToArray(), mixtures.Mixtures.Embeddings(u).ToArray());
        }

        Assert.Equal([CandidateMethod.ClusterQuota, CandidateMethod.Unimodal], model.CandidateLists.Select(c => c.Method));
        foreach (var (saved, fitted) in model.CandidateLists.Zip([s.Quota, s.Unimodal]))
        {
            Assert.Equal(fitted.Candidates, saved.Candidates);
            Assert.Equal((fitted.Method, fitted.Alpha), (saved.Method, saved.Alpha));
            Assert.Equal(fitted.ItemIds, saved.ItemIds);
            for (uint key = 0; key <= fitted.UserCount; key++)
            {
                var (items, scores) = fitted.GetCandidates(key);
                var (savedItems, savedScores) = saved.GetCandidates(key);
                Assert.Equal(items, savedItems);
                Assert.Equal(scores, savedScores);
                Assert.Equal(fitted.GetCandidateSource(key), saved.GetCandidateSource(key));
            }
            // A key past the users is another key mapping's: refused by both, not served the popular list.
            Assert.Throws<ArgumentOutOfRangeException>(() => fitted.GetCandidates((uint)fitted.UserCount + 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => saved.GetCandidates((uint)saved.UserCount + 1));
        }
        Assert.NotNull(model.Transformer.GetOutputSchema(model.InputSchema).GetColumnOrNull("Candidates"));
    }

    [Fact]
    public void SphericalKMeans_WithoutItemColumn_RoundTripsNearestCentroids()
    {
        var ml = new MLContext(seed: 1);
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 40).Select(i => new VectorRow { Features = Enumerable.Range(0, 6).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray() }).ToList();
        rows.Add(new VectorRow { Features = new float[6] });
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.MultiInterest().SphericalKMeans(numberOfClusters: 3, featureColumnName: "Features", itemColumnName: null).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = TestModels.Load(ml, stream);
        string[] columns = ["ItemCluster", "ClusterSimilarity"];
        DumpAssert.Same(ColumnDump.Dump(model.Transform(data), columns), ColumnDump.Dump(loaded.Transform(data), columns));
    }

    [Fact]
    public void LoadedModel_RunsOnTheCpu_WhenCudaIsAskedForButMissing()
    {
        string zip = Save(_stages.Embedding, _stages.Keyed.Schema, "embedding.zip");
        var messages = new List<string>();
        var ml = new MLContext(seed: 1);
        new OnnxSessionFactory(gpuDeviceId: 0, log: messages.Add).ApplyTo(ml);
        var loaded = TestModels.Load(ml, zip);
        var vectors = MLNetTestData.Vectors(loaded.Transform(_stages.Keyed), "UserEmbedding");
        Assert.Equal(MLNetTestData.Vectors(_stages.Embedded, "UserEmbedding"), vectors);
        Assert.Contains(messages, m => m.Contains("CPU", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void CorruptOrTruncatedZip_GivesAClearError()
    {
        string zip = Save(_stages.FitWholePipeline(), _stages.Raw.Schema, "pipeline.zip");
        byte[] bytes = File.ReadAllBytes(zip);
        string truncated = Path.Combine(_directory, "truncated.zip");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        string garbage = Path.Combine(_directory, "garbage.zip");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());

        foreach (string path in new[] { truncated, garbage })
        {
            var error = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(_stages.Ml, path));
            Assert.Contains(path, error.Message);
            Assert.Contains("not a readable ML.NET model zip", error.Message);
            Assert.ThrowsAny<Exception>(() => _stages.Ml.Model.Load(path, out _));
        }
        string missing = Path.Combine(_directory, "missing.zip");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => MultiInterestModel.Load(_stages.Ml, missing)).Message);
    }

    private sealed class VectorRow
    {
        [VectorType(6)]
        public float[] Features { get; set; } = [];
    }
}
