using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Microsoft.ML.MultiInterest.Onnx;

public sealed partial class OnnxServingManifest
{
    /// <summary>The first format version whose manifest records <see cref="FileSha256"/> and <see cref="ManifestSha256"/>.</summary>
    public const int ChecksumFormatVersion = 4;

    /// <summary>
    /// The lower-case hex SHA-256 of every file the directory serves from (its graphs, the id and history tables, the
    /// manifests of its parts), by its path relative to the directory with '/' between folders; verified by every scorer at
    /// opening (docs/onnx.md, "Checksums"). Null in a manifest before <see cref="ChecksumFormatVersion"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    public IReadOnlyDictionary<string, string>? FileSha256 { get; internal set; }

    /// <summary>
    /// The lower-case hex SHA-256 of the manifest's own UTF-8 text with this value written as 64 zeros: any edit of the
    /// manifest (a setting within range included) is refused by <see cref="Read(string)"/>. Null before <see cref="ChecksumFormatVersion"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    public string? ManifestSha256 { get; internal set; }

    /// <summary>The 64 zeros <see cref="ManifestSha256"/> stands as while the manifest's checksum is computed.</summary>
    private static readonly string Unsealed = new('0', 64);

    /// <summary>The <c>manifest_sha256</c> entry of a manifest's text, with its value.</summary>
    [GeneratedRegex("\"manifest_sha256\"\\s*:\\s*\"([0-9a-f]{64})\"", RegexOptions.CultureInvariant)]
    private static partial Regex SealEntry();

    /// <summary>The manifest text <paramref name="unsealed"/> (its <c>manifest_sha256</c> 64 zeros) with its checksum in their place.</summary>
    private static string Seal(string unsealed) => SealEntry().Replace(unsealed, m => m.Value.Replace(Unsealed, Checksum(unsealed), StringComparison.Ordinal), 1);

    /// <summary>The SHA-256 of <paramref name="text"/>'s UTF-8 bytes, lower-case hex.</summary>
    private static string Checksum(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Refuses a manifest whose text does not match the <c>manifest_sha256</c> it records (an edit or damage after the
    /// export); a manifest before <see cref="ChecksumFormatVersion"/> that records none is taken as it is.
    /// </summary>
    private static void CheckSeal(OnnxServingManifest manifest, string text, string path)
    {
        if (manifest.FormatVersion < ChecksumFormatVersion && manifest.ManifestSha256 == null) return;
        var entries = SealEntry().Matches(text);
        if (entries.Count == 1)
        {
            string recorded = entries[0].Groups[1].Value;
            string unsealed = string.Concat(text.AsSpan(0, entries[0].Groups[1].Index), Unsealed, text.AsSpan(entries[0].Groups[1].Index + 64));
            if (Checksum(unsealed) == recorded) return;
        }
        throw new InvalidDataException($"The ONNX serving manifest '{path}' does not match its manifest_sha256 (the SHA-256 of its text as the export wrote "
            + "it): it was edited or damaged after the export. Its settings decide the lists, so an edited manifest is not served. Export the directory "
            + "again (ExportOnnx, or the CLI's export-onnx), with other settings if other lists are wanted.");
    }
}
