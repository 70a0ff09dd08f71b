namespace MultiInterest.Cli.Common;

/// <summary>A directory the command writes for its own use and deletes when disposed, whether it succeeded or failed.</summary>
internal sealed class TemporaryDirectory(string path) : IDisposable
{
    /// <summary>The directory's path (it need not exist yet).</summary>
    public string Path { get; } = path;

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open elsewhere leaves the directory behind in the temp folder, not an error over the result.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
