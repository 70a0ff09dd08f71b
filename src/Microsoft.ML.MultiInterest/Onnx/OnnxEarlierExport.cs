namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The one rule for what an earlier export left in a directory an export writes, whichever exporter writes it
/// (<see cref="MultiInterestModel.ExportOnnx"/> and every <see cref="OnnxServingDirectory"/> export): a directory holding other
/// files and no earlier export is refused; once the export has finished, the files the earlier export can be proved to have
/// written, and this one does not write, are removed, with the part folders that leaves empty. Proved means recorded by a
/// manifest that passes its own checksum (<see cref="OnnxServingManifest.ManifestSha256"/>): the directory's (its parts'
/// too), or, after an export that did not finish (<see cref="OnnxServingManifest.UnfinishedMarkerFileName"/>: the finished
/// export's manifest is gone or half replaced), each one still there, the directory's and each part folder's. A file no such
/// manifest records (the user's own) is never removed.
/// </summary>
internal static class OnnxEarlierExport
{
    /// <summary>The fusing directory's source folders are named this, then the source's number (<c>source0</c>, <c>source1</c>, ...).</summary>
    internal const string FusionSourcePrefix = "source";

    /// <summary>
    /// Refuses a directory that holds files but no serving manifest an export wrote: the export's files (manifest.json, the
    /// graphs, a model's id and history files) would overwrite or mix with the user's own.
    /// </summary>
    public static void RefuseOtherFiles(string directory)
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
                + $"{OnnxServingDirectory.ManifestFileName} and its graphs there (a model's export also its id files) and would overwrite or mix with them. "
                + "Give a new or empty directory, or one an earlier export wrote.", e);
        }
    }

    /// <summary>
    /// The files (relative, '/' between folders) the earlier export in <paramref name="directory"/> can be proved to have
    /// written, read before an export touches anything; null when there are none (a new directory, or a manifest that fails
    /// its checksum or predates checksums). After an export that did not finish, what every verified manifest still there
    /// records: the directory's own, and each part folder's (<see cref="IsPartFolder"/>) with that manifest itself.
    /// </summary>
    public static HashSet<string>? Record(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        if (!File.Exists(Path.Combine(directory, OnnxServingManifest.UnfinishedMarkerFileName)))
            return File.Exists(Path.Combine(directory, OnnxServingDirectory.ManifestFileName)) ? RecordedFiles(directory, manifest: null) : null;
        var files = new HashSet<string>(StringComparer.Ordinal);
        AddVerified(directory, "", files, withManifest: false);
        return files.Count > 0 ? files : null;
    }

    /// <summary>
    /// After an unfinished export: what the verified manifest of <paramref name="directory"/> records (the manifest too when
    /// <paramref name="withManifest"/>, a part's), then the same for each part folder in it, whether a manifest records it or not.
    /// </summary>
    private static void AddVerified(string directory, string prefix, HashSet<string> into, bool withManifest)
    {
        if (RecordedFiles(directory, manifest: null) is { } recorded)
        {
            if (withManifest) into.Add(prefix + OnnxServingDirectory.ManifestFileName);
            foreach (string file in recorded) into.Add(prefix + file);
        }
        foreach (var folder in new DirectoryInfo(directory).EnumerateDirectories())
            // A link to a folder elsewhere is not the export's part, whatever its name.
            if (IsPartFolder(folder.Name) && (folder.Attributes & FileAttributes.ReparsePoint) == 0)
                AddVerified(folder.FullName, prefix + folder.Name + "/", into, withManifest: true);
    }

    /// <summary>Whether <paramref name="name"/> is a folder name an export gives its parts: an MMR directory's pool, a merged conditional directory's two parts, a fusion's sources.</summary>
    internal static bool IsPartFolder(string name) =>
        name is OnnxMmrScorer.PoolDirectoryName or OnnxConditionalMergeScorer.ExplicitDirectoryName or OnnxConditionalMergeScorer.ImplicitDirectoryName
        || (name.Length > FusionSourcePrefix.Length && name.StartsWith(FusionSourcePrefix, StringComparison.Ordinal) && name.AsSpan(FusionSourcePrefix.Length).IndexOfAnyExceptInRange('0', '9') < 0);

    /// <summary>
    /// The files (relative, '/' between folders) an export's manifest records, its parts' too (a fusion's sources, an MMR
    /// directory's pool: each part's manifest and what it records); null when the manifest is missing, older than checksums or
    /// fails its checksum. A part whose manifest fails its own is left out whole, its manifest with it: only what a verified
    /// manifest recorded is ever removed, never a file the user put there.
    /// </summary>
    public static HashSet<string>? RecordedFiles(string directory, OnnxServingManifest? manifest)
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
    /// <paramref name="directory"/> only), and the folders of the earlier export's parts that this leaves empty.
    /// </summary>
    public static void RemoveReplaced(string directory, HashSet<string> earlier, HashSet<string> written)
    {
        string root = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (string file in earlier.Where(f => !written.Contains(f)))
        {
            string path = Path.GetFullPath(Path.Combine(directory, file));
            if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path)) continue;
            // A part's manifest takes its signature with it, so the part's folder is left empty and removed.
            if (Path.GetFileName(path) == OnnxServingDirectory.ManifestFileName) OnnxExportScope.RemoveWith(path);
            File.Delete(path);
            // Its part folders, deepest first, never the directory itself (one character shorter than root).
            RemoveEmptyFolders(Path.GetDirectoryName(path)!, root);
        }
    }

    /// <summary>
    /// Deletes <paramref name="folder"/> and its parents while each is empty, none shorter than <paramref name="outermost"/>:
    /// the folders an export's removals (or a refused export's creation) left empty.
    /// </summary>
    internal static void RemoveEmptyFolders(string folder, string outermost)
    {
        for (string? f = folder; f != null && f.Length >= outermost.Length; f = Path.GetDirectoryName(f))
        {
            if (!Directory.Exists(f) || Directory.EnumerateFileSystemEntries(f).Any()) return;
            Directory.Delete(f);
        }
    }
}
