using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class OnnxSessionFactoryTests
{
    private static byte[] SmallModel()
    {
        using var stream = new MemoryStream();
        UnimodalOnnxExporter.Export(TestGraphs.RandomMatrix(4, 3, 1), TestGraphs.RandomMatrix(6, 3, 2), 2, stream);
        return stream.ToArray();
    }

    [Fact]
    public void TheCpuIsUsedSilentlyWhenNoGpuIsRequested()
    {
        var log = new List<string>();
        var factory = new OnnxSessionFactory(log: log.Add);
        using var options = factory.CreateSessionOptions(out bool usesCuda);
        Assert.False(usesCuda);
        Assert.Null(factory.GpuDeviceId);
        Assert.Empty(log);
    }

    [Fact]
    public void ThreadingSettingsReachTheSessionOptions()
    {
        var factory = new OnnxSessionFactory();
        Assert.Equal(OnnxSessionDefaults.IntraOpThreads, factory.IntraOpThreads);
        Assert.Equal(OnnxSessionDefaults.AllowSpinning, factory.AllowSpinning);

        using (var options = new OnnxSessionFactory { IntraOpThreads = 3 }.CreateSessionOptions())
            Assert.Equal(3, options.IntraOpNumThreads);
        // On a CPU-only host the GPU request falls back, and the fallback options keep the threading too.
        using (var options = new OnnxSessionFactory(gpuDeviceId: 0) { IntraOpThreads = 2 }.CreateSessionOptions())
            Assert.Equal(2, options.IntraOpNumThreads);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxSessionFactory { IntraOpThreads = -1 });
        Assert.Equal(nameof(OnnxSessionFactory.IntraOpThreads), e.ParamName);
    }

    [Fact]
    public void ThePrepackLimit_DefaultsToOnePlace_AndRefusesANegativeSize()
    {
        Assert.Equal(OnnxSessionDefaults.PrepackTablesBelowBytes, new OnnxSessionFactory().PrepackTablesBelowBytes);
        Assert.Equal(0, new OnnxSessionFactory { PrepackTablesBelowBytes = 0 }.PrepackTablesBelowBytes);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxSessionFactory { PrepackTablesBelowBytes = -1 });
        Assert.Equal(nameof(OnnxSessionFactory.PrepackTablesBelowBytes), e.ParamName);
        Assert.Contains("PrepackTablesBelowBytes must be 0", e.Message);
    }

    [Fact]
    public void AGpuRequestOnACpuOnlyHostRunsOnTheCpuAndSaysWhy()
    {
        if (OrtEnv.Instance().GetAvailableProviders().Contains(OnnxSessionFactory.CudaProvider)) return; // a real GPU host
        var log = new List<string>();
        var factory = new OnnxSessionFactory(gpuDeviceId: 0, log: log.Add);

        using var session = factory.CreateSession(SmallModel());
        var (items, _) = OnnxScorerRunner.Run(session, [0, 3], null);

        Assert.Equal(4, items.Length);
        var line = Assert.Single(log);
        Assert.Contains("GPU device 0", line);
        Assert.Contains(OnnxSessionFactory.CudaProvider, line);
        Assert.Contains("CPU", line);
    }

    [Fact]
    public void AFailingCudaCallIsCaughtEvenWhenCudaIsListed()
    {
        if (OrtEnv.Instance().GetAvailableProviders().Contains(OnnxSessionFactory.CudaProvider)) return; // a real GPU host
        // Pretend the provider list offers CUDA, so that the CUDA provider's options are really created against the
        // CPU-only native library: it throws an OnnxRuntimeException, which must not escape.
        var log = new List<string>();
        var factory = new OnnxSessionFactory(0, log.Add, () => ["CUDAExecutionProvider", "CPUExecutionProvider"]);

        using (var options = factory.CreateSessionOptions(out bool usesCuda)) Assert.False(usesCuda);
        using var session = factory.CreateSession(SmallModel());
        Assert.Equal(4, OnnxScorerRunner.Run(session, [1, 2], null).Items.Length);

        // Said once: the session opened after the failure went straight to the CPU.
        var line = Assert.Single(log);
        Assert.Contains("CUDA device 0 could not be used", line);
        Assert.Contains("CUDA execution provider is not enabled in this build", line); // the CUDA options' creation, with TF32 off
    }

    [Fact]
    public void AFallbackIsSaidOnceAndLaterSessionsOpenOnTheCpu()
    {
        var log = new List<string>();
        int listings = 0;
        var factory = new OnnxSessionFactory(0, log.Add, () => { listings++; return ["CPUExecutionProvider"]; });

        for (int s = 0; s < 5; s++)
        {
            using var options = factory.CreateSessionOptions(out bool usesCuda);
            Assert.False(usesCuda);
        }

        Assert.Contains("GPU device 0 was requested", Assert.Single(log));
        Assert.Equal(1, listings); // CUDA was not tried again after the first failure
    }

    [Fact]
    public void NegativeDeviceIdsAreRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxSessionFactory(gpuDeviceId: -1));
        Assert.Contains("GPU device id", e.Message);
    }

    [Fact]
    public void MLContextOnnxTransformsTakeTheirSessionsFromTheFactory()
    {
        // ML.NET feeds one row at a time with a leading batch of 1, so a [batch, 3] input suits it.
        var graph = new OnnxGraphBuilder("relu")
            .AddInput("x", TensorProto.Types.DataType.Float, null, 3)
            .AddNode("Relu", ["x"], ["y"])
            .AddOutput("y", TensorProto.Types.DataType.Float, null, 3);
        using var model = new MemoryStream(OnnxGraphBuilder.ToBytes(graph.Build("relu")));
        var log = new List<string>();
        var mlContext = new MLContext(seed: 1);
        new OnnxSessionFactory(gpuDeviceId: 0, log: log.Add).ApplyTo(mlContext);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new Row { X = [-1f, 2f, -3f] } });

        var transformer = mlContext.Transforms.ApplyOnnxModel("y", "x", model).Fit(data);
        var y = transformer.Transform(data).GetColumn<float[]>("y").Single();

        Assert.Equal([0f, 2f, 0f], y);
        if (!OrtEnv.Instance().GetAvailableProviders().Contains(OnnxSessionFactory.CudaProvider))
            Assert.NotEmpty(log); // the session came from the factory, which fell back to the CPU
    }

    private sealed class Row
    {
        [VectorType(3)]
        [ColumnName("x")]
        public float[] X { get; set; } = [];
    }
}
