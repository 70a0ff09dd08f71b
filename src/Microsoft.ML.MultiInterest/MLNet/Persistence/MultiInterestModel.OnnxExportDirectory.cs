using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The export directory's housekeeping around <see cref="ExportOnnx"/>: the unfinished mark that keeps a second export out,
/// the refusal of a directory holding the user's own files, and the removal of an earlier export's files this one does not
/// write again (only files a verified manifest recorded, and the signature beside a part's manifest removed so).
/// </summary>
public sealed partial class MultiInterestModel
{
    /// <summary>
    /// The files (relative, '/' between folders) an export's manifest records, its parts' too (a fusion's sources, an MMR
    /// directory's pool: each part's manifest and what it records); null when the manifest is missing, older than checksums or
    /// fails its checksum. A part whose manifest fails its own is left out whole, its manifest with it: only what a verified
    /// manifest recorded is ever removed, never a file the user put there.
    /// </summary>
    private static HashSet<string>? RecordedFiles(string directory, OnnxServingManifest? manifest)
    {
        try
        {
            manifest ??= OnnxServingManifest.Read(directory);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return null;
        }
        if (manifest.FileSha256 == null) return null;
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in manifest.FileSha256.Keys)
        {
            int slash = file.LastIndexOf('/');
            if (slash < 0 || file[(slash + 1)..] != OnnxServingDirectory.ManifestFileName)
            {
                files.Add(file);
                continue;
            }
            string part = file[..slash];
            if (RecordedFiles(Path.Combine(directory, part), null) is not { } partFiles) continue;
            files.Add(file);
            foreach (string partFile in partFiles) files.Add(part + "/" + partFile);
        }
        return files;
    }

    /// <summary>
    /// Deletes the files of <paramref name="earlier"/> that <paramref name="written"/> does not hold (inside
    /// <paramref name="directory"/> only), then the folders of the earlier export's parts that this left empty.
    /// </summary>
    private static void RemoveReplaced(string directory, HashSet<string> earlier, HashSet<string> written)
    {
        string root = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var folders = new SortedSet<string>(Comparer<string>.Create((a, b) => b.Length != a.Length ? b.Length.CompareTo(a.Length) : string.CompareOrdinal(a, b)));
        foreach (string file in earlier.Where(f => !written.Contains(f)))
        {
            string path = Path.GetFullPath(Path.Combine(directory, file));
            if (!path.StartsWith(root, StringComparison.Ordinal)) continue;
            // A part's manifest takes its signature with it, so the part's folder is left empty and removed.
            if (Path.GetFileName(path) == OnnxServingDirectory.ManifestFileName) OnnxManifestSignatures.RemoveWith(path);
            File.Delete(path);
            for (string? folder = Path.GetDirectoryName(path); folder != null && folder.Length >= root.Length; folder = Path.GetDirectoryName(folder))
                folders.Add(folder);
        }
        // Deepest first: a part's part before the part.
        foreach (string folder in folders)
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }

    /// <summary>Opens the unfinished mark for the export, unshared (deletable); refuses while another export holds it.</summary>
    private static FileStream HoldMarker(string marker, string directory)
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

    /// <summary>Removes the mark while still holding it (Unix), so no other export slips in between; where an open file cannot be deleted (Windows), after closing it.</summary>
    private static void Unmark(FileStream held, string marker)
    {
        try
        {
            File.Delete(marker);
        }
        catch (IOException)
        {
            held.Dispose();
            File.Delete(marker);
        }
    }

    /// <summary>Every file under <paramref name="directory"/> but the mark and the manifest, with its length and time: what an export changes.</summary>
    private static HashSet<(string, long, DateTime)> Snapshot(string directory, string marker) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => f != marker && Path.GetFileName(f) != OnnxServingDirectory.ManifestFileName)
            .Select(f => new FileInfo(f)).Select(f => (f.FullName, f.Length, f.LastWriteTimeUtc)).ToHashSet();

    /// <summary>
    /// Refuses a directory that holds files but no serving manifest an export wrote: the export's dozen files (manifest.json,
    /// the graphs, the id and history files) would overwrite or mix with the user's own.
    /// </summary>
    private static void CheckNewOrEarlierExport(string directory)
    {
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any()) return;
        // An export that did not finish (a full disk, a kill) is written over again.
        if (File.Exists(Path.Combine(directory, OnnxServingManifest.UnfinishedMarkerFileName))) return;
        try
        {
            // A damaged or edited manifest is still an earlier export: exporting again is how it is mended.
            OnnxServingManifest.Read(directory, checkSeal: false);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            throw new IOException($"'{directory}' holds files and is not an earlier ONNX export ({e.Message}): the export writes "
                + $"{OnnxServingDirectory.ManifestFileName}, its graphs and the id files there and would overwrite or mix with them. "
                + "Give a new or empty directory, or one an earlier export wrote.", e);
        }
    }
}
