namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// A stream that cannot seek (a pipe) whose first bytes were read ahead, to tell its format by their signature: it gives
/// those bytes back first and then reads on, so the reader sees every byte of the pipe, in order.
/// </summary>
internal sealed class PrefixedStream : ForwardReadStream
{
    private readonly byte[] _head;
    private readonly int _count;
    private readonly Stream _rest;
    private int _given;

    /// <param name="head">The bytes read ahead (kept, not copied).</param>
    /// <param name="count">How many of <paramref name="head"/>'s bytes were read.</param>
    /// <param name="rest">The stream they were read from, owned (disposed) by this one.</param>
    public PrefixedStream(byte[] head, int count, Stream rest)
    {
        _head = head;
        _count = count;
        _rest = rest;
    }

    public override int Read(Span<byte> buffer)
    {
        if (_given == _count) return _rest.Read(buffer);
        int n = Math.Min(buffer.Length, _count - _given);
        _head.AsSpan(_given, n).CopyTo(buffer);
        _given += n;
        return n;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing) _rest.Dispose();
        base.Dispose(disposing);
    }
}
