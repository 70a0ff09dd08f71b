using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.Embedding;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class DcmOnnxExporterTests
{
    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    [InlineData(0f)]
    public void HistoryEncoder_ComputesTheTrainersInterestsAndWeights_IncludingAnEmptyHistory(float weightExponent)
    {
        var planted = PlantedGraph.Create();
        var options = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 8, Epochs = 2, UniformNegatives = 4, Threads = 1, Seed = 5,
            Dcm = new DcmOptions { Interests = 3, Iterations = 2, Temperature = 0.2f, WeightExponent = weightExponent },
        };
        var fit = GraphEmbeddingTrainerEngine.Fit(planted.Train, options);
        var mixture = fit.Mixture!;
        var dcm = fit.Dcm!;
        Assert.Equal(0.2f, dcm.Temperature);
        Assert.Equal(weightExponent, dcm.WeightExponent);
        int[] served = Enumerable.Range(0, Math.Min(20, planted.Train.UserCount)).ToArray();
        int width = served.Max(u => planted.Train.DegreeOf(u)) + 2;
        int b = served.Length + 1; // the last row is an empty history
        var rows = new long[b * width];
        Array.Fill(rows, -1L);
        for (int q = 0; q < served.Length; q++)
        {
            var items = planted.Train.ItemsOf(served[q]);
            for (int i = 0; i < items.Length; i++) rows[q * width + i] = items[i];
        }
        using var session = MixtureGraphRunner.Open(s => DcmOnnxExporter.ExportEncoder(dcm, s));
        using var input = OrtValue.CreateTensorValueFromMemory(rows, [b, width]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [DcmOnnxExporter.HistoryRowsInput], [input], [MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName]);
        var clusters = outputs[0].GetTensorDataAsSpan<long>().ToArray();
        var weights = outputs[1].GetTensorDataAsSpan<double>().ToArray();
        var embeddings = outputs[2].GetTensorDataAsSpan<float>().ToArray();
        int k = 3, d = 8;
        for (int q = 0; q < b; q++)
        {
            for (int j = 0; j < k; j++)
            {
                int c = (int)clusters[q * k + j];
                double expectedWeight = q < served.Length ? mixture.WeightsOfUser(served[q])[c] : 1.0 / k;
                Assert.True(Math.Abs(expectedWeight - weights[q * k + j]) < 1e-5, $"row {q} interest {c}: weight {weights[q * k + j]}, engine {expectedWeight}");
                var expected = q < served.Length ? mixture.UserComponents.ReadRow(served[q] * k + c).ToArray() : dcm.Seeds.ReadRow(c).ToArray();
                for (int t = 0; t < d; t++)
                    Assert.True(Math.Abs(expected[t] - embeddings[(q * k + j) * d + t]) < 1e-4, $"row {q} interest {c} dim {t}");
            }
            for (int j = 1; j < k; j++) Assert.True(weights[q * k + j - 1] >= weights[q * k + j]);
        }
    }
}
