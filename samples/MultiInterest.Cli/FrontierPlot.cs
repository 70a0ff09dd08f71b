using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>Draws the measured frontiers (Recall@50 across, Diversity@10 up) and the fixed rows as a PNG with ScottPlot.</summary>
internal static class FrontierPlot
{
    public static void Write(string path, ProtocolResult result, string dataset)
    {
        var plot = new ScottPlot.Plot();
        int recallK = ProtocolEvaluator.FrontierRecallCutoff, diversityK = ProtocolEvaluator.FrontierDiversityCutoff;
        foreach (var f in result.Frontiers)
        {
            var line = plot.Add.Scatter(f.Points.Select(p => p.Recall).ToArray(), f.Points.Select(p => p.Diversity).ToArray());
            line.LegendText = $"{ResultTable.Label(f.Method)}{FrontierTable.PoolText(f)}, {f.Knob} {f.Points[0].Value:0.##}..{f.Points[^1].Value:0.##}";
            line.MarkerSize = 6;
            foreach (var p in new[] { f.Points[0], f.Points[^1] })
            {
                var label = plot.Add.Text($"{f.Knob} {p.Value:0.##}", p.Recall, p.Diversity);
                label.LabelFontSize = 10;
            }
        }
        foreach (var m in result.Methods)
        {
            if (!m.Recall.ContainsKey(recallK) || !m.Diversity.ContainsKey(diversityK)) continue;
            var marker = plot.Add.Marker(m.Recall[recallK], m.Diversity[diversityK]);
            marker.LegendText = ResultTable.Label(m.Name);
            marker.MarkerSize = 11;
        }
        plot.Title($"{dataset}: recall-diversity frontier ({result.TestUsers.Count:N0} users)");
        plot.XLabel($"Recall@{recallK}");
        plot.YLabel($"Diversity@{diversityK}");
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        plot.SavePng(path, 900, 650);
    }
}
