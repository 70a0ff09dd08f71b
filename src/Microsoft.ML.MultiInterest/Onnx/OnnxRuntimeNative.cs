namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The library references ONNX Runtime's managed API only (<c>Microsoft.ML.OnnxRuntime.Managed</c>); the application chooses
/// the native runtime. Without one, the first use of ONNX Runtime fails deep inside it with a type-initializer error around
/// a <see cref="DllNotFoundException"/>; this turns that into a message saying which package to add.
/// </summary>
internal static class OnnxRuntimeNative
{
    /// <summary>What is missing and how to add it.</summary>
    internal const string Missing =
        "ONNX Runtime's native library was not found: this library references only Microsoft.ML.OnnxRuntime.Managed, so the application "
        + "chooses the native runtime. Add <PackageReference Include=\"Microsoft.ML.OnnxRuntime\" Version=\"1.31.1\" /> (CPU) or "
        + "Microsoft.ML.OnnxRuntime.Gpu 1.31.0 (CUDA) to the application's project (docs/persistence.md); if it is there, check that the "
        + "published output holds its native library (runtimes/<rid>/native): a reference with PrivateAssets=\"all\" is left out of "
        + "dotnet publish unless it also has Publish=\"true\".";

    /// <summary>Runs <paramref name="action"/> (which uses ONNX Runtime for <paramref name="what"/>), naming the missing package if its native library is absent.</summary>
    /// <exception cref="InvalidOperationException">ONNX Runtime's native library could not be loaded.</exception>
    public static T Require<T>(string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsMissing(e))
        {
            throw new InvalidOperationException($"{what} needs ONNX Runtime. {Missing}", e);
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> is, or wraps (a type initializer's or ML.NET loader's reflection wrappers, any depth),
    /// the failure to load ONNX Runtime's native library.
    /// </summary>
    public static bool IsMissing(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x is DllNotFoundException && x.Message.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
