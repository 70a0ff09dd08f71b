using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// .ci/run's exit status and summary lines, with a stand-in <c>dotnet</c> on the PATH that prints what each pass is given
/// (a result line, or a restore error): the script itself runs, on a copy, in a second or two.
/// </summary>
public sealed class CiScriptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-ci-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A dotnet test result line as the SDK prints it.</summary>
    private static string Result(int failed, int passed) =>
        $"echo '{(failed > 0 ? "Failed!" : "Passed!")}  - Failed:     {failed}, Passed:  {passed}, Skipped:     0, Total:  {failed + passed}, Duration: 1 m - T.dll (net10.0)'; exit {(failed > 0 ? 1 : 0)}";

    private const string RestoreError = "echo 'T.csproj : error NU1102: Unable to find package Microsoft.ML with version (= 6.0.0)'; exit 1";

    /// <summary>Runs a copy of .ci/run whose dotnet does <paramref name="floor"/> on the first test pass and <paramref name="newest"/> on the second.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private (int ExitCode, string[] Lines) Run(string floor, string newest)
    {
        string repository = Path.Combine(_directory, "repo"), bin = Path.Combine(_directory, "bin");
        Directory.CreateDirectory(Path.Combine(repository, ".ci"));
        Directory.CreateDirectory(bin);
        File.Copy(Path.Combine(DocSnippets.RepositoryRoot(), ".ci", "run"), Path.Combine(repository, ".ci", "run"), overwrite: true);
        string dotnet = Path.Combine(bin, "dotnet");
        File.WriteAllText(dotnet, "#!/usr/bin/env bash\ncase \"$1\" in\n  --info) echo '.NET SDK:';;\n  restore) ;;\n"
            + $"  test) if [[ \"$*\" == *MLNetVersion=6.0.0* ]]; then {newest}; else {floor}; fi;;\nesac\n");
        File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("bash", [Path.Combine(".ci", "run")])
        {
            WorkingDirectory = repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        // The script's logs go to a folder of the test's own, which it must leave empty.
        string temporary = Path.Combine(_directory, "tmp");
        Directory.CreateDirectory(temporary);
        start.Environment["TMPDIR"] = temporary;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = error.Result;
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
        return (process.ExitCode, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_pass_that_runs_no_test_is_said_to_have_failed_in_its_line_and_the_total()
    {
        if (OperatingSystem.IsWindows()) return; // .ci/run is a bash script for the Linux CI machine

        var (code, lines) = Run(Result(0, 1360), RestoreError);
        Assert.Equal(1, code);
        Assert.Equal("ML.NET 6.0.0, ONNX Runtime 1.32.0 (the newest supported): no test ran: dotnet test exited with 1 before any result (a restore or build error, above)",
            lines[^2]);
        Assert.Equal("1360 passed, 0 failed; FAILED: dotnet test exited with 0 (the floor) and 1 (the newest)", lines[^1]);

        // A failed first pass still fails the run when the second passes, and says which.
        (code, lines) = Run(Result(2, 1358), Result(0, 1360));
        Assert.Equal(1, code);
        Assert.Equal("ML.NET 5.0.1, ONNX Runtime 1.31.1 (the floor, the README's command): 1358 passed, 2 failed", lines[^3]);
        Assert.Equal("2718 passed, 2 failed; FAILED: dotnet test exited with 1 (the floor) and 0 (the newest)", lines[^1]);

        // Both green: the plain lines, exit 0.
        (code, lines) = Run(Result(0, 1360), Result(0, 1360));
        Assert.Equal(0, code);
        Assert.Equal(["ML.NET 5.0.1, ONNX Runtime 1.31.1 (the floor, the README's command): 1360 passed, 0 failed",
            "ML.NET 6.0.0, ONNX Runtime 1.32.0 (the newest supported): 1360 passed, 0 failed", "2720 passed, 0 failed"], lines[^3..]);
    }
}
