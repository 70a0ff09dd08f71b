using System.Reflection;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The package version of this library (the csproj's VersionPrefix), which saved stages and ONNX manifests record beside their format version,
/// so that a reader too old for them can say which version to install. The assembly version stays 1.0.0.0 (saved models
/// name the assembly), so it cannot say this.
/// </summary>
internal static class LibraryVersion
{
    /// <summary>The package version, without the source revision after '+'.</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        string? informational = typeof(LibraryVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational)) return typeof(LibraryVersion).Assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
