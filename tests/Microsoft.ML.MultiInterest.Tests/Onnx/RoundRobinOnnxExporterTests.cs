using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class RoundRobinOnnxExporterTests
{
    /// <summary>Item components: C_d per item, integers when asked (exact dot products, real ties).</summary>
    private static EmbeddingMatrix ItemComponents(MixtureWorld w, int cd, int seed, bool integers)
    {
        if (cd == 1) return w.Items;
        var random = new Random(seed);
        var table = new EmbeddingMatrix(w.Items.Rows * cd, w.Items.Dimension);
        for (int i = 0; i < table.Values.Length; i++)
            table.Values[i] = integers ? random.Next(-2, 3) : (float)(random.NextDouble() * 2 - 1);
        return table;
    }

    /// <summary>Runs encoder, scorer and the .NET merge through ONNX Runtime for <paramref name="served"/>.</summary>
    private static RankedLists RunOnnx(EmbeddingMatrix users, MixtureTable mixtures, EmbeddingMatrix itemComponents, int cd, int exportK,
        int k, int[] served, BipartiteGraph? seen)
    {
        using var encoder = MixtureGraphRunner.Open(s => RoundRobinOnnxExporter.ExportEncoder(users, mixtures, s));
        using var scorer = MixtureGraphRunner.Open(s => RoundRobinOnnxExporter.ExportScorer(itemComponents, cd, mixtures.MaxComponents, exportK, s, seen != null));
        var encoded = MixtureGraphRunner.Encode(encoder, served);
        int b = served.Length, m = encoded.Components, d = encoded.Dimension;
        using var embeddings = OrtValue.CreateTensorValueFromMemory(encoded.Embeddings, [b, m, d]);
        var mask = seen == null ? null : OnnxExclusionMask.Build(seen, served);
        using var maskValue = mask == null ? null : OrtValue.CreateTensorValueFromMemory(mask, [b, mask.Length / b]);
        var names = new List<string> { MixtureEmbeddingsName };
        var values = new List<OrtValue> { embeddings };
        if (maskValue != null) { names.Add(ExclusionMaskInput); values.Add(maskValue); }
        using var runOptions = new RunOptions();
        using var outputs = scorer.Run(runOptions, names, values, [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput]);
        return RoundRobinOnnxMerge.Merge(encoded.Clusters, encoded.Weights, outputs[0].GetTensorDataAsSpan<long>(), outputs[1].GetTensorDataAsSpan<float>(),
            b, m, cd, itemComponents.Rows / cd, k);
    }

    /// <summary>True when a component of <paramref name="user"/> has two eligible item components within the tolerance (float order may differ there).</summary>
    private static bool HasNearTie(MixtureTable mixtures, int user, EmbeddingMatrix itemComponents, int cd, BipartiteGraph? seen, float tolerance)
    {
        for (int c = 0; c < mixtures.ComponentCount(user); c++)
        {
            var query = mixtures.Embedding(user, c).ToArray();
            var s = Enumerable.Range(0, itemComponents.Rows).Where(r => seen == null || !seen.Contains(user, r / cd))
                .Select(r => VectorMath.Dot(query, itemComponents.ReadRow(r))).OrderByDescending(x => x).ToArray();
            for (int t = 1; t < s.Length; t++) if (s[t - 1] - s[t] <= tolerance) return true;
        }
        return false;
    }

    [Theory]
    [InlineData(1, true, 1)]
    [InlineData(1, false, 2)]
    [InlineData(2, true, 3)]
    [InlineData(3, false, 4)]
    public void IntegerWorld_OnnxListsEqualRoundRobinRetriever(int cd, bool excludeSeen, int seed)
    {
        var w = MixtureWorld.Create(seed, integers: true);
        var items = ItemComponents(w, cd, seed, integers: true);
        int[] served = Enumerable.Range(0, w.Users.Rows).ToArray();
        var seen = excludeSeen ? w.Seen : null;
        foreach (int k in new[] { 1, 5, 12 })
        {
            var expected = new RoundRobinRetriever(items, cd).Retrieve(w.Mixtures, served, seen, [k], threads: 1)[0];
            var got = RunOnnx(w.Users, w.Mixtures, items, cd, 12, k, served, seen);
            for (int q = 0; q < served.Length; q++)
            {
                Assert.Equal(expected.IndicesOf(q).ToArray(), got.IndicesOf(q).ToArray());
                Assert.Equal(expected.ScoresOf(q).ToArray(), got.ScoresOf(q).ToArray());
            }
        }
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(2, 12)]
    public void FloatWorld_OnnxListsEqualRoundRobinRetrieverAwayFromNearTies(int cd, int seed)
    {
        var w = MixtureWorld.Create(seed, users: 30, items: 80);
        var items = ItemComponents(w, cd, seed, integers: false);
        int[] served = Enumerable.Range(0, w.Users.Rows).Reverse().ToArray();
        var expected = new RoundRobinRetriever(items, cd).Retrieve(w.Mixtures, served, w.Seen, [10], threads: 1)[0];
        var got = RunOnnx(w.Users, w.Mixtures, items, cd, 10, 10, served, w.Seen);
        int checkedUsers = 0;
        for (int q = 0; q < served.Length; q++)
        {
            if (HasNearTie(w.Mixtures, served[q], items, cd, w.Seen, 1e-5f)) continue;
            checkedUsers++;
            Assert.Equal(expected.IndicesOf(q).ToArray(), got.IndicesOf(q).ToArray());
            Assert.Equal(expected.ScoresOf(q).ToArray(), got.ScoresOf(q).ToArray());
        }
        Assert.True(checkedUsers >= served.Length / 2, $"only {checkedUsers} users without near-ties");
    }

    [Fact]
    public void LearnedModelEncoder_ServesTheModelsMixtureTable()
    {
        var random = new Random(5);
        int users = 7, items = 20, cs = 3, d = 4;
        var uc = new EmbeddingMatrix(users * cs, d);
        var ic = new EmbeddingMatrix(items, d);
        for (int i = 0; i < uc.Values.Length; i++) uc.Values[i] = random.Next(-2, 3);
        for (int i = 0; i < ic.Values.Length; i++) ic.Values[i] = random.Next(-2, 3);
        var weights = Enumerable.Range(0, users * cs).Select(_ => random.NextDouble()).ToArray();
        var model = new MixtureEmbeddingResult(cs, 1, uc, ic, weights);
        var (userTable, table) = RoundRobinOnnxExporter.EncoderTables(model);
        using var encoder = MixtureGraphRunner.Open(s => RoundRobinOnnxExporter.ExportEncoder(model, s));
        int[] served = [3, 0, 6];
        var encoded = MixtureGraphRunner.Encode(encoder, served);
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(table.Weights(served[q]).ToArray(), encoded.Weights.AsSpan(q * cs, cs).ToArray());
            Assert.Equal(table.Embeddings(served[q]).ToArray(), encoded.Embeddings.AsSpan(q * cs * d, cs * d).ToArray());
        }
        var expected = new RoundRobinRetriever(ic).Retrieve(table, served, null, [6], threads: 1)[0];
        var got = RunOnnx(userTable, table, ic, 1, 6, 6, served, null);
        for (int q = 0; q < served.Length; q++) Assert.Equal(expected.IndicesOf(q).ToArray(), got.IndicesOf(q).ToArray());
    }

    [Fact]
    public void Scorer_RejectsCandidatesBeyondTheItems()
    {
        var items = new EmbeddingMatrix(4, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RoundRobinOnnxExporter.ExportScorer(items, 1, 2, 5, new MemoryStream()));
        Assert.Contains("candidates", e.Message);
        Assert.Throws<ArgumentException>(() => RoundRobinOnnxExporter.ExportScorer(new EmbeddingMatrix(5, 2), 2, 2, 1, new MemoryStream()));
    }
}

