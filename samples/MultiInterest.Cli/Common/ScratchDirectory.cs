using System.Globalization;

namespace MultiInterest.Cli.Common;

/// <summary>
/// The process's own folder in the temp directory, which the temp-directory variable (TMPDIR, TMP on Windows) names for the
/// rest of the run: every copy ML.NET and the library write while fitting, saving and serving (ONNX stages, hundreds of MB
/// on a large graph) lands there, and the folder is removed whole when the command ends, when a signal ends it
/// (<see cref="TerminationCleanup"/>), or, after a run killed outright (SIGKILL, a power cut), by the next run's start.
/// </summary>
internal sealed class ScratchDirectory : IDisposable
{
    /// <summary>How the folder's name starts; the process id and a random part follow.</summary>
    public const string Prefix = "multiinterest-run-";

    private static readonly string Variable = OperatingSystem.IsWindows() ? "TMP" : "TMPDIR";
    private readonly string? _previous;
    private readonly IDisposable _tracked;

    private ScratchDirectory(string path, string? previous)
    {
        Path = path;
        _previous = previous;
        _tracked = TerminationCleanup.TrackDirectory(path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Removes the folders of earlier runs that are no longer running, creates this run's and points the temp-directory
    /// variable at it. Null when the temp directory cannot be written: the variable is left as it was, and the command that
    /// needs the temp directory says so where it fails (a run that needs none is not stopped over it).
    /// </summary>
    public static ScratchDirectory? Enter()
    {
        string temp = System.IO.Path.GetTempPath();
        RemoveAbandoned(temp);
        DirectoryInfo created;
        try
        {
            // Created with a random part and owner-only permissions: another user cannot plant a folder or link under the name.
            created = Directory.CreateTempSubdirectory(Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var scratch = new ScratchDirectory(created.FullName, Environment.GetEnvironmentVariable(Variable));
        Environment.SetEnvironmentVariable(Variable, created.FullName);
        return scratch;
    }

    /// <summary>Deletes the folder (best effort) and points the variable back where it was.</summary>
    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, _previous);
        _tracked.Dispose();
        Remove(Path);
    }

    /// <summary>Deletes the scratch folders in <paramref name="temp"/> whose process is gone.</summary>
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
            if (ProcessOf(System.IO.Path.GetFileName(folder)) is int pid && pid != Environment.ProcessId && !RunningProcess.Exists(pid))
                Remove(folder);
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
