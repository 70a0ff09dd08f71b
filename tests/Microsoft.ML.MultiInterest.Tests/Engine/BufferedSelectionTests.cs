using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>
/// The exact search's buffered selection (<see cref="CandidateBuffer"/>, <see cref="ScoreKeys"/>): the lists it loads
/// into the selectors must be the selector's own, bit for bit, ties and near-ties included.
/// </summary>
public class BufferedSelectionTests
{

    /// <summary>
    /// Random rows with planted ties: an exact copy of one row repeated <paramref name="copies"/> times (a tied group longer
    /// than any list, which the buffers cannot prove), and rows one ulp away from another in one coordinate (near-ties).
    /// </summary>
    private static EmbeddingMatrix Rows(int count, int dimension, int copies, int seed)
    {
        var rows = TestGraphs.RandomMatrix(count, dimension, seed);
        for (int r = 1; r <= copies; r++) rows.ReadRow(0).CopyTo(rows.Row(r));
        for (int r = copies + 1; r + 1 < count; r += 7)
        {
            rows.ReadRow(r).CopyTo(rows.Row(r + 1));
            rows.Row(r + 1)[r % dimension] = MathF.BitIncrement(rows.Row(r + 1)[r % dimension]);
        }
        return rows;
    }

    [Theory]
    // Rows and dimensions not whole panels or vectors of either width; k from the shortest buffered list to past the row count.
    [InlineData(true, 533, 37, 32, 0, 0)]
    [InlineData(false, 533, 37, 32, 3, 0)]
    [InlineData(true, 901, 19, 100, 5, 0)]
    [InlineData(false, 901, 130, 50, 0, 0)]
    [InlineData(true, 77, 13, 200, 4, 0)]
    [InlineData(true, 700, 21, 50, 0, 150)]
    [InlineData(false, 700, 21, 64, 6, 150)]
    public void GivesThePlainSelectorsListsBitForBit(bool wide, int rowCount, int dimension, int k, int skip, int copies)
    {
        var rows = Rows(rowCount, dimension, copies, 21 + rowCount);
        var queries = TestGraphs.RandomMatrix(2 * TiledTopKSearch.QueryBlock + 13, dimension, 3 + dimension);
        var search = new TiledTopKSearch(rows, wide);
        var filter = new TiledTopKSearchTests.SkipEvery(skip);
        var buffer = search.CreateQueryBuffer();
        var candidates = search.CreateCandidateBlock();
        var selectors = Enumerable.Range(0, TiledTopKSearch.QueryBlock).Select(_ => new TopKSelector(k)).ToArray();
        var gotRows = new int[k];
        var gotScores = new float[k];
        for (int start = 0; start < queries.Rows; start += TiledTopKSearch.QueryBlock)
        {
            int count = Math.Min(TiledTopKSearch.QueryBlock, queries.Rows - start);
            for (int j = 0; j < count; j++)
            {
                queries.ReadRow(start + j).CopyTo(buffer.AsSpan(j * dimension, dimension));
                selectors[j].Reset(k);
            }
            search.SearchBlock(buffer, count, start, selectors, ref filter, candidates);
            for (int j = 0; j < count; j++)
            {
                var (expectedRows, expectedScores) = TiledTopKSearchTests.Reference(rows, queries.ReadRow(start + j), start + j, k, filter);
                int n = selectors[j].Drain(gotRows, gotScores);
                Assert.Equal(expectedRows, gotRows[..n]);
                Assert.Equal(expectedScores, gotScores[..n]);
            }
        }
        // A tied group longer than the list cannot be proven from the kept candidates: those queries were rescanned. Without
        // one, every list here was proven (random scores, a few near-ties).
        if (copies > 0) Assert.True(candidates.Rescans > 0, "no query was rescanned");
        else Assert.Equal(0, candidates.Rescans);
    }

    [Fact]
    public void ShortListsKeepTheSelectorsOwnScan()
    {
        // Below MinBufferedK the buffers are not used at all, even when given.
        var rows = Rows(300, 9, 100, 5);
        var search = new TiledTopKSearch(rows, wide: true);
        var candidates = search.CreateCandidateBlock();
        var buffer = search.CreateQueryBuffer();
        TestGraphs.RandomMatrix(1, 9, 8).ReadRow(0).CopyTo(buffer);
        var selectors = new[] { new TopKSelector(TiledTopKSearch.MinBufferedK - 1) };
        selectors[0].Reset(TiledTopKSearch.MinBufferedK - 1);
        var filter = new TiledTopKSearchTests.SkipEvery(0);
        candidates.Bounds[0] = 42f;
        search.SearchBlock(buffer, 1, 0, selectors, ref filter, candidates);
        Assert.Equal(TiledTopKSearch.MinBufferedK - 1, selectors[0].Count);
        // The buffers were never reset (a bound is set at every reset) nor any list rescanned.
        Assert.Equal(42f, candidates.Bounds[0]);
        Assert.Equal(0, candidates.Rescans);
    }

