using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Creates ONNX Runtime session options and sessions for this library: CUDA on
/// <see cref="GpuDeviceId"/> when it is requested and works, otherwise the CPU, saying why through the
/// log callback once: after a fallback the factory's later sessions go straight to the CPU. Every
/// <see cref="InferenceSession"/> the library opens comes from here.
/// </summary>
/// <remarks>
/// With only the CPU package (<c>Microsoft.ML.OnnxRuntime</c>) installed, asking ONNX Runtime for CUDA
/// does not fail politely: the native CUDA entry point is missing and an
/// <see cref="EntryPointNotFoundException"/> is thrown, which ML.NET's own <c>fallbackToCpu</c> does not
/// catch. This factory first checks <see cref="OrtEnv.GetAvailableProviders"/>, then tries CUDA and treats
/// any exception as "no GPU", so a GPU request on a CPU-only host still runs. A GPU host replaces the CPU
/// package with <c>Microsoft.ML.OnnxRuntime.Gpu</c>; see docs/onnx.md.
/// </remarks>
public sealed class OnnxSessionFactory
{
    /// <summary>The name ONNX Runtime reports for its CUDA execution provider.</summary>
    public const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>ONNX Runtime's session configuration key that lets idle intra-op threads spin.</summary>
    private const string AllowSpinningKey = "session.intra_op.allow_spinning";

    private readonly Action<string>? _log;
    private readonly Func<IReadOnlyCollection<string>> _availableProviders;
    private readonly int _intraOpThreads = OnnxSessionDefaults.IntraOpThreads;

    /// <summary>The keys <see cref="WarnOnce"/> has logged (locked: a factory may open directories on several threads).</summary>
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    /// <summary>Logs <paramref name="message"/> the first time this factory is told of <paramref name="key"/>; later, nothing.</summary>
    internal void WarnOnce(string key, string message)
    {
        lock (_warned)
            if (!_warned.Add(key)) return;
        _log?.Invoke(message);
    }

    /// <summary>Why CUDA could not be used, once it failed: later sessions then open on the CPU without trying again.</summary>
    private string? _cudaFailure;

    /// <summary>Creates a factory.</summary>
    /// <param name="gpuDeviceId">The CUDA device to run on, or <c>null</c> (the default) for the CPU.</param>
    /// <param name="log">
    /// Receives one line, with the reason, the first time a GPU request falls back to the CPU (later sessions of this factory
    /// then open on the CPU without trying CUDA again, each try costing ONNX Runtime's own error output); may be null.
    /// </param>
    public OnnxSessionFactory(int? gpuDeviceId = null, Action<string>? log = null)
        : this(gpuDeviceId, log, static () => OrtEnv.Instance().GetAvailableProviders())
    {
    }

