namespace Microsoft.ML.MultiInterest;

/// <summary>
/// ML.NET's OnnxTransformer writes each graph it loads from bytes to <c>Path.GetRandomFileName()</c> in the temp directory,
/// and ONNX Runtime reads a file whose extension is <c>.ort</c> as an ORT-format model: about one name in 32,768 makes a
/// valid ONNX graph fail with "ORT model verification failed" (dotnet/machinelearning#7339). Loads that go through those
/// bytes are retried, each time with fresh random names; the library's own saves pass a file named <c>*.onnx</c> instead.
/// </summary>
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
    public static T Retry<T>(Func<T> load)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return load();
            }
            catch (Exception e) when (attempt < Attempts && IsClash(e))
            {
                // A fresh attempt draws fresh random file names.
            }
        }
    }
}
