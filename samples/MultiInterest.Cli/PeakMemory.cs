using System.Diagnostics;

namespace MultiInterest.Cli;

/// <summary>
/// The process's peak working set at the end of each stage of a run, in MB (metrics.json <c>peak_working_set_mb</c>): the
/// peak only grows, so the stage after which it jumps is the one whose tables a large graph makes large.
/// </summary>
internal sealed class PeakMemory
{
    private readonly Dictionary<string, double> _byStage = [];
    private readonly double _atStart = Peak();
    private string? _running;

    /// <summary>Stage name -> peak working set (MB) by its end, in the order the stages ran.</summary>
    public IReadOnlyDictionary<string, double> ByStage => _byStage;

    /// <summary>Records the peak so far as that of <paramref name="stage"/>, which has just ended.</summary>
    public void Mark(string stage)
    {
        // The runtime's reading has been seen 0.2 MB under an earlier one (292.6 after 292.8): the peak so far is the
        // largest reading so far, so the record never falls.
        double peak = Peak();
        foreach (double earlier in _byStage.Values) peak = Math.Max(peak, earlier);
        _byStage[stage] = peak;
    }

    private static double Peak()
    {
        using var process = Process.GetCurrentProcess();
        return Math.Round(process.PeakWorkingSet64 / 1e6, 1);
    }

    /// <summary>The stage during which the peak rose most, and by how much (the first from the peak when the run began); null before any mark.</summary>
    public (string Stage, double Megabytes)? LargestRise()
    {
        (string, double)? largest = null;
        double before = _atStart;
        foreach (var (stage, peak) in _byStage)
        {
            if (largest == null || peak - before > largest.Value.Item2) largest = (stage, peak - before);
            before = peak;
        }
        return largest;
    }

    /// <summary>
    /// Passes the evaluator's stage lines on to <paramref name="inner"/> and marks each stage when the next one starts, under
    /// <c>evaluation: </c> and the line's words before its colon (<c>evaluation: History-interest MMR</c>).
    /// </summary>
    public IProgress<string> Marking(IProgress<string> inner) => new Marker(this, inner);

    /// <summary>Marks the last stage <see cref="Marking"/> saw start.</summary>
    public void EndMarking()
    {
        if (_running != null) Mark(_running);
        _running = null;
    }

    private sealed class Marker(PeakMemory owner, IProgress<string> inner) : IProgress<string>
    {
        public void Report(string value)
        {
            owner.EndMarking();
            int colon = value.IndexOf(':', StringComparison.Ordinal);
            owner._running = "evaluation: " + (colon > 0 ? value[..colon] : value.TrimEnd('.'));
            inner.Report(value);
        }
    }
}
