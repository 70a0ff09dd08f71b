namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Opens a serving directory as one consistent export. A scorer reads the manifest, then the graphs and tables it lists; an
/// export into the same directory meanwhile (a daily refit re-exporting in place) removes the manifest, rewrites those files
/// and writes a new manifest last, so the scorer could read a half-written graph (ONNX Runtime then failed with an
/// unhandled "InvalidProtobuf") or pair yesterday's manifest with today's graphs. The manifest (its text and write time)
/// and the unfinished-export mark are compared before and after the opening: any change refuses the opening.
/// </summary>
internal static class OnnxDirectoryOpening
{
    /// <summary>
    /// Runs <paramref name="open"/> on <paramref name="directory"/> and returns what it opened if the directory's export did not
    /// change meanwhile; otherwise disposes it (when it is disposable: a scorer; a table read is not) and throws an <see cref="InvalidDataException"/> saying so, also in place of the
    /// error a half-written file made <paramref name="open"/> throw. Before <paramref name="open"/>, every file the manifest
    /// records is verified against its SHA-256 (<see cref="OnnxServedFiles.Verify"/>; an older directory's lack of checksums
    /// is said once through <paramref name="sessions"/>' log), but its side files: each is hashed once, by the pass that reads
    /// its tables, else once <paramref name="open"/> returns (or fails), and a damaged one refuses the opening all the same. The manifest and the files <paramref name="open"/> reads are
    /// the bytes verified (<see cref="OnnxVerifiedOpening"/>), and the manifest found at the end must be those bytes too.
    /// </summary>
    /// <param name="directory">The serving directory.</param>
    /// <param name="open">Opens what is served from it, reading its files through the opening (<see cref="OnnxVerifiedOpening"/>).</param>
    /// <param name="sessions">The factory whose trusted key, if any, must have signed the directory.</param>
    /// <param name="manifestOnly">Verify the manifest alone up front (<see cref="OnnxServedFiles.Verify"/>): <paramref name="open"/> reads a few recorded files, each hashed as read.</param>
    public static T Consistent<T>(string directory, Func<T> open, OnnxSessionFactory? sessions = null, bool manifestOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        // Begun here for the outermost directory; the parts its scorer opens join it, and its bytes go when it ends.
        using var verified = OnnxVerifiedOpening.Enter(sessions);
        var before = ExportStamp.Of(directory);
        T opened;
        try
        {
            OnnxServedFiles.Verify(directory, sessions, manifestOnly, deferSideFiles: true);
            AfterVerifying.Value?.Invoke(directory);
            try
            {
                opened = open();
            }
            catch
            {
                // A side file the checksum pass left to the opening is refused by name if damaged, as that pass refused it
                // before the opening, whatever read tripped over it first (a side file cut short, or removed).
                verified.VerifyDeferredSideFiles();
                throw;
            }
            try
            {
                // Those no pass read: verified all the same, and the scorer not returned (nor its sessions kept) if one is damaged.
                verified.VerifyDeferredSideFiles();
            }
            catch
            {
                (opened as IDisposable)?.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is not ArgumentException && ExportStamp.Of(directory) != before)
        {
            throw Changed(directory, e);
        }
        BeforeLastLook.Value?.Invoke(directory);
        var after = ExportStamp.Of(directory);
        // The manifest served is the one verified, which the directory must still hold: one swapped before it was read and put
        // back since with its write time leaves the stamp as it was.
        if (after == before && after.Holds(OnnxVerifiedOpening.Current?.VerifiedManifest(directory))) return opened;
        (opened as IDisposable)?.Dispose();
        throw Changed(directory, null);
    }

    /// <summary>
    /// Test seam: called with the directory between its verification and the scorer's use of its files, where someone who
    /// can write the directory could swap a file. Flow-local, so that a test's hook never fires in another test's opening.
    /// </summary>
    internal static readonly AsyncLocal<Action<string>?> AfterVerifying = new();

    /// <summary>
    /// Test seam: called with the directory once the scorer opened it, before the manifest is looked at again, where such a
    /// writer could put back a manifest swapped meanwhile (and its write time).
    /// </summary>
    internal static readonly AsyncLocal<Action<string>?> BeforeLastLook = new();

    private static InvalidDataException Changed(string directory, Exception? inner) =>
        new($"The ONNX serving directory '{directory}' changed while it was being opened (an export wrote into it): open it again once "
            + "the export has finished. To replace a served export without a gap, export into a new directory and switch to it.", inner);

    /// <summary>What an export changes in a directory: the unfinished-export mark, and the manifest's write time and bytes (their SHA-256).</summary>
    private readonly record struct ExportStamp(bool Unfinished, DateTime ManifestWritten, string? Manifest)
    {
        /// <summary>Whether the manifest seen is <paramref name="verified"/>, the bytes the opening verified (any, when it verified none).</summary>
        public bool Holds(byte[]? verified) => verified == null || Manifest == Sha256(verified);

        private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

        public static ExportStamp Of(string directory)
        {
            bool unfinished = File.Exists(Path.Combine(directory, OnnxServingManifest.UnfinishedMarkerFileName));
            string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
            try
            {
                var written = File.GetLastWriteTimeUtc(path);
                return new ExportStamp(unfinished, written, File.Exists(path) ? Sha256(File.ReadAllBytes(path)) : null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed or replaced between the two calls: an export is under way.
                return new ExportStamp(true, default, null);
            }
        }
    }
}
