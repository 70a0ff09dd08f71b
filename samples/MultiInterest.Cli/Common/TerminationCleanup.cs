using System.Runtime.InteropServices;

namespace MultiInterest.Cli.Common;

/// <summary>
/// What the command removes when a signal ends it (Ctrl+C, SIGTERM, SIGHUP, SIGQUIT): its scratch folder and the partial
/// files it is writing. .NET runs neither finally blocks nor ProcessExit handlers when a signal ends a process, so without
/// this a stopped <c>fit</c> left its ONNX copies (hundreds of MB on a large graph) in the temp folder. A command may take
/// Ctrl+C for itself (the sweep's first one stops its trials); then nothing is removed and the process goes on.
/// </summary>
internal static class TerminationCleanup
{
    private static readonly PosixSignal[] Signals = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];
    private static readonly object Gate = new();
    private static readonly HashSet<string> Files = new(StringComparer.Ordinal), Directories = new(StringComparer.Ordinal);
    private static readonly List<Func<bool>> Interceptors = [];
    private static PosixSignalRegistration[]? _registrations;

    /// <summary>Handles the signals from now on (once per process; later calls do nothing).</summary>
    public static void Install()
    {
        lock (Gate)
            _registrations ??= Signals.Select(signal => PosixSignalRegistration.Create(signal, OnSignal)).ToArray();
    }

    /// <summary>Removes the file <paramref name="path"/> if a signal ends the process before the returned handle is disposed.</summary>
    public static IDisposable TrackFile(string path) => Track(Files, path);

    /// <summary>Removes the folder <paramref name="path"/> and all in it if a signal ends the process before the handle is disposed.</summary>
    public static IDisposable TrackDirectory(string path) => Track(Directories, path);

    /// <summary>
    /// Offers Ctrl+C to <paramref name="takes"/> until the handle is disposed: when it returns true the interrupt is its
    /// own (the process goes on, nothing is removed); when false, the process ends as usual.
    /// </summary>
    public static IDisposable InterceptInterrupt(Func<bool> takes)
    {
        Install();
        lock (Gate) Interceptors.Add(takes);
        return new Release(() => { lock (Gate) Interceptors.Remove(takes); });
    }

    private static Release Track(HashSet<string> paths, string path)
    {
        lock (Gate) paths.Add(path);
        return new Release(() => { lock (Gate) paths.Remove(path); });
    }

    private static void OnSignal(PosixSignalContext context)
    {
        Func<bool>[] interceptors;
        lock (Gate) interceptors = [.. Interceptors];
        // The latest interceptor first: it belongs to the innermost command still running.
        if (context.Signal == PosixSignal.SIGINT)
            for (int i = interceptors.Length - 1; i >= 0; i--)
                if (interceptors[i]())
                {
                    context.Cancel = true;
                    return;
                }
        RemoveTracked();
    }

    /// <summary>Deletes every tracked file and folder, best effort: the process is ending and has no one to tell.</summary>
    private static void RemoveTracked()
    {
        string[] files, directories;
        lock (Gate)
        {
            files = [.. Files];
            directories = [.. Directories];
        }
        foreach (string file in files)
            Attempt(() => File.Delete(file));
        foreach (string directory in directories)
            Attempt(() => Directory.Delete(directory, recursive: true));
    }

    private static void Attempt(Action remove)
    {
        try
        {
            remove();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Files still being written by a worker thread may block a folder's removal; the next run's start removes what is left.
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private Action? _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
