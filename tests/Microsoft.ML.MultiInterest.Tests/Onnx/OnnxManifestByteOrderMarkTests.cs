using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A manifest.json that starts with a byte-order mark (re-saved by an editor or a copy that re-encodes) is refused by name,
/// sealed or not: the library read it (File.ReadAllText drops the mark, so the seal matched) while the Node.js peer refused
/// it as invalid JSON. The export writes UTF-8 without a mark, and the seal covers the file as written.
/// </summary>
public sealed class OnnxManifestByteOrderMarkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-bom-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("utf-8", false, "a UTF-8 byte-order mark (bytes EF BB BF)")]
    [InlineData("utf-8", true, "a UTF-8 byte-order mark (bytes EF BB BF)")]
    [InlineData("utf-16", false, "a UTF-16 byte-order mark (bytes FF FE)")]
    public void A_manifest_with_a_byte_order_mark_is_refused_naming_it(string encoding, bool olderFormat, string mark)
    {
        var w = MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
        string onnx = Path.Combine(_directory, $"{encoding}-{olderFormat}");
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 6, 1.0, onnx);
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string text = File.ReadAllText(path);
        if (olderFormat)
        {
            // As library 1.2.0 wrote it: format version 3, no seal.
            var json = JsonNode.Parse(text)!.AsObject();
            json["format_version"] = 3;
            json.Remove("file_sha256");
            json.Remove("manifest_sha256");
            text = json.ToJsonString();
            File.WriteAllText(path, text);
            OnnxCandidateScorer.Open(onnx).Dispose(); // without the mark it opens
        }
        // The same text, with the mark first.
        File.WriteAllText(path, text, encoding == "utf-8" ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: true) : new UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        foreach (var open in new Action[] { () => OnnxCandidateScorer.Open(onnx).Dispose(), () => OnnxServingManifest.Read(onnx) })
        {
            var e = Assert.Throws<InvalidDataException>(open);
            Assert.Contains($"The ONNX serving manifest '{path}' starts with {mark}, which the export never writes", e.Message, StringComparison.Ordinal);
        }
        // Without the mark the file is as exported again, and is served.
        File.WriteAllText(path, text);
        OnnxCandidateScorer.Open(onnx).Dispose();
    }
}
