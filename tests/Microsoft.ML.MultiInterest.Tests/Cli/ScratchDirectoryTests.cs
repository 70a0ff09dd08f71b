using System.Diagnostics;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// The CLI's temp files live in a folder of the run's own, removed however the run ends (a walkthrough of outputs under
/// failure found that Ctrl+C or SIGTERM during <c>fit</c> left ML.NET's ONNX copies in the temp folder: .NET runs no
/// clean-up when a signal ends a process). These run the real program, as a user does.
/// </summary>
public sealed class ScratchDirectoryTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), $"scratch-{Guid.NewGuid():N}");

    public ScratchDirectoryTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <remarks>
    /// With SIGTERM set to be ignored by the parent (as PID 1 in a container is spared it), the runtime honours the ignore
    /// after the clean-up: a review found the run going on without its files and failing on them with a misleading error.
    /// It now ends with the signal's status, saying so.
    /// </remarks>
    [Theory]
    [InlineData("INT", 2, false)]
    [InlineData("TERM", 15, false)]
    [InlineData("TERM", 15, true)]
    public void ASignalEndsAFitWithItsScratchFolderRemoved(string signal, int number, bool ignoredByTheParent)
    {
        if (OperatingSystem.IsWindows()) return; // signals are sent with kill(1)
        // The training edges come through a named pipe that no one writes: the run waits on it, after making its scratch folder,
        // until the signal. A real graph that takes "seconds" to fit was fitted in under one on an idle machine, and under a full
        // suite's load the run finished (exit 0) before the test got to send its signal.
        string train = Path.Combine(_temp, "..", $"{Path.GetFileName(_temp)}-train.fifo");
        using (var mkfifo = Process.Start("mkfifo", [train])!) mkfifo.WaitForExit();
        using var removeFifo = new FileRemoval(train);
        // A test run started in the background of a non-interactive shell (nohup ... &) ignores SIGINT, and so does the program it
        // starts: .NET honours an ignore inherited at start (no handler, so no clean-up either), as a background job should. Then
        // the signal must leave the run going, and SIGTERM ends it as in the other cases.
        bool inheritedIgnore = !ignoredByTheParent && IgnoredByThisProcess(number);
        using var run = StartThrough(ignoredByTheParent ? "trap '' TERM; exec" : null,
            "fit", "--train", train, "--model", Path.Combine(_temp, "..", $"{Path.GetFileName(_temp)}-model.zip"), "--threads", "1");
        try
        {
            string scratch = WaitForScratchFolder(run);
            // What ML.NET copies there while saving: the folder goes whole, whatever it holds.
            Directory.CreateDirectory(Path.Combine(scratch, "mi-save-copy"));
            File.WriteAllText(Path.Combine(scratch, "mi-save-copy", "stage.onnx"), "a graph");

            Send(signal, run);
            if (inheritedIgnore)
            {
                // Longer than the 2 s after which the clean-up ends a run whose signal was delivered but ignored.
                Assert.False(run.WaitForExit(4_000), $"the run ended on SIG{signal}, which its parent (this test) ignores");
                (signal, number) = ("TERM", 15);
                Send(signal, run);
            }
            Assert.True(run.WaitForExit(60_000), "the run did not end on the signal");
            Assert.Equal(128 + number, run.ExitCode); // ended by the signal, not finished first
            Assert.False(Directory.Exists(scratch), $"left behind: {scratch}");
            Assert.Empty(Directory.EnumerateFileSystemEntries(_temp, ScratchDirectory.Prefix + "*"));
        }
        finally
        {
            // A run still waiting on its pipe would outlive the test (and its folder) for good.
            if (!run.HasExited) run.Kill();
        }
    }

    private static void Send(string signal, Process run)
    {
        using var kill = Process.Start("kill", ["-" + signal, run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Whether this process ignores signal <paramref name="number"/> (Linux: its SigIgn mask; elsewhere assumed not).</summary>
    private static bool IgnoredByThisProcess(int number)
    {
        if (!File.Exists("/proc/self/status")) return false;
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line != null && ((Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) >> (number - 1)) & 1) == 1;
    }

    [Fact]
    public void AKilledRunsScratchFolderIsRemovedByTheNextRunAndALiveRunsIsKept()
    {
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        string abandoned = Folder($"{gone.Id}-AbC123", withLock: true);
        // A live run in another PID namespace or on another host sharing the folder: its process id means nothing here
        // (a review deleted such a run's folder under it), its lock does.
        string elsewhere = Folder($"{gone.Id}-XyZ789", withLock: true);
        using var held = new FileStream(Path.Combine(elsewhere, ScratchDirectory.LockFileName), FileMode.Open, FileAccess.Write, FileShare.None);
        string unlockedYoung = Folder($"{gone.Id}-NoLck1", withLock: false); // a run creating its folder right now
        string unlockedOld = Folder($"{gone.Id}-NoLck2", withLock: false);
        Directory.SetLastWriteTimeUtc(unlockedOld, DateTime.UtcNow.AddDays(-2));
        string notOurs = Path.Combine(_temp, $"{ScratchDirectory.Prefix}notes");
        Directory.CreateDirectory(notOurs);

        using var run = Start("--help");
        Assert.True(run.WaitForExit(60_000));
        Assert.Equal(0, run.ExitCode);
        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(elsewhere));
        Assert.True(Directory.Exists(unlockedYoung));
        Assert.False(Directory.Exists(unlockedOld));
        Assert.True(Directory.Exists(notOurs));
        // The run's own folder went at its end.
        Assert.Equal(3, Directory.EnumerateDirectories(_temp, ScratchDirectory.Prefix + "*").Count());
    }

    private string Folder(string suffix, bool withLock)
    {
        string folder = Path.Combine(_temp, ScratchDirectory.Prefix + suffix);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "stage.onnx"), "a graph");
        if (withLock) File.WriteAllText(Path.Combine(folder, ScratchDirectory.LockFileName), "");
        return folder;
    }

    private sealed class FileRemoval(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }

    /// <summary>The program as a user runs it, with the temp directory pointed at this test's folder.</summary>
    private Process Start(params string[] args) => StartThrough(null, args);

    /// <summary>As <see cref="Start(string[])"/>, through <c>sh -c "SHELL dotnet ..."</c> when <paramref name="shell"/> is given.</summary>
    private Process StartThrough(string? shell, params string[] args)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "multiinterest.dll");
        var start = new ProcessStartInfo(shell == null ? "dotnet" : "sh") { RedirectStandardError = true, RedirectStandardOutput = true };
        if (shell != null)
        {
            // sh -c 'trap ... ; exec dotnet "$0" "$@"' program args...: the arguments reach dotnet unquoted by any shell.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(shell + " dotnet \"$0\" \"$@\"");
            start.ArgumentList.Add(program);
        }
        else
            start.ArgumentList.Add(program);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.Environment["TMPDIR"] = _temp;
        var process = Process.Start(start)!;
        // Drained so a full pipe never blocks the program.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private string WaitForScratchFolder(Process run)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            // The folder is tracked for removal before its lock file is made: a signal sent before then would find it untracked
            // (under load the run can be paused between the two, and the test then failed with the folder left behind).
            if (Directory.EnumerateDirectories(_temp, ScratchDirectory.Prefix + run.Id + "-*").FirstOrDefault() is { } folder
                && File.Exists(Path.Combine(folder, ScratchDirectory.LockFileName)))
                return folder;
            Assert.False(run.HasExited, $"the run ended (exit {(run.HasExited ? run.ExitCode : 0)}) before its scratch folder was seen");
            Thread.Sleep(20);
        }
        throw new TimeoutException("no scratch folder appeared in a minute");
    }
}
