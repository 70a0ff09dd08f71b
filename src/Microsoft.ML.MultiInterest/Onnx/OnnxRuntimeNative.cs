using System.Reflection;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The library references ONNX Runtime's managed API only (<c>Microsoft.ML.OnnxRuntime.Managed</c>); the application chooses
/// the native runtime. Without one, the first use of ONNX Runtime fails deep inside it with a type-initializer error around
/// a <see cref="DllNotFoundException"/>; this turns that into a message saying which package to add.
/// </summary>
internal static class OnnxRuntimeNative
{
    /// <summary>
    /// What is missing and how to add it, naming the version of the managed API this process loaded (1.31.1 for the
    /// library's own build; higher when the application raised it), since the native library must match it.
    /// </summary>
    internal static string Missing => MissingFor(ManagedVersion());

    /// <summary>The message for a process whose managed ONNX Runtime API is <paramref name="version"/> ("1.31.1").</summary>
    private static string MissingFor(string version) =>
        "ONNX Runtime's native library was not found: this library references only Microsoft.ML.OnnxRuntime.Managed, so the application "
        + $"chooses the native runtime. Add <PackageReference Include=\"Microsoft.ML.OnnxRuntime\" Version=\"{version}\" /> (CPU) or "
        + $"Microsoft.ML.OnnxRuntime.Gpu {MinorLine(version)} (CUDA), to match the Microsoft.ML.OnnxRuntime.Managed {version} this process loaded, "
        + "to the application's project (docs/persistence.md); if it is there, check that the "
        + "published output holds its native library (runtimes/<rid>/native): a reference with PrivateAssets=\"all\" is left out of "
        + "dotnet publish unless it also has Publish=\"true\".";

    /// <summary>The loaded managed API's version without its build metadata ("1.31.1+41d4d61..." gives "1.31.1").</summary>
    private static string ManagedVersion()
    {
        var assembly = typeof(Microsoft.ML.OnnxRuntime.SessionOptions).Assembly;
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational)) return informational.Split('+')[0];
        return assembly.GetName().Version!.ToString(3);
    }

    /// <summary>
    /// The GPU package's versions that go with <paramref name="version"/>: it is published on its own patch numbers (1.31.0
    /// beside the CPU package's 1.31.1), so the message names the minor line.
    /// </summary>
    private static string MinorLine(string version)
    {
        string[] parts = version.Split('.');
        return parts.Length >= 2 ? $"{parts[0]}.{parts[1]}.x" : version;
    }

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
    /// The failure, in <paramref name="e"/> or wrapped by it at any depth, of ONNX Runtime to add its CUDA provider to a
    /// session's options: the CPU package's native library has no CUDA entry point at all, and the GPU package's cannot load
    /// CUDA's libraries on a host without them. Null for any other failure.
    /// </summary>
    public static Exception? CudaFailure(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
        {
            bool fromOnnxRuntime = x is EntryPointNotFoundException || x.GetType().Namespace == typeof(Microsoft.ML.OnnxRuntime.SessionOptions).Namespace;
            if (fromOnnxRuntime && x.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase)) return x;
        }
        return null;
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
