using System.Runtime.InteropServices;

namespace MultiInterest.Cli.Common;

/// <summary>
/// What the command removes when a signal ends it (Ctrl+C, SIGTERM, SIGHUP, SIGQUIT): its scratch folder and the partial
/// files it is writing. .NET runs neither finally blocks nor ProcessExit handlers when a signal ends a process, so without
/// this a stopped <c>fit</c> left its ONNX copies (hundreds of MB on a large graph) in the temp folder. A command may take
/// Ctrl+C (and Ctrl+\) for itself (the sweep's first one stops its trials); then nothing is removed and the process goes on.
/// Any other of these signals ends the run, also where the system would not (PID 1, a SIGTERM set to be ignored).
/// </summary>
internal static class TerminationCleanup
{
    private static readonly PosixSignal[] Signals = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];
    private static readonly object Gate = new();
    private static readonly HashSet<string> Files = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Action?> Directories = new(StringComparer.Ordinal);
    private static readonly List<Func<bool>> Interceptors = [];
    private static PosixSignalRegistration[]? _registrations;

    private static volatile Ending? _ending;

    /// <summary>The signal that is ending the run and the exit status it gives, once one came (null before).</summary>
    public static Ending? Stopping => _ending;

    /// <summary>A signal that ended the run, and the exit status (128 plus its number).</summary>
    public sealed record Ending(PosixSignal Signal, int Code)
    {
        /// <summary>The line standard error gets when the run ends so.</summary>
        public string Message => $"stopped by {Signal}: the run's temp files and partial outputs were removed.";
    }

    /// <summary>Handles the signals from now on (once per process; later calls do nothing).</summary>
    public static void Install()
    {
        lock (Gate)
            _registrations ??= Signals.Select(signal => PosixSignalRegistration.Create(signal, OnSignal)).ToArray();
    }

    /// <summary>Removes the file <paramref name="path"/> if a signal ends the process before the returned handle is disposed.</summary>
    public static IDisposable TrackFile(string path)
    {
        lock (Gate) Files.Add(path);
        return new Release(() => { lock (Gate) Files.Remove(path); });
    }

    /// <summary>
    /// Removes the folder <paramref name="path"/> and all in it if a signal ends the process before the handle is disposed,
    /// after calling <paramref name="before"/> (to close what the process holds open there).
    /// </summary>
    public static IDisposable TrackDirectory(string path, Action? before = null)
    {
        lock (Gate) Directories[path] = before;
        return new Release(() => { lock (Gate) Directories.Remove(path); });
    }

    /// <summary>
    /// Runs <paramref name="body"/> with the signals' clean-up held off until it returns, so that what it creates and tracks is,
    /// when a signal comes, either not there yet or tracked.
    /// </summary>
    public static T Deferring<T>(Func<T> body)
    {
        lock (Gate) return body();
    }

    /// <summary>
    /// Offers Ctrl+C and Ctrl+\ to <paramref name="takes"/> until the handle is disposed: when it returns true the interrupt is its
    /// own (the process goes on, nothing is removed); when false, the process ends as usual.
    /// </summary>
    public static IDisposable InterceptInterrupt(Func<bool> takes)
    {
        Install();
        lock (Gate) Interceptors.Add(takes);
        return new Release(() => { lock (Gate) Interceptors.Remove(takes); });
    }

    private static void OnSignal(PosixSignalContext context)
    {
        Func<bool>[] interceptors;
        lock (Gate) interceptors = [.. Interceptors];
        // The latest interceptor first: it belongs to the innermost command still running. Ctrl+\ (SIGQUIT) is offered
        // too, as Console.CancelKeyPress offers it.
        if (context.Signal is PosixSignal.SIGINT or PosixSignal.SIGQUIT)
            for (int i = interceptors.Length - 1; i >= 0; i--)
                if (interceptors[i]())
                {
                    context.Cancel = true;
                    return;
                }
        var ending = _ending = new Ending(context.Signal, 128 + Number(context.Signal));
        RemoveTracked();
        // The signal's default action ends the process now (the runtime re-raises it, so a shell sees a death by signal).
        // Where it does not (PID 1 in a container, which the kernel spares; a SIGTERM the parent had set to be ignored,
        // which the runtime then honours) the run would go on without its files: a failure that follows is reported as
        // the stop (CliRunner reads Stopping), and if none follows the process ends here.
        new Thread(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Console.Error.WriteLine(ending.Message);
            Environment.Exit(ending.Code);
        }) { IsBackground = true, Name = "end after " + ending.Signal }.Start();
    }

    /// <summary>The signal's number on Linux and macOS (the exit status of a process it ends is 128 plus it).</summary>
    private static int Number(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };

    /// <summary>Deletes every tracked file and folder, best effort: the process is ending and has no one to tell.</summary>
    private static void RemoveTracked()
    {
        string[] files;
        KeyValuePair<string, Action?>[] directories;
        lock (Gate)
        {
            files = [.. Files];
            directories = [.. Directories];
        }
        foreach (string file in files)
            Attempt(() => File.Delete(file));
        foreach (var (directory, before) in directories)
        {
            if (before != null) Attempt(before);
            // A worker thread still writing there can refill the folder between the removal of its files and of the folder
            // itself ("directory not empty"): a few more tries before giving up.
            for (int attempt = 0; attempt < 5 && Directory.Exists(directory); attempt++)
            {
                if (attempt > 0) Thread.Sleep(20);
                Attempt(() => Directory.Delete(directory, recursive: true));
            }
        }
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
