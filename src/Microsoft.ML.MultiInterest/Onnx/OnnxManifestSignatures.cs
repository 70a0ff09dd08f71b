namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The one rule for a signature (<see cref="OnnxDirectorySignature.FileName"/>) that an earlier export's signing left in a
/// directory an export writes, whichever exporter writes it (<see cref="MultiInterestModel.ExportOnnx"/> and every
/// <see cref="OnnxServingDirectory"/> export): once the export ends, a signature stays beside a manifest the export wrote
/// only if that manifest is, byte for byte, the one it sat beside when the export began, in a directory that was not an
/// unfinished export (<see cref="OnnxServingManifest.UnfinishedMarkerFileName"/>). That is the same model exported again: the
/// manifest records every file's checksum, so the signature still verifies exactly what it signed. Any other signature there
/// is removed: an export never signs, so it cannot belong to the new manifest, and left there it would make the unsigned
/// export look signed (refused as "changed after it was signed", not "not signed") and verify again should the signed bytes
/// ever be written back. After an export that did not finish, the manifest the signature signed is gone or half replaced,
/// so no signature there can be told to be the new manifest's.
/// </summary>
/// <remarks>
/// An export enters it once at its public entry point (<see cref="Enter"/>), as it enters <see cref="ExternalDataPolicy"/>;
/// <see cref="OnnxServingManifest"/> notes each manifest it writes (<see cref="Writing"/>); exporters called inside (a
/// fusion's sources, an MMR directory's pool) join the outer export. The rule is applied when the outer export ends, finished
/// or failed, over the directory's manifest and every manifest written: a manifest written twice (an unstamped one, then the
/// stamped one) is judged by its last bytes. It flows with the logical call (<see cref="AsyncLocal{T}"/>).
/// </remarks>
internal static class OnnxManifestSignatures
{
    private static readonly AsyncLocal<Export?> Current = new();

    /// <summary>
    /// Starts an export into <paramref name="directory"/>, noting its manifest's bytes before anything is written; inside
    /// another export, joins it (the returned scope does nothing). Dispose it when the export ends.
    /// </summary>
    public static Scope Enter(string directory)
    {
        // An empty name is the exporter's to refuse, naming its own argument.
        if (Current.Value != null || string.IsNullOrEmpty(directory)) return new Scope(null);
        var export = new Export(File.Exists(Path.Combine(directory, OnnxServingManifest.UnfinishedMarkerFileName)));
        export.Note(Path.Combine(directory, OnnxServingDirectory.ManifestFileName));
        Current.Value = export;
        return new Scope(export);
    }

    /// <summary>
    /// Called before a manifest is written to <paramref name="manifestPath"/>: notes the bytes there (the first time) for the
    /// export's end. Outside any export, the write is an export of its own: the caller disposes the returned scope after writing.
    /// </summary>
    public static Scope Writing(string manifestPath)
    {
        var scope = Enter(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);
        Current.Value!.Note(manifestPath);
        return scope;
    }

    /// <summary>
    /// Removes the signature beside the manifest at <paramref name="manifestPath"/>, which an export removes as a leftover
    /// of an earlier export (a part it no longer writes): a signature goes with its manifest.
    /// </summary>
    public static void RemoveWith(string manifestPath) =>
        File.Delete(Path.Combine(Path.GetDirectoryName(manifestPath)!, OnnxDirectorySignature.FileName));

    /// <summary>The outer export's manifests: each one's bytes when first seen (null: none there, or an unfinished directory).</summary>
    internal sealed class Export(bool unfinished)
    {
        private readonly Dictionary<string, byte[]?> _earlier = new(StringComparer.Ordinal);

        public void Note(string manifestPath)
        {
            string path = Path.GetFullPath(manifestPath);
            lock (_earlier)
                if (!_earlier.ContainsKey(path)) _earlier[path] = unfinished || !File.Exists(path) ? null : File.ReadAllBytes(path);
        }

        /// <summary>Applies the rule: removes each signature beside a noted manifest that is not, byte for byte, as it was.</summary>
        public void End()
        {
            lock (_earlier)
                foreach (var (path, earlier) in _earlier)
                {
                    string signature = Path.Combine(Path.GetDirectoryName(path)!, OnnxDirectorySignature.FileName);
                    if (!File.Exists(signature)) continue;
                    if (earlier == null || !File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(earlier)) File.Delete(signature);
                }
        }
    }

    /// <summary>The outer export, ended (the rule applied) when first disposed; nothing for an export inside another.</summary>
    internal sealed class Scope(Export? export) : IDisposable
    {
        private Export? _export = export;

        public void Dispose()
        {
            if (_export is not { } export) return;
            _export = null;
            try
            {
                export.End();
            }
            finally
            {
                Current.Value = null;
            }
        }
    }
}
