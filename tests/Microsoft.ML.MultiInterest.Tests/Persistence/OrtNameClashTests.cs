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
}
