using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>Draws Recall@K per method as grouped horizontal bars (one group per method, one bar per cutoff) as a PNG with ScottPlot.</summary>
internal static class RecallPlot
{
    /// <summary>The cutoffs drawn when the run measured them (the paper's); otherwise every measured cutoff.</summary>
    private static readonly int[] PreferredCutoffs = [10, 20, 50];

    public static void Write(string path, ProtocolResult result, string dataset)
    {
        var measured = result.Methods.SelectMany(m => m.Recall.Keys).Distinct().Order().ToArray();
        var cutoffs = PreferredCutoffs.Where(measured.Contains).ToArray();
        if (cutoffs.Length == 0) cutoffs = measured;
        var methods = result.Methods;
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / cutoffs.Length;
        for (int c = 0; c < cutoffs.Length; c++)
        {
            int k = cutoffs[c];
            var bars = new List<ScottPlot.Bar>();
            for (int m = 0; m < methods.Count; m++)
            {
                if (!methods[m].Recall.TryGetValue(k, out double recall)) continue;
                // The first method at the top; within a group the smallest cutoff on top.
                double position = (methods.Count - 1 - m) + 0.4 - (c + 0.5) * width;
                bars.Add(new ScottPlot.Bar
                {
                    Position = position,
                    Value = recall,
                    Size = width * 0.9,
                    FillColor = palette.GetColor(c),
                    LineWidth = 0,
                    Label = recall.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
                    Orientation = ScottPlot.Orientation.Horizontal,
                });
            }
            var plottable = plot.Add.Bars(bars);
            plottable.Horizontal = true;
            plottable.LegendText = $"Recall@{k}";
            plottable.Color = palette.GetColor(c);
            plottable.ValueLabelStyle.FontSize = 10;
        }
        double[] ticks = Enumerable.Range(0, methods.Count).Select(m => (double)(methods.Count - 1 - m)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, methods.Select(m => ResultTable.Label(m.Name)).ToArray());
        plot.Axes.Margins(left: 0, right: 0.12, bottom: 0.02, top: 0.02);
        // Recall averages the missed users too (zeros), as the table says.
        plot.Title($"{dataset}: Recall@K per method ({result.TestUsers.Count + result.MissedUsers:N0} test users)");
        plot.XLabel("Recall@K (mean over test users)");
        // Outside the bars: inside it would hide the last method's longest bar.
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.SavePng(path, 1100, Math.Max(400, 120 + 70 * methods.Count));
    }
}
