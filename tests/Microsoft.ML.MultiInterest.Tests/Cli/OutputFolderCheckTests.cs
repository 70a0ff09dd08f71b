using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// The check that an output can be written, made before a long run, creates nothing: an audit found a failed
/// <c>fit --model leftover/a/b/m.zip</c> leaving <c>leftover/a/b</c>, and a failed <c>export-onnx --out xo2</c> an empty
/// <c>xo2</c>. A run that succeeds still creates the folders it writes into.
/// </summary>
public sealed class OutputFolderCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-output-folders-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(params string[] parts) => Path.Combine([_directory, .. parts]);

    /// <summary>The folder's entries, names relative to it, for comparing before and after a run.</summary>
    private string[] Entries() => [.. Directory.EnumerateFileSystemEntries(_directory, "*", SearchOption.AllDirectories)
        .Select(e => Path.GetRelativePath(_directory, e)).Order(StringComparer.Ordinal)];

    [Fact]
    public void A_run_that_fails_after_the_check_leaves_no_folder_of_its_outputs()
    {
        string bad = PathOf("BAD.tsv");
        File.WriteAllText(bad, "user,item\na,b\n");
        string notAModel = PathOf("truncated.zip");
        File.WriteAllText(notAModel, "not a model");
        var before = Entries();
        string[][] runs =
        [
            ["fit", "--train", bad, "--model", PathOf("leftover", "a", "b", "m.zip")],
            ["export-onnx", "--model", notAModel, "--out", PathOf("xo2")],
            ["export-onnx", "--model", notAModel, "--out", PathOf("xo3", "deeper")],
            ["evaluate", "--train", bad, "--test", bad, "--out", PathOf("evaluated", "run")],
            ["sweep", "--train", bad, "--out", PathOf("swept", "run"), "--export-validation", PathOf("validation", "run")],
            ["recommend", "--model", notAModel, "--users", bad, "--out", PathOf("lists", "a", "lists.tsv")],
            ["split", "--edges", bad, "--train", PathOf("pair", "train", "train.tsv"), "--test", PathOf("pair", "test", "test.tsv")],
        ];
        var left = new List<string>();
        foreach (var args in runs)
        {
            var run = CliHarness.Run(args);
            Assert.True(run.ExitCode == 1, $"{args[0]}: exit {run.ExitCode}: {run.Error}");
            // Each run's leftovers are named and removed, so that every command is checked.
            foreach (string entry in Entries().Except(before))
            {
                left.Add($"{args[0]}: {entry}");
                if (Directory.Exists(PathOf(entry))) Directory.Delete(PathOf(entry), recursive: true);
            }
        }
        Assert.True(left.Count == 0, "Left behind: " + string.Join(", ", left));
    }

    [Fact]
    public void A_run_that_succeeds_creates_the_folders_it_writes_into()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = PathOf("new", "a", "b", "m.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "unimodal", "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.True(File.Exists(model));
        string onnx = PathOf("exported", "onnx");
        var export = CliHarness.Run("export-onnx", "--model", model, "--out", onnx);
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.True(File.Exists(Path.Combine(onnx, "manifest.json")));
    }

    [Fact]
    public void The_check_creates_nothing_and_still_refuses_a_folder_that_cannot_be_made()
    {
        var before = Entries();
        OutputFile.CheckWritable(PathOf("missing", "a", "m.zip"), "--model");
        OutputFile.CheckWritableDirectory(PathOf("missing", "b"), "--out");
        Assert.Equal(before, Entries()); // no folder, no probe file left in the nearest existing one

        // A file where a folder of the path would go: refused, naming it, as before.
        string file = PathOf("a-file");
        File.WriteAllText(file, "");
        var model = Assert.Throws<UsageException>(() => OutputFile.CheckWritable(Path.Combine(file, "sub", "m.zip"), "--model"));
        Assert.Contains($"--model '{Path.Combine(file, "sub", "m.zip")}' cannot be written: '{file}' is a file, not a folder", model.Message, StringComparison.Ordinal);
        var folder = Assert.Throws<UsageException>(() => OutputFile.CheckWritableDirectory(Path.Combine(file, "out"), "--out"));
        Assert.Contains($"--out '{Path.Combine(file, "out")}' cannot be written: '{file}' is a file, not a folder", folder.Message, StringComparison.Ordinal);
    }
}
