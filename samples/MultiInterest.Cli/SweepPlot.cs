using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Sensitivity curves of a sweep, as the kNN-Embed paper's Figure 3 draws them: for each numeric parameter that took
/// more than one value, the best validation objective at each value (the maximum over the other parameters' values),
/// from full-fidelity trials only, at the values the space lists (the defaults trial counts where its value is one of them:
/// a parameter its method does not use, such as mmr-lambda on a kNN-Embed trial, would otherwise plot a value never
/// searched). One PNG per parameter (ScottPlot).
/// </summary>
internal static class SweepPlot
{
    /// <summary>
    /// The best objective of the full-fidelity trials at each value of <paramref name="searched"/>, counting only the trials
    /// that read it: one that does not (the neighbours at lambda 0) would lend its figure to whichever value it happened to
    /// hold, and draw a slope where the parameter changed nothing.
    /// </summary>
    internal static SortedDictionary<double, double> Points(IEnumerable<SweepTrial> full, SweepParameter searched)
    {
        var values = searched.Values.ToHashSet(StringComparer.Ordinal);
        var points = new SortedDictionary<double, double>();
        foreach (var trial in full.Where(t => t.Reads(searched.Name)))
        {
            if (!trial.Parameters.TryGetValue(searched.Name, out var text) || !values.Contains(text)
                || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) continue;
            points[value] = points.TryGetValue(value, out double best) ? Math.Max(best, trial.Objective) : trial.Objective;
        }
        return points;
    }

    /// <summary>
    /// The path of <paramref name="parameter"/>'s plot in <paramref name="directory"/>, written when the space searches it
    /// (numeric) and two of its values have a full-fidelity trial.
    /// </summary>
    public static string PathOf(string directory, string parameter) =>
        Path.Combine(directory, $"sensitivity-{string.Concat(parameter.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_'))}.png");

    /// <summary>
    /// The <c>sensitivity-{parameter}.png</c> files of <paramref name="directory"/>, each with what writes it to a given path
    /// (the command writes them with its other outputs, as one set).
    /// </summary>
    public static IReadOnlyList<(string Path, Action<string> Write)> Files(string directory, SweepOutcome outcome, SweepOptions options, string dataset)
    {
        var full = outcome.Trials.Where(t => t.Fidelity >= 1).ToList();
        var files = new List<(string, Action<string>)>();
        foreach (var searched in outcome.Space.Parameters.Where(p => p.Numeric).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            string parameter = searched.Name;
            var points = Points(full, searched);
            if (points.Count < 2) continue;
            string path = PathOf(directory, parameter);
            files.Add((path, target =>
            {
                var plot = new ScottPlot.Plot();
                var line = plot.Add.Scatter(points.Keys.ToArray(), points.Values.ToArray());
                line.MarkerSize = 7;
                plot.Title($"{dataset}: best validation {options.Metric}@{options.Cutoff} at each {parameter}");
                plot.XLabel(parameter);
                plot.YLabel($"{options.Metric}@{options.Cutoff} (validation)");
                plot.SavePng(target, 800, 550);
            }));
        }
        return files;
    }
}
