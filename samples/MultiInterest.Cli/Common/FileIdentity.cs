namespace MultiInterest.Cli.Common;

/// <summary>
/// Whether two paths name one file: through relative paths, symbolic links anywhere on the path (the file's or a
/// folder's), and, for files that exist, hard links and case-insensitive mounts too.
/// </summary>
internal static class FileIdentity
{
    /// <summary>Links followed at most per path: a longer chain is a loop, compared as written.</summary>
    private const int MaximumLinks = 40;

    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> are the same file: the same real path, or, when both exist, one
    /// file by <see cref="SameExistingFile"/> (which sees what paths cannot: hard links, case-insensitive mounts).
    /// </summary>
    public static bool Same(string a, string b)
    {
        var comparer = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        if (comparer.Equals(RealPath(a), RealPath(b))) return true;
        return File.Exists(a) && File.Exists(b) && SameExistingFile(a, b);
    }

    /// <summary>
    /// The absolute path with every symbolic link on it resolved, segment by segment, as realpath(3) does; a segment that
    /// does not exist yet is kept as written.
    /// </summary>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        int links = 0;
        return Resolve(full, ref links);
    }

    private static string Resolve(string full, ref int links)
    {
        string? parent = Path.GetDirectoryName(full);
        if (parent == null) return full; // the root
        string candidate = Path.Combine(Resolve(parent, ref links), Path.GetFileName(full));
        FileSystemInfo info = Directory.Exists(candidate) ? new DirectoryInfo(candidate) : new FileInfo(candidate);
        if (info.LinkTarget is not { } target || ++links > MaximumLinks) return candidate;
        // A relative target is relative to the link's folder.
        return Resolve(Path.GetFullPath(target, Path.GetDirectoryName(candidate)!), ref links);
    }

    /// <summary>
    /// Whether two existing files are one: <paramref name="a"/> opened for exclusive use, <paramref name="b"/> cannot then be
    /// opened if it is the same file (.NET takes the lock on the file itself, an advisory flock on Unix, a share mode on
    /// Windows). False when <paramref name="a"/> cannot be locked (another program holds it): no evidence either way; false
    /// when either cannot be opened because it is not there (a symbolic link to a file not written yet).
    /// </summary>
    private static bool SameExistingFile(string a, string b)
    {
        try
        {
            using var first = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.None);
            try
            {
                using var second = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                return false;
            }
            catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException))
            {
                // Held by the lock on the first: the same file. Not there at all (a link to a file not written yet, which
                // File.Exists counts) is another file, not a held one.
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
