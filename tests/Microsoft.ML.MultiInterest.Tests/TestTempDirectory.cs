using System.Runtime.CompilerServices;

namespace Microsoft.ML.MultiInterest.Tests;

/// <summary>
/// Points the test process's temp directory (TMPDIR, read by <see cref="Path.GetTempPath"/> and so by every MLContext's
/// default <c>TempFilePath</c>) at a directory of its own, deleted when the process exits: tests that load models without
/// disposing them would otherwise leave ML.NET's copies of the graphs behind in the machine's temp directory.
/// </summary>
internal static class TestTempDirectory
{
#pragma warning disable CA2255 // A module initializer is the one hook that runs before any test creates an MLContext.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Redirect()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mi-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        Environment.SetEnvironmentVariable("TMPDIR", directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a file still held open stays behind, in a directory named after the process.
            }
        };
    }
}
