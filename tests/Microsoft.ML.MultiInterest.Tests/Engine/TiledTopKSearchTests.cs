using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class TiledTopKSearchTests
{
    /// <summary>Accepts every row whose index plus the query's is not a multiple of <see cref="Skip"/> (0 = all rows).</summary>
    internal readonly struct SkipEvery(int skip) : ICandidateFilter
    {
        public int Skip => skip;

        public bool Accepts(int query, int row) => skip == 0 || (row + query) % skip != 0;
    }

    /// <summary>The plain reference: one fused multiply-add chain per pair, ascending dimensions, every row offered in order.</summary>
    internal static (int[] Rows, float[] Scores) Reference(EmbeddingMatrix rows, ReadOnlySpan<float> query, int queryIndex, int k, SkipEvery filter)
    {
        var selector = new TopKSelector(k);
        selector.Reset(k);
        for (int r = 0; r < rows.Rows; r++)
        {
            float score = 0;
            var row = rows.ReadRow(r);
            for (int d = 0; d < row.Length; d++) score = MathF.FusedMultiplyAdd(query[d], row[d], score);
            if (filter.Accepts(queryIndex, r)) selector.Offer(score, r);
        }
        var indices = new int[k];
        var scores = new float[k];
        int n = selector.Drain(indices, scores);
        return (indices[..n], scores[..n]);
    }

    [Theory]
    [InlineData(true, 1, 0)]
    [InlineData(true, 10, 3)]
    [InlineData(false, 10, 0)]
    [InlineData(false, 7, 4)]
    [InlineData(true, 200, 0)]
    public void EqualsTheScalarFmaReferenceBitForBitIncludingTiesAndFilters(bool wide, int k, int skip)
    {
        // 101 rows (not a whole number of panels of either width), 19 dimensions, duplicated rows for exact ties,
        // 47 queries (not a whole number of micro-tiles) searched in one block and a partial second one.
        var rows = TestGraphs.RandomMatrix(101, 19, 4);
        for (int r = 80; r < 101; r++) rows.ReadRow(r - 80).CopyTo(rows.Row(r));
        var queries = TestGraphs.RandomMatrix(TiledTopKSearch.QueryBlock + 11, 19, 5);
        var search = new TiledTopKSearch(rows, wide);
        Assert.Equal(wide ? 32 : 16, search.PanelWidth);
        var filter = new SkipEvery(skip);
        var buffer = search.CreateQueryBuffer();
        var selectors = Enumerable.Range(0, TiledTopKSearch.QueryBlock).Select(_ => new TopKSelector(k)).ToArray();
        for (int start = 0; start < queries.Rows; start += TiledTopKSearch.QueryBlock)
        {
            int count = Math.Min(TiledTopKSearch.QueryBlock, queries.Rows - start);
            Array.Clear(buffer);
            for (int j = 0; j < count; j++)
            {
                queries.ReadRow(start + j).CopyTo(buffer.AsSpan(j * 19, 19));
                selectors[j].Reset(k);
            }
            search.SearchBlock(buffer, count, start, selectors, ref filter);
            for (int j = 0; j < count; j++)
            {
                var (expectedRows, expectedScores) = Reference(rows, queries.ReadRow(start + j), start + j, k, filter);
                var gotRows = new int[k];
                var gotScores = new float[k];
                int n = selectors[j].Drain(gotRows, gotScores);
                Assert.Equal(expectedRows, gotRows[..n]);
                Assert.Equal(expectedScores, gotScores[..n]);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ScoreGivesTheKernelsFloatsOutsideTheKernel(bool wide)
    {
        // What the ONNX path re-scores candidates with must be the search's own score, bit for bit, one row or four at a time.
        var rows = TestGraphs.RandomMatrix(37, 23, 6);
        var query = TestGraphs.RandomMatrix(1, 23, 7);
        var search = new TiledTopKSearch(rows, wide);
        var buffer = search.CreateQueryBuffer();
        query.ReadRow(0).CopyTo(buffer);
        var selectors = new[] { new TopKSelector(rows.Rows) };
        selectors[0].Reset(rows.Rows);
        var filter = new SkipEvery(0);
        search.SearchBlock(buffer, 1, 0, selectors, ref filter);
        var kept = new int[rows.Rows];
        var scores = new float[rows.Rows];
        Assert.Equal(rows.Rows, selectors[0].Drain(kept, scores));
        var which = Enumerable.Range(0, rows.Rows).Reverse().ToArray();
        var many = new float[rows.Rows];
        TiledTopKSearch.Score(query.ReadRow(0), rows, which, many);
        for (int r = 0; r < rows.Rows; r++)
        {
            float kernel = scores[Array.IndexOf(kept, which[r])];
            Assert.Equal(kernel, TiledTopKSearch.Score(query.ReadRow(0), rows.ReadRow(which[r])));
            Assert.Equal(kernel, many[r]);
        }
    }

    [Fact]
    public void ABlockOfMoreThanFortyEightQueriesIsRefused()
    {
        var search = new TiledTopKSearch(TestGraphs.RandomMatrix(5, 3, 1));
        var filter = new SkipEvery(0);
        var selectors = Enumerable.Range(0, TiledTopKSearch.QueryBlock + 1).Select(_ => new TopKSelector(1)).ToArray();
        Assert.Throws<ArgumentOutOfRangeException>(() => search.SearchBlock(search.CreateQueryBuffer(), TiledTopKSearch.QueryBlock + 1, 0, selectors, ref filter));
    }

    [Fact]
    public void AQueryBufferSizedForFewQueries_GivesTheBlockBuffersLists_AndIsRefusedForMore()
    {
        // One user's request allocates one tile of queries, not a block of 144: the same lists, and a buffer too small for
        // the queries asked is refused rather than read past its end (the register tile reads whole tiles unchecked).
        var items = TestGraphs.RandomMatrix(300, 24, 5);
        var users = TestGraphs.RandomMatrix(3, 24, 6);
        var search = new TiledTopKSearch(items);
        var filter = new SkipEvery(0);
        foreach (int count in new[] { 1, 3 })
        {
            var small = search.CreateQueryBuffer(count);
            var block = search.CreateQueryBuffer();
            Assert.True(small.Length < block.Length);
            Assert.Equal(0, small.Length % (TiledTopKSearch.QueryTile * 24));
            for (int q = 0; q < count; q++)
            {
                users.ReadRow(q).CopyTo(small.AsSpan(q * 24, 24));
                users.ReadRow(q).CopyTo(block.AsSpan(q * 24, 24));
            }
            var fromSmall = Enumerable.Range(0, count).Select(_ => new TopKSelector(60)).ToArray();
            var fromBlock = Enumerable.Range(0, count).Select(_ => new TopKSelector(60)).ToArray();
            search.SearchBlock(small, count, 0, fromSmall, ref filter, search.CreateCandidateBlock(count));
            search.SearchBlock(block, count, 0, fromBlock, ref filter, search.CreateCandidateBlock());
            for (int q = 0; q < count; q++)
            {
                var (a, b) = (new int[60], new int[60]);
                var (sa, sb) = (new float[60], new float[60]);
                Assert.Equal(fromBlock[q].Drain(b, sb), fromSmall[q].Drain(a, sa));
                Assert.Equal(b, a);
                Assert.Equal(sb, sa);
            }
        }
        var one = search.CreateQueryBuffer(1);
        var many = Enumerable.Range(0, TiledTopKSearch.QueryTile + 1).Select(_ => new TopKSelector(5)).ToArray();
        var error = Assert.Throws<ArgumentException>(() => search.SearchBlock(one, TiledTopKSearch.QueryTile + 1, 0, many, ref filter));
        Assert.Contains("The query buffer holds", error.Message);
    }
}
