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

    [Theory]
    [InlineData("INT", 2)]
    [InlineData("TERM", 15)]
    public void ASignalEndsAFitWithItsScratchFolderRemoved(string signal, int number)
    {
        if (OperatingSystem.IsWindows()) return; // signals are sent with kill(1)
        string train = WriteGraph();
        using var run = Start("fit", "--train", train, "--model", Path.Combine(_temp, "..", $"{Path.GetFileName(_temp)}-model.zip"), "--threads", "1");
        string scratch = WaitForScratchFolder(run);
        // What ML.NET copies there while saving: the folder goes whole, whatever it holds.
        Directory.CreateDirectory(Path.Combine(scratch, "mi-save-copy"));
        File.WriteAllText(Path.Combine(scratch, "mi-save-copy", "stage.onnx"), "a graph");

        using (var kill = Process.Start("kill", ["-" + signal, run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) kill.WaitForExit();
        Assert.True(run.WaitForExit(60_000), "the run did not end on the signal");
        Assert.Equal(128 + number, run.ExitCode); // ended by the signal, not finished first
        Assert.False(Directory.Exists(scratch), $"left behind: {scratch}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp, ScratchDirectory.Prefix + "*"));
    }

    [Fact]
    public void AKilledRunsScratchFolderIsRemovedByTheNextRunAndALiveRunsIsKept()
    {
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        string abandoned = Path.Combine(_temp, $"{ScratchDirectory.Prefix}{gone.Id}-AbC123");
        string live = Path.Combine(_temp, $"{ScratchDirectory.Prefix}{Environment.ProcessId}-XyZ789");
        string notOurs = Path.Combine(_temp, $"{ScratchDirectory.Prefix}notes");
        foreach (string folder in new[] { abandoned, live, notOurs })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "stage.onnx"), "a graph");
        }

        using var run = Start("--help");
        Assert.True(run.WaitForExit(60_000));
        Assert.Equal(0, run.ExitCode);
        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(notOurs));
        // The run's own folder went at its end.
        Assert.Equal(2, Directory.EnumerateDirectories(_temp, ScratchDirectory.Prefix + "*").Count());
    }

    /// <summary>A planted graph big enough that fitting it takes seconds: the signal comes while it runs.</summary>
    private string WriteGraph()
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 20, itemsPerGroup: 100, users: 4000, itemsPerUserPerGroup: 10, seed: 5);
        string path = Path.Combine(_temp, "..", $"{Path.GetFileName(_temp)}-train.tsv");
        using var writer = new StreamWriter(path);
        writer.WriteLine("user\titem");
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u).ToArray())
                writer.WriteLine($"u{u}\ti{i}");
        return path;
    }

    /// <summary>The program as a user runs it, with the temp directory pointed at this test's folder.</summary>
    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "multiinterest.dll"));
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
            if (Directory.EnumerateDirectories(_temp, ScratchDirectory.Prefix + run.Id + "-*").FirstOrDefault() is { } folder) return folder;
            Assert.False(run.HasExited, $"the run ended (exit {(run.HasExited ? run.ExitCode : 0)}) before its scratch folder was seen");
            Thread.Sleep(20);
        }
        throw new TimeoutException("no scratch folder appeared in a minute");
    }
}
