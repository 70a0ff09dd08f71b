using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// A row of a known-size vector column may hold fewer values than its type: ML.NET's <c>MapValue</c> gives an id missing
/// from its map an empty vector. <c>VBuffer.CopyTo</c> leaves the rest of a reader's scratch as it was (the previous row's
/// vector), so every reader of a supplied vector column must refuse such a row by name instead of serving a copy.
/// </summary>
public class ShortVectorRowsTests
{
    private static readonly float[][] Vectors = [[1, 0], [0, 1], [0.9f, 0.2f], [0.2f, 0.9f]];

    /// <summary>Users u0..u3 and items i0..i3 with vectors, attached by MapValue; <paramref name="forgottenUser"/> and <paramref name="forgottenItem"/> have none.</summary>
    private static (MLContext Ml, IDataView Keyed) Mapped(string? forgottenUser, string? forgottenItem)
    {
        var ml = new MLContext(seed: 1);
        var edges = new List<MLNetTestData.Edge>();
        for (int u = 0; u < 4; u++)
            for (int i = 0; i < 4; i++)
                if ((u + i) % 2 == 0) edges.Add(new MLNetTestData.Edge { User = $"u{u}", Item = $"i{i}" });
        var raw = ml.Data.LoadFromEnumerable(edges);
        var users = Enumerable.Range(0, 4).Where(u => $"u{u}" != forgottenUser).Select(u => new KeyValuePair<string, float[]>($"u{u}", Vectors[u]));
        var items = Enumerable.Range(0, 4).Where(i => $"i{i}" != forgottenItem).Select(i => new KeyValuePair<string, float[]>($"i{i}", Vectors[i]));
        var keyed = ml.Transforms.Conversion.MapValue("UserEmbedding", users, "User")
            .Append(ml.Transforms.Conversion.MapValue("ItemEmbedding", items, "Item"))
            .Append(MLNetTestData.KeyPipeline(ml))
            .Fit(raw).Transform(raw);
        return (ml, keyed);
    }

    [Fact]
    public void AUserMissingFromTheVectorMap_IsRefusedByName_NotServedThePreviousUsersVector()
    {
        var (ml, keyed) = Mapped(forgottenUser: "u2", forgottenItem: null);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().UnimodalRetriever(candidates: 2, excludeSeen: false).Fit(keyed));
        Assert.Contains("'UserEmbedding'", error.Message);
        Assert.Contains("'u2'", error.Message);
        Assert.Contains("0 values", error.Message);
        Assert.Contains("MapValue", error.Message);
    }

    [Fact]
    public void AnItemMissingFromTheVectorMap_IsRefusedByName_ByTheRetrieverAndByKMeans()
    {
        var (ml, keyed) = Mapped(forgottenUser: null, forgottenItem: "i1");
        var mi = ml.MultiInterest();
        var retriever = Assert.Throws<ArgumentException>(() => mi.UnimodalRetriever(candidates: 2, excludeSeen: false).Fit(keyed));
        Assert.Contains("'ItemEmbedding'", retriever.Message);
        Assert.Contains("'i1'", retriever.Message);
        var kMeans = Assert.Throws<ArgumentException>(() => mi.SphericalKMeans(numberOfClusters: 2).Fit(keyed));
        Assert.Contains("'ItemEmbedding'", kMeans.Message);
        Assert.Contains("'i1'", kMeans.Message);
    }

    [Fact]
    public void KMeansOverRowsWithoutAnItemColumn_RefusesAShortRow_NamingItsRow()
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable(new[] { "a", "b", "c", "d" }.Select(id => new Row { Id = id }));
        var vectors = new[] { "a", "b", "d" }.Select((id, j) => new KeyValuePair<string, float[]>(id, Vectors[j]));
        var featured = ml.Transforms.Conversion.MapValue("Features", vectors, "Id").Fit(rows).Transform(rows);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options
        {
            FeatureColumnName = "Features", ItemColumnName = null, NumberOfClusters = 2,
        }).Fit(featured));
        Assert.Contains("'Features'", error.Message);
        Assert.Contains("row 3", error.Message);
    }

    [Fact]
    public void EveryVectorGiven_StillFits()
    {
        var (ml, keyed) = Mapped(forgottenUser: null, forgottenItem: null);
        var lists = ml.MultiInterest().UnimodalRetriever(candidates: 2, excludeSeen: false).Fit(keyed).Transform(keyed)
            .GetColumn<VBuffer<uint>>("Candidates").ToArray();
        Assert.All(lists, l => Assert.Equal(2, l.Length));
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
    }
}
