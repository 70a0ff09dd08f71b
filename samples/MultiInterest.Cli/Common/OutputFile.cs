namespace MultiInterest.Cli.Common;

/// <summary>Checks, before a long run, that the file it will write at the end can be written.</summary>
internal static class OutputFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for writing (removing it again if it did not exist), or, when its folder is missing,
    /// checks that the folder could be made, so a path that cannot be written fails now, naming <paramref name="option"/>,
    /// rather than after minutes of fitting. It creates nothing: a run that fails later leaves no folder behind, and the
    /// write at the end creates the folders it needs.
    /// </summary>
    /// <exception cref="UsageException">The folder cannot be created or the file cannot be opened for writing.</exception>
    public static void CheckWritable(string path, string option)
    {
        if (Directory.Exists(path)) throw new UsageException($"{option} '{path}' is a folder: give the path of a file.");
        try
        {
            string full = Path.GetFullPath(path);
            if (Path.GetDirectoryName(full) is { } directory && !Directory.Exists(directory))
            {
                CheckCreatable(directory, path, option);
                return;
            }
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
    /// Checks, creating nothing, that the missing folder <paramref name="directory"/> could be made: the nearest folder above
    /// it that exists takes a probe file, deleted as it closes. Creating the folders to check them left them behind a run
    /// that failed later (a mistyped path's whole chain, an empty --out).
    /// </summary>
    /// <exception cref="UsageException">A file stands where a folder of the path would go, or the existing folder cannot be written.</exception>
    private static void CheckCreatable(string directory, string path, string option)
    {
        string? existing = directory;
        while (existing != null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) throw new UsageException($"{option} '{path}' cannot be written: '{existing}' is a file, not a folder.");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing == null) throw new UsageException($"{option} '{path}' cannot be written: no folder of the path exists, not even its root.");
        try
        {
            Probe(existing);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} '{path}' cannot be written: its folder would be made in '{existing}', which cannot be written ({e.Message}).");
        }
    }

    /// <summary>Creates and deletes (on close) a file in <paramref name="directory"/>: whether files and folders can be made there.</summary>
    private static void Probe(string directory)
    {
        string probe = Path.Combine(directory, $".write-check-{Environment.ProcessId}");
        using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
    }

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/> into a temporary file beside it, then moves that
    /// over <paramref name="path"/>: a service loading the file while it is written sees the old whole file or the new
    /// one, never a half-written zip, and a failed write leaves the old file as it was. A symbolic link's target is the file
    /// replaced (the link stays); a device (/dev/null, /dev/stdout) is written to directly.
    /// </summary>
    /// <returns>True when an existing file was replaced.</returns>
    public static bool WriteReplacing(string path, Action<string> write)
    {
        string full = Target(path);
        if (full.Length == 0)
        {
            // A device or a process's stream (/dev/null, /dev/stdout, a shell's >(...)) is written to, never replaced.
            write(path);
            return false;
        }
        if (Path.GetDirectoryName(full) is { } directory) Directory.CreateDirectory(directory);
        bool existed = File.Exists(full);
        string temporary = PartialPath(full);
        RemoveAbandonedPartials(full);
        using var tracked = TerminationCleanup.TrackFile(temporary);
        try
        {
            write(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return existed;
    }

    /// <summary>
    /// The file a path names, to be replaced: a symbolic link's final target (the link stays a link), else the full path;
    /// empty for a device or a process's stream (under /dev or /proc on Unix, given so or reached through links, or a link
    /// that cannot be followed to a file), which is written to, never replaced.
    /// </summary>
    private static string Target(string path)
    {
        string full = Path.GetFullPath(path);
        if (IsSpecial(full)) return "";
        var link = new FileInfo(full);
        if (link.LinkTarget == null) return full;
        try
        {
            string target = link.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
            return IsSpecial(target) ? "" : target;
        }
        catch (IOException)
        {
            return ""; // a loop of links: written through, as the system resolves it
        }
    }

    private static bool IsSpecial(string full) =>
        !OperatingSystem.IsWindows() && (full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal));

    /// <summary>
    /// The partial file of <paramref name="full"/>: beside it, ending in its name, so that a writer that reads the name (.gz
    /// compresses) writes the same bytes; <see cref="RemoveAbandonedPartials"/> reads the process id back from it.
    /// </summary>
    private static string PartialPath(string full) =>
        Path.Combine(Path.GetDirectoryName(full) ?? "", $".partial-{Environment.ProcessId}-{Path.GetFileName(full)}");

    /// <summary>
    /// Deletes the partial files of <paramref name="full"/> that a killed run left (SIGKILL, or a signal that came while a
    /// file was being moved into place, ends the process without its clean-up): those whose process is gone. A live
    /// process's partial file is its own business.
    /// </summary>
    private static void RemoveAbandonedPartials(string full)
    {
        string? directory = Path.GetDirectoryName(full);
        if (directory == null || !Directory.Exists(directory)) return;
        string suffix = "-" + Path.GetFileName(full);
        foreach (string partial in Directory.EnumerateFiles(directory, ".partial-*" + suffix))
        {
            string name = Path.GetFileName(partial);
            if (!int.TryParse(name.AsSpan(".partial-".Length, name.Length - ".partial-".Length - suffix.Length), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId || RunningProcess.Exists(pid))
                continue;
            try
            {
                File.Delete(partial);
            }
            catch (IOException)
            {
                // Another run may be removing it too.
            }
        }
    }

    /// <summary>
    /// Writes two files that belong together (a split's train and test), each to a partial file first, and moves both into
    /// place only when both are written: a failure or interrupt never leaves one run's train beside another's test.
    /// </summary>
    public static void WriteBothReplacing(string first, Action<string> writeFirst, string second, Action<string> writeSecond) =>
        WriteAllReplacing([(first, writeFirst), (second, writeSecond)]);

    /// <summary>
    /// Writes files that belong together (a sweep's model, leaderboard, plots and sweep.json), each to a partial file beside
    /// its target first, and moves them into place only when every one is written (a signal's clean-up held off while they
    /// move): a failure or an interrupt while writing (Ctrl+C removes the partial files) leaves every earlier file as it was,
    /// never one run's model beside another run's record of it. A device among them is written to directly.
    /// </summary>
    /// <returns>For each file, in order, whether an existing file was replaced.</returns>
    /// <exception cref="ArgumentException">Two entries name one file (refused before anything is written).</exception>
    /// <exception cref="IOException">A target is a folder (refused so too), or a write failed.</exception>
    public static bool[] WriteAllReplacing(IReadOnlyList<(string Path, Action<string> Write)> files)
    {
        var targets = files.Select(f => Target(f.Path)).ToArray();
        CheckMovable(files, targets);
        var partials = new string?[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            if (targets[i].Length == 0) continue;
            if (Path.GetDirectoryName(targets[i]) is { } directory) Directory.CreateDirectory(directory);
            RemoveAbandonedPartials(targets[i]);
            partials[i] = PartialPath(targets[i]);
        }
        var tracked = partials.Where(p => p != null).Select(p => TerminationCleanup.TrackFile(p!)).ToList();
        try
        {
            for (int i = 0; i < files.Count; i++) files[i].Write(partials[i] ?? files[i].Path);
            // Moved with a signal's clean-up held off: a Ctrl+C among the moves waits for the last, so the set is moved whole or not at all.
            return TerminationCleanup.Deferring(() =>
            {
                var existed = new bool[files.Count];
                for (int i = 0; i < files.Count; i++)
                {
                    if (partials[i] == null) continue;
                    existed[i] = File.Exists(targets[i]);
                    File.Move(partials[i]!, targets[i], overwrite: true);
                }
                return existed;
            });
        }
        finally
        {
            foreach (var partial in partials)
                if (partial != null && File.Exists(partial)) File.Delete(partial);
            foreach (var t in tracked) t.Dispose();
        }
    }

    /// <summary>
    /// Refuses, before anything is written, a set whose moves could not all be made once the first had: two entries naming
    /// one file (<see cref="FileIdentity.Same"/>; they would share a partial file, the second write replacing the first's)
    /// or a target that is a folder.
    /// </summary>
    /// <exception cref="ArgumentException">Two entries name one file.</exception>
    /// <exception cref="IOException">A target is a folder.</exception>
    private static void CheckMovable(IReadOnlyList<(string Path, Action<string> Write)> files, string[] targets)
    {
        for (int i = 0; i < files.Count; i++)
        {
            if (targets[i].Length == 0) continue;
            if (Directory.Exists(targets[i])) throw new IOException($"'{files[i].Path}' is a folder: it cannot be replaced by a file.");
            for (int j = 0; j < i; j++)
                if (targets[j].Length > 0 && FileIdentity.Same(targets[j], targets[i]))
                    throw new ArgumentException($"'{files[j].Path}' and '{files[i].Path}' name the same file: each file of a set is written once.", nameof(files));
        }
    }

    /// <summary>
    /// Refuses an output that is the same file as an input or as another output (<see cref="FileIdentity.Same"/>: through
    /// relative paths, symbolic and hard links), where writing it would destroy the input or the other output. Inputs may
    /// share a file.
    /// </summary>
    /// <param name="inputs">Each input option's name and path; null paths (options not given) are skipped.</param>
    /// <param name="outputs">Each output option's name and path; null paths are skipped.</param>
    /// <exception cref="UsageException">An output is an input or another output.</exception>
    public static void CheckNotOverwriting((string Option, string? Path)[] inputs, params (string Option, string? Path)[] outputs)
    {
        var named = inputs.Where(f => f.Path != null).ToList();
        foreach (var (option, path) in outputs)
        {
            if (path == null) continue;
            foreach (var (earlier, other) in named)
                if (FileIdentity.Same(other!, path))
                    throw new UsageException($"{earlier} and {option} name the same file, '{path}': writing {option} would overwrite it. Give {option} another path.");
            named.Add((option, path));
        }
    }

    /// <summary>
    /// Writes and removes a probe file in the folder <paramref name="path"/>, or, when it is missing, checks that it could be
    /// made, so an output folder that is a file or cannot be written fails now, naming <paramref name="option"/>, rather than
    /// after the whole run. It creates nothing: the run's writers create the folder when they write into it.
    /// </summary>
    /// <exception cref="UsageException">The path is a file, or the folder cannot be created or written.</exception>
    public static void CheckWritableDirectory(string path, string option)
    {
        if (File.Exists(path)) throw new UsageException($"{option} '{path}' is a file: give a folder (created if missing) for the outputs.");
        try
        {
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full)) Probe(full);
            else CheckCreatable(full, path, option);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"{option} '{path}' cannot be written: {e.Message}");
        }
    }
}
