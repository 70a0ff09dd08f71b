namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The unfinished mark (<see cref="OnnxServingManifest.UnfinishedMarkerFileName"/>) an export holds in its directory while it
/// writes, whichever exporter writes it (<see cref="MultiInterestModel.ExportOnnx"/> and every <see cref="OnnxServingDirectory"/>
/// export; one definition, held by the outer export's <see cref="OnnxExportScope"/> scope, so a fusion's sources and an
/// MMR directory's pool are written under the directory's mark and get none of their own). Written before anything else and
/// held open, unshared, so a second export into the directory is refused while it runs; the directory's manifest is taken
/// away with it, written again last by the export, and the mark removed after it. An export that fails after writing leaves
/// the mark, so serving refuses the directory (docs/onnx.md, "The directory"); one refused before writing anything (its
/// arguments) leaves the directory as it was: the earlier manifest put back, the mark removed (kept where an earlier export
/// had not finished), and the folders it created removed.
/// </summary>
internal sealed class OnnxExportMark
{
    private readonly string _directory;
    private readonly string _marker;
    private readonly string _manifestPath;
    private readonly FileStream _held;
    private readonly byte[]? _earlierManifest;
    private readonly HashSet<(string, long, DateTime)> _before;
    private readonly string? _createdFrom;
    private readonly bool _wasUnfinished;

    private OnnxExportMark(string directory, string? createdFrom)
    {
        _directory = directory;
        _createdFrom = createdFrom;
        _marker = Path.Combine(directory, OnnxServingManifest.UnfinishedMarkerFileName);
        _manifestPath = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        _wasUnfinished = File.Exists(_marker);
        _held = Hold(_marker, directory);
        _held.Write(System.Text.Encoding.UTF8.GetBytes($"An export into this directory started (process {Environment.ProcessId}) and has not finished: export again.\n"));
        _held.Flush();
        _earlierManifest = File.Exists(_manifestPath) ? File.ReadAllBytes(_manifestPath) : null;
        _before = Snapshot();
        File.Delete(_manifestPath);
    }

    /// <summary>
    /// Marks <paramref name="directory"/> (created if needed) unfinished and takes its manifest away; refuses it while another
    /// export holds the mark (<see cref="IOException"/>), and a file of that name.
    /// </summary>
    public static OnnxExportMark Enter(string directory)
    {
        if (File.Exists(directory))
            throw new IOException($"'{directory}' is a file: the export writes a directory of graphs and manifests there (created if needed).");
        // The outermost folder this export creates, removed again should it be refused before writing anything.
        string full = Path.GetFullPath(directory);
        string? createdFrom = null;
        for (string? folder = full; folder != null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)) createdFrom = folder;
        Directory.CreateDirectory(directory);
        try
        {
            return new OnnxExportMark(directory, createdFrom);
        }
        catch when (createdFrom != null)
        {
            OnnxEarlierExport.RemoveEmptyFolders(full, createdFrom);
            throw;
        }
    }

    /// <summary>Whether the export has written nothing yet: every file but the mark and the manifests as it was when the mark was written.</summary>
    public bool Untouched
    {
        get
        {
            try
            {
                return Snapshot().SetEquals(_before);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The directory cannot be read back (taken away, its permissions changed): not proved untouched, so the mark stays.
                return false;
            }
        }
    }

    /// <summary>
    /// The export was refused before it wrote anything (its arguments, a model it cannot serve): writes back the manifest
    /// taken away, byte for byte, before the signatures are judged (the same bytes keep their signature); then call <see cref="Refused"/>.
    /// </summary>
    public void RestoreManifest()
    {
        if (_earlierManifest != null) File.WriteAllBytes(_manifestPath, _earlierManifest);
    }

    /// <summary>
    /// After <see cref="RestoreManifest"/>: the earlier export stays as it was. Removes the mark and the folders the export
    /// created, left empty; but a directory an export that did not finish left keeps its mark, since its files may still mix two exports.
    /// </summary>
    public void Refused()
    {
        if (_wasUnfinished) Leave();
        else Remove(createdFolders: true);
    }

    /// <summary>Removes the mark once the export has finished: its manifest written last, the earlier export's leftovers removed.</summary>
    public void Finished() => Remove(createdFolders: false);

    /// <summary>
    /// Removes the mark (and with <paramref name="createdFolders"/> the folders this export created, left empty): on Unix while
    /// still holding it, so no other export slips in between; where an open file cannot be deleted (Windows), after closing it.
    /// </summary>
    private void Remove(bool createdFolders)
    {
        try
        {
            File.Delete(_marker);
        }
        catch (IOException)
        {
            _held.Dispose();
            File.Delete(_marker);
        }
        _held.Dispose();
        if (createdFolders && _createdFrom != null) OnnxEarlierExport.RemoveEmptyFolders(Path.GetFullPath(_directory), _createdFrom);
    }

    /// <summary>Lets go of the mark and leaves it there: the export failed after writing, and serving must refuse the directory.</summary>
    public void Leave() => _held.Dispose();

    /// <summary>Opens the mark, unshared (deletable); refuses while another export holds it.</summary>
    private static FileStream Hold(string marker, string directory)
    {
        try
        {
            // FileShare.None: an exclusive lock on Unix too (.NET takes flock LOCK_EX for it, a shared lock otherwise).
            return new FileStream(marker, FileMode.Create, FileAccess.Write, FileShare.None);
        }
        catch (IOException e) when (File.Exists(marker))
        {
            throw new IOException($"Another export is writing into '{directory}' (it holds {OnnxServingManifest.UnfinishedMarkerFileName}): wait for it to finish, "
                + "or export into another directory.", e);
        }
    }

    /// <summary>Every file under the directory but the mark and the manifests, with its length and time: what an export changes.</summary>
    private HashSet<(string, long, DateTime)> Snapshot() =>
        Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories)
            .Where(f => f != _marker && Path.GetFileName(f) != OnnxServingDirectory.ManifestFileName)
            .Select(f => new FileInfo(f)).Select(f => (f.FullName, f.Length, f.LastWriteTimeUtc)).ToHashSet();
}
