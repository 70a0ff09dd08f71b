namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The one reading of every <c>Threads</c> option: 0 (or less, for the internal calls that pass it through) means all
/// cores, any other value that many workers. Every parallel loop of the engine takes its <see cref="ParallelOptions"/>
/// from here, so the convention cannot drift between components.
/// </summary>
internal static class Parallelism
{
    /// <summary>The number of workers for a <c>Threads</c> setting.</summary>
    public static int Workers(int threads) => threads <= 0 ? Environment.ProcessorCount : threads;

    /// <summary>Parallel-loop options for a <c>Threads</c> setting.</summary>
    public static ParallelOptions Options(int threads) => new() { MaxDegreeOfParallelism = Workers(threads) };
}
