namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Runs a body over fixed blocks on a fixed pool of workers. Work is handed out dynamically (for balance), but a
/// block's output never depends on which worker ran it, so callers that reduce per-block results in block order
/// get the same answer for every thread count.
/// </summary>
internal static class BlockParallel
{
    /// <summary>Calls <paramref name="body"/>(worker, block) once for each block in 0..<paramref name="blockCount"/>-1.</summary>
    /// <param name="blockCount">Number of blocks.</param>
    /// <param name="workers">Maximum number of workers; worker ids are 0..workers-1 (for per-worker scratch).</param>
    /// <param name="body">The work for one block.</param>
    /// <param name="ct">Cancellation, checked between blocks.</param>
    public static void For(int blockCount, int workers, Action<int, int> body, CancellationToken ct)
    {
        workers = Math.Min(workers, blockCount);
        if (workers <= 1)
        {
            // Single worker: stay on the calling thread (no scheduling cost, trivially deterministic).
            for (int b = 0; b < blockCount; b++)
            {
                ct.ThrowIfCancellationRequested();
                body(0, b);
            }
            return;
        }

        var next = new StrongBox(-1);
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, worker =>
        {
            int b;
            while ((b = Interlocked.Increment(ref next.Value)) < blockCount)
            {
                ct.ThrowIfCancellationRequested();
                body(worker, b);
            }
        });
    }

    private sealed class StrongBox(int value)
    {
        public int Value = value;
    }
}