public class RoundRobinServingDirectoryTests
{
    [Fact]
    public void ExportRoundRobin_WritesGraphsAndManifest_ThatServeTheRetrieversLists()
    {
        var random = new Random(9);
        int users = 6, items = 15, cs = 2, d = 3;
        var uc = new EmbeddingMatrix(users * cs, d);
        var ic = new EmbeddingMatrix(items, d);
        for (int i = 0; i < uc.Values.Length; i++) uc.Values[i] = random.Next(-2, 3);
        for (int i = 0; i < ic.Values.Length; i++) ic.Values[i] = random.Next(-2, 3);
        var model = new MixtureEmbeddingResult(cs, 1, uc, ic, Enumerable.Range(0, users * cs).Select(_ => random.NextDouble()).ToArray());
        var seen = BipartiteGraph.FromEdges(users, items, [0, 0, 3, 5], [1, 4, 2, 14]);
        string dir = Path.Combine(Path.GetTempPath(), "rr-onnx-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = OnnxServingDirectory.ExportRoundRobin(model, 4, dir, exclusionMask: true);
            var manifest = OnnxServingManifest.Read(dir);
            Assert.Equal(written.RoundRobinScorer!.File, manifest.RoundRobinScorer!.File);
            Assert.Equal(1, manifest.DestinationComponents);
            Assert.Equal(cs, manifest.Components);
            int[] served = Enumerable.Range(0, users).ToArray();
            var factory = new OnnxSessionFactory();
            using var encoder = factory.CreateSession(File.ReadAllBytes(Path.Combine(dir, manifest.Encoder.File)));
            using var scorer = factory.CreateSession(File.ReadAllBytes(Path.Combine(dir, manifest.RoundRobinScorer.File)));
            var encoded = MixtureGraphRunner.Encode(encoder, served);
            using var embeddings = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(encoded.Embeddings, [users, cs, d]);
            var mask = OnnxExclusionMask.Build(seen, served);
            using var maskValue = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(mask, [users, items]);
            using var run = new Microsoft.ML.OnnxRuntime.RunOptions();
            using var outputs = scorer.Run(run, manifest.RoundRobinScorer.Inputs, [embeddings, maskValue], manifest.RoundRobinScorer.Outputs);
            var got = RoundRobinOnnxMerge.Merge(encoded.Clusters, encoded.Weights, outputs[0].GetTensorDataAsSpan<long>(), outputs[1].GetTensorDataAsSpan<float>(),
                users, cs, 1, items, 4);
            var expected = new RoundRobinRetriever(ic).Retrieve(model.ToMixtureTable(served), served, seen, [4], threads: 1)[0];
            for (int q = 0; q < users; q++) Assert.Equal(expected.IndicesOf(q).ToArray(), got.IndicesOf(q).ToArray());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
