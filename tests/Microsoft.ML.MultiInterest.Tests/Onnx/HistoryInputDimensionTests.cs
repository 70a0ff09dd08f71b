using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.DivideConquer;
using Microsoft.ML.MultiInterest.Tests.Embedding;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The history encoders' input is <c>[batch, history]</c>: two symbolic names, since ONNX reads one name as one size. Declared
/// <c>[batch, batch]</c> (before), a session that pins <c>batch</c> to 1 (ONNX Runtime's free-dimension override, what a
/// one-user server sets) refused every history whose length was not 1.
/// </summary>
public class HistoryInputDimensionTests
{
    [Fact]
    public void DcmHistoryEncoder_DeclaresBatchAndHistory_AndRunsWithTheBatchPinnedToOne()
    {
        var planted = PlantedGraph.Create();
        var options = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 8, Epochs = 1, UniformNegatives = 4, Threads = 1, Seed = 5,
            Dcm = new DcmOptions { Interests = 3, Iterations = 2 },
        };
        var dcm = GraphEmbeddingTrainerEngine.Fit(planted.Train, options).Dcm!;
        CheckPinnedBatch(s => DcmOnnxExporter.ExportEncoder(dcm, s), planted.Train);
    }

    [Fact]
    public void DivideConquerEncoder_DeclaresBatchAndHistory_AndRunsWithTheBatchPinnedToOne()
    {
        var planted = PlantedGraph.Create();
        var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.MeanPooling, prompts: true, null, epochs: 1);
        var model = GraphEmbeddingTrainerEngine.Fit(planted.Train, options).DivideConquer!;
        CheckPinnedBatch(s => DivideConquerOnnxExporter.ExportEncoder(model, s), planted.Train);
    }

    private static void CheckPinnedBatch(Action<Stream> export, BipartiteGraph graph)
    {
        using var stream = new MemoryStream();
        export(stream);
        byte[] bytes = stream.ToArray();
        using var plain = new InferenceSession(bytes);
        Assert.Equal([OnnxGraphBuilder.BatchDimension, OnnxGraphBuilder.HistoryDimension], plain.InputMetadata[DcmOnnxExporter.HistoryRowsInput].SymbolicDimensions);

        int user = Enumerable.Range(0, graph.UserCount).First(u => graph.DegreeOf(u) >= 3);
        long[] rows = [.. graph.ItemsOf(user).ToArray().Select(i => (long)i), -1L];
        using var pinnedOptions = new SessionOptions();
        pinnedOptions.AddFreeDimensionOverrideByName(OnnxGraphBuilder.BatchDimension, 1);
        using var pinned = new InferenceSession(bytes, pinnedOptions);
        string[] outputs = [MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName];
        using var input = OrtValue.CreateTensorValueFromMemory(rows, [1, rows.Length]);
        using var run = new RunOptions();
        using var a = plain.Run(run, [DcmOnnxExporter.HistoryRowsInput], [input], outputs);
        using var b = pinned.Run(run, [DcmOnnxExporter.HistoryRowsInput], [input], outputs);
        Assert.Equal(a[0].GetTensorDataAsSpan<long>().ToArray(), b[0].GetTensorDataAsSpan<long>().ToArray());
        Assert.Equal(a[1].GetTensorDataAsSpan<double>().ToArray(), b[1].GetTensorDataAsSpan<double>().ToArray());
        Assert.Equal(a[2].GetTensorDataAsSpan<float>().ToArray(), b[2].GetTensorDataAsSpan<float>().ToArray());
    }
}

/// <summary>Every initializer of the divide-and-conquer encoders is read by a node (the attention encoders kept the mean's unused <c>one_f</c>, which ONNX Runtime warned of and dropped).</summary>
public class DivideConquerEncoderInitializerTests
{
    [Theory]
    [InlineData(DivideConquerEncoder.MeanPooling)]
    [InlineData(DivideConquerEncoder.AttentionPooling)]
    [InlineData(DivideConquerEncoder.SelfAttention)]
    public void EveryInitializerIsRead(DivideConquerEncoder encoder)
    {
        var graph = PlantedGraph.Create().Train;
        var options = DivideConquerTrainingTests.Small(encoder, prompts: true, null, epochs: 1);
        if (encoder == DivideConquerEncoder.SelfAttention)
        {
            options.DivideConquer.MaxHistory = 4;
            options.DivideConquer.Sequences = Enumerable.Range(0, graph.UserCount).Select(u => graph.ItemsOf(u).ToArray()).ToArray();
        }
        var model = GraphEmbeddingTrainerEngine.Fit(graph, options).DivideConquer!;
        var proto = DivideConquerOnnxExporter.BuildEncoder(model);
        var read = proto.Graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        string[] unread = [.. proto.Graph.Initializer.Select(t => t.Name).Where(name => !read.Contains(name))];
        Assert.True(unread.Length == 0, $"{encoder}: initializers no node reads: {string.Join(", ", unread)}");
    }
}
