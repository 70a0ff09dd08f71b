namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Overlaps the managed work on one batch (re-ranking ONNX Runtime's candidates) with ONNX Runtime scoring the next: the
/// work runs on a pool thread while the caller goes on, at most one batch is in flight, and that batch's ONNX Runtime
/// outputs stay alive until its work is done. Not thread-safe: one per call.
/// </summary>
internal sealed class OneBatchAhead : IDisposable
{
    private Task? _running;
    private IDisposable[] _held = [];

    /// <summary>
    /// Waits for the batch in flight (rethrowing its failure) and releases its outputs, then starts <paramref name="work"/>,
    /// holding <paramref name="outputs"/> until it ends.
    /// </summary>
    public void Start(Action work, params IDisposable[] outputs)
    {
        try
        {
            Finish();
        }
        catch
        {
            foreach (var output in outputs) output.Dispose();
            throw;
        }
        _held = outputs;
        _running = Task.Run(work);
    }

    /// <summary>Waits for the batch in flight and releases its outputs; rethrows the work's own exception if it failed.</summary>
    public void Finish()
    {
        var running = _running;
        _running = null;
        try
        {
            running?.GetAwaiter().GetResult();
        }
        finally
        {
            Release();
        }
    }

    /// <summary>On a failure elsewhere: waits for the batch in flight without rethrowing (the caller is already failing) and releases its outputs.</summary>
    public void Dispose()
    {
        try
        {
            _running?.Wait();
        }
        catch (AggregateException)
        {
            // Finish reports the work's failure; here another exception is already on its way.
        }
        _running = null;
        Release();
    }

    private void Release()
    {
        foreach (var output in _held) output.Dispose();
        _held = [];
    }
}
