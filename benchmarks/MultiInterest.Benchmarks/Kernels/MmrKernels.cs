using BenchmarkDotNet.Attributes;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks.Kernels;

/// <summary>
/// MMR over one user's pool of 50 (the re-ordering rows) on random vectors of <see cref="KernelData.Dimension"/> dimensions, one thread: the
/// greedy pass's per-slot sweeps alone, and the whole re-ordering of one list (cosines included).
/// </summary>
public class MmrKernels
{
    private const int Pool = 50;
    private double[] _relevance = null!;
    private double[] _redundancy = null!;
    private long[] _picked = null!;
    private float[] _row = null!;
    private MmrRetriever _retriever = null!;
    private RankedLists _lists = null!;

    /// <summary>Makes the inputs (not timed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _relevance = Enumerable.Range(0, Pool).Select(r => 1.0 - r / (double)Pool).ToArray();
        _redundancy = Enumerable.Range(0, Pool).Select(_ => random.NextDouble()).ToArray();
        _picked = Enumerable.Range(0, Pool).Select(r => r % 3 == 0 ? -1L : 0L).ToArray();
        _row = Enumerable.Range(0, Pool).Select(_ => (float)random.NextDouble()).ToArray();
        var items = KernelData.Matrix(KernelData.Items, 5);
        _retriever = new MmrRetriever(items);
        // 64 users' lists of 50 distinct random items with falling scores.
        _lists = new RankedLists(64, Pool);
        for (int q = 0; q < 64; q++)
        {
            var chosen = Enumerable.Range(0, KernelData.Items).OrderBy(_ => random.Next()).Take(Pool).ToArray();
            for (int r = 0; r < Pool; r++)
            {
                _lists.IndexSlots(q)[r] = chosen[r];
                _lists.ScoreSlots(q)[r] = 1f - r / 100f;
            }
            _lists.Counts[q] = Pool;
        }
    }

    /// <summary>One slot's value sweep and arg-max over 50 pool items (<c>MmrGreedy.Best</c>, no redundancy update).</summary>
    [Benchmark]
    public int Best50() => MmrGreedy.Best(_relevance, _redundancy, default, default, default, _picked, 0.5, first: false);

    /// <summary>The same sweep raising the redundancy with the last pick's cosines first, as every slot after the first does.</summary>
    [Benchmark]
    public int RaiseAndBest50() => MmrGreedy.Best(_relevance, _redundancy, _row, default, default, _picked, 0.5, first: false);

    /// <summary>Re-orders 64 users' lists of 50 at lambda 0.5, one thread (per user: divide by 64).</summary>
    [Benchmark]
    public int Reorder64Users() => _retriever.Reorder(_lists, Pool, 0.5, threads: 1).Counts[0];
}
