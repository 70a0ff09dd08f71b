using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.Robustness;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// A context with <see cref="MLContext.GpuDeviceId"/> set loads a model on a host whose ONNX Runtime has no CUDA (the tests
/// take the CPU package): ML.NET's OnnxTransformer asks for CUDA and fails with an <see cref="EntryPointNotFoundException"/>
/// four reflection wrappers down, which its FallbackToCpu does not catch.
/// </summary>
public sealed class GpuDeviceIdLoadTests
{
    /// <summary>Regression (a review): the failure was ML.NET's raw TargetInvocationException chain, naming no setting.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GpuDeviceIdWithoutCuda_IsNamedWithTheWayOut(bool fallbackToCpu)
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = fallbackToCpu };
        var error = Assert.Throws<InvalidOperationException>(() => MultiInterestModel.Load(ml, new MemoryStream(BadInputFixtures.ModelZip)));
        Assert.StartsWith("The model stream could not be loaded: MLContext.GpuDeviceId is 0,", error.Message, StringComparison.Ordinal);
        Assert.Contains("EntryPointNotFoundException", error.Message, StringComparison.Ordinal);
        Assert.Contains("OnnxSessionFactory(gpuDeviceId: 0, log: ...).ApplyTo(mlContext)", error.Message, StringComparison.Ordinal);
        Assert.NotNull(OnnxRuntimeNative.CudaFailure(error.InnerException!));
    }

    /// <summary>The way out the message gives works, with GpuDeviceId still set, and serves the CPU load's lists.</summary>
    [Fact]
    public void TheSessionFactory_LoadsOnTheCpuWithGpuDeviceIdSet()
    {
        var said = new List<string>();
        var gpu = new MLContext(seed: 1) { GpuDeviceId = 0 };
        new OnnxSessionFactory(gpuDeviceId: 0, log: said.Add).ApplyTo(gpu);
        using var onGpuContext = MultiInterestModel.Load(gpu, new MemoryStream(BadInputFixtures.ModelZip));
        using var onCpu = MultiInterestModel.Load(new MLContext(seed: 1), new MemoryStream(BadInputFixtures.ModelZip));
        Assert.Contains(said, line => line.Contains("running on the CPU instead", StringComparison.Ordinal));
        // The loaded chains run their ONNX stages on each row: the same vectors from both.
        var rows = new MLContext().Data.LoadFromEnumerable(MLNet.MLNetTestData.Edges());
        float[][] Vectors(MultiInterestModel model) =>
            model.Transformer.Transform(rows).GetColumn<float[]>(MultiInterestColumnNames.UserEmbedding).ToArray();
        var expected = Vectors(onCpu);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Vectors(onGpuContext));
    }

    /// <summary>Other failures are not taken for CUDA's: a message must mention CUDA and come from ONNX Runtime.</summary>
    [Fact]
    public void CudaFailure_IgnoresOtherFailures()
    {
        Assert.Null(OnnxRuntimeNative.CudaFailure(new InvalidOperationException("CUDA mentioned elsewhere")));
        Assert.Null(OnnxRuntimeNative.CudaFailure(new EntryPointNotFoundException("Unable to find an entry point named 'Other'")));
        var wrapped = new System.Reflection.TargetInvocationException(new EntryPointNotFoundException("Unable to find an entry point named 'OrtSessionOptionsAppendExecutionProvider_CUDA'"));
        Assert.Same(wrapped.InnerException, OnnxRuntimeNative.CudaFailure(wrapped));
    }
}
