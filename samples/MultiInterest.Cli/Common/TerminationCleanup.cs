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
    private static readonly List<Func<bool>> Interceptors = [];
    private static readonly Tracked Run = new();
    private static PosixSignalRegistration[]? _registrations;

    /// <summary>The signal that is ending the run and the exit status it gives, once one came (null before).</summary>
    public static Ending? Stopping => Run.Stopping;

    /// <summary>A signal that ended the run, and the exit status (128 plus its number).</summary>
    public sealed record Ending(PosixSignal Signal, int Code)
    {
        /// <summary>The line standard error gets when the run ends so.</summary>
        public string Message => $"stopped by {Signal}: the run's temp files and partial outputs were removed.";

        /// <summary>The ending of the run by <paramref name="signal"/>.</summary>
        public static Ending Of(PosixSignal signal) => new(signal, 128 + Number(signal));
    }

    /// <summary>Handles the signals from now on (once per process; later calls do nothing).</summary>
    public static void Install()
    {
        lock (Gate)
            _registrations ??= Signals.Select(signal => PosixSignalRegistration.Create(signal, OnSignal)).ToArray();
    }

    /// <summary>Removes the file <paramref name="path"/> if a signal ends the process before the returned handle is disposed.</summary>
    public static IDisposable TrackFile(string path) => Run.TrackFile(path);

    /// <summary>
    /// Removes the folder <paramref name="path"/> and all in it if a signal ends the process before the handle is disposed,
    /// after calling <paramref name="before"/> (to close what the process holds open there).
    /// </summary>
    public static IDisposable TrackDirectory(string path, Action? before = null) => Run.TrackDirectory(path, before);

    /// <summary>
    /// Runs <paramref name="body"/> whole before a signal's clean-up, or not at all (<see cref="Tracked.Deferring{T}"/>): what
    /// it creates and tracks is, when a signal comes, either not there yet or tracked, and what it moves is moved whole.
    /// </summary>
    /// <exception cref="OperationCanceledException">A signal is ending the run: <paramref name="body"/> did not run.</exception>
    public static T Deferring<T>(Func<T> body) => Run.Deferring(body);

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
        var ending = Run.End(context.Signal);
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

    /// <summary>
    /// The files and folders a signal's clean-up removes, and whether one has begun. The process has one (behind the static
    /// methods); a test makes its own, to end it without ending the process.
    /// </summary>
    internal sealed class Tracked
    {
        private readonly object _gate = new();
        private readonly HashSet<string> _files = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Action?> _directories = new(StringComparer.Ordinal);
        private volatile Ending? _ending;

        /// <summary>The ending begun by <see cref="End"/>, or null.</summary>
        public Ending? Stopping => _ending;

        /// <summary>Removes the file <paramref name="path"/> at <see cref="End"/> if the returned handle is not disposed before.</summary>
        public IDisposable TrackFile(string path)
        {
            lock (_gate) _files.Add(path);
            return new Release(() => { lock (_gate) _files.Remove(path); });
        }

        /// <summary>Removes the folder <paramref name="path"/> at <see cref="End"/>, after <paramref name="before"/>, if the handle is not disposed before.</summary>
        public IDisposable TrackDirectory(string path, Action? before = null)
        {
            lock (_gate) _directories[path] = before;
            return new Release(() => { lock (_gate) _directories.Remove(path); });
        }

        /// <summary>
        /// Runs <paramref name="body"/> wholly before <see cref="End"/> takes its list of what to remove, or not at all: an
        /// ending that comes while it runs waits for it, and once one has begun it is refused. (Taking the list first and
        /// waiting for nothing, a signal just before a set of moves removed partial files while they moved and ended the
        /// process among them: a set half moved.)
        /// </summary>
        /// <exception cref="OperationCanceledException">An ending has begun: <paramref name="body"/> did not run.</exception>
        public T Deferring<T>(Func<T> body)
        {
            lock (_gate)
            {
                if (_ending is { } ending) throw new OperationCanceledException(ending.Message);
                return body();
            }
        }

        /// <summary>
        /// Begins the ending by <paramref name="signal"/> (after any <see cref="Deferring{T}"/> body running, which then runs
        /// no more) and removes every tracked file and folder, best effort: the process is ending and has no one to tell.
        /// </summary>
        public Ending End(PosixSignal signal)
        {
            string[] files;
            KeyValuePair<string, Action?>[] directories;
            var ending = Ending.Of(signal);
            lock (_gate)
            {
                _ending = ending;
                files = [.. _files];
                directories = [.. _directories];
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
            return ending;
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
    }

    private sealed class Release(Action release) : IDisposable
    {
        private Action? _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
