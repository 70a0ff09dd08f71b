namespace MultiInterest.Cli.Common;

/// <summary>Checks, before a long run, that the file it will write at the end can be written.</summary>
internal static class OutputFile
{
    /// <summary>
    /// Creates <paramref name="path"/>'s folder and opens the file for writing (removing it again if it did not exist), so a
    /// path that cannot be written fails now, naming <paramref name="option"/>, rather than after minutes of fitting.
    /// </summary>
    /// <exception cref="UsageException">The folder cannot be created or the file cannot be opened for writing.</exception>
    public static void CheckWritable(string path, string option)
    {
        try
        {
            string full = Path.GetFullPath(path);
            if (Path.GetDirectoryName(full) is { } directory) Directory.CreateDirectory(directory);
            bool existed = File.Exists(full);
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write)) { }
            if (!existed) File.Delete(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"{option} '{path}' cannot be written: {e.Message}");
        }
    }

    /// <summary>
    /// Creates the folder <paramref name="path"/> and writes and removes a probe file in it, so an output folder that is a file
    /// or cannot be written fails now, naming <paramref name="option"/>, rather than after the whole run.
    /// </summary>
    /// <exception cref="UsageException">The path is a file, or the folder cannot be created or written.</exception>
    public static void CheckWritableDirectory(string path, string option)
    {
        if (File.Exists(path)) throw new UsageException($"{option} '{path}' is a file: give a folder (created if missing) for the outputs.");
        try
        {
            Directory.CreateDirectory(path);
            string probe = Path.Combine(path, $".write-check-{Environment.ProcessId}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"{option} '{path}' cannot be written: {e.Message}");
        }
    }
}
