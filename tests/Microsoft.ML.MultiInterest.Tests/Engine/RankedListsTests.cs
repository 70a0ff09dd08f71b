using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>Blocks of ranked lists copied out and written back (the protocol's history row runs block of users by block).</summary>
public class RankedListsTests
{
    private static RankedLists Numbered(int queries, int capacity)
    {
        var lists = new RankedLists(queries, capacity);
        for (int q = 0; q < queries; q++)
        {
            lists.Counts[q] = q % (capacity + 1);
            for (int r = 0; r < lists.Counts[q]; r++) (lists.IndexSlots(q)[r], lists.ScoreSlots(q)[r]) = (100 * q + r, q - 0.5f * r);
        }
        return lists;
    }

    [Fact]
    public void BlocksCopiedOutAndWrittenBackRebuildTheLists()
    {
        var source = Numbered(10, 3);
        var rebuilt = new RankedLists(10, 3);
        foreach (var (start, count) in new[] { (0, 4), (4, 1), (5, 5) }) source.Rows(start, count).CopyRowsTo(rebuilt, start);
        Assert.Equal(source.Counts, rebuilt.Counts);
        for (int q = 0; q < 10; q++)
        {
            Assert.Equal(source.IndicesOf(q).ToArray(), rebuilt.IndicesOf(q).ToArray());
            Assert.Equal(source.ScoresOf(q).ToArray(), rebuilt.ScoresOf(q).ToArray());
        }
        var block = source.Rows(6, 2);
        Assert.Equal(2, block.QueryCount);
        Assert.Equal(source.IndicesOf(7).ToArray(), block.IndicesOf(1).ToArray());
    }

    [Fact]
    public void BlocksOutsideTheListsOrOfAnotherCapacityAreRefused()
    {
        var source = Numbered(5, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Rows(4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Rows(-1, 1));
        Assert.Contains("capacity", Assert.Throws<ArgumentException>(() => source.Rows(0, 2).CopyRowsTo(new RankedLists(5, 4), 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Rows(0, 2).CopyRowsTo(new RankedLists(5, 3), 4));
    }
}
