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

    /// <summary>Epoch reports of an embedding fit as updates (<c>  epoch  3: loss ..., 250k edges/s</c>), on the training thread.</summary>
    public IProgress<EpochStats> Epochs() => new Inline<EpochStats>(e =>
        Update($"  epoch {e.Epoch,2}: loss {e.MeanLoss:F4}, {e.EdgesPerSecond / 1000:F0}k edges/s", e.Epoch));

    /// <summary>Lines of a long computation (which part it has reached) as indented updates, on the calling thread.</summary>
    public IProgress<string> Lines() => new Inline<string>(line => Update("  " + line));

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and print late, out of order).</summary>
    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
