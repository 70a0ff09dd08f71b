using Microsoft.ML.MultiInterest.Engine;
using Xunit;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class IdMapTests
{
    [Fact]
    public void RowsKeepFirstSeenOrderAndDuplicatesAreRefused()
    {
        var map = new IdMap(["b", "a"]);
        Assert.Equal(1, map.GetOrAdd("a"));
        Assert.Equal(2, map.GetOrAdd("c"));
        Assert.Equal(["b", "a", "c"], map.Ids);
        Assert.Equal("c", map[2]);
        Assert.Contains("'a'", Assert.Throws<ArgumentException>(() => new IdMap(["a", "b", "a"])).Message);
        Assert.Contains("Unknown user id 'z'", Assert.Throws<KeyNotFoundException>(() => map.IndexOf("z", "user")).Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void ARowOutsideTheMapIsNamedWithTheMapsSize(int row)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new IdMap(["a", "b", "c"])[row]);
        Assert.Equal("index", e.ParamName);
        Assert.Contains($"Row {row} is not in this map of 3 ids (rows 0..2)", e.Message);
        Assert.Contains("holds no ids", Assert.Throws<ArgumentOutOfRangeException>(() => new IdMap()[0]).Message);
    }
}
