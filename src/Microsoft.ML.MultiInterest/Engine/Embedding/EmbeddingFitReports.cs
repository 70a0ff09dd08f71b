using System.Globalization;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// An embedding fit's epochs and the validation measurements of a selection (Auto's trials, a validated run's epochs on its
/// hold-out: counted among themselves) as lines, reported synchronously on the training thread (Progress&lt;T&gt; would post
/// to a synchronization context). GraphEmbedding logs them as its stage's progress and a sweep reports them of its
/// embedding fits, in the same words.
/// </summary>
/// <param name="cutoff">K of the measurements' Recall@K and NDCG@K (the fit's ValidationCutoff).</param>
/// <param name="report">Takes each line, its step (the epoch, or the measurement's number) and whether it is an epoch.</param>
internal sealed class EmbeddingFitReports(int cutoff, Action<string, int, bool> report) : IProgress<EpochStats>, IProgress<ValidationPoint>
{
    private int _measurements;

    /// <inheritdoc/>
    public void Report(EpochStats value) =>
        report(string.Create(CultureInfo.InvariantCulture, $"Epoch {value.Epoch}: mean loss {value.MeanLoss:G5}, {value.Seconds:F2} s, {value.EdgesPerSecond:F0} edges/s."),
            value.Epoch, true);

    /// <inheritdoc/>
    public void Report(ValidationPoint value)
    {
        _measurements++;
        report(string.Create(CultureInfo.InvariantCulture, $"Validation measurement {_measurements}: {value.Candidate}, Recall@{cutoff} {value.Recall:F4}, NDCG@{cutoff} {value.Ndcg:F4}."),
            _measurements, false);
    }
}
