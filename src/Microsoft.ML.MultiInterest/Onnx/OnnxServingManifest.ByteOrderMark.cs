namespace Microsoft.ML.MultiInterest.Onnx;

public sealed partial class OnnxServingManifest
{
    /// <summary>The byte-order marks a re-saved manifest may start with, by the encoding they announce, longest first.</summary>
    private static readonly (byte[] Mark, string Name)[] ByteOrderMarks =
    [
        ([0xFF, 0xFE, 0x00, 0x00], "UTF-32"), ([0x00, 0x00, 0xFE, 0xFF], "UTF-32"),
        ([0xEF, 0xBB, 0xBF], "UTF-8"), ([0xFF, 0xFE], "UTF-16"), ([0xFE, 0xFF], "UTF-16"),
    ];

    /// <summary>
    /// Refuses a manifest whose bytes start with a byte-order mark. The export writes UTF-8 without one, and its seal
    /// (<see cref="ManifestSha256"/>) covers the file as written; a reader that drops the mark (as File.ReadAllText does)
    /// would take a re-saved file for the export's while a client that does not (JSON.parse in Node.js) refuses it, so
    /// every reader refuses it by name.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest starts with a byte-order mark.</exception>
    private static void RefuseByteOrderMark(ReadOnlySpan<byte> bytes, string path)
    {
        foreach (var (mark, name) in ByteOrderMarks)
        {
            if (!bytes.StartsWith(mark)) continue;
            string shown = string.Join(' ', mark.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
            throw new InvalidDataException($"The ONNX serving manifest '{path}' starts with a {name} byte-order mark (bytes {shown}), which the export never writes "
                + "(UTF-8 without one): it was saved again after the export, by an editor or a copy that re-encodes. Its seal (manifest_sha256) covers the file "
                + $"as exported, so it is not served. Remove the mark (its first {mark.Length} bytes{(name == "UTF-8" ? "" : ", and convert the file to UTF-8")}), "
                + "or copy the directory again whole from where it was exported, or export it again (ExportOnnx, or the CLI's export-onnx).");
        }
    }
}
