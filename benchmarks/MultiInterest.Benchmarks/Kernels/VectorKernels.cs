using BenchmarkDotNet.Attributes;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks.Kernels;

/// <summary>The small kernels of the hot loops: a 100-dimensional dot product, a widened double accumulation, and
/// top-50 selection over 28,226 scores.</summary>
public class VectorKernels
{
    private float[] _a = null!;
    private float[] _b = null!;
    private double[] _sum = null!;
    private float[] _scores = null!;
    private TopKSelector _selector = null!;

    /// <summary>Makes the inputs (not timed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var m = KernelData.Matrix(2, 4);
        _a = m.ReadRow(0).ToArray();
        _b = m.ReadRow(1).ToArray();
        _sum = new double[KernelData.Dimension];
        var random = new Random(5);
        _scores = Enumerable.Range(0, KernelData.Items).Select(_ => (float)random.NextDouble()).ToArray();
        _selector = new TopKSelector(50);
    }

    /// <summary><see cref="VectorMath.Dot"/> of two 100-dimensional rows.</summary>
    [Benchmark]
    public float Dot() => VectorMath.Dot(_a, _b);

    /// <summary><see cref="VectorMath.AddScaledWidened"/> of a 100-dimensional row into a double sum (centroids, smoothing).</summary>
    [Benchmark]
    public double AddScaledWidened()
    {
        VectorMath.AddScaledWidened(_sum, _a, 0.5);
        return _sum[0];
    }

    /// <summary>Offers 28,226 random scores to a top-50 selector and drains it, as a scan without a pre-filter would.</summary>
    [Benchmark]
    public int SelectTop50()
    {
        _selector.Reset(50);
        for (int i = 0; i < _scores.Length; i++)
            if (_selector.MightEnter(_scores[i])) _selector.Offer(_scores[i], i);
        Span<int> indices = stackalloc int[50];
        return _selector.Drain(indices, default);
    }
}
