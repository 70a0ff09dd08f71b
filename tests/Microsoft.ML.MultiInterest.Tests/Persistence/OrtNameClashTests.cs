namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>Loads retried when ONNX Runtime takes ML.NET's random temp name ending in .ort for an ORT-format model.</summary>
public class OrtNameClashTests
{
    private static InvalidOperationException Clash() =>
        new("Error initializing model :Microsoft.ML.OnnxRuntime.OnnxRuntimeException", new InvalidOperationException("[ErrorCode:Fail] inference_session.cc:2226 operator() ORT model verification failed."));

    [Fact]
    public void AClashIsRetriedWithFreshAttempts()
    {
        int calls = 0;
        int result = OrtNameClash.Retry(() => ++calls < OrtNameClash.Attempts ? throw Clash() : calls);
        Assert.Equal(OrtNameClash.Attempts, result);
    }

    [Fact]
    public void OtherErrorsAndRepeatedClashesAreNotHidden()
    {
        int calls = 0;
        Assert.Throws<InvalidDataException>(() => OrtNameClash.Retry<int>(() => { calls++; throw new InvalidDataException("corrupt"); }));
        Assert.Equal(1, calls);
        calls = 0;
        var e = Assert.Throws<InvalidOperationException>(() => OrtNameClash.Retry<int>(() => { calls++; throw Clash(); }));
        Assert.True(OrtNameClash.IsClash(e));
        Assert.Equal(OrtNameClash.Attempts, calls);
    }

    [Fact]
    public void TheCopiesAClashRefusedAreDeletedAndOtherFilesKept()
    {
        // ML.NET writes the graph's copy, ONNX Runtime refuses it, and nothing owns the file: a service that reloads models
        // collected one such copy per clash in its temp directory (seen in a soak run of concurrent loads).
        string temp = Path.Combine(Path.GetTempPath(), $"clash-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            string earlier = Path.Combine(temp, "earlier0.ort");
            string other = Path.Combine(temp, "kept0000.onx");
            File.WriteAllText(earlier, "not this load's");
            int calls = 0;
            int result = OrtNameClash.Retry(() =>
            {
                calls++;
                File.WriteAllText(Path.Combine(temp, $"attempt{calls}.ort"), "graph");
                File.WriteAllText(other, "graph");
                return calls < OrtNameClash.Attempts ? throw Clash() : calls;
            }, temp);
            Assert.Equal(OrtNameClash.Attempts, result);
            Assert.Equal(new[] { "attempt3.ort", "earlier0.ort", "kept0000.onx" }, Directory.GetFiles(temp).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            // When every attempt clashes, the last one's copy goes too before the error is passed on.
            File.Delete(Path.Combine(temp, "attempt3.ort"));
            calls = 0;
            Assert.Throws<InvalidOperationException>(() => OrtNameClash.Retry<int>(() =>
            {
                calls++;
                File.WriteAllText(Path.Combine(temp, $"failing{calls}.ort"), "graph");
                throw Clash();
            }, temp));
            Assert.Equal(new[] { "earlier0.ort", "kept0000.onx" }, Directory.GetFiles(temp).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
