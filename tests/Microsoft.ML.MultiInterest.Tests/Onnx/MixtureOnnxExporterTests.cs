using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class MixtureOnnxExporterTests
{
    private const float ScoreTolerance = 1e-5f;

    private static InferenceSession Encoder(MixtureWorld w, int m, double alpha) =>
        MixtureGraphRunner.Open(s => MixtureOnnxExporter.ExportEncoder(w.Users, w.Mixtures, m, alpha, s));

    private static InferenceSession Scorer(MixtureWorld w, int m, bool mask) =>
        MixtureGraphRunner.Open(s => MixtureOnnxExporter.ExportQuotaScorer(w.Items, w.Clustering, w.Mixtures, m, s, mask));

    private static (long[] Items, float[] Scores) Run(MixtureWorld w, int[] served, int m, double alpha, bool excludeSeen)
    {
        using var encoder = Encoder(w, m, alpha);
        using var scorer = Scorer(w, m, excludeSeen);
        var encoded = MixtureGraphRunner.Encode(encoder, served);
        return MixtureGraphRunner.Score(scorer, encoded, excludeSeen ? OnnxExclusionMask.Build(w.Seen, served) : null);
    }

    /// <summary>
    /// Asserts the ONNX lists are the engine's: same items in the same order and scores within the tolerance
    /// (exactly equal when <paramref name="exact"/>), then item row -1 and score negative infinity up to M.
    /// Users with a near-tie in one of their rankings are only checked for the padding; returns how many.
    /// </summary>
    private static int AssertSameLists(MixtureWorld w, RankedLists expected, int[] served, long[] items, float[] scores, int m, bool excludeSeen, bool exact)
    {
        int nearTies = 0;
        for (int q = 0; q < served.Length; q++)
        {
            var gotItems = items.AsSpan(q * m, m);
            var gotScores = scores.AsSpan(q * m, m);
            int count = gotItems.IndexOf(-1L) is int end and >= 0 ? end : m;
            for (int r = count; r < m; r++)
            {
                Assert.Equal(-1L, gotItems[r]);
                Assert.Equal(float.NegativeInfinity, gotScores[r]);
            }
            if (!exact && w.HasNearTie(served[q], excludeSeen, ScoreTolerance))
            {
                nearTies++;
                continue;
            }
            string who = $"user {served[q]} (position {q})";
            Assert.True(expected.Counts[q] == count, $"{who}: ONNX list has {count} items, the engine's {expected.Counts[q]}");
            Assert.Equal(expected.IndicesOf(q).ToArray().Select(i => (long)i), gotItems[..count].ToArray());
            for (int r = 0; r < count; r++)
            {
                float want = expected.ScoresOf(q)[r];
                if (exact) Assert.Equal(want, gotScores[r]);
                else Assert.True(Math.Abs(want - gotScores[r]) <= ScoreTolerance, $"{who} rank {r}: ONNX score {gotScores[r]}, engine {want}");
            }
        }
        return nearTies;
    }

    /// <summary>How many users hand quota from a short component to a later one, and how many need the fallback.</summary>
    private static (int HandOffs, int Fills) Coverage(MixtureWorld w, int[] served, int m, double alpha)
    {
        int handOffs = 0, fills = 0;
        foreach (int user in served)
        {
            var clusters = w.Mixtures.Clusters(user);
            int n = clusters.Length;
            var quotas = new int[n];
            QuotaAllocator.Allocate(w.Mixtures.Weights(user), clusters, alpha, m, quotas);
            var available = new int[n];
            for (int j = 0; j < n; j++)
            {
                foreach (int item in w.Clustering.MembersOf(clusters[j]))
                    if (!w.Seen.Contains(user, item)) available[j]++;
                available[j] = Math.Min(available[j], m);
            }
            bool short_ = Enumerable.Range(0, n).Any(j => available[j] < quotas[j]);
            bool spare = Enumerable.Range(0, n).Any(j => available[j] > quotas[j]);
            if (short_ && spare) handOffs++;
            if (available.Sum() < m) fills++;
        }
        return (handOffs, fills);
    }

    [Fact]
    public void EncoderOutputsAreTheMixtureTablesAndTheRetrieversQuotas()
    {
        var w = MixtureWorld.Create(seed: 3);
        const int m = 11;
        const double alpha = 0.5;
        int[] served = [5, 0, 23, 5, 11, 6];
        using var encoder = Encoder(w, m, alpha);
        var e = MixtureGraphRunner.Encode(encoder, served);

        int c = w.Mixtures.MaxComponents, d = w.Mixtures.Dimension;
        Assert.Equal((c, d), (e.Components, e.Dimension));
        for (int q = 0; q < served.Length; q++)
        {
            int u = served[q], n = w.Mixtures.ComponentCount(u);
            var quotas = new int[n];
            QuotaAllocator.Allocate(w.Mixtures.Weights(u), w.Mixtures.Clusters(u), alpha, m, quotas);
            Assert.Equal(w.Users.ReadRow(u).ToArray(), e.UserEmbedding.AsSpan(q * d, d).ToArray());
            Assert.Equal([.. w.Mixtures.Clusters(u).ToArray().Select(x => (long)x), .. Enumerable.Repeat(-1L, c - n)], e.Clusters.AsSpan(q * c, c).ToArray());
            Assert.Equal([.. w.Mixtures.Weights(u).ToArray(), .. new double[c - n]], e.Weights.AsSpan(q * c, c).ToArray());
            Assert.Equal([.. w.Mixtures.Embeddings(u).ToArray(), .. new float[(c - n) * d]], e.Embeddings.AsSpan(q * c * d, c * d).ToArray());
            Assert.Equal([.. quotas.Select(x => (long)x), .. new long[c - n]], e.Quotas.AsSpan(q * c, c).ToArray());
            Assert.Equal(n == 0 ? 0 : m, e.Quotas.AsSpan(q * c, c).ToArray().Sum());
        }
    }

    [Fact]
    public void QuotaScorerMatchesTheRetrieverOnRandomWorlds()
    {
        int nearTies = 0, users = 0, handOffs = 0, fills = 0;
        for (int seed = 1; seed <= 5; seed++)
        {
            var w = MixtureWorld.Create(seed);
            var served = Enumerable.Range(0, w.Users.Rows).Reverse().Append(7).ToArray();
            double alpha = (seed % 3) * 0.75;
            // 5 and 17 split among components; 40 is beyond the largest cluster, so TopK keeps whole clusters.
            foreach (int m in new[] { 5, 17, 40 })
            {
                var expected = w.Expected(served, m, alpha, excludeSeen: true);
                var (items, scores) = Run(w, served, m, alpha, excludeSeen: true);
                Assert.Equal(served.Length * m, items.Length);
                nearTies += AssertSameLists(w, expected, served, items, scores, m, excludeSeen: true, exact: false);
                users += served.Length;
                var (h, f) = Coverage(w, served, m, alpha);
                handOffs += h;
                fills += f;
                if (m == 40) Assert.True(m > ClusterGroupedItems.LargestCluster(w.Clustering));
            }
        }
        Assert.True(nearTies * 10 < users, $"{nearTies} of {users} user lists had near-ties; the parity check covered too few");
        Assert.True(handOffs > 10 && fills > 10, $"only {handOffs} hand-offs and {fills} fallback fills were exercised");
    }

    [Fact]
    public void ExactTiesGoToTheLowerItemRowAsInTheEngine()
    {
        // Small integer embeddings: every dot product is exact in any summation order and ties abound, so
        // the lists must match exactly, scores included.
        for (int seed = 11; seed <= 13; seed++)
        {
            var w = MixtureWorld.Create(seed, dimension: 3, integers: true);
            var served = Enumerable.Range(0, w.Users.Rows).ToArray();
            foreach (int m in new[] { 6, 25 })
            {
                var expected = w.Expected(served, m, 1.0, excludeSeen: true);
                var (items, scores) = Run(w, served, m, 1.0, excludeSeen: true);
                AssertSameLists(w, expected, served, items, scores, m, excludeSeen: true, exact: true);
            }
        }
    }

    [Fact]
    public void WithoutTheMaskInputNothingIsExcluded()
    {
        var w = MixtureWorld.Create(seed: 21, dimension: 3, integers: true);
        var served = Enumerable.Range(0, w.Users.Rows).ToArray();
        const int m = 9;
        var expected = w.Expected(served, m, 2.0, excludeSeen: false);
        var (items, scores) = Run(w, served, m, 2.0, excludeSeen: false);
        AssertSameLists(w, expected, served, items, scores, m, excludeSeen: false, exact: true);
        // Nothing excluded and M below the catalogue size: every list is full.
        Assert.DoesNotContain(-1L, items);
    }

    [Fact]
    public void TheBatchDimensionIsDynamic()
    {
        var w = MixtureWorld.Create(seed: 4, dimension: 3, integers: true);
        using var encoder = Encoder(w, 8, 1.0);
        using var scorer = Scorer(w, 8, mask: true);
        Assert.Equal(-1, encoder.InputMetadata[MixtureOnnxExporter.UserRowsInput].Dimensions[0]);
        Assert.Equal(-1, scorer.InputMetadata[MixtureOnnxExporter.ExclusionMaskInput].Dimensions[0]);
        foreach (int batch in new[] { 1, 3, 50 })
        {
            var served = Enumerable.Range(0, batch).Select(i => (i * 7) % w.Users.Rows).ToArray();
            var (items, scores) = MixtureGraphRunner.Score(scorer, MixtureGraphRunner.Encode(encoder, served), OnnxExclusionMask.Build(w.Seen, served));
            AssertSameLists(w, w.Expected(served, 8, 1.0, excludeSeen: true), served, items, scores, 8, excludeSeen: true, exact: true);
        }
    }

    [Fact]
    public void BothGraphsUseOnlyTheDefaultDomainAtOpset17WithADynamicBatch()
    {
        var w = MixtureWorld.Create(seed: 5);
        var encoder = MixtureOnnxExporter.BuildEncoder(w.Users, w.Mixtures, 10, 1.0);
        var scorer = MixtureOnnxExporter.BuildQuotaScorer(w.Items, w.Clustering, w.Mixtures, 10, exclusionMask: true);
        foreach (var model in new[] { encoder, scorer })
        {
            var parsed = Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto.Parser.ParseFrom(OnnxGraphBuilder.ToBytes(model));
            Assert.Equal(8, parsed.IrVersion);
            var opset = Assert.Single(parsed.OpsetImport);
            Assert.Equal(("", 17L), (opset.Domain, opset.Version));
            Assert.All(parsed.Graph.Node, n => Assert.Equal("", n.Domain));
            Assert.All(parsed.Graph.Input.Concat(parsed.Graph.Output), v => Assert.Equal("batch", v.Type.TensorType.Shape.Dim[0].DimParam));
        }
        var weights = encoder.Graph.Initializer.Single(t => t.Name == "weight_table");
        Assert.Equal(w.Mixtures.Weights(1)[0], System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(weights.RawData.Span[(1 * 3 * sizeof(double))..]));
    }

    [Fact]
    public void TheScorerHoldsEachItemVectorOnceWhateverTheClusterSizes()
    {
        // The world's clusters are skewed (each about half the size of the one before), so a table of vectors grouped by
        // cluster and padded to the largest would hold several times the item table; the graph gathers by row instead.
        var w = MixtureWorld.Create(seed: 6);
        int largest = ClusterGroupedItems.LargestCluster(w.Clustering), clusters = w.Clustering.ClusterCount;
        Assert.True(clusters * largest > 3 * w.Items.Rows, "the world's clusters should be skewed");
        var scorer = MixtureOnnxExporter.BuildQuotaScorer(w.Items, w.Clustering, w.Mixtures, 10, exclusionMask: true);
        long floats = scorer.Graph.Initializer.Where(t => t.DataType == (int)Microsoft.ML.MultiInterest.Onnx.Proto.TensorProto.Types.DataType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        // The item table, the padding marks (one per slot) and a few scalars.
        Assert.InRange(floats, (long)w.Items.Rows * w.Items.Dimension, (long)w.Items.Rows * w.Items.Dimension + (long)clusters * largest + 8);
    }

    [Fact]
    public void BadArgumentsAreRefusedNamingTheArgument()
    {
        var w = MixtureWorld.Create(seed: 2);
        void Encode(EmbeddingMatrix users, MixtureTable mixtures, int m, double alpha) =>
            MixtureOnnxExporter.ExportEncoder(users, mixtures, m, alpha, Stream.Null);
        void Score(EmbeddingMatrix items, ItemClustering clustering, MixtureTable mixtures, int m) =>
            MixtureOnnxExporter.ExportQuotaScorer(items, clustering, mixtures, m, Stream.Null, exclusionMask: true);
        string ParamOf(Action action) => Assert.ThrowsAny<ArgumentException>(action).ParamName ?? "";

        Assert.Equal("candidates", ParamOf(() => Encode(w.Users, w.Mixtures, 0, 1)));
        Assert.Equal("candidates", ParamOf(() => Score(w.Items, w.Clustering, w.Mixtures, 0)));
        Assert.Equal("candidates", ParamOf(() => Score(w.Items, w.Clustering, w.Mixtures, w.Items.Rows + 1)));
        Assert.Equal("alpha", ParamOf(() => Encode(w.Users, w.Mixtures, 5, double.NaN)));
        Assert.Equal("alpha", ParamOf(() => Encode(w.Users, w.Mixtures, 5, -1)));
        Assert.Equal("users", ParamOf(() => Encode(new EmbeddingMatrix(0, 5), new MixtureTable(0, 3, 5), 5, 1)));
        Assert.Equal("items", ParamOf(() => Score(new EmbeddingMatrix(0, 5), w.Clustering, w.Mixtures, 1)));
        Assert.Equal("mixtures", ParamOf(() => Encode(w.Users, new MixtureTable(w.Users.Rows + 1, 3, 5), 5, 1)));
        Assert.Equal("mixtures", ParamOf(() => Encode(w.Users, new MixtureTable(w.Users.Rows, 3, 4), 5, 1)));
        Assert.Equal("mixtures", ParamOf(() => Score(w.Items, w.Clustering, new MixtureTable(w.Users.Rows, 3, 4), 5)));
        var otherItems = TestGraphs.RandomMatrix(w.Items.Rows - 1, 5, 9);
        Assert.Equal("clustering", ParamOf(() => Score(otherItems, w.Clustering, w.Mixtures, 5)));
        Assert.Equal("users", ParamOf(() => OnnxServingDirectory.Export(TestGraphs.RandomMatrix(w.Users.Rows, 4, 1), w.Items, w.Clustering, w.Mixtures, 5, 1,
            // A directory not yet made: the shared temp folder holds other files, which an export refuses before its arguments.
            Path.Combine(Path.GetTempPath(), "mi-never-written-" + Guid.NewGuid().ToString("N")))));

        // A component in a cluster the clustering does not have.
        var stray = MixtureWorld.Create(seed: 2, clusters: 9);
        Assert.Contains("outside the clustering's 0..6", Assert.Throws<ArgumentException>(() => Score(w.Items, w.Clustering, stray.Mixtures, 5)).Message);

        // Non-finite values are named with their table.
        var nanUsers = w.Users.Clone();
        nanUsers.Values[3] = float.NaN;
        Assert.Contains("user embeddings", Assert.Throws<ArgumentException>(() => Encode(nanUsers, w.Mixtures, 5, 1)).Message);
        var infItems = w.Items.Clone();
        infItems.Values[7] = float.PositiveInfinity;
        Assert.Contains("item embeddings", Assert.Throws<ArgumentException>(() => Score(infItems, w.Clustering, w.Mixtures, 5)).Message);
        var badMixture = MixtureWorld.Create(seed: 2).Mixtures;
        badMixture.WritableEmbedding(1, 0)[2] = float.NaN;
        Assert.Equal("mixtures", ParamOf(() => Encode(w.Users, badMixture, 5, 1)));
        badMixture = MixtureWorld.Create(seed: 2).Mixtures;
        badMixture.WritableWeights(1)[0] = 0;
        Assert.Contains("weight", Assert.Throws<ArgumentException>(() => Encode(w.Users, badMixture, 5, 1)).Message);

        Assert.Equal("output", Assert.Throws<ArgumentNullException>(() => MixtureOnnxExporter.ExportEncoder(w.Users, w.Mixtures, 5, 1, null!)).ParamName);
    }

    [Fact]
    public void TablesOverTwoGigabytesAreNotSupported()
    {
        // One cluster of 50,000 items among 12,000 clusters pads the grouped table to 600 million slots.
        var items = new EmbeddingMatrix(100_000, 1);
        var assignments = Enumerable.Range(0, items.Rows).Select(i => i < 50_000 ? 0 : 1 + i % 11_999).ToArray();
        var clustering = ItemClustering.Create(assignments, 12_000, items);
        var e = Assert.Throws<NotSupportedException>(() =>
            MixtureOnnxExporter.ExportQuotaScorer(items, clustering, new MixtureTable(1, 1, 1), 10, Stream.Null));
        Assert.Contains("2 GB", e.Message);
    }
}
