namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// What an input's first bytes say of its compression: gzip (read through <see cref="CheckedGzipStream"/>), another
/// compression this reader does not take (refused by name, with the command that decompresses it), or plain text.
/// </summary>
internal static class CompressedInput
{
    /// <summary>
    /// The text of <paramref name="raw"/>, by its first bytes (<see cref="CheckCompression"/>): the stream itself, or its
    /// gzip decompressed and checked. A stream that cannot seek (a pipe) is peeked through a <see cref="PrefixedStream"/>,
    /// which gives the bytes back; gzip through one is copied to a temporary file first, since the check reads a member's
    /// trailer and, for several members, the file again (<see cref="CheckedGzipStream"/>).
    /// </summary>
    public static Stream Uncompressed(Stream raw, string path, bool gz)
    {
        var head = new byte[SignatureLength];
        int count;
        if (raw.CanSeek)
        {
            long start = raw.Position;
            count = raw.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            raw.Position = start;
        }
        else
        {
            count = raw.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            raw = new PrefixedStream(head, count, raw);
        }
        // A pipe or a device (/dev/stdin given a file) has no name of its own to rename, so its bytes say whether it is gzip.
        bool nameless = !raw.CanSeek || IsDevice(path);
        if (!CheckCompression(head.AsSpan(0, count), path, gz, nameless)) return raw;
        return new CheckedGzipStream(raw.CanSeek ? raw : Spooled(raw, path), path);
    }

    /// <summary>
    /// Whether <paramref name="head"/>, the first bytes of <paramref name="path"/>, are to be read as gzip: those of a .gz
    /// file (shorter than gzip's signature too: the gzip check then says it is cut), or gzip's signature in a stream without a
    /// name (<paramref name="nameless"/>). Compression is otherwise read off the name, so a name that disagrees with the
    /// bytes, or bytes of a compression this reader does not take, would give a misleading error later ("not UTF-8 ... iconv",
    /// "corrupt gzip"): the signature says which it is now.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are another compression's, or gzip's under a name without .gz, or the .gz file's are not gzip's.</exception>
    internal static bool CheckCompression(ReadOnlySpan<byte> head, string path, bool gz, bool nameless)
    {
        foreach (var other in OtherCompressions)
            if (other.Starts(head))
                throw new InvalidDataException($"The file '{path}' is {other.Name}-compressed (it starts with {other.Name}'s signature, bytes "
                    + $"{string.Join(" ", other.Signature.Select(b => $"{b:x2}"))}), "
                    + $"and this reader takes UTF-8 text, plain or gzip-compressed: decompress it first, e.g. {other.Decompress} FILE > PLAIN.tsv "
                    + "(or, to keep it compressed, recompress it with gzip, to a name ending in .gz).");
        if (head.Length < 2) return gz;
        bool gzipBytes = head[0] == 0x1f && head[1] == 0x8b;
        if (gz && !gzipBytes)
            throw new InvalidDataException($"The file '{path}' is named .gz but is not gzip-compressed (it does not start with gzip's signature, bytes 1f 8b): "
                + "if it is plain text, rename it without .gz.");
        if (!gz && gzipBytes && !nameless)
            throw new InvalidDataException($"The file '{path}' is gzip-compressed (it starts with gzip's signature, bytes 1f 8b) but its name does not end in .gz: "
                + "rename it to end in .gz, or decompress it (gunzip).");
        return gzipBytes;
    }

    /// <summary>How many first bytes are read to tell a file's compression: the longest signature's.</summary>
    private const int SignatureLength = 6;

    /// <summary>
    /// The compressions this reader does not take, by their signatures (bzip2's followed by its block size, '1' to '9'), with
    /// the command that writes a file's text to standard output, for the message.
    /// </summary>
    private static readonly Compression[] OtherCompressions =
    [
        new("bzip2", "BZh"u8.ToArray(), "bunzip2 -c"),
        new("zip", [0x50, 0x4b, 0x03, 0x04], "unzip -p"),
        new("xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "unxz -c"),
        new("zstd", [0x28, 0xb5, 0x2f, 0xfd], "unzstd -c"),
        new("lz4", [0x04, 0x22, 0x4d, 0x18], "unlz4 -c"),
        new("7z", [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], "7z e -so"),
    ];

    /// <summary>A compression's name, signature (its files' first bytes) and the command that writes a file's text to standard output.</summary>
    private sealed record Compression(string Name, byte[] Signature, string Decompress)
    {
        /// <summary>Whether <paramref name="head"/> starts with the signature (bzip2's: and a block size, so that text starting "BZh" is text).</summary>
        public bool Starts(ReadOnlySpan<byte> head) => head.StartsWith(Signature)
            && (Name != "bzip2" || (head.Length > Signature.Length && head[Signature.Length] is >= (byte)'1' and <= (byte)'9'));
    }

    /// <summary>Whether <paramref name="path"/> names a device or a process's stream (under /dev or /proc on Unix), whose name says nothing of its bytes.</summary>
    private static bool IsDevice(string path)
    {
        if (OperatingSystem.IsWindows()) return false;
        string full = Path.GetFullPath(path);
        return full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal);
    }

    /// <summary>
    /// The gzip bytes of <paramref name="pipe"/> (owned: read to its end and disposed) in a temporary file, deleted when it
    /// is closed, for <see cref="CheckedGzipStream"/>, which reads a file's end and, for several members, the file again.
    /// </summary>
    /// <exception cref="IOException">The temporary file cannot be written (the message names its folder and what to do).</exception>
    private static FileStream Spooled(Stream pipe, string path)
    {
        string folder = Path.GetTempPath();
        FileStream copy;
        try
        {
            copy = new FileStream(Path.Combine(folder, $"gzip-stream-{Guid.NewGuid():N}.gz"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                1 << 16, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CannotSpool(path, folder, e);
        }
        try
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = pipe.Read(buffer)) > 0)
            {
                try
                {
                    copy.Write(buffer, 0, n);
                }
                catch (IOException e)
                {
                    throw CannotSpool(path, folder, e);
                }
            }
            pipe.Dispose();
            copy.Position = 0;
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    private static IOException CannotSpool(string path, string folder, Exception e) =>
        new($"The gzip stream '{path}' is copied to a temporary file in '{folder}' to be checked whole (a pipe cannot be read twice), and that "
            + $"failed: {e.Message} Free space there or point TMPDIR at a folder with room, or decompress before the pipe (gunzip -c).", e);
}