    /// <summary>Test seam: lets a test claim CUDA is listed so that the failing CUDA call itself is exercised.</summary>
    internal OnnxSessionFactory(int? gpuDeviceId, Action<string>? log, Func<IReadOnlyCollection<string>> availableProviders)
    {
        if (gpuDeviceId < 0)
            throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), gpuDeviceId, "The GPU device id must be 0 or more (or null for the CPU).");
        GpuDeviceId = gpuDeviceId;
        _log = log;
        _availableProviders = availableProviders;
    }

    /// <summary>
    /// Whether CUDA may multiply in TF32 (ONNX Runtime's <c>use_tf32</c>, on by default in ONNX Runtime, faster on Ampere and
    /// later GPUs). False by default: TF32 keeps 10 bits of each factor's mantissa, so the scores move and the lists the
    /// scorers certify against the engine's may differ (docs/onnx.md). Set true for speed where near-ties may go either way.
    /// </summary>
    public bool AllowTf32 { get; init; }

    /// <summary>
    /// The public key of the only signer whose serving directories the scorers opened with this factory serve, or null (the
    /// default: a directory is served unsigned, its checksums verified). When set, every directory a scorer opens, each part
    /// of one included, must carry a signature this key verifies (<see cref="OnnxDirectorySignature"/>), or the opening is
    /// refused with an <see cref="InvalidDataException"/>. The factory does not own the key: keep it undisposed while it opens
    /// directories.
    /// </summary>
    public System.Security.Cryptography.ECDsa? TrustedSigningKey { get; init; }

    /// <summary>The CUDA device requested, or <c>null</c> for the CPU.</summary>
    public int? GpuDeviceId { get; }

    /// <summary>
    /// Threads each session uses inside one operator (ONNX Runtime's intra-op pool); 0 (<see cref="OnnxSessionDefaults.IntraOpThreads"/>)
    /// lets ONNX Runtime choose, one per physical core.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public int IntraOpThreads
    {
        get => _intraOpThreads;
        init => _intraOpThreads = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), value, "The intra-op thread count must be 0 (ONNX Runtime's choice) or more.");
    }

    /// <summary>
    /// Whether idle intra-op threads spin while waiting for work (<see cref="OnnxSessionDefaults.AllowSpinning"/>: false, see
    /// there why). Lists do not depend on it, only the time and the CPU taken.
    /// </summary>
    public bool AllowSpinning { get; init; } = OnnxSessionDefaults.AllowSpinning;

    private readonly long _prepackTablesBelowBytes = OnnxSessionDefaults.PrepackTablesBelowBytes;

    /// <summary>
    /// The size of an item table from which the sessions <see cref="OnnxCandidateScorer"/> gives its tables to do not prepack
    /// it (<see cref="OnnxSessionDefaults.PrepackTablesBelowBytes"/>: 256 MiB). Below it the sessions share one packed copy
    /// beside the scorer's own (two copies, calls at full speed); from it on they read the scorer's table as it is (one copy;
    /// a call packs as it goes, measured 1.0x-1.2x as long at 64 users a call and up to 2x at 8, docs/performance.md, "One
    /// copy of the served tables"). 0 never prepacks; <see cref="long.MaxValue"/> always does. Lists do not depend on it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public long PrepackTablesBelowBytes
    {
        get => _prepackTablesBelowBytes;
        init => _prepackTablesBelowBytes = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(PrepackTablesBelowBytes), value, "PrepackTablesBelowBytes must be 0 (never prepack a shared table) or more.");
    }

    /// <summary>New session options for CUDA on <see cref="GpuDeviceId"/> if that works here, else for the CPU. The caller disposes them.</summary>
    /// <returns>New session options with this factory's threading settings and, when CUDA works, its execution provider.</returns>
    public SessionOptions CreateSessionOptions() => CreateSessionOptions(out _);

    /// <summary>As <see cref="CreateSessionOptions()"/>, also telling whether CUDA was appended.</summary>
    /// <param name="usesCuda">True when the options run on CUDA; false when they run on the CPU.</param>
    /// <returns>New session options with this factory's threading settings and, when CUDA works, its execution provider.</returns>
    public SessionOptions CreateSessionOptions(out bool usesCuda)
    {
        usesCuda = false;
        if (GpuDeviceId is not int device || _cudaFailure != null) return NewOptions();

        IReadOnlyCollection<string> providers;
        try
        {
            providers = _availableProviders();
        }
        catch (Exception e)
        {
            return Fallback($"could not list ONNX Runtime's execution providers ({e.GetType().Name}: {e.Message})");
        }
        if (!providers.Contains(CudaProvider))
            return Fallback($"ONNX Runtime offers no {CudaProvider} (available: {string.Join(", ", providers)}); add the Microsoft.ML.OnnxRuntime.Gpu package for CUDA");

        var options = NewOptions();
        OrtCUDAProviderOptions? cuda = null;
        try
        {
            cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string>
            {
                ["device_id"] = device.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // ONNX Runtime's CUDA provider multiplies in TF32 by default on Ampere and later (10-bit mantissas): the
                // scorers' exact re-ranking bounds assume float32 products, so it is off unless asked for.
                ["use_tf32"] = AllowTf32 ? "1" : "0",
            });
            options.AppendExecutionProvider_CUDA(cuda);
            usesCuda = true;
            return options;
        }
        catch (Exception e)
        {
            // EntryPointNotFoundException (CPU-only native library), DllNotFoundException (CUDA libraries
            // missing) and OnnxRuntimeException (no CUDA in this build, bad device) all end up here.
            options.Dispose();
            // ONNX Runtime's message ends in a line break (and names the CUDA library it could not load): one line for a log.
            return Fallback($"CUDA device {device} could not be used ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ").Trim()})");
        }
        finally
        {
            cuda?.Dispose(); // the session options keep their own copy
        }
    }

    /// <summary>Opens a session over an in-memory ONNX model, on CUDA if possible, else on the CPU.</summary>
    /// <param name="model">The bytes of an ONNX model with its tables inside (a model with external data needs the path overload); not null.</param>
    /// <returns>A new session; the caller disposes it. After a CUDA failure this factory opens every later session on the CPU.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public InferenceSession CreateSession(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Open(options => new InferenceSession(model, options));
    }

    /// <summary>
    /// Opens a session over an in-memory model that may keep tables in ONNX external data: ONNX Runtime finds a side file
    /// relative to a model's path, which bytes lack, so its folder is given (the folder of the file the model was read from).
    /// </summary>
    internal InferenceSession CreateSession(byte[] model, string externalDataFolder) => CreateSession(model, externalDataFolder, static _ => { });

    /// <summary>
    /// As <see cref="CreateSession(byte[], string)"/>, with <paramref name="configure"/> run on the session options first (and
    /// again on the CPU options of a CUDA fallback), and prepacked weights kept in <paramref name="prepacked"/> when given: the
    /// seam through which a scorer gives a session tables it already holds (<see cref="OnnxSharedTables"/>).
    /// </summary>
    internal InferenceSession CreateSession(byte[] model, string externalDataFolder, Action<SessionOptions> configure, PrePackedWeightsContainer? prepacked = null) =>
        CreateSession(model, externalDataFolder, configure, prepacked, tables: null);

    /// <summary>
    /// As <see cref="CreateSession(byte[], string, Action{SessionOptions}, PrePackedWeightsContainer?)"/>; the session returned
    /// owns <paramref name="tables"/> when given (what <paramref name="configure"/> gave it, released after it: <see cref="OnnxTableSession"/>).
    /// The caller keeps them when no session is returned.
    /// </summary>
    internal InferenceSession CreateSession(byte[] model, string externalDataFolder, Action<SessionOptions> configure, PrePackedWeightsContainer? prepacked, IDisposable? tables)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(externalDataFolder);
        ArgumentNullException.ThrowIfNull(configure);
        return Open(options =>
        {
            options.AddSessionConfigEntry(ExternalDataFolderKey, Path.GetFullPath(externalDataFolder));
            configure(options);
            if (tables != null) return prepacked == null ? new OnnxTableSession(model, options, tables) : new OnnxTableSession(model, options, prepacked, tables);
            return prepacked == null ? new InferenceSession(model, options) : new InferenceSession(model, options, prepacked);
        });
    }

    /// <summary>ONNX Runtime's session setting naming the folder of an in-memory model's external data.</summary>
    private const string ExternalDataFolderKey = "session.model_external_initializers_file_folder_path";

    /// <summary>
    /// Opens a session over an ONNX file, on CUDA if possible, else on the CPU. ONNX Runtime reads a table kept in ONNX external
    /// data from the side file the model names, relative to <paramref name="modelPath"/>'s folder; each such reference is checked
    /// against its side file first, so a missing or cut side file is refused by name.
    /// </summary>
    /// <exception cref="InvalidDataException">A side file of the model is missing or too short, or a reference into it is out of range.</exception>
    /// <param name="modelPath">The path of an ONNX model file; not null or empty.</param>
    /// <returns>A new session; the caller disposes it. After a CUDA failure this factory opens every later session on the CPU.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelPath"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="modelPath"/>.</exception>
    public InferenceSession CreateSession(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"No ONNX model at '{modelPath}'.", modelPath);
        OnnxInitializerFile.CheckExternalData(modelPath);
        return Open(options => new InferenceSession(modelPath, options));
    }

    /// <summary>
    /// Makes ML.NET's <c>ApplyOnnxModel</c> transforms in <paramref name="mlContext"/> take their session
    /// options from this factory, so that they share its CUDA-or-CPU choice and its fallback.
    /// </summary>
    /// <param name="mlContext">The context whose ONNX session options to set (replacing any set before); not null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="mlContext"/> is null.</exception>
    public void ApplyTo(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = CreateSessionOptions });
    }

    private InferenceSession Open(Func<SessionOptions, InferenceSession> open)
    {
        var options = CreateSessionOptions(out bool usesCuda);
        try
        {
            return open(options);
        }
        catch (Exception e) when (usesCuda && e is not FileNotFoundException)
        {
            // CUDA was accepted but the session could not start on it (for example a missing cuDNN). Only when the CPU then
            // opens the same model is CUDA to blame: a model that fails on both (a corrupt file) leaves CUDA on for the next.
            options.Dispose();
            options = NewOptions();
            var session = open(options);
            Fail($"ONNX Runtime could not start a session on CUDA device {GpuDeviceId} ({e.GetType().Name}: {e.Message}); running on the CPU instead.");
            return session;
        }
        finally
        {
            // A session copies what it needs from its options when it is created.
            options.Dispose();
        }
    }

    private SessionOptions Fallback(string reason)
    {
        Fail($"GPU device {GpuDeviceId} was requested but {reason}; running on the CPU instead.");
        return NewOptions();
    }

    /// <summary>Records the first failure and logs it; a concurrent second failure is neither recorded nor logged.</summary>
    private void Fail(string message)
    {
        if (Interlocked.CompareExchange(ref _cudaFailure, message, null) == null) _log?.Invoke(message);
    }

    /// <summary>Session options with this factory's threading, before any execution provider is appended.</summary>
    private SessionOptions NewOptions()
    {
        var options = OnnxRuntimeNative.Require("An ONNX Runtime session", () => new SessionOptions());
        if (IntraOpThreads > 0) options.IntraOpNumThreads = IntraOpThreads;
        options.AddSessionConfigEntry(AllowSpinningKey, AllowSpinning ? "1" : "0");
        return options;
    }
}
