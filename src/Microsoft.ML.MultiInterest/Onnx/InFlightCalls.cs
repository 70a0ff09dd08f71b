namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The calls running on a scorer's ONNX Runtime sessions, so that <c>Dispose</c> waits for them instead of freeing native
/// sessions under them (which ended the process with a segmentation fault: a service that swaps models disposes the old
/// scorer while requests are still in it). Calls that start after disposal get an <see cref="ObjectDisposedException"/>.
/// </summary>
internal sealed class InFlightCalls
{
    private readonly object _gate = new();
    private int _running;
    private bool _closed;

    /// <summary>Counts a call in until the returned value is disposed.</summary>
    /// <exception cref="ObjectDisposedException"><paramref name="owner"/> was disposed.</exception>
    public Call Enter(object owner)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, owner);
            _running++;
        }
        return new Call(this);
    }

    /// <summary>Throws when closed: for the checks a call makes before its sessions run (and enters then).</summary>
    /// <exception cref="ObjectDisposedException"><paramref name="owner"/> was disposed.</exception>
    public void ThrowIfClosed(object owner)
    {
        lock (_gate) ObjectDisposedException.ThrowIf(_closed, owner);
    }

    /// <summary>Refuses new calls and waits for the running ones; false when already closed (the sessions are someone else's to free).</summary>
    public bool Close()
    {
        lock (_gate)
        {
            if (_closed) return false;
            _closed = true;
            while (_running > 0) Monitor.Wait(_gate);
            return true;
        }
    }

    private void Leave()
    {
        lock (_gate)
            if (--_running == 0) Monitor.PulseAll(_gate);
    }

    /// <summary>One running call; disposing it counts the call out.</summary>
    public readonly struct Call : IDisposable
    {
        private readonly InFlightCalls _calls;

        internal Call(InFlightCalls calls) => _calls = calls;

        /// <inheritdoc/>
        public void Dispose() => _calls.Leave();
    }
}
