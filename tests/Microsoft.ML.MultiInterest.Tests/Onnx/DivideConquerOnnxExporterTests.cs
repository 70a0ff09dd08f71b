using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.DivideConquer;
using Microsoft.ML.MultiInterest.Tests.Embedding;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class DivideConquerOnnxExporterTests
{
    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling, true)]
    [InlineData(DivideConquerEncoder.AttentionPooling, true)]
    [InlineData(DivideConquerEncoder.AttentionPooling, false)]
    public void PromptEncoder_ComputesTheEnginesClustersWeightsAndQueries(DivideConquerEncoder encoder, bool prompts)
    {
        var planted = PlantedGraph.Create();
        var graph = planted.Train;
        var options = DivideConquerTrainingTests.Small(encoder, prompts, null, epochs: 2);
        options.DivideConquer.Clusters = 6;
        options.DivideConquer.Components = 4;
        var model = GraphEmbeddingTrainerEngine.Fit(graph, options).DivideConquer!;
        int[] served = Enumerable.Range(0, 30).Select(j => j * 5).ToArray();
        var engine = model.BuildMixtures(graph, served, threads: 1);
        int width = served.Max(graph.DegreeOf) + 2;
        int b = served.Length + 1; // the last row is an empty history
        var rows = new long[b * width];
        Array.Fill(rows, -1L);
        for (int q = 0; q < served.Length; q++)
        {
            var items = graph.ItemsOf(served[q]);
            // Histories at the end of the row, padding first: the position of padding must not matter.
            for (int i = 0; i < items.Length; i++) rows[q * width + width - items.Length + i] = items[i];
        }
        var (clusters, embeddings) = RunAndCompare(model, rows, b, width, engine, served);
        const int m = 4, d = 8;
        // The empty history: the prior's top clusters, zero queries.
        var prior = model.ClusterPrior.ToArray();
        var byPrior = Enumerable.Range(0, prior.Length).OrderByDescending(c => prior[c]).ThenBy(c => c).Take(m).ToArray();
        Assert.Equal(byPrior, clusters.Skip(served.Length * m).Select(c => (int)c).ToArray());
        Assert.All(embeddings.Skip(served.Length * m * d), v => Assert.Equal(0f, v));
    }

    /// <summary>
    /// The self-attention encoder reads each row in time order: the ranks count the valid items after each one (padding
    /// anywhere, here at the start and in the middle), and only the last L attend while the intent counts them all.
    /// </summary>
    [Fact]
    public void SelfAttentionEncoder_ComputesTheEnginesQueries_FromTimeOrderedRows()
    {
        var graph = PlantedGraph.Create().Train;
        var random = new Random(17);
        var sequences = Enumerable.Range(0, graph.UserCount).Select(u => graph.ItemsOf(u).ToArray().OrderBy(_ => random.Next()).ToArray()).ToArray();
        var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.SelfAttention, prompts: true, null, epochs: 2);
        options.DivideConquer.Clusters = 6;
        options.DivideConquer.Components = 4;
        options.DivideConquer.MaxHistory = 4;
        options.DivideConquer.Sequences = sequences;
        var model = GraphEmbeddingTrainerEngine.Fit(graph, options).DivideConquer!;
        Assert.True(model.Positions!.ReadRow(0).ToArray().Any(v => v != 0f), "the positions trained");
        int[] served = Enumerable.Range(0, 30).Select(j => j * 5).ToArray();
        Assert.Contains(served, u => graph.DegreeOf(u) > 4); // some histories are longer than the L the encoder reads
        var engine = model.BuildMixtures(graph, served, threads: 1, sequences: sequences);
        int width = served.Max(graph.DegreeOf) + 3;
        var rows = new long[served.Length * width];
        Array.Fill(rows, -1L);
        for (int q = 0; q < served.Length; q++)
        {
            var items = sequences[served[q]];
            // Two padding slots first, one after the first item: only the order of the valid items counts.
            int at = q * width + 2;
            for (int i = 0; i < items.Length; i++) rows[at + i + (i >= 1 ? 1 : 0)] = items[i];
        }
        RunAndCompare(model, rows, served.Length, width, engine, served);
    }

    /// <summary>
    /// Runs the exported encoder on <paramref name="b"/> rows of <paramref name="width"/> and checks the first
    /// <paramref name="served"/>.Length against the engine's mixtures (m = 4 clusters, d = 8): clusters and weights
    /// exact, queries to 1e-4. Returns the raw cluster and query outputs for further checks.
    /// </summary>
    private static (long[] Clusters, float[] Embeddings) RunAndCompare(DivideConquerModel model, long[] rows, int b, int width, MixtureTable engine, int[] served)
    {
        using var session = MixtureGraphRunner.Open(s => DivideConquerOnnxExporter.ExportEncoder(model, s));
        using var input = OrtValue.CreateTensorValueFromMemory(rows, [b, width]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [DcmOnnxExporter.HistoryRowsInput], [input], [MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName]);
        var clusters = outputs[0].GetTensorDataAsSpan<long>().ToArray();
        var weights = outputs[1].GetTensorDataAsSpan<double>().ToArray();
        var embeddings = outputs[2].GetTensorDataAsSpan<float>().ToArray();
        const int m = 4, d = 8;
        for (int q = 0; q < served.Length; q++)
        {
            int u = served[q];
            Assert.Equal(m, engine.ComponentCount(u));
            for (int j = 0; j < m; j++)
            {
                Assert.Equal(engine.Clusters(u)[j], (int)clusters[q * m + j]);
                Assert.Equal(engine.Weights(u)[j], weights[q * m + j], 12);
                var expected = engine.Embedding(u, j);
                for (int t = 0; t < d; t++)
                    Assert.True(Math.Abs(expected[t] - embeddings[(q * m + j) * d + t]) < 1e-4, $"user {u} component {j} dim {t}: engine {expected[t]}, onnx {embeddings[(q * m + j) * d + t]}");
            }
        }
        return (clusters, embeddings);
    }

    [Fact]
    public void AUserVectorModel_HasNoHistoryEncoderToExport()
    {
        var planted = PlantedGraph.Create();
        var model = GraphEmbeddingTrainerEngine.Fit(planted.Train, DivideConquerTrainingTests.Small(DivideConquerEncoder.UserVector, false, null, epochs: 1)).DivideConquer!;
        var e = Assert.Throws<NotSupportedException>(() => DivideConquerOnnxExporter.ExportEncoder(model, new MemoryStream()));
        Assert.Contains("UserVector", e.Message);
    }
}
