using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The checksums of a serving directory as docs/onnx.md describes them for a client in any language ("Checksums"): each
/// served file's SHA-256 under <c>file_sha256</c>, and <c>manifest_sha256</c>, the SHA-256 of the manifest's UTF-8 text with
/// that value written as 64 zeros. Tests that damage a directory on purpose, to reach a check behind the checksums, reseal it.
/// </summary>
internal static partial class ServingChecksums
{
    /// <summary>The manifest's own checksum field, as the reader finds it.</summary>
    [GeneratedRegex("\"manifest_sha256\"\\s*:\\s*\"([0-9a-f]{64})\"")]
    private static partial Regex Seal();

    /// <summary>The lower-case hex SHA-256 of the file <paramref name="path"/>.</summary>
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The manifest checksum of the text <paramref name="manifest"/>: its SHA-256 with the recorded value as 64 zeros.</summary>
    public static string OfManifest(string manifest) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Seal().Replace(manifest, m => m.Value.Replace(m.Groups[1].Value, new string('0', 64)), 1))));

    /// <summary>The value of <c>manifest_sha256</c> in <paramref name="manifest"/>.</summary>
    public static string RecordedSeal(string manifest) => Seal().Match(manifest).Groups[1].Value;

    /// <summary>
    /// Records the present contents of every file the manifest of <paramref name="directory"/> lists (dropping those removed) and seals the manifest
    /// again, as someone who edits a directory and its checksums by hand would (and the enclosing directory's, whose manifest records this one's); a manifest of a format before checksums loses them, as its library wrote it.
    /// </summary>
    public static void Reseal(string directory)
    {
        string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        if (json["format_version"]?.GetValue<int>() < OnnxServingManifest.ChecksumFormatVersion)
        {
            // An older format's manifest, as its library wrote it: no checksums.
            json.Remove("file_sha256");
            json.Remove("manifest_sha256");
            File.WriteAllText(path, json.ToJsonString());
            return;
        }
        if (json["file_sha256"] is JsonObject files)
            foreach (string name in files.Select(f => f.Key).ToList())
            {
                if (File.Exists(Path.Combine(directory, name))) files[name] = OfFile(Path.Combine(directory, name));
                else files.Remove(name);
            }
        json["manifest_sha256"] = new string('0', 64);
        string text = json.ToJsonString();
        File.WriteAllText(path, text.Replace(new string('0', 64), OfManifest(text), StringComparison.Ordinal));
        // The enclosing directory records this manifest's checksum when this is one of its parts.
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string? parent = Path.GetDirectoryName(full);
        if (parent != null && File.Exists(Path.Combine(parent, OnnxServingDirectory.ManifestFileName))
            && File.ReadAllText(Path.Combine(parent, OnnxServingDirectory.ManifestFileName)).Contains($"\"{Path.GetFileName(full)}/{OnnxServingDirectory.ManifestFileName}\"", StringComparison.Ordinal))
            Reseal(parent);
    }
}
