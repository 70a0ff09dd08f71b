namespace Microsoft.ML.MultiInterest;

/// <summary>
/// ML.NET's OnnxTransformer writes each graph it loads from bytes to <c>Path.GetRandomFileName()</c> in the temp directory,
/// and ONNX Runtime reads a file whose extension is <c>.ort</c> as an ORT-format model: about one name in 32,768 makes a
/// valid ONNX graph fail with "ORT model verification failed" (dotnet/machinelearning#7339). Loads that go through those
/// bytes are retried, each time with fresh random names; the library's own saves pass a file named <c>*.onnx</c> instead.
/// </summary>
/// <remarks>
/// ML.NET deletes its copy only once a session has opened it, so the copy a clash refused stays in the temp directory for
/// good (each as large as its stage's graph; nothing removes it at process exit either). Given that directory, a retry removes
/// the <c>.ort</c> files the failed attempt wrote there: ones that were not there before it.
/// </remarks>
internal static class OrtNameClash
{
    /// <summary>Attempts before the error is passed on (a clash on every one is about 1 in 10^13).</summary>
    internal const int Attempts = 3;

    /// <summary>Whether <paramref name="e"/> or an inner exception is ONNX Runtime refusing a graph as an ORT-format model.</summary>
    public static bool IsClash(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x.Message.Contains("ORT model verification failed", StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>Runs <paramref name="load"/>, again (up to <see cref="Attempts"/> times in all) while it fails with a name clash.</summary>
    /// <param name="load">The load, which writes its copies of the graphs to <paramref name="temporaryDirectory"/>.</param>
    /// <param name="temporaryDirectory">
    /// Where the load copies the graphs (<c>MLContext.TempFilePath</c>): the refused copies an attempt leaves there are deleted
    /// after its clash; null to delete nothing.
    /// </param>
    public static T Retry<T>(Func<T> load, string? temporaryDirectory = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            var before = OrtFiles(temporaryDirectory);
            try
            {
                return load();
            }
            catch (Exception e) when (IsClash(e))
            {
                RemoveRefusedCopies(temporaryDirectory, before);
                if (attempt >= Attempts) throw;
                // A fresh attempt draws fresh random file names.
            }
        }
    }

    /// <summary>The <c>.ort</c> files in <paramref name="directory"/> (none when it is null or missing).</summary>
    private static HashSet<string> OrtFiles(string? directory) =>
        directory != null && Directory.Exists(directory)
            ? new HashSet<string>(Directory.EnumerateFiles(directory, "*.ort", SearchOption.TopDirectoryOnly), StringComparer.Ordinal)
            : [];

    /// <summary>
    /// Deletes the <c>.ort</c> files of <paramref name="directory"/> that are not in <paramref name="before"/> and look like the
    /// copies ONNX Runtime refused: a name <c>Path.GetRandomFileName()</c> makes (8 characters of a-z and 0-5), holding no
    /// ORT-format model (whose flatbuffer identifier "ORTM" is at byte 4). The directory is shared (the system's temp directory
    /// by default): another program's ORT model, or a user's own file, written there meanwhile is kept.
    /// </summary>
    private static void RemoveRefusedCopies(string? directory, HashSet<string> before)
    {
        foreach (string file in OrtFiles(directory))
        {
            if (before.Contains(file) || !IsRandomName(Path.GetFileName(file))) continue;
            try
            {
                if (IsOrtFormat(file)) continue;
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the load's own outcome is what the caller needs.
            }
        }
    }

    /// <summary>Whether <paramref name="name"/> is <c>Path.GetRandomFileName()</c>'s shape with the extension <c>.ort</c>.</summary>
    private static bool IsRandomName(string name) =>
        name.Length == 12 && name.EndsWith(".ort", StringComparison.Ordinal) && name.AsSpan(0, 8).IndexOfAnyExcept(RandomNameChars) < 0;

    /// <summary>The characters of <c>Path.GetRandomFileName()</c>.</summary>
    private static readonly System.Buffers.SearchValues<char> RandomNameChars = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz012345");

    /// <summary>Whether <paramref name="file"/> is an ORT-format model (flatbuffer identifier "ORTM" at bytes 4-7), which ML.NET never writes.</summary>
    private static bool IsOrtFormat(string file)
    {
        Span<byte> head = stackalloc byte[8];
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head[4..].SequenceEqual("ORTM"u8);
    }
}
