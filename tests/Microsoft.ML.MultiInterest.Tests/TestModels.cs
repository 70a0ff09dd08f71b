namespace Microsoft.ML.MultiInterest.Tests;

/// <summary>
/// <c>mlContext.Model.Load</c> for tests, retried as <see cref="MultiInterestModel.Load(MLContext, string)"/> retries: ML.NET
/// copies each saved ONNX graph to <c>Path.GetRandomFileName()</c>, and ONNX Runtime reads a name ending in <c>.ort</c> as an
/// ORT-format model ("ORT model verification failed", one graph in 32,768; <see cref="OrtNameClash"/>).
/// </summary>
internal static class TestModels
{
    public static ITransformer Load(MLContext ml, string path) => OrtNameClash.Retry(() => ml.Model.Load(path, out _), ml.TempFilePath);

    public static ITransformer Load(MLContext ml, Stream stream)
    {
        long start = stream.Position;
        return OrtNameClash.Retry(() =>
        {
            stream.Position = start;
            return ml.Model.Load(stream, out _);
        }, ml.TempFilePath);
    }
}
