namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The bounds every <c>Threads</c> option and <c>threads</c> argument of the library shares, in one place.</summary>
public static class ThreadLimits
{
    /// <summary>
    /// The most worker threads a <c>Threads</c> setting may ask for (0 still means every core, however many). Stages keep
    /// buffers per worker, made before the work starts, so a larger setting is refused by name rather than run out of memory.
    /// </summary>
    public const int MaxThreads = 1024;
}
