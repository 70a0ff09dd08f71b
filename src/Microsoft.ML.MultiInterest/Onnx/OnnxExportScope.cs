namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// One export into a directory, whichever exporter writes it (<see cref="MultiInterestModel.ExportOnnx"/> and every
/// <see cref="OnnxServingDirectory"/> export), entered once at its public entry point: the scope under which the three
/// directory rules hold. While it writes, the directory holds the unfinished mark (<see cref="OnnxExportMark"/>). Once it has
/// finished, the earlier export's files it does not write again are removed (<see cref="OnnxEarlierExport"/>). And a
/// signature (<see cref="OnnxDirectorySignature.FileName"/>) an earlier export's signing left stays beside a manifest the
/// export wrote only if that manifest is, byte for byte, the one it sat beside when the export began, in a directory that was
/// not an unfinished export (<see cref="OnnxServingManifest.UnfinishedMarkerFileName"/>). That is the same model exported
/// again: the manifest records every file's checksum, so the signature still verifies exactly what it signed. Any other
/// signature there is removed: an export never signs, so it cannot belong to the new manifest, and left there it would make
/// the unsigned export look signed (refused as "changed after it was signed", not "not signed") and verify again should the
/// signed bytes ever be written back. After an export that did not finish, the manifest the signature signed is gone or half
/// replaced, so no signature there can be told to be the new manifest's.
/// </summary>
/// <remarks>
/// An export enters it once at its public entry point (<see cref="Enter"/>), as it enters <see cref="ExternalDataPolicy"/>;
/// <see cref="OnnxServingManifest"/> notes each manifest it writes (<see cref="Writing"/>); exporters called inside (a
/// fusion's sources, an MMR directory's pool) join the outer export. The rule is applied when the outer export ends, finished
/// or failed, over the directory's manifest and every manifest written: a manifest written twice (an unstamped one, then the
/// stamped one) is judged by its last bytes. It flows with the logical call (<see cref="AsyncLocal{T}"/>). The same scope
/// carries the rule for the earlier export's other files (<see cref="OnnxEarlierExport"/>): refused or noted at the outer
/// entry, removed at its end once the export has finished (<see cref="Scope.Finished"/>), before the signatures are judged.
/// The outer export's scope also holds the directory's unfinished mark while it writes (<see cref="OnnxExportMark"/>), removed
/// at its end once the export has finished and the rules are applied, left there by an export that failed after writing.
/// A signature kept beside a manifest written again byte for byte may have been left by a library before 1.11.0, which kept
/// every signature, so it need not be that manifest's; it is kept all the same, since it is harmless: byte for byte means the
/// same <see cref="OnnxServingManifest.LibraryVersion"/>, so no older release's manifest is ever written again so; a kept
/// signature that does not verify these bytes makes a trusting server refuse the directory, as it refuses an unsigned one;
/// and the next export of other bytes removes it, so it can never come to verify bytes it did not sign.
/// </remarks>
internal static class OnnxExportScope
{
    private static readonly AsyncLocal<Export?> Current = new();

    /// <summary>
    /// Starts an export into <paramref name="directory"/>: refuses a directory holding other files and no earlier export
    /// (<see cref="OnnxEarlierExport.RefuseOtherFiles"/>), notes, before anything is written, the manifest's bytes and the
    /// files the earlier export can be proved to have written (<see cref="OnnxEarlierExport.Record"/>), then marks the directory
    /// unfinished (<see cref="OnnxExportMark"/>: refused while another export holds the mark); inside another export, joins it
    /// (the returned scope does nothing, and marks nothing). Call <see cref="Scope.Finished"/> with the manifest once the export has
    /// finished, and dispose the scope when it ends.
    /// </summary>
    public static Scope Enter(string directory) => Begin(directory, export: true);

    /// <summary>
    /// Called before a manifest is written to <paramref name="manifestPath"/>: notes the bytes there (the first time) for the
    /// export's end. Outside any export, the write is an export of its own (signatures only: it refuses and removes nothing):
    /// the caller disposes the returned scope after writing.
    /// </summary>
    public static Scope Writing(string manifestPath)
    {
        var scope = Begin(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, export: false);
        Current.Value!.Note(manifestPath);
        return scope;
    }

