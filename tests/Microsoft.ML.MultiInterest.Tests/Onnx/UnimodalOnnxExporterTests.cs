using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class UnimodalOnnxExporterTests
{
    private const float ScoreTolerance = 1e-5f;

    private static byte[] Export(EmbeddingMatrix users, EmbeddingMatrix items, int m, bool mask)
    {
        using var stream = new MemoryStream();
        UnimodalOnnxExporter.Export(users, items, m, stream, mask);
        return stream.ToArray();
    }

    /// <summary>
    /// Same lists as the engine, except that two items whose scores are within the tolerance may swap;
    /// every score agrees with the engine's within the tolerance.
    /// </summary>
    private static void AssertParity(RankedLists expected, long[] items, float[] scores, int m, EmbeddingMatrix users, EmbeddingMatrix itemTable, IReadOnlyList<int> served)
    {
        int swapped = 0;
        for (int q = 0; q < served.Count; q++)
        {
            var want = expected.IndicesOf(q);
            var wantScores = expected.ScoresOf(q);
            for (int r = 0; r < m; r++)
            {
                long got = items[q * m + r];
                float gotScore = scores[q * m + r];
                if (r >= want.Length)
                {
                    // The engine ran out of unexcluded items: ONNX pads with excluded ones at -inf.
                    Assert.Equal(float.NegativeInfinity, gotScore);
                    continue;
                }
                Assert.True(Math.Abs(gotScore - wantScores[r]) <= ScoreTolerance,
                    $"user {served[q]} rank {r}: ONNX score {gotScore}, engine {wantScores[r]}");
                if (got != want[r])
                {
                    swapped++;
                    double exact = Dot(users.ReadRow(served[q]), itemTable.ReadRow((int)got));
                    Assert.True(Math.Abs(exact - wantScores[r]) <= ScoreTolerance, $"user {served[q]} rank {r}: item {got} is no near-tie of {want[r]}");
                }
            }
        }
        Assert.True(swapped <= 2, $"{swapped} near-tie swaps is more than rounding explains");
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    [Fact]
    public void MatchesTheEngineRetrieverWithoutExclusions()
    {
        var users = TestGraphs.RandomMatrix(70, 24, 11);
        var items = TestGraphs.RandomMatrix(300, 24, 12);
        int[] served = [5, 0, 69, 17, 17, 42, 3];
        const int m = 25;
        var expected = new UnimodalRetriever(items).Retrieve(users, served, null, m, threads: 1);

        using var session = new OnnxSessionFactory().CreateSession(Export(users, items, m, mask: false));
        var (got, scores) = OnnxScorerRunner.Run(session, served, null);

        Assert.Equal(served.Length * m, got.Length);
        AssertParity(expected, got, scores, m, users, items, served);
    }

    [Fact]
    public void MatchesTheEngineRetrieverWithSeenItemsMaskedOutAndExactTiesToTheLowerRow()
    {
        var random = new Random(21);
        var users = TestGraphs.RandomMatrix(40, 16, 13);
        var items = TestGraphs.RandomMatrix(120, 16, 14);
        // Duplicate rows make exact ties, which both sides must give to the lower row.
        for (int i = 100; i < 120; i++) items.ReadRow(i - 100).CopyTo(items.Row(i));
        var u = new List<int>();
        var it = new List<int>();
        for (int user = 0; user < 40; user++)
            foreach (int i in Enumerable.Range(0, user == 7 ? 0 : 120).OrderBy(_ => random.Next()).Take(random.Next(0, 30))) { u.Add(user); it.Add(i); }
        // User 7 has seen all but 3 items, so its list runs short of M = 10.
        foreach (int i in Enumerable.Range(0, 117)) { u.Add(7); it.Add(i); }
        var seen = BipartiteGraph.FromEdges(40, 120, u.ToArray(), it.ToArray());
        int[] served = Enumerable.Range(0, 40).Reverse().ToArray();
        const int m = 10;
        var expected = new UnimodalRetriever(items).Retrieve(users, served, seen, m, threads: 1);

        using var session = new OnnxSessionFactory().CreateSession(Export(users, items, m, mask: true));
        var (got, scores) = OnnxScorerRunner.Run(session, served, OnnxExclusionMask.Build(seen, served));

        AssertParity(expected, got, scores, m, users, items, served);
        for (int q = 0; q < served.Length; q++)
        {
            for (int r = 0; r < m; r++)
            {
                if (float.IsFinite(scores[q * m + r])) Assert.False(seen.Contains(served[q], (int)got[q * m + r]));
            }
        }
        Assert.Equal(3, expected.Counts[Array.IndexOf(served, 7)]);
    }

    [Fact]
    public void TheBatchDimensionIsDynamicAndTheFileOverloadWritesTheSameModel()
    {
        var users = TestGraphs.RandomMatrix(9, 4, 15);
        var items = TestGraphs.RandomMatrix(12, 4, 16);
        string path = Path.Combine(Path.GetTempPath(), $"unimodal-{Guid.NewGuid():N}.onnx");
        try
        {
            UnimodalOnnxExporter.Export(users, items, 12, path);
            Assert.Equal(Export(users, items, 12, mask: false), File.ReadAllBytes(path));
            using var session = new OnnxSessionFactory().CreateSession(path);
            Assert.Equal(-1, session.InputMetadata[UnimodalOnnxExporter.UserRowsInput].Dimensions[0]);
            foreach (int batch in new[] { 1, 9, 30 })
            {
                var served = Enumerable.Range(0, batch).Select(i => i % 9).ToArray();
                var (got, _) = OnnxScorerRunner.Run(session, served, null);
                Assert.Equal(batch * 12, got.Length);
                // k = all items: every row is a permutation of the catalogue.
                for (int q = 0; q < batch; q++) Assert.Equal(Enumerable.Range(0, 12), got.Skip(q * 12).Take(12).Select(x => (int)x).Order());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BadArgumentsAreRefusedWithMessagesNamingTheProblem()
    {
        var users = TestGraphs.RandomMatrix(3, 4, 1);
        var items = TestGraphs.RandomMatrix(5, 4, 2);
        var m = Assert.Throws<ArgumentOutOfRangeException>(() => Export(users, items, 6, mask: false));
        Assert.Contains("between 1 and the number of items (5)", m.Message);
        var d = Assert.Throws<ArgumentException>(() => Export(TestGraphs.RandomMatrix(3, 5, 1), items, 2, mask: false));
        Assert.Contains("dimension 5", d.Message);
        users.Values[6] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => Export(users, items, 2, mask: false));
        Assert.Contains("user embeddings", nan.Message);
        var graph = BipartiteGraph.FromEdges(2, 5, [0], [1]);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExclusionMask.Build(graph, [0, 2]));
        Assert.Contains("User row 2", outside.Message);
    }
}
