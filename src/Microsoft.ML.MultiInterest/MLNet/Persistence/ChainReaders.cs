namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The readers of a loaded chain's ONNX Runtime sessions, and the chain's release once it is closed and no reader is left:
/// freeing the sessions under a running call ends the process natively. Closing does not wait for the readers, since a
/// cursor lives for as long as its owner likes (waiting for one held on the disposing thread would never end); the last
/// reader to leave releases the chain instead.
/// </summary>
internal sealed class ChainReaders(Action release)
{
    // The sign bit marks the chain closed, the other bits count its readers: one atomic word, since a prediction enters
    // and leaves on every getter call.
    private const int Closed = int.MinValue;
    private int _state;

    /// <summary>Counts a reader in; false once closed.</summary>
    public bool TryEnter()
    {
        int state = Volatile.Read(ref _state);
        while (state >= 0)
        {
            int seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state) return true;
            state = seen;
        }
        return false;
    }

    /// <summary>Counts one more reader in, closed or not: only while the caller is a reader itself (the chain is not released meanwhile).</summary>
    public void EnterAgain() => Interlocked.Increment(ref _state);

    /// <summary>Counts a reader out; the last one out of a closed chain releases it.</summary>
    public void Leave()
    {
        if (Interlocked.Decrement(ref _state) == Closed) release();
    }

    /// <summary>Refuses new readers; releases the chain now when none is in, else leaves that to the last. False when already closed.</summary>
    public bool Close()
    {
        int state = Volatile.Read(ref _state);
        while (state >= 0)
        {
            int seen = Interlocked.CompareExchange(ref _state, state | Closed, state);
            if (seen == state)
            {
                if (state == 0) release();
                return true;
            }
            state = seen;
        }
        return false;
    }
}
