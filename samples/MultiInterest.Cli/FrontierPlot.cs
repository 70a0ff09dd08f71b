using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>Draws the measured frontiers (Recall@50 across, Diversity@10 up) and the fixed rows as a PNG with ScottPlot.</summary>
internal static class FrontierPlot
{
    /// <summary>The rows' marker shapes, one per round of the palette's colours (no frontier uses them: its points are small circles).</summary>
    internal static readonly ScottPlot.MarkerShape[] RowShapes =
        [ScottPlot.MarkerShape.FilledDiamond, ScottPlot.MarkerShape.FilledSquare, ScottPlot.MarkerShape.FilledTriangleUp, ScottPlot.MarkerShape.FilledTriangleDown];

    /// <summary>
    /// Row <paramref name="row"/>'s colour and marker: the palette's colours run out at its 9th row (Dark has 8), so each
    /// round of them takes the next shape and no two of the first 32 rows look alike (the 9th row was Unimodal's teal diamond).
    /// </summary>
    internal static (ScottPlot.Color Color, ScottPlot.MarkerShape Shape) RowStyle(int row, ScottPlot.IPalette palette) =>
        (palette.GetColor(row % palette.Colors.Length), RowShapes[row / palette.Colors.Length % RowShapes.Length]);

    public static void Write(string path, ProtocolResult result, string dataset)
    {
        var plot = new ScottPlot.Plot();
        int recallK = ProtocolEvaluator.FrontierRecallCutoff, diversityK = ProtocolEvaluator.FrontierDiversityCutoff;
        // Frontiers are lines of small circles; rows are large diamonds of another palette, so no row shares a frontier's look.
        var lineColors = new ScottPlot.Palettes.Category10();
        var rowColors = new ScottPlot.Palettes.Dark();
        // Frontiers often share an end (every MMR sweep ends at Unimodal): each point is labelled once.
        var labelled = new HashSet<(double, double)>();
        for (int l = 0; l < result.Frontiers.Count; l++)
        {
            var f = result.Frontiers[l];
            var line = plot.Add.Scatter(f.Points.Select(p => p.Recall).ToArray(), f.Points.Select(p => p.Diversity).ToArray(), lineColors.GetColor(l));
            line.LegendText = $"{ResultTable.Label(f.Method)}{FrontierTable.PoolText(f)}, {f.Knob} {f.Points[0].Value:0.##}..{f.Points[^1].Value:0.##}";
            line.MarkerSize = 6;
            foreach (var p in new[] { f.Points[0], f.Points[^1] })
            {
                if (!labelled.Add((Math.Round(p.Recall, 3), Math.Round(p.Diversity, 3)))) continue;
                var label = plot.Add.Text($"{f.Knob} {p.Value:0.##}", p.Recall, p.Diversity);
                label.LabelFontSize = 10;
            }
        }
        int row = 0;
        foreach (var m in result.Methods)
        {
            if (!m.Recall.ContainsKey(recallK) || !m.Diversity.ContainsKey(diversityK)) continue;
            // The floor sits far to the left of every frontier (4% against 74% on cit-HepPh) and would squeeze them into a
            // corner of the axis; the tables give it.
            if (m.Name == ProtocolEvaluator.PopularName) continue;
            var (color, shape) = RowStyle(row++, rowColors);
            var marker = plot.Add.Marker(m.Recall[recallK], m.Diversity[diversityK], shape, 12, color);
            marker.LegendText = ResultTable.Label(m.Name);
        }
        plot.Title($"{dataset}: recall-diversity frontier ({result.TestUsers.Count:N0} users)");
        plot.XLabel($"Recall@{recallK}");
        plot.YLabel($"Diversity@{diversityK}");
        // Outside the data: low-recall rows sit in the lower left, where a legend inside would hide them.
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.SavePng(path, 1150, 650);
    }
}
