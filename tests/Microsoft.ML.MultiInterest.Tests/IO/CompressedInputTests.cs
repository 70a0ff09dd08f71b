using System.IO.Compression;
using System.Text;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.IO;

/// <summary>
/// Compressed edge files the reader does not take, and gzip as it arrives in practice (an audit found a bzip2 file and a gzip
/// pipe told "not UTF-8 text ... iconv -f cp1252", and a gzip file with trailing garbage told its intact member was corrupt).
/// </summary>
public sealed class CompressedInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mi-compressed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly byte[] Edges = Encoding.UTF8.GetBytes(EdgeText(400));

    private static string EdgeText(int edges)
    {
        var text = new StringBuilder("user\titem\n");
        for (int e = 0; e < edges; e++) text.Append('u').Append(e % 37).Append("\ti").Append(e * 7 % 89).Append('\n');
        return text.ToString();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes);
        return buffer.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The first bytes of each format (its signature, then bytes as its files go on), under a name of its own and under .tsv.</summary>
    [Theory]
    [InlineData("tr.tsv.bz2", "bzip2", "bunzip2", new byte[] { 0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 })]
    [InlineData("tr.tsv.zip", "zip", "unzip", new byte[] { 0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00 })]
    [InlineData("tr.tsv.xz", "xz", "unxz", new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6 })]
    [InlineData("tr.tsv.zst", "zstd", "unzstd", new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00, 0x11, 0x00, 0x00, 0x00 })]
    [InlineData("tr.tsv.lz4", "lz4", "unlz4", new byte[] { 0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x2c, 0x00, 0x00 })]
    [InlineData("tr.7z", "7z", "7z e -so", new byte[] { 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04, 0x8d, 0x9b })]
    public void AnotherCompression_IsNamed_WithTheCommandThatDecompressesIt(string name, string format, string tool, byte[] head)
    {
        byte[] bytes = [.. head, .. Enumerable.Range(0, 200).Select(i => (byte)(i * 37 + 11))];
        foreach (string file in new[] { name, "renamed.tsv", "wrongly.tsv.gz" })
        {
            string path = Write(file, bytes);
            var e = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(path));
            Assert.Contains($"The file '{path}' is {format}-compressed (it starts with {format}'s signature, bytes ", e.Message, StringComparison.Ordinal);
            Assert.Contains(tool, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("UTF-8 text:", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("iconv", e.Message, StringComparison.Ordinal);
            // Through a pipe, which cannot seek, the same.
            var piped = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(new Pipe(bytes, chunk: 3), "/dev/fd/900"));
            Assert.Contains($"The file '/dev/fd/900' is {format}-compressed", piped.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// gzip through a pipe (--train &lt;(gzip -c edges.tsv), /dev/stdin) has no name to rename: it is decompressed and checked
    /// as a .gz file is, read whole and in order however the pipe cuts its bytes.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void GzipThroughAPipe_IsDecompressedAndChecked(int chunk)
    {
        var expected = EdgeFile.Read(Write("plain.tsv", Edges));
        var read = EdgeFile.Read(new Pipe(Gzip(Edges), chunk), "/dev/fd/900");
        Assert.Equal(expected, read);
        // Two members (cat a.gz b.gz) read whole; a cut one is refused as a cut file is.
        byte[] two = [.. Gzip(Edges), .. Gzip(Encoding.UTF8.GetBytes("u1\ti1\n"))];
        Assert.Equal(expected.Count + 1, EdgeFile.Read(new Pipe(two, chunk), "/dev/stdin").Count);
        var cut = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(new Pipe(two[..^5], chunk), "/dev/stdin"));
        Assert.Contains("The gzip file '/dev/stdin' cannot be read: gzip member 2", cut.Message, StringComparison.Ordinal);
        // A seekable stream under a device's name (--train /dev/stdin < edges.tsv.gz) is read by its bytes too: no name to rename.
        Assert.Equal(expected, EdgeFile.Read(new MemoryStream(Gzip(Edges)), "/dev/stdin"));
    }

    /// <summary>Plain text through a pipe reads exactly as the file does, whatever sizes the pipe delivers (the format is peeked, not lost).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(65536)]
    public void PlainTextThroughAPipe_ReadsAsTheFileDoes(int chunk)
    {
        var expected = EdgeFile.Read(Write("plain.tsv", Edges));
        Assert.Equal(expected, EdgeFile.Read(new Pipe(Edges, chunk), "/dev/fd/900"));
        // Shorter than a signature, and empty: read (and refused) as files are.
        Assert.Throws<InvalidDataException>(() => EdgeFile.Read(new Pipe("user"u8.ToArray(), chunk), "/dev/fd/900"));
        var empty = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(new Pipe([], chunk), "/dev/fd/900"));
        Assert.Contains("is empty", empty.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Bytes after the last complete member (a copy padded with zeros, garbage appended) are refused, saying so and where the
    /// intact part ends; gzip -t reports "trailing garbage ignored". A member that is cut keeps its own message.
    /// </summary>
    [Theory]
    [InlineData("garbage", 1)]
    [InlineData("garbage", 2)]
    [InlineData("zeros", 1)]
    public void BytesAfterTheLastMember_AreNamedAsSuch(string tail, int members)
    {
        byte[] gzip = [.. Gzip(Edges), .. members == 2 ? Gzip(Encoding.UTF8.GetBytes("u1\ti1\n")) : []];
        byte[] trailing = tail == "zeros" ? new byte[512] : "garbage"u8.ToArray();
        string path = Write("r.tsv.gz", [.. gzip, .. trailing]);
        var e = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(path));
        string what = tail == "zeros" ? "512 zero bytes" : "7 bytes";
        Assert.Contains($"The gzip file '{path}' cannot be read whole: the {what} from byte {gzip.Length} on, after its last complete gzip member "
            + $"(member {members}), are not a gzip member", e.Message, StringComparison.Ordinal);
        Assert.Contains($"head -c {gzip.Length}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("does not match its checksum", e.Message, StringComparison.Ordinal);
        // What the message advises reads.
        Assert.Equal(400 + members - 1, EdgeFile.Read(Write("fixed.tsv.gz", gzip)).Count);
        // A member cut short keeps the message of a truncated or corrupt file (zlib, reading on into the bytes after the cut, may
        // find them corrupt first), with or without bytes after it.
        foreach (byte[] after in new[] { trailing, [] })
        {
            string cut = Write("cut.tsv.gz", [.. gzip[..^5], .. after]);
            var truncated = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(cut));
            Assert.Contains($"The gzip file '{cut}' cannot be read: ", truncated.Message, StringComparison.Ordinal);
            Assert.Contains("Replace it with a complete copy.", truncated.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not a gzip member", truncated.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A pipe: cannot seek, and hands out at most <c>chunk</c> bytes a read, as a pipe's reads may.</summary>
    private sealed class Pipe(byte[] bytes, int chunk) : ForwardReadStream
    {
        private int _at;

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, chunk), bytes.Length - _at);
            bytes.AsSpan(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }

    }
}
