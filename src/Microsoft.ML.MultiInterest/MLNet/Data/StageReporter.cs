using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A fitting stage's progress and cancellation, from its <see cref="MultiInterestStageOptions"/>: every report goes to the
/// MLContext log (where ML.NET's own trainers report) and to the options' <see cref="MultiInterestStageOptions.Progress"/>.
/// </summary>
internal sealed class StageReporter(MLContext context, string stage, MultiInterestStageOptions options)
{
    /// <summary>The options' cancellation token.</summary>
    public CancellationToken Token => options.CancellationToken;

    /// <summary>Logs <paramref name="message"/> and reports it with <paramref name="completed"/> of <paramref name="total"/> units.</summary>
    public void Report(InvariantMessage message, int completed, int total)
    {
        string text = message.ToStringAndClear();
        Logging.Info(context, stage, $"{text}");
        options.Progress?.Report(new MultiInterestProgress(stage, text, completed, total));
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when the stage was cancelled.</summary>
    public void ThrowIfCancelled() => options.CancellationToken.ThrowIfCancellationRequested();

    /// <summary>
    /// The seed of an option left unset (null): drawn from the MLContext's random source, so <c>new MLContext(seed: s)</c> makes
    /// every such stage repeatable, as ML.NET's own trainers are; a context without a seed draws a fresh one each run.
    /// </summary>
    public static int SeedOf(MLContext context, int? option, string stage) =>
        option ?? ((Microsoft.ML.Runtime.IHostEnvironment)context).Register(stage).Rand.Next();
}
