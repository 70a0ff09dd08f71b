using System.Globalization;

namespace MultiInterest.Cli.Common;

/// <summary>
/// The process's own folder in the temp directory, which the temp-directory variable (TMPDIR, TMP on Windows) names for the
/// rest of the run: every copy ML.NET and the library write while fitting, saving and serving (ONNX stages, hundreds of MB
/// on a large graph) lands there, and the folder is removed whole when the command ends, when a signal ends it
/// (<see cref="TerminationCleanup"/>), or, after a run killed outright (SIGKILL, a power cut), by a later run's start, which
/// tells a live run's folder by the lock its run holds.
/// </summary>
internal sealed class ScratchDirectory : IDisposable
{
    /// <summary>How the folder's name starts; the process id and a random part follow.</summary>
    public const string Prefix = "multiinterest-run-";

    /// <summary>The file a live run holds locked (exclusive, for its whole life) inside its folder.</summary>
    public const string LockFileName = ".lock";

    /// <summary>How old a folder without a lock file (being created, or left by a build before the lock) must be to be removed.</summary>
    private static readonly TimeSpan UnlockedAge = TimeSpan.FromHours(1);

    private static readonly string Variable = OperatingSystem.IsWindows() ? "TMP" : "TMPDIR";
    private readonly string? _previous;
    private readonly IDisposable _tracked;
    private readonly FileStream _lock;

    private ScratchDirectory(string path, string? previous, FileStream held, IDisposable tracked)
    {
        Path = path;
        _previous = previous;
        _lock = held;
        _tracked = tracked;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Removes the folders of earlier runs that are no longer running, creates this run's and points the temp-directory
    /// variable at it. Null when the temp directory cannot be written (or a signal is already ending the run): the variable is
    /// left as it was, and the command that needs the temp directory says so where it fails (a run that needs none is not
    /// stopped over it).
    /// </summary>
    public static ScratchDirectory? Enter()
    {
        string temp = System.IO.Path.GetTempPath();
        RemoveAbandoned(temp);
        FileStream? held = null;
        // Created and tracked as one step as far as a signal is concerned (the clean-up waits for the step): a signal between
        // the two left the folder whole (the scratch-folder test on a loaded machine, 4 runs of 32). The lock is let go before
        // the removal: Windows deletes no file open without delete sharing.
        DirectoryInfo created;
        IDisposable tracked;
        try
        {
            (created, tracked) = TerminationCleanup.Deferring(() =>
            {
                // Created with a random part and owner-only permissions: another user cannot plant a folder or link under the name.
                var folder = Directory.CreateTempSubdirectory(Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-");
                return (folder, TerminationCleanup.TrackDirectory(folder.FullName, before: () => held?.Dispose()));
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            // OperationCanceledException: a signal is ending the run, and a folder created now would outlive it.
            return null;
        }
        try
        {
            // Held unshared (an exclusive lock on Unix too) while the run lives: what tells a later run that the folder is in
            // use, even from another PID namespace or host sharing the temp directory, where the process id says nothing.
            held = new FileStream(System.IO.Path.Combine(created.FullName, LockFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            tracked.Dispose();
            Remove(created.FullName);
            return null;
        }
        var scratch = new ScratchDirectory(created.FullName, Environment.GetEnvironmentVariable(Variable), held, tracked);
        Environment.SetEnvironmentVariable(Variable, created.FullName);
        return scratch;
    }

    /// <summary>Deletes the folder (best effort) and points the variable back where it was.</summary>
    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, _previous);
        _tracked.Dispose();
        _lock.Dispose();
        Remove(Path);
    }

    /// <summary>
    /// Deletes the scratch folders in <paramref name="temp"/> that no run holds: their lock file can be taken and the process
    /// their name gives is gone. A folder without a lock file is removed only when its process is gone and it is over an hour old.
    /// </summary>
    private static void RemoveAbandoned(string temp)
    {
        IEnumerable<string> folders;
        try
        {
            folders = Directory.EnumerateDirectories(temp, Prefix + "*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string folder in folders)
            if (ProcessOf(System.IO.Path.GetFileName(folder)) is int pid && pid != Environment.ProcessId && Abandoned(folder, pid))
                Remove(folder);
    }

    private static bool Abandoned(string folder, int pid)
    {
        try
        {
            using (new FileStream(System.IO.Path.Combine(folder, LockFileName), FileMode.Open, FileAccess.Write, FileShare.None)) { }
            // Free to take, and its process gone: both, since file locking can be turned off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING,
            // used on network file systems) and a live run's lock then takes. A dead run of another PID namespace whose id a
            // live process here reuses is left behind, which costs disk, not a run.
            return !RunningProcess.Exists(pid);
        }
        catch (FileNotFoundException)
        {
            return !RunningProcess.Exists(pid) && DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > UnlockedAge;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // held by a live run, or not ours to open
        }
    }

    /// <summary>The process id in a scratch folder's name, or null for a name this class did not make.</summary>
    private static int? ProcessOf(string name)
    {
        var rest = name.AsSpan(Prefix.Length);
        int dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    private static void Remove(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's folder, or one being removed by another run: left to its owner.
        }
    }
}
