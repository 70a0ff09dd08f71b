namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The defaults of the ONNX Runtime sessions <see cref="OnnxSessionFactory"/> creates (threading, prepacking), in one place.
/// </summary>
public static class OnnxSessionDefaults
{
    /// <summary>Threads per session inside one operator: 0, ONNX Runtime's own choice (one per physical core).</summary>
    public const int IntraOpThreads = 0;

    /// <summary>
    /// Whether idle intra-op threads spin while waiting for work: false. Spinning saves a wake-up per operator on an idle
    /// machine, but the serving graphs are chains of small operators, and on a shared or busy CPU (a service, other
    /// processes) spinning threads take the cores the working threads need: on the 2-core benchmark machine under load,
    /// quota scoring took 0.45x-0.9x the time without spinning (on its quietest rounds spinning was a little ahead;
    /// docs/performance.md).
    /// </summary>
    public const bool AllowSpinning = false;

    /// <summary>
    /// The item table size from which the sessions given an <see cref="OnnxCandidateScorer"/>'s tables do not prepack them:
    /// 256 MiB (<see cref="OnnxSessionFactory.PrepackTablesBelowBytes"/>). Past a few hundred megabytes a packed copy's memory
    /// matters more than the pass over the table it saves each call (docs/performance.md, "One copy of the served tables").
    /// </summary>
    public const long PrepackTablesBelowBytes = 256L << 20;
}
