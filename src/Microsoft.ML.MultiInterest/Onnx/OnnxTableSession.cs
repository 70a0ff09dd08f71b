using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// A session given tables (<c>SessionOptions.AddInitializer</c>) that it reads until it is disposed: it releases them
/// (<see cref="OnnxGivenTables"/>: the tensors pinning their arrays, its share of a prepacked container) after itself, so
/// a scorer disposes it as any other session.
/// </summary>
internal sealed class OnnxTableSession : InferenceSession
{
    private IDisposable? _tables;

    /// <summary>A session over <paramref name="model"/> that owns <paramref name="tables"/> from here on.</summary>
    public OnnxTableSession(byte[] model, SessionOptions options, IDisposable tables)
        : base(model, options) => _tables = tables;

    /// <summary>As <see cref="OnnxTableSession(byte[], SessionOptions, IDisposable)"/>, its packed weights kept in <paramref name="prepacked"/>.</summary>
    public OnnxTableSession(byte[] model, SessionOptions options, PrePackedWeightsContainer prepacked, IDisposable tables)
        : base(model, options, prepacked) => _tables = tables;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // After the native session, which reads the arrays until then.
        if (disposing) Interlocked.Exchange(ref _tables, null)?.Dispose();
    }
}
