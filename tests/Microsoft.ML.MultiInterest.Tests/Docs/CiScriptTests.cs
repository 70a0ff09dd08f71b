using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// .ci/run's exit status and summary lines, with a stand-in <c>dotnet</c> on the PATH that prints what each pass is given
/// (a result line, or a restore error): the script itself runs, on a copy, in a second or two. Both passes' versions come
/// from Directory.Packages.props, which README's "Supported versions" is held to.
/// </summary>
public sealed class CiScriptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-ci-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Where the stand-in dotnet writes the arguments of each <c>dotnet test</c>, one line a pass.</summary>
    private string TestArguments => Path.Combine(_directory, "test-arguments");

    /// <summary>A property of Directory.Packages.props, the one place that names both passes' versions.</summary>
    private static string Property(string name) =>
        Assert.Single(XDocument.Load(Path.Combine(DocSnippets.RepositoryRoot(), "Directory.Packages.props")).Descendants(name)).Value;

    /// <summary>The summary line's label of the floor pass (the build's own versions).</summary>
    private static string FloorLabel => $"ML.NET {Property("MLNetVersion")}, ONNX Runtime {Property("OnnxRuntimeVersion")} (the floor, the README's command)";

    /// <summary>The summary line's label of the newest pass.</summary>
    private static string NewestLabel => $"ML.NET {Property("NewestMLNetVersion")}, ONNX Runtime {Property("NewestOnnxRuntimeVersion")} (the newest supported)";

    /// <summary>The properties that make a build the newest pair's, as the README's command and .ci/run's second pass give them.</summary>
    private static string NewestProperties => $"-p:MLNetVersion={Property("NewestMLNetVersion")} -p:MLNetPreviewVersion={Property("NewestMLNetPreviewVersion")} "
        + $"-p:OnnxRuntimeVersion={Property("NewestOnnxRuntimeVersion")} -p:OnnxRuntimeGpuVersion={Property("NewestOnnxRuntimeGpuVersion")}";

    /// <summary>A dotnet test result line as the SDK prints it.</summary>
    private static string Result(int failed, int passed) =>
        $"echo '{(failed > 0 ? "Failed!" : "Passed!")}  - Failed:     {failed}, Passed:  {passed}, Skipped:     0, Total:  {failed + passed}, Duration: 1 m - T.dll (net10.0)'; exit {(failed > 0 ? 1 : 0)}";

    private const string RestoreError = "echo 'T.csproj : error NU1102: Unable to find package Microsoft.ML with version (= 6.0.0)'; exit 1";

    /// <summary>
    /// Runs a copy of .ci/run, beside a copy of Directory.Packages.props (its text through <paramref name="packages"/> when
    /// given), whose dotnet does <paramref name="floor"/> on the first test pass and <paramref name="newest"/> on the second
    /// (the one given versions); returns the exit code, the lines of standard output and standard error.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private (int ExitCode, string[] Lines, string Error) Run(string floor, string newest, Func<string, string>? packages = null)
    {
        string repository = Path.Combine(_directory, "repo"), bin = Path.Combine(_directory, "bin");
        Directory.CreateDirectory(Path.Combine(repository, ".ci"));
        Directory.CreateDirectory(bin);
        File.Copy(Path.Combine(DocSnippets.RepositoryRoot(), ".ci", "run"), Path.Combine(repository, ".ci", "run"), overwrite: true);
        string props = File.ReadAllText(Path.Combine(DocSnippets.RepositoryRoot(), "Directory.Packages.props"));
        File.WriteAllText(Path.Combine(repository, "Directory.Packages.props"), packages == null ? props : packages(props));
        File.Delete(TestArguments);
        string dotnet = Path.Combine(bin, "dotnet");
        File.WriteAllText(dotnet, "#!/usr/bin/env bash\ncase \"$1\" in\n  --info) echo '.NET SDK:';;\n  restore) ;;\n"
            + $"  test) echo \"$*\" >> '{TestArguments}'; if [[ \"$*\" == *-p:MLNetVersion=* ]]; then {newest}; else {floor}; fi;;\nesac\n");
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
        Assert.Empty(Directory.EnumerateFileSystemEntries(temporary));
        return (process.ExitCode, output.Split('\n', StringSplitOptions.RemoveEmptyEntries), error.Result);
    }

    [Fact]
    public void A_pass_that_runs_no_test_is_said_to_have_failed_in_its_line_and_the_total()
    {
        if (OperatingSystem.IsWindows()) return; // .ci/run is a bash script for the Linux CI machine

        var (code, lines, _) = Run(Result(0, 1360), RestoreError);
        Assert.Equal(1, code);
        Assert.Equal($"{NewestLabel}: no test ran: dotnet test exited with 1 before any result (a restore or build error, above)", lines[^2]);
        Assert.Equal("1360 passed, 0 failed; FAILED: dotnet test exited with 0 (the floor) and 1 (the newest)", lines[^1]);

        // A failed first pass still fails the run when the second passes, and says which.
        (code, lines, _) = Run(Result(2, 1358), Result(0, 1360));
        Assert.Equal(1, code);
        Assert.Equal($"{FloorLabel}: 1358 passed, 2 failed", lines[^3]);
        Assert.Equal("2718 passed, 2 failed; FAILED: dotnet test exited with 1 (the floor) and 0 (the newest)", lines[^1]);

        // Both green: the plain lines, exit 0; the first pass on the build's own versions, the second on the newest pair.
        (code, lines, _) = Run(Result(0, 1360), Result(0, 1360));
        Assert.Equal(0, code);
        Assert.Equal([$"{FloorLabel}: 1360 passed, 0 failed", $"{NewestLabel}: 1360 passed, 0 failed", "2720 passed, 0 failed"], lines[^3..]);
        var passes = File.ReadAllLines(TestArguments);
        Assert.Equal(2, passes.Length);
        Assert.DoesNotContain("-p:", passes[0], StringComparison.Ordinal);
        Assert.EndsWith(" " + NewestProperties, passes[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_missing_from_the_packages_file_stops_the_run_before_any_pass()
    {
        if (OperatingSystem.IsWindows()) return; // .ci/run is a bash script for the Linux CI machine

        var (code, lines, error) = Run(Result(0, 1360), Result(0, 1360),
            props => Regex.Replace(props, @"\s*<NewestOnnxRuntimeVersion>[^<]*</NewestOnnxRuntimeVersion>", ""));
        Assert.NotEqual(0, code);
        Assert.Contains("Directory.Packages.props: expected one <NewestOnnxRuntimeVersion> property with a value", error, StringComparison.Ordinal);
        Assert.Empty(lines);
        Assert.False(File.Exists(TestArguments), "No dotnet test should have run.");
    }

    /// <summary>
    /// README's "Supported versions" names the pairs .ci/run tests as Directory.Packages.props holds them: the floor (its
    /// first sentence and the table's row of the build's versions) and the newest pair (its row, the command that checks
    /// it, the sentence on CI), and no row is newer than that pair: a version changed in one place and not the other fails here.
    /// </summary>
    [Fact]
    public void The_readme_names_the_pairs_the_packages_file_holds()
    {
        string readme = DocSnippets.Page("README.md");
        int start = readme.IndexOf("\nSupported versions.", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no \"Supported versions\" paragraph.");
        int end = readme.IndexOf("\n## ", start, StringComparison.Ordinal);
        string section = readme[start..(end < 0 ? readme.Length : end)];
        // Words only: a sentence or command may break across lines.
        string text = Regex.Replace(section, @"\s+", " ");

        string floor = Property("MLNetVersion"), floorOrt = Property("OnnxRuntimeVersion");
        Assert.Contains($"Microsoft.ML and Microsoft.ML.OnnxTransformer {floor} and Microsoft.ML.OnnxRuntime.Managed {floorOrt}", text, StringComparison.Ordinal);
        Assert.Contains($"\n| {floor} (the build's) | {floorOrt} (CUDA package {Property("OnnxRuntimeGpuVersion")}) | {Property("MLNetPreviewVersion")} |", section,
            StringComparison.Ordinal);

        string newest = Property("NewestMLNetVersion"), newestOrt = Property("NewestOnnxRuntimeVersion");
        Assert.Contains($"\n| {newest} | {newestOrt} (CUDA package {Property("NewestOnnxRuntimeGpuVersion")}) | {Property("NewestMLNetPreviewVersion")} |", section,
            StringComparison.Ordinal);
        Assert.Contains($"dotnet test MLMultiInterest.sln -c Release {NewestProperties}`", text, StringComparison.Ordinal);
        Assert.Contains($"the floor and ML.NET {newest} with ONNX Runtime {newestOrt},", text, StringComparison.Ordinal);

        // The table's rows (a version first), each no newer than the newest pair in ML.NET and ONNX Runtime.
        var rows = section.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && char.IsDigit(l[2]))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)).ToArray();
        Assert.NotEmpty(rows);
        static Version First(string cell) => Version.Parse(cell.Split(' ')[0]);
        Assert.All(rows, cells =>
        {
            Assert.True(First(cells[1]) <= Version.Parse(newest), $"README names ML.NET {cells[1]}, newer than NewestMLNetVersion {newest}.");
            Assert.True(First(cells[2]) <= Version.Parse(newestOrt), $"README names ONNX Runtime {cells[2]}, newer than NewestOnnxRuntimeVersion {newestOrt}.");
        });
    }
}
