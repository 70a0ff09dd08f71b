using System.IO.Compression;
using System.Text;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.IO;

/// <summary>
/// Compressed edge files as they arrive in practice (an audit found a gzip file with trailing garbage told that its intact
/// member was corrupt).
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
}
