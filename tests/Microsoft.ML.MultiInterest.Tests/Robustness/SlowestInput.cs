using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>
/// The longest any one generated input of a fuzz test took. Bounding each input catches what a fuzz test looks for (an input
/// that makes a reader spin or blow up) without making the whole run's seconds a speed target, which a loaded machine
/// failed: 200 encoder-table loads once took 47.6 s against a 45 s bound for the run, and 14-21 s alone.
/// </summary>
internal sealed class SlowestInput
{
    /// <summary>The most one input may take: hundreds of times a normal input's (milliseconds to 0.2 s on 2 cores).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private long _ticks;

    /// <summary>Runs <paramref name="input"/>'s work and keeps its time if it is the longest yet (safe on several threads).</summary>
    public void Time(Action input)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            input();
        }
        finally
        {
            long took = Stopwatch.GetTimestamp() - start, seen;
            while (took > (seen = Interlocked.Read(ref _ticks)) && Interlocked.CompareExchange(ref _ticks, took, seen) != seen)
            {
            }
        }
    }

    /// <summary>The longest input's time.</summary>
    public TimeSpan Longest => TimeSpan.FromSeconds((double)Interlocked.Read(ref _ticks) / Stopwatch.Frequency);

    /// <summary>Fails when an input took longer than <see cref="Bound"/>, naming <paramref name="what"/>.</summary>
    public void AssertBounded(string what) =>
        Assert.True(Longest < Bound, $"the slowest {what} took {Longest.TotalSeconds:F1} s, over the {Bound.TotalSeconds:F0} s bound of one input");
}
