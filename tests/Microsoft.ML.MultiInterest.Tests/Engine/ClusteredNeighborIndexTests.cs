using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class ClusteredNeighborIndexTests
{
    /// <summary>Points around <paramref name="centres"/> random directions (continuous noise, so no near-ties).</summary>
    private static EmbeddingMatrix Clustered(int rows, int dimension, int centres, double noise, int seed)
    {
        var random = new Random(seed);
        var c = new double[centres * dimension];
        for (int i = 0; i < c.Length; i++) c[i] = random.NextDouble() * 2 - 1;
        var m = new EmbeddingMatrix(rows, dimension);
        for (int r = 0; r < rows; r++)
        {
            int centre = random.Next(centres);
            for (int j = 0; j < dimension; j++) m.Row(r)[j] = (float)(c[centre * dimension + j] + noise * (random.NextDouble() * 2 - 1));
        }
        return m;
    }

    private static ClusteredNeighborIndexOptions Options(int lists, int probes, int threads = 1) =>
        new() { Lists = lists, Probes = probes, Seed = 3, Threads = threads };

    [Fact]
    public void AllProbes_ReturnTheExactNeighbours()
    {
        var rows = Clustered(600, 12, 10, 0.5, seed: 1);
        int[] self = Enumerable.Range(0, rows.Rows).ToArray();
        var exact = new ExactNeighborIndex(rows).Search(rows, self, 7, threads: 1);
        var index = new ClusteredNeighborIndex(rows, null, Options(lists: 20, probes: 20));
        Assert.Equal(20, index.Lists);
        var found = index.Search(rows, self, 7, threads: 1);
        for (int q = 0; q < rows.Rows; q++)
        {
            Assert.Equal(exact.IndicesOf(q).ToArray(), found.IndicesOf(q).ToArray());
            for (int i = 0; i < exact.Counts[q]; i++) Assert.Equal(exact.ScoresOf(q)[i], found.ScoresOf(q)[i], 1e-6f);
        }
    }

    [Fact]
    public void FewProbes_OnClusteredData_FindMostExactNeighbours()
    {
        var rows = Clustered(4000, 16, 40, 0.35, seed: 2);
        int[] self = Enumerable.Range(0, rows.Rows).ToArray();
        var queries = new EmbeddingMatrix(500, 16, rows.Values[..(500 * 16)]);
        var exact = new ExactNeighborIndex(rows).Search(queries, self[..500], 10, threads: 1);
        var index = new ClusteredNeighborIndex(rows, null, Options(lists: 0, probes: 4));
        Assert.Equal(ClusteredNeighborIndexOptions.AutomaticLists(4000), index.Lists);
        var found = index.Search(queries, self[..500], 10, threads: 1);
        double recall = NeighborRecall.Mean(exact, found);
        Assert.True(recall >= 0.9, $"recall@10 {recall}");
        // And the search really skipped rows: 4 of 253 lists.
        Assert.True(index.RowsScanned(queries).Average() < 0.2 * rows.Rows);
    }

    [Fact]
    public void OneProbe_HasLowerRecallThanMany()
    {
        var rows = Clustered(3000, 16, 60, 0.6, seed: 4);
        int[] self = Enumerable.Range(0, 300).ToArray();
        var queries = new EmbeddingMatrix(300, 16, rows.Values[..(300 * 16)]);
        var exact = new ExactNeighborIndex(rows).Search(queries, self, 10, threads: 1);
        double one = NeighborRecall.Mean(exact, new ClusteredNeighborIndex(rows, null, Options(100, 1)).Search(queries, self, 10, 1));
        double many = NeighborRecall.Mean(exact, new ClusteredNeighborIndex(rows, null, Options(100, 30)).Search(queries, self, 10, 1));
        Assert.True(one < many, $"1 probe {one}, 30 probes {many}");
        Assert.True(many >= 0.9, $"30 probes {many}");
    }

    [Fact]
    public void ExclusionsAndEligibility_AreHonoured()
    {
        var rows = Clustered(400, 8, 6, 0.5, seed: 5);
        var eligible = Enumerable.Range(0, 400).Select(r => r % 3 != 0).ToArray();
        int[] self = Enumerable.Range(0, 400).ToArray();
        var index = new ClusteredNeighborIndex(rows, eligible, Options(lists: 10, probes: 10));
        var found = index.Search(rows, self, 5, threads: 1);
        var exact = new ExactNeighborIndex(rows, eligible).Search(rows, self, 5, threads: 1);
        for (int q = 0; q < 400; q++)
        {
            Assert.Equal(5, found.Counts[q]);
            Assert.DoesNotContain(q, found.IndicesOf(q).ToArray());
            Assert.All(found.IndicesOf(q).ToArray(), r => Assert.True(eligible[r]));
            Assert.Equal(exact.IndicesOf(q).ToArray(), found.IndicesOf(q).ToArray());
        }
        // Without exclusions a query that is itself indexed finds itself first.
        var withSelf = index.Search(rows, null, 1, threads: 1);
        Assert.Equal(1, withSelf.IndicesOf(1)[0]);
    }

    [Fact]
    public void ThreadCount_DoesNotChangeTheResult()
    {
        var rows = Clustered(2000, 16, 20, 0.5, seed: 6);
        int[] self = Enumerable.Range(0, rows.Rows).ToArray();
        var one = new ClusteredNeighborIndex(rows, null, Options(40, 3, threads: 1)).Search(rows, self, 8, threads: 1);
        var index = new ClusteredNeighborIndex(rows, null, Options(40, 3, threads: 4));
        var four = index.Search(rows, self, 8, threads: 4);
        Assert.Equal(one.Indices, four.Indices);
        Assert.Equal(one.Scores, four.Scores);
        Assert.Equal(one.Counts, four.Counts);
    }

    [Fact]
    public void QueriesSharingLists_ScoreBitForBitAsAlone_AndAsTheExactIndex()
    {
        // 700 queries over 12 lists: every list is probed by dozens of a block's queries, in full and partial tiles.
        var rows = Clustered(700, 20, 8, 0.5, seed: 8);
        int[] self = Enumerable.Range(0, rows.Rows).ToArray();
        var index = new ClusteredNeighborIndex(rows, null, Options(lists: 12, probes: 5));
        var batch = index.Search(rows, self, 6, threads: 2);
        for (int q = 0; q < rows.Rows; q++)
        {
            var alone = index.Search(new EmbeddingMatrix(1, 20, rows.Row(q).ToArray()), [q], 6, threads: 1);
            Assert.Equal(alone.IndicesOf(0).ToArray(), batch.IndicesOf(q).ToArray());
            Assert.Equal(alone.ScoresOf(0).ToArray(), batch.ScoresOf(q).ToArray());
        }

        var exact = new ExactNeighborIndex(rows).Search(rows, self, 6, threads: 1);
        var all = new ClusteredNeighborIndex(rows, null, Options(lists: 12, probes: 12)).Search(rows, self, 6, threads: 2);
        Assert.Equal(exact.Indices, all.Indices);
        Assert.Equal(exact.Scores, all.Scores);
    }

    [Fact]
    public void Build_IsDeterministic_AndSubsamplesTraining()
    {
        var rows = Clustered(3000, 8, 10, 0.4, seed: 7);
        var options = new ClusteredNeighborIndexOptions { Lists = 30, Probes = 2, TrainingPointsPerList = 5, Seed = 9, Threads = 1 };
        var a = new ClusteredNeighborIndex(rows, null, options);
        var b = new ClusteredNeighborIndex(rows, null, options);
        Assert.Equal(a.ListSizes, b.ListSizes);
        Assert.Equal(3000, a.ListSizes.Sum());
        Assert.Equal(a.Search(rows, null, 4, 1).Indices, b.Search(rows, null, 4, 1).Indices);
    }

    [Fact]
    public void ListsAndProbes_AreClampedToTheRows()
    {
        var rows = Clustered(12, 4, 3, 0.3, seed: 8);
        var index = new ClusteredNeighborIndex(rows, null, new ClusteredNeighborIndexOptions { Lists = 50, Probes = 99, Threads = 1 });
        Assert.Equal(12, index.Lists);
        Assert.Equal(12, index.Probes);
        var none = new ClusteredNeighborIndex(rows, new bool[12], Options(0, 2));
        var result = none.Search(rows, null, 3, 1);
        Assert.All(result.Counts, c => Assert.Equal(0, c));
    }

    [Theory]
    [InlineData(-1, 1, 1, 1, 0, "Lists")]
    [InlineData(0, 0, 1, 1, 0, "Probes")]
    [InlineData(0, 1, 0, 1, 0, "TrainingPointsPerList")]
    [InlineData(0, 1, 1, 0, 0, "TrainingIterations")]
    [InlineData(0, 1, 1, 1, -1, "Threads")]
    public void BadOptions_ThrowNamingTheOption(int lists, int probes, int perList, int iterations, int threads, string name)
    {
        var options = new ClusteredNeighborIndexOptions { Lists = lists, Probes = probes, TrainingPointsPerList = perList, TrainingIterations = iterations, Threads = threads };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ClusteredNeighborIndex(Clustered(20, 4, 2, 0.3, 1), null, options));
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void BadInputs_ThrowNamingTheArgument()
    {
        var rows = Clustered(50, 4, 2, 0.3, seed: 1);
        Assert.Equal("eligible", Assert.Throws<ArgumentException>(() => new ClusteredNeighborIndex(rows, new bool[49])).ParamName);
        var bad = rows.Clone();
        bad.Row(3)[1] = float.NaN;
        Assert.Contains("row 3", Assert.Throws<ArgumentException>(() => new ClusteredNeighborIndex(bad)).Message);
        var index = new ClusteredNeighborIndex(rows, null, Options(4, 2));
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(rows, null, 0)).ParamName);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => index.Search(new EmbeddingMatrix(2, 5), null, 1)).ParamName);
        Assert.Equal("excludeRows", Assert.Throws<ArgumentException>(() => index.Search(rows, new int[3], 1)).ParamName);
        Assert.Contains("query embeddings", Assert.Throws<ArgumentException>(() => index.Search(bad, null, 1)).Message);
    }

    [Fact]
    public void NeighborRecall_CountsTheSharedRows()
    {
        var exact = new RankedLists(2, 2);
        exact.Indices[0] = 1; exact.Indices[1] = 2; exact.Counts[0] = 2;
        exact.Indices[2] = 3; exact.Indices[3] = 4; exact.Counts[1] = 2;
        var approximate = new RankedLists(2, 2);
        approximate.Indices[0] = 2; approximate.Indices[1] = 5; approximate.Counts[0] = 2;
        approximate.Indices[2] = 4; approximate.Indices[3] = 3; approximate.Counts[1] = 2;
        Assert.Equal(0.75, NeighborRecall.Mean(exact, approximate), 1e-12);
    }
}
