using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// Outputs are replaced whole (a walkthrough of outputs under failure found recommend's list file, metrics.json and split's
/// pair written in place: a cut run left a shorter file that read as complete, or one run's train beside another's test).
/// </summary>
public sealed class OutputFileReplacingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"replacing-{Guid.NewGuid():N}");

    public OutputFileReplacingTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AFailedPairLeavesBothEarlierFilesAndNoPartialFile()
    {
        string train = Path.Combine(_directory, "train.tsv"), test = Path.Combine(_directory, "test.tsv");
        File.WriteAllText(train, "old train");
        File.WriteAllText(test, "old test");
        Assert.Throws<IOException>(() => OutputFile.WriteBothReplacing(train, p => File.WriteAllText(p, "new train"), test, _ => throw new IOException("No space left on device")));
        Assert.Equal("old train", File.ReadAllText(train));
        Assert.Equal("old test", File.ReadAllText(test));
        Assert.Equal(2, Directory.EnumerateFiles(_directory).Count());

        OutputFile.WriteBothReplacing(train, p => File.WriteAllText(p, "new train"), test, p => File.WriteAllText(p, "new test"));
        Assert.Equal("new train", File.ReadAllText(train));
        Assert.Equal("new test", File.ReadAllText(test));
        Assert.Equal(2, Directory.EnumerateFiles(_directory).Count());
    }

    [Fact]
    public void ASetThatFailsInItsLastFileLeavesEveryEarlierFileAndNoPartialFile()
    {
        string[] paths = ["model.zip", "leaderboard.tsv", "sweep.json"];
        paths = [.. paths.Select(p => Path.Combine(_directory, p))];
        foreach (string path in paths) File.WriteAllText(path, "old " + Path.GetFileName(path));
        Assert.Throws<IOException>(() => OutputFile.WriteAllReplacing([
            (paths[0], p => File.WriteAllText(p, "new model")),
            (paths[1], p => File.WriteAllText(p, "new leaderboard")),
            (paths[2], _ => throw new IOException("No space left on device")),
        ]));
        foreach (string path in paths) Assert.Equal("old " + Path.GetFileName(path), File.ReadAllText(path));
        Assert.Equal(3, Directory.EnumerateFiles(_directory).Count());

        string added = Path.Combine(_directory, "sensitivity-lambda.png");
        var replaced = OutputFile.WriteAllReplacing([.. paths.Append(added).Select(p => (p, (Action<string>)(partial => File.WriteAllText(partial, "new"))))]);
        Assert.Equal([true, true, true, false], replaced);
        Assert.All(paths.Append(added), p => Assert.Equal("new", File.ReadAllText(p)));
        Assert.Equal(4, Directory.EnumerateFiles(_directory).Count());
    }

    /// <summary>
    /// Regression (a review): two entries naming one file shared one partial file, so the second write replaced the first's
    /// and its move failed after the earlier files had moved (leaderboard.tsv replaced, sweep.json not); a target that is a
    /// folder failed its move likewise after the others. Both are refused before anything is written.
    /// </summary>
    [Fact]
    public void ASetNamingAFileTwiceOrAFolderIsRefusedBeforeAnythingIsWritten()
    {
        string model = Path.Combine(_directory, "model.zip"), board = Path.Combine(_directory, "leaderboard.tsv"), folder = Path.Combine(_directory, "sweep.json");
        File.WriteAllText(model, "old model");
        File.WriteAllText(board, "old leaderboard");
        Directory.CreateDirectory(folder);
        bool written = false;
        Action<string> write = p => { written = true; File.WriteAllText(p, "new"); };
        var twice = Assert.Throws<ArgumentException>(() => OutputFile.WriteAllReplacing([
            (model, write), (board, write), (Path.Combine(_directory, ".", "model.zip"), write)]));
        Assert.Contains("model.zip", twice.Message, StringComparison.Ordinal);
        var intoFolder = Assert.Throws<IOException>(() => OutputFile.WriteAllReplacing([(model, write), (board, write), (folder, write)]));
        Assert.Contains("is a folder", intoFolder.Message, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            // A link and its target are one file too.
            string link = Path.Combine(_directory, "model-link.zip");
            File.CreateSymbolicLink(link, model);
            Assert.Throws<ArgumentException>(() => OutputFile.WriteAllReplacing([(model, write), (link, write)]));
            File.Delete(link);
        }
        Assert.False(written);
        Assert.Equal("old model", File.ReadAllText(model));
        Assert.Equal("old leaderboard", File.ReadAllText(board));
        Assert.Equal(2, Directory.EnumerateFiles(_directory).Count());
    }

    [Fact]
    public void ThePartialFileEndsInTheTargetsName_SoAGzipNameStillCompresses()
    {
        string target = Path.Combine(_directory, "edges.tsv.gz");
        string? seen = null;
        OutputFile.WriteReplacing(target, p => { seen = p; File.WriteAllText(p, "x"); });
        Assert.EndsWith("edges.tsv.gz", seen, StringComparison.Ordinal);
        Assert.NotEqual(target, seen);
        Assert.Equal("x", File.ReadAllText(target));
    }

    /// <summary>A run killed while writing (SIGKILL) leaves its partial file; the next write of that file removes it (a live run's, or another file's, it keeps).</summary>
    [Fact]
    public void APartialFileOfAProcessThatIsGoneIsRemovedByTheNextWrite()
    {
        string target = Path.Combine(_directory, "model.zip");
        using var child = System.Diagnostics.Process.Start("true")!;
        child.WaitForExit();
        string abandoned = Path.Combine(_directory, $".partial-{child.Id}-model.zip");
        string otherFiles = Path.Combine(_directory, $".partial-{child.Id}-other.zip"); // another target's: not this write's to remove
        File.WriteAllText(abandoned, "half a zip");
        File.WriteAllText(otherFiles, "another file's");
        OutputFile.WriteReplacing(target, p => File.WriteAllText(p, "zip"));
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(otherFiles));
        Assert.Equal("zip", File.ReadAllText(target));
    }

    /// <summary>
    /// Regression (a review): writing through a partial file replaced what the path named, so a symbolic link became a file
    /// (the linked file kept the old contents) and, as root, /dev/null became a regular file. A link's target is replaced and
    /// the link kept; a device is written to.
    /// </summary>
    [Fact]
    public void ALinkKeepsPointingAtTheReplacedFile_AndADeviceIsWrittenTo()
    {
        if (OperatingSystem.IsWindows()) return;
        string real = Path.Combine(_directory, "lists.tsv"), link = Path.Combine(_directory, "lists-link.tsv");
        File.WriteAllText(real, "old");
        File.CreateSymbolicLink(link, real);
        Assert.True(OutputFile.WriteReplacing(link, p => File.WriteAllText(p, "new")));
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(real));

        Assert.False(OutputFile.WriteReplacing("/dev/null", p => File.WriteAllText(p, "discarded")));
        Assert.Equal(0, new FileInfo("/dev/null").Length); // still the device: a file would hold the 9 bytes
        // A link to a device (a shell's >(...) is one) is written through, never followed to a path to replace.
        string toDevice = Path.Combine(_directory, "to-null");
        File.CreateSymbolicLink(toDevice, "/dev/null");
        Assert.False(OutputFile.WriteReplacing(toDevice, p => File.WriteAllText(p, "discarded")));
        Assert.Equal("/dev/null", new FileInfo(toDevice).LinkTarget);
    }
}
