using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>Whether two paths name one file (<see cref="FileIdentity.Same"/>), as the CLI's output checks ask it.</summary>
public sealed class FileIdentityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-file-identity-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// Regression (a review): a symbolic link to a file not written yet (File.Exists is true of the link) was taken for the
    /// same file as any existing input, the second open's FileNotFoundException read as the exclusive lock held, so
    /// 'sweep --model link.zip' with link.zip pointing into the --out folder was refused as "--train and --model name the same file".
    /// </summary>
    [Fact]
    public void ALinkToAFileNotWrittenYetIsNoOtherFile()
    {
        if (OperatingSystem.IsWindows()) return;
        string input = Path.Combine(_directory, "train.tsv"), link = Path.Combine(_directory, "model-link.zip"), target = Path.Combine(_directory, "out", "model.zip");
        File.WriteAllText(input, "user\titem\n");
        File.CreateSymbolicLink(link, target);
        Assert.False(FileIdentity.Same(input, link));
        Assert.False(FileIdentity.Same(link, input));
        OutputFile.CheckNotOverwriting([("--train", input)], ("--model", link));
        // Once written, the link and its target are one file, and the input another.
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, "zip");
        Assert.True(FileIdentity.Same(link, target));
        Assert.False(FileIdentity.Same(input, link));
    }
}
