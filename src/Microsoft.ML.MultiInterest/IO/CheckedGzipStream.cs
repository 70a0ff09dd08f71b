using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// Decompresses a gzip file and, when the end is reached, checks that the file was complete: .NET's
/// <see cref="GZipStream"/> returns end-of-stream at the cut of a truncated file without an error, so this stream keeps
/// the CRC-32 and length of what it produced and compares them with the gzip trailer (RFC 1952). A file of several
/// gzip members (concatenated files) fails the fast check against the last trailer and is then checked member by
/// member, which also finds bytes after the last member that are not one (refused, by count and place). Every failure is an
/// <see cref="InvalidDataException"/> naming the file.
/// </summary>
internal sealed class CheckedGzipStream : ForwardReadStream
{
    private const int TrailerLength = 8;
    private const int MinimumMemberLength = 18; // 10-byte header, 2-byte empty deflate block, 8-byte trailer

    private readonly string _path;
    private readonly Stream _raw;
    private readonly GZipStream _gzip;
    private uint _crc = Crc32.Initial;
    private long _length;
    private bool _checked;

    /// <param name="raw">The compressed bytes: a seekable stream, owned (disposed) by this one.</param>
    /// <param name="path">The file name, for messages.</param>
    public CheckedGzipStream(Stream raw, string path)
    {
        if (!raw.CanSeek) throw new ArgumentException("The compressed stream must be seekable.", nameof(raw));
        _path = path;
        _raw = raw;
        _gzip = new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true);
    }

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt($"its compressed data is corrupt ({e.Message})", e);
        }
        if (n > 0)
        {
            _crc = Crc32.Update(_crc, buffer[..n]);
            _length += n;
        }
        else if (!_checked)
        {
            _checked = true;
            CheckComplete();
        }
        return n;
    }

    private void CheckComplete()
    {
        long fileLength = _raw.Length;
        if (fileLength < MinimumMemberLength) throw Corrupt($"it is {fileLength} bytes long, shorter than any complete gzip file: it is truncated");
        Span<byte> trailer = stackalloc byte[TrailerLength];
        _raw.Seek(-TrailerLength, SeekOrigin.End);
        _raw.ReadExactly(trailer);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (crc == Crc32.Final(_crc) && size == unchecked((uint)_length)) return;
        CheckMembers();
    }

    /// <summary>
    /// The exact check of a file of several members: each member's deflate data is inflated to its end, and the member ends
    /// with the 8 bytes after that data, which hold the CRC-32 and length of what it inflated to; the next member (or the end
    /// of the file) starts there. A member no trailer fits is truncated or corrupt. Bytes after a complete member that do not
    /// start another (zero padding, garbage appended) are refused as what they are: gzip -t ignores them with a warning.
    /// </summary>
    private void CheckMembers()
    {
        _raw.Position = 0;
        if (_raw.Length > Array.MaxLength) throw Corrupt("it does not match its gzip trailer and is too large to check member by member");
        var file = new byte[_raw.Length];
        _raw.ReadExactly(file);
        var buffer = new byte[1 << 16];
        int member = 0, start = 0;
        while (start < file.Length)
        {
            member++;
            if (member > 1 && !file.AsSpan(start).StartsWith([(byte)0x1f, (byte)0x8b])) throw Trailing(file.AsSpan(start), start, member - 1);
            var header = new MemoryStream(file, start, file.Length - start, writable: false);
            SkipHeader(header, member);
            int body = start + (int)header.Position;
            int trailer = TrailerOf(file, body, buffer);
            if (trailer < 0) throw Corrupt($"gzip member {member} (at byte {start}) does not match its checksum or length: the file is truncated or corrupt");
            start = trailer + TrailerLength;
        }
    }

    /// <summary>
    /// Where the trailer of the member whose deflate data starts at <paramref name="body"/> is, or -1 when none fits: the
    /// first place after <paramref name="body"/> holding the CRC-32 and length that data inflates to (deflate ends by itself,
    /// so inflating to the end of the file reads the member alone), confirmed by inflating exactly the bytes before it.
    /// </summary>
    private static int TrailerOf(byte[] file, int body, byte[] buffer)
    {
        if (Inflate(file, body, file.Length, buffer) is not { } inflated) return -1;
        Span<byte> trailer = stackalloc byte[TrailerLength];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, inflated.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], inflated.Length);
        for (int from = body; ; )
        {
            int found = file.AsSpan(from).IndexOf(trailer);
            if (found < 0) return -1;
            int at = from + found;
            if (Inflate(file, body, at, buffer) == inflated) return at;
            from = at + 1;
        }
    }

    /// <summary>The CRC-32 and length (modulo 2^32, as the trailer keeps it) that the deflate data file[body..end) inflates to; null when it is corrupt.</summary>
    private static (uint Crc, uint Length)? Inflate(byte[] file, int body, int end, byte[] buffer)
    {
        uint crc = Crc32.Initial;
        long length = 0;
        try
        {
            using var inflater = new DeflateStream(new MemoryStream(file, body, end - body, writable: false), CompressionMode.Decompress);
            int n;
            while ((n = inflater.Read(buffer)) > 0)
            {
                crc = Crc32.Update(crc, buffer.AsSpan(0, n));
                length += n;
            }
        }
        catch (InvalidDataException)
        {
            return null;
        }
        return (Crc32.Final(crc), unchecked((uint)length));
    }

    private void SkipHeader(Stream raw, int member)
    {
        Span<byte> header = stackalloc byte[10];
        if (raw.Read(header) < header.Length) throw Corrupt($"gzip member {member} has an incomplete header: the file is truncated");
        if (header[0] != 0x1f || header[1] != 0x8b || header[2] != 8) throw Corrupt($"gzip member {member} does not start with the gzip signature");
        byte flags = header[3];
        if ((flags & 4) != 0)
        {
            Span<byte> size = stackalloc byte[2];
            if (raw.Read(size) < 2) throw Corrupt($"gzip member {member} has an incomplete header: the file is truncated");
            raw.Seek(BinaryPrimitives.ReadUInt16LittleEndian(size), SeekOrigin.Current);
        }
        if ((flags & 8) != 0) SkipZeroTerminated(raw, member);
        if ((flags & 16) != 0) SkipZeroTerminated(raw, member);
        if ((flags & 2) != 0) raw.Seek(2, SeekOrigin.Current);
        if (raw.Position >= raw.Length) throw Corrupt($"gzip member {member} has an incomplete header: the file is truncated");
    }

    private void SkipZeroTerminated(Stream raw, int member)
    {
        int b;
        while ((b = raw.ReadByte()) > 0) { }
        if (b < 0) throw Corrupt($"gzip member {member} has an incomplete header: the file is truncated");
    }

    private InvalidDataException Corrupt(string what, Exception? inner = null) =>
        new($"The gzip file '{_path}' cannot be read: {what}. Replace it with a complete copy.", inner);

    /// <summary>
    /// The refusal of <paramref name="rest"/>, the bytes from <paramref name="at"/> to the end, which follow complete member
    /// <paramref name="members"/> and start no other: the members before them are intact, so the message says how to keep them.
    /// </summary>
    private InvalidDataException Trailing(ReadOnlySpan<byte> rest, int at, int members)
    {
        string zero = rest.ContainsAnyExcept((byte)0) ? "" : "zero ";
        bool one = rest.Length == 1;
        return new($"The gzip file '{_path}' cannot be read whole: the {rest.Length} {zero}byte{(one ? "" : "s")} from byte {at} on, after its last "
            + $"complete gzip member (member {members}), {(one ? "is" : "are")} not a gzip member (padding or garbage, which gzip -t ignores with a "
            + $"warning; refused here, so that no part of the file goes unread). The members before are intact: keep them alone, e.g. head -c {at} FILE > FIXED.gz.");
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
            _raw.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>CRC-32 as gzip uses it (reflected polynomial 0xEDB88320), eight table lookups per step.</summary>
internal static class Crc32
{
    public const uint Initial = 0xFFFFFFFF;

    private static readonly uint[] Table = BuildTable();

    public static uint Final(uint crc) => ~crc;

    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint a = crc ^ BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            uint b = BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]);
            crc = table[7 * 256 + (a & 0xFF)] ^ table[6 * 256 + ((a >> 8) & 0xFF)] ^ table[5 * 256 + ((a >> 16) & 0xFF)] ^ table[4 * 256 + (a >> 24)]
                ^ table[3 * 256 + (b & 0xFF)] ^ table[2 * 256 + ((b >> 8) & 0xFF)] ^ table[256 + ((b >> 16) & 0xFF)] ^ table[b >> 24];
        }
        for (; i < data.Length; i++) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        for (int t = 1; t < 8; t++)
            for (int n = 0; n < 256; n++)
                table[t * 256 + n] = (table[(t - 1) * 256 + n] >> 8) ^ table[table[(t - 1) * 256 + n] & 0xFF];
        return table;
    }
}
