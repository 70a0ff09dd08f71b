namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The default threading of the ONNX Runtime sessions <see cref="OnnxSessionFactory"/> creates, in one place.
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
}