    /// <summary>The outer export's start; <paramref name="export"/>: an exporter's, which refuses other files and notes the earlier export's files.</summary>
    private static Scope Begin(string directory, bool export)
    {
        // An empty name is the exporter's to refuse, naming its own argument.
        if (Current.Value != null || string.IsNullOrEmpty(directory)) return new Scope(null);
        if (export) OnnxEarlierExport.RefuseOtherFiles(directory);
        var started = new Export(directory, File.Exists(Path.Combine(directory, OnnxServingManifest.UnfinishedMarkerFileName)),
            export ? OnnxEarlierExport.Record(directory) : null);
        started.Note(Path.Combine(directory, OnnxServingDirectory.ManifestFileName));
        // Marked unfinished before anything is written (the manifest noted first, then taken away): refused here while another
        // export holds the mark, before this one is current.
        if (export) started.Mark = OnnxExportMark.Enter(directory);
        Current.Value = started;
        return new Scope(started);
    }

    /// <summary>
    /// Removes the signature beside the manifest at <paramref name="manifestPath"/>, which an export removes as a leftover
    /// of an earlier export (a part it no longer writes): a signature goes with its manifest.
    /// </summary>
    public static void RemoveWith(string manifestPath) =>
        File.Delete(Path.Combine(Path.GetDirectoryName(manifestPath)!, OnnxDirectorySignature.FileName));

    /// <summary>
    /// The outer export: its manifests, each one's bytes when first seen (null: none there, or an unfinished directory), the
    /// files the earlier export in <paramref name="directory"/> was proved to have written (null: none), and the manifest the
    /// export finished with (null: not finished).
    /// </summary>
    internal sealed class Export(string directory, bool unfinished, HashSet<string>? earlierFiles)
    {
        private readonly Dictionary<string, byte[]?> _earlier = new(StringComparer.Ordinal);

        /// <summary>The manifest the export wrote last, once it has finished.</summary>
        public OnnxServingManifest? Finished { get; set; }

        /// <summary>The unfinished mark an exporter's outer export holds while it writes; null for a manifest written outside any export.</summary>
        public OnnxExportMark? Mark { get; set; }

        public void Note(string manifestPath)
        {
            string path = Path.GetFullPath(manifestPath);
            lock (_earlier)
                if (!_earlier.ContainsKey(path)) _earlier[path] = unfinished || !File.Exists(path) ? null : File.ReadAllBytes(path);
        }

        /// <summary>
        /// Applies the rules: once the export has finished, removes the earlier export's files it does not write again
        /// (<see cref="OnnxEarlierExport.RemoveReplaced"/>, a removed part's manifest with its signature); then removes each
        /// signature beside a noted manifest that is not, byte for byte, as it was; then removes the mark. An export refused
        /// before it wrote anything (its arguments) first puts the earlier manifest back, and removes the mark too (kept where
        /// the earlier export had not finished); one that failed after writing, or whose rules could not be applied, leaves
        /// the mark, so serving refuses the directory.
        /// </summary>
        public void End()
        {
            bool untouched = false, applied = false;
            try
            {
                // Refused before any file was written (an argument, a model the export cannot serve): the earlier export stays as it was.
                untouched = Finished == null && Mark is { Untouched: true };
                try
                {
                    // The earlier manifest back before the signatures are judged: the same bytes keep their signature.
                    if (untouched) Mark!.RestoreManifest();
                    // What the new manifest records (its parts' too) is kept; were it unreadable, nothing is removed.
                    if (Finished != null && earlierFiles != null && OnnxEarlierExport.RecordedFiles(directory, Finished) is { } written)
                        OnnxEarlierExport.RemoveReplaced(directory, earlierFiles, written);
                }
                finally
                {
                    // Judged even if a leftover could not be removed: no signature may outlive the manifest it signed.
                    JudgeSignatures();
                }
                applied = true;
            }
            finally
            {
                // After the manifest (written last) and the leftovers' removal: no later export into the directory can have been signed yet.
                if (!applied) Mark?.Leave();
                else if (Finished != null) Mark?.Finished();
                else if (untouched) Mark?.Refused();
                else Mark?.Leave();
            }
        }

        /// <summary>Removes each signature beside a noted manifest that is not, byte for byte, as it was.</summary>
        private void JudgeSignatures()
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

    /// <summary>The outer export, ended (the rules applied) when first disposed; nothing for an export inside another.</summary>
    internal sealed class Scope(Export? export) : IDisposable
    {
        private Export? _export = export;

        /// <summary>
        /// Notes that the export has finished with <paramref name="manifest"/> (the directory's, written last), so that its end
        /// removes the earlier export's files it does not write; returns <paramref name="manifest"/>. An export that fails never
        /// calls it, and removes nothing.
        /// </summary>
        public OnnxServingManifest Finished(OnnxServingManifest manifest)
        {
            if (_export != null) _export.Finished = manifest;
            return manifest;
        }

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
