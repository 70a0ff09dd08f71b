namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The one reading of every <c>Threads</c> option and <c>threads</c> argument: 0 means all cores, a positive value that
/// many workers, a negative one is refused (it read as all cores, so a caller's -1 meant for "one" or "none" passed
/// unnoticed). Every parallel loop of the engine takes its <see cref="ParallelOptions"/> from here, so the convention
/// cannot drift between components.
/// </summary>
internal static class Parallelism
{
    /// <summary>
    /// The most workers a <c>Threads</c> setting may ask for (<see cref="ThreadLimits.MaxThreads"/>): a setting such as
    /// int.MaxValue ran out of memory (an <see cref="OutOfMemoryException"/> naming nothing) instead of being refused by name.
    /// </summary>
    public const int MaxWorkers = ThreadLimits.MaxThreads;

    /// <summary>The number of workers for a <c>Threads</c> setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative or above <see cref="MaxWorkers"/>.</exception>
    public static int Workers(int threads) => threads switch
    {
        0 => Environment.ProcessorCount,
        > MaxWorkers => throw TooMany(nameof(threads), threads),
        > 0 => threads,
        _ => throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 0 (all cores) or positive."),
    };

    /// <summary>Refuses a <c>Threads</c> option above <see cref="MaxWorkers"/>, naming it (<paramref name="option"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is above <see cref="MaxWorkers"/>.</exception>
    public static void CheckAtMostMax(int threads, string option)
    {
        if (threads > MaxWorkers) throw TooMany(option, threads);
    }

    private static ArgumentOutOfRangeException TooMany(string option, int threads) =>
        new(option, threads, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{option} must be at most {MaxWorkers:N0} (0 = all cores): every worker keeps buffers of its own."));

    /// <summary>Parallel-loop options for a <c>Threads</c> setting.</summary>
    public static ParallelOptions Options(int threads) => new() { MaxDegreeOfParallelism = Workers(threads) };

    /// <summary>
    /// Runs <paramref name="loop"/> (a parallel loop) and rethrows a worker's argument error as itself: a caller's bad input met
    /// inside a worker should read as the same exception a sequential check gives, not as an AggregateException around it.
    /// </summary>
    public static void Run(Action loop)
    {
        try
        {
            loop();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1 && e.InnerExceptions[0] is ArgumentException)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
