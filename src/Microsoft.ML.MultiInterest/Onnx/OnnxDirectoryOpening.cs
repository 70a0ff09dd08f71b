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
    /// change meanwhile; otherwise disposes it and throws an <see cref="InvalidDataException"/> saying so, also in place of the
    /// error a half-written file made <paramref name="open"/> throw. Before <paramref name="open"/>, every file the manifest
    /// records is verified against its SHA-256 (<see cref="OnnxServedFiles.Verify"/>; an older directory's lack of checksums
    /// is said once through <paramref name="sessions"/>' log).
    /// </summary>
    public static T Consistent<T>(string directory, Func<T> open, OnnxSessionFactory? sessions = null) where T : IDisposable
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var before = ExportStamp.Of(directory);
        T opened;
        try
        {
            OnnxServedFiles.Verify(directory, sessions);
            opened = open();
        }
        catch (Exception e) when (e is not ArgumentException && ExportStamp.Of(directory) != before)
        {
            throw Changed(directory, e);
        }
        if (ExportStamp.Of(directory) == before) return opened;
        opened.Dispose();
        throw Changed(directory, null);
    }

    private static InvalidDataException Changed(string directory, Exception? inner) =>
        new($"The ONNX serving directory '{directory}' changed while it was being opened (an export wrote into it): open it again once "
            + "the export has finished. To replace a served export without a gap, export into a new directory and switch to it.", inner);

    /// <summary>What an export changes in a directory: the unfinished-export mark, and the manifest's text and write time.</summary>
    private readonly record struct ExportStamp(bool Unfinished, DateTime ManifestWritten, string? Manifest)
    {
        public static ExportStamp Of(string directory)
        {
            bool unfinished = File.Exists(Path.Combine(directory, OnnxServingManifest.UnfinishedMarkerFileName));
            string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
            try
            {
                var written = File.GetLastWriteTimeUtc(path);
                return new ExportStamp(unfinished, written, File.Exists(path) ? File.ReadAllText(path) : null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed or replaced between the two calls: an export is under way.
                return new ExportStamp(true, default, null);
            }
        }
    }
}
