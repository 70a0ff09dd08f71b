using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// SphericalKMeans refuses a non-finite item vector naming the column, the option and the item (its key, and its id where
/// the key column carries ids), as the other stages name a bad vector, not the row of its internal table.
/// </summary>
public class SphericalKMeansNonFiniteTests
{
    private sealed class ItemRow
    {
        public string Item { get; set; } = "";

        [VectorType(2)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    private sealed class KeyRow
    {
        [KeyType(4)]
        public uint Item { get; set; }

        [VectorType(2)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    [Fact]
    public void ANaNVectorOfAnItemWithAnId_IsNamedByItsKeyAndId()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 4).Select(i => new ItemRow { Item = $"i{i}", ItemEmbedding = i == 2 ? [1, float.NaN] : [1, i] }).ToList();
        var raw = ml.Data.LoadFromEnumerable(rows);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Item").Fit(raw).Transform(raw);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(numberOfClusters: 2).Fit(keyed));
        Assert.Contains("Input column 'ItemEmbedding' (option FeatureColumnName) holds a non-finite value (NaN) at coordinate 1 of item key 3 ('i2')", error.Message);
        Assert.DoesNotContain("row 2", error.Message);
    }

    [Fact]
    public void AnInfiniteVectorOfAKeyWithoutIds_IsNamedByItsKey()
    {
        var ml = new MLContext(seed: 1);
        // LoadFromEnumerable stores a [KeyType] field's value v as key v + 1: values 0..3 are keys 1..4.
        var rows = Enumerable.Range(0, 4).Select(v => new KeyRow { Item = (uint)v, ItemEmbedding = v == 3 ? [float.PositiveInfinity, 1] : [1, v + 1] }).ToList();
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(numberOfClusters: 2).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("holds a non-finite value (Infinity) at coordinate 0 of item key 4:", error.Message);
    }

    [Fact]
    public void WithoutAnItemColumn_TheRowOfTheDataIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 4).Select(i => new ItemRow { Item = $"i{i}", ItemEmbedding = i == 3 ? [float.NaN, 1] : [1, i] }).ToList();
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 2, ItemColumnName = null })
            .Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("Input column 'ItemEmbedding' (option FeatureColumnName) holds a non-finite value (NaN) at coordinate 0 of row 3 of the data", error.Message);
    }
}
