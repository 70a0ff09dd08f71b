using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli.Common;

/// <summary>One running stage of a <see cref="ProgressReporter"/>; disposing it marks the stage done.</summary>
internal abstract class ProgressStage : IDisposable
{
    /// <summary>
    /// Reports where the stage is: in plain mode <paramref name="line"/> is printed; on a terminal it becomes the bar's
    /// status and <paramref name="value"/> (steps done, of the stage's total) moves the bar.
    /// </summary>
    public abstract void Update(string line, double? value = null);

    /// <summary>
    /// A line worth keeping (a finished sweep trial, a warning): printed in both modes, above the bars on a terminal;
    /// <paramref name="value"/> moves the bar as in <see cref="Update"/>.
    /// </summary>
    public abstract void Note(string line, double? value = null);

    /// <summary>Marks the stage done.</summary>
    public abstract void Dispose();

    /// <summary>
    /// Pass reports of an embedding fit as updates (<c>  pass  3: loss ..., 250k edges/s</c>: an SGD epoch or an ALS
    /// iteration, which the report does not tell apart), on the training thread; the
    /// sink also takes the validation measurements of a selection (Auto's trials, a validated run's epochs), so that a
    /// selection of many minutes is heard from at each of them, as the ML.NET trainer's log is.
    /// </summary>
    /// <param name="validationCutoff">K of the measurements' Recall@K and NDCG@K (the fit's ValidationCutoff).</param>
    public IProgress<EpochStats> Epochs(int validationCutoff) => new EmbeddingProgress(this, validationCutoff);

    /// <summary>An embedding fit's epochs and validation measurements as updates.</summary>
    private sealed class EmbeddingProgress(ProgressStage stage, int cutoff) : IProgress<EpochStats>, IProgress<ValidationPoint>
    {
        private int _measurements;

        public void Report(EpochStats e) => stage.Update($"  pass {e.Epoch,2}: loss {e.MeanLoss:F4}, {e.EdgesPerSecond / 1000:F0}k edges/s", e.Epoch);

        public void Report(ValidationPoint point) =>
            stage.Update($"  validation measurement {++_measurements}: {point.Candidate}, Recall@{cutoff} {point.Recall:F4}, NDCG@{cutoff} {point.Ndcg:F4}");
    }

    /// <summary>Lines of a long computation (which part it has reached) as indented updates, on the calling thread.</summary>
    public IProgress<string> Lines() => new Inline<string>(line => Update("  " + line));

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and print late, out of order).</summary>
    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