    [Fact]
    public void KeysSortByDescendingScoreThenIndexAndGiveTheScoreBackBitForBit()
    {
        float[] scores = [-3.5f, 0f, float.Epsilon, -float.Epsilon, 1e-30f, 0.25f, 0.25f, MathF.BitIncrement(0.25f), float.MaxValue, float.MinValue, 7f, 7f];
        int[] indices = [5, 9, 1, 2, 8, 4, 3, 0, 7, 6, 11, 10];
        var keys = scores.Select((s, i) => ScoreKeys.Key(s, indices[i])).ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToUInt32Bits(scores[i]), BitConverter.SingleToUInt32Bits(ScoreKeys.Score(keys[i])));
            Assert.Equal(indices[i], ScoreKeys.Index(keys[i]));
        }
        var expected = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => indices[i]).ToArray();
        Assert.Equal(expected, Enumerable.Range(0, scores.Length).OrderBy(i => keys[i]).ToArray());
        // Negative zero reads back as itself, just below positive zero.
        Assert.Equal(0x8000_0000u, BitConverter.SingleToUInt32Bits(ScoreKeys.Score(ScoreKeys.Key(-0f, 3))));
        Assert.True(ScoreKeys.Key(0f, 3) < ScoreKeys.Key(-0f, 3));
    }

    [Fact]
    public void SelectSmallestEqualsASortOnRandomKeys()
    {
        var random = new Random(17);
        var scratch = new ulong[600];
        for (int trial = 0; trial < 400; trial++)
        {
            int length = random.Next(1, 600), n = random.Next(0, length + 1);
            // Few distinct scores (the index keeps keys distinct), or all distinct.
            int levels = random.Next(2) == 0 ? 3 : 1 << 20;
            var keys = Enumerable.Range(0, length).Select(i => ScoreKeys.Key(random.Next(levels) / 7f, i)).OrderBy(_ => random.Next()).ToArray();
            var expected = keys.OrderBy(key => key).Take(n).ToArray();
            ScoreKeys.SelectSmallest(keys, n, scratch);
            Assert.Equal(expected, keys.Take(n).OrderBy(key => key).ToArray());
            if (n > 0) Assert.Equal(expected[^1], keys[n - 1]);
        }
    }

    [Fact]
    public void ALoadedSelectorDrainsItsListAndStaysAHeap()
    {
        var selector = new TopKSelector(5);
        selector.Reset(4);
        selector.Load([9, 2, 7], [3f, 2f, 1f]);
        Assert.Equal(3, selector.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => selector.Load([1, 2, 3, 4, 5], [5f, 4f, 3f, 2f, 1f]));
        selector.Load([9, 2, 7], [3f, 2f, 1f]);
        // Further offers treat the loaded list as a heap whose root is its worst entry.
        selector.Offer(2.5f, 4);
        selector.Offer(0.5f, 1);
        var rows = new int[4];
        var scores = new float[4];
        Assert.Equal(4, selector.Drain(rows, scores));
        Assert.Equal([9, 4, 2, 7], rows);
        Assert.Equal([3f, 2.5f, 2f, 1f], scores);
        selector.Reset(4);
        selector.Load([9, 2], [3f, 2f]);
        Assert.Equal(2, selector.Drain(rows, scores));
        Assert.Equal([9, 2], rows[..2]);
    }

    [Fact]
    public void SortedContainsAgreesWithABinarySearchShortAndLong()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 300; trial++)
        {
            var sorted = Enumerable.Range(0, random.Next(0, 150)).Select(_ => random.Next(0, 400)).Distinct().Order().ToArray();
            for (int probe = 0; probe < 20; probe++)
            {
                int value = random.Next(-5, 405);
                Assert.Equal(Array.BinarySearch(sorted, value) >= 0, BipartiteGraph.SortedContains(sorted, value));
            }
        }
    }
}
