using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

public class GraphEmbeddingAndKMeansTests
{
    [Fact]
    public void GraphEmbedding_AppendsTheRowsOfItsTables()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var model = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(data);
        var output = model.Transform(data);

        var type = Assert.IsType<VectorDataViewType>(output.Schema["UserEmbedding"].Type);
        Assert.Equal(NumberDataViewType.Single, type.ItemType);
        Assert.Equal(8, type.Size);
        Assert.Equal(16, model.UserEmbeddings.KeyCount);
        Assert.Equal(24, model.ItemEmbeddings.KeyCount);
        Assert.Equal(3, model.Epochs.Count);
        Assert.Equal("u0", model.UserIds[0]);

        var users = MLNetTestData.Keys(output, "User");
        var items = MLNetTestData.Keys(output, "Item");
        var userVectors = MLNetTestData.Vectors(output, "UserEmbedding");
        var itemVectors = MLNetTestData.Vectors(output, "ItemEmbedding");
        for (int r = 0; r < users.Length; r++)
        {
            Assert.Equal(model.UserEmbeddings.ToDense().ReadRow((int)users[r] - 1).ToArray(), userVectors[r]);
            Assert.Equal(model.ItemEmbeddings.ToDense().ReadRow((int)items[r] - 1).ToArray(), itemVectors[r]);
            Assert.Equal(model.ItemIds[(int)items[r] - 1], MLNetTestData.Edges()[r].Item);
        }
    }

    [Fact]
    public void SphericalKMeans_MatchesTheEngineOnDistinctItems()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(data);
        var withEmbeddings = embedded.Transform(data);
        var kmeans = ml.MultiInterest().SphericalKMeans(numberOfClusters: 4, seed: MultiInterest.Engine.SphericalKMeansDefaults.Seed).Fit(withEmbeddings);
        var output = kmeans.Transform(withEmbeddings);

        var clusterType = Assert.IsType<KeyDataViewType>(output.Schema["ItemCluster"].Type);
        Assert.Equal(4UL, clusterType.Count);
        Assert.Equal(NumberDataViewType.Single, output.Schema["ClusterSimilarity"].Type);

        // The engine on the item table (all 24 items occur, so distinct items = table rows, key order).
        var engine = MultiInterest.Engine.SphericalKMeans.Fit(embedded.ItemEmbeddings.ToDense(), new MultiInterest.Engine.SphericalKMeansOptions { Clusters = 4 });
        Assert.Equal(engine.Centroids.Values, kmeans.Centroids.Values);
        Assert.Equal(engine.Iterations.Count, kmeans.Iterations.Count);
        var items = MLNetTestData.Keys(output, "Item");
        var clusters = MLNetTestData.Keys(output, "ItemCluster");
        var similarities = output.GetColumn<float>("ClusterSimilarity").ToArray();
        for (int r = 0; r < items.Length; r++)
        {
            Assert.Equal(engine.Assignments[items[r] - 1] + 1, (int)clusters[r]);
            Assert.Equal(engine.Similarities[items[r] - 1], similarities[r]);
        }

        // Each cluster's items: exactly the items the engine put there, most central first, ties to the lower key.
        var listed = new List<uint>();
        for (int c = 0; c < 4; c++)
        {
            uint[] members = kmeans.ItemsOfCluster(c);
            var expected = Enumerable.Range(0, 24).Where(row => engine.Assignments[row] == c)
                .OrderByDescending(row => engine.Similarities[row]).ThenBy(row => row).Select(row => (uint)row + 1);
            Assert.Equal(expected, members);
            Assert.All(members, key => Assert.Equal(c, kmeans.ClusterOfItem(key)));
            listed.AddRange(members);
        }
        Assert.Equal(Enumerable.Range(1, 24).Select(k => (uint)k), listed.Order());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => kmeans.ItemsOfCluster(4));
        Assert.Equal("cluster", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => kmeans.ItemsOfCluster(-1));
    }

    [Fact]
    public void SphericalKMeans_GivesAnItemWithoutAVectorTheMissingKey_InMemoryAndSaved()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var chain = MLNetTestData.KeyPipeline(ml)
            .Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().SphericalKMeans(numberOfClusters: 4))
            .Fit(raw);
        // An id unseen at Fit: MapValueToKey gives key 0, GraphEmbedding its zero vector; a known id keeps its fitted cluster.
        var rows = ml.Data.LoadFromEnumerable(new List<MLNetTestData.Edge> { new() { User = "u0", Item = "unseen" }, new() { User = "u0", Item = "i0" } });
        var kmeans = (SphericalKMeansTransformer)chain.LastTransformer;
        string path = Path.Combine(Path.GetTempPath(), $"kmeans-missing-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(chain, raw.Schema, path);
            using var loaded = MultiInterestModel.Load(ml, path);
            foreach (var model in new[] { chain, loaded.Transformer })
            {
                var output = model.Transform(rows);
                var clusters = MLNetTestData.Keys(output, "ItemCluster");
                var similarities = output.GetColumn<float>("ClusterSimilarity").ToArray();
                Assert.Equal(0u, clusters[0]);
                Assert.True(float.IsNaN(similarities[0]));
                uint fitted = (uint)kmeans.ClusterOfItem(MLNetTestData.Keys(output, "Item")[1]) + 1;
                Assert.Equal(fitted, clusters[1]);
                Assert.InRange(similarities[1], -1f, 1f);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SphericalKMeans_WarmStartsFromAnEarlierModelsCentroids()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(data);
        var withEmbeddings = embedded.Transform(data);
        var first = ml.MultiInterest().SphericalKMeans(numberOfClusters: 4).Fit(withEmbeddings);

        var options = new SphericalKMeansTrainer.Options { NumberOfClusters = 4, MaxIterations = 2, InitialCentroids = first.Centroids };
        var warm = ml.MultiInterest().SphericalKMeans(options).Fit(withEmbeddings);

        var engine = MultiInterest.Engine.SphericalKMeans.Fit(embedded.ItemEmbeddings.ToDense(),
            new MultiInterest.Engine.SphericalKMeansOptions { Clusters = 4, MaxIterations = 2, InitialCentroids = first.Centroids });
        Assert.Equal(engine.Centroids.Values, warm.Centroids.Values);

        options.NumberOfClusters = 3;
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(options).Fit(withEmbeddings));
        Assert.Equal("InitialCentroids", error.ParamName);
        Assert.Contains("4 rows but Clusters is 3", error.Message);
    }

    [Fact]
    public void SphericalKMeans_MoreClustersThanItems_NamesTheOption()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(data).Transform(data);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(numberOfClusters: 25).Fit(embedded));
        Assert.Contains("NumberOfClusters", error.Message);
        Assert.Contains("24 distinct items", error.Message);
    }
}
