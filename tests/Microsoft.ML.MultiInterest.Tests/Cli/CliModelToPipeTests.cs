using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// A model written to standard output (<c>--model /dev/stdout</c>) whose reader goes away: the run fails on the broken pipe.
/// These run the real program, its standard output a pipe as a shell's <c>| head</c> makes it.
/// </summary>
/// <remarks>
/// Regression (a review): the zip was written through mlContext.Model.Save(path), which opens the file read-write; on a
/// pipe that makes the process a reader of its own output, so when the real reader closed it the write never failed and
/// the run hung for ever once the pipe's buffer was full ('sweep --model /dev/stdout | head -c 100' on ml-100k).
/// </remarks>
public sealed class CliModelToPipeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-model-pipe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("fit")]
    [InlineData("sweep")]
    public async Task AModelWrittenToAPipeWhoseReaderLeftFailsInsteadOfHanging(string command)
    {
        if (OperatingSystem.IsWindows()) return; // /dev/stdout
        // Enough users that the zip is far larger than a pipe's buffer (64 KiB on Linux).
        string train = Path.Combine(_directory, "train.tsv");
        var random = new Random(5);
        File.WriteAllLines(train, ["user\titem", .. Enumerable.Range(0, 3000).SelectMany(u => Enumerable.Range(0, 8).Select(_ => $"u{u}\ti{random.Next(400)}")).Distinct()]);
        string[] args = command == "fit"
            ? ["fit", "--train", train, "--model", "/dev/stdout", "--retriever", "quota", "--algorithm", "truncated-svd", "--dim", "16", "--clusters", "8", "--threads", "1"]
            : ["sweep", "--train", train, "--model", "/dev/stdout", "--out", Path.Combine(_directory, "sweep"), "--space", "lambda=0,0.5", "--algorithm", "truncated-svd",
                "--dim", "16", "--clusters", "8", "--threads", "1"];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "multiinterest.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var run = Process.Start(start)!;
        var error = run.StandardError.ReadToEndAsync();
        try
        {
            // Read until the zip begins (its log lines come first on the same stream), then go away as `head` does.
            var output = run.StandardOutput.BaseStream;
            int matched = 0, b;
            byte[] zip = [(byte)'P', (byte)'K', 3, 4];
            while (matched < zip.Length && (b = output.ReadByte()) >= 0)
                matched = b == zip[matched] ? matched + 1 : b == zip[0] ? 1 : 0;
            Assert.Equal(zip.Length, matched);
            run.StandardOutput.Dispose();
            Assert.True(run.WaitForExit(60_000), $"{command} hung writing its model to a pipe no one reads");
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("error: ", await error, StringComparison.Ordinal);
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
    }
}
