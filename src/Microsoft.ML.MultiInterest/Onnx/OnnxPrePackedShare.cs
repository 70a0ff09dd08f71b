using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// One <see cref="PrePackedWeightsContainer"/> for the sessions an opening gives tables to (<see cref="OnnxGivenTables"/>),
/// so that sessions given the same table share one packed copy of it. It outlives each of them: the opening holds one
/// reference, each session another (<see cref="Lease"/>), and the container goes with the last.
/// </summary>
internal sealed class OnnxPrePackedShare : IDisposable
{
    private int _references = 1;

    /// <summary>The shared container.</summary>
    public PrePackedWeightsContainer Container { get; } = new();

    /// <summary>A reference for one session, released when the session is disposed.</summary>
    public IDisposable Lease()
    {
        ObjectDisposedException.ThrowIf(Interlocked.Increment(ref _references) <= 1, this);
        return new Reference(this);
    }

    /// <summary>Releases the opening's reference.</summary>
    public void Dispose() => Release();

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Container.Dispose();
    }

    private sealed class Reference(OnnxPrePackedShare share) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) share.Release();
        }
    }
}
