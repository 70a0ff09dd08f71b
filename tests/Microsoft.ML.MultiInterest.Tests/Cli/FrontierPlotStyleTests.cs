using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The frontier plot's rows: a colour and a shape each, so the ninth row is not drawn as the first.</summary>
public class FrontierPlotStyleTests
{
    [Fact]
    public void The_first_32_rows_each_get_their_own_colour_and_shape()
    {
        var palette = new ScottPlot.Palettes.Dark();
        var styles = Enumerable.Range(0, 32).Select(r => FrontierPlot.RowStyle(r, palette)).ToList();
        Assert.Equal(32, styles.Select(s => (s.Color.ToHex(), s.Shape)).Distinct().Count());
        Assert.Equal(styles[0].Color, styles[8].Color);   // the palette's colours come round again...
        Assert.NotEqual(styles[0].Shape, styles[8].Shape); // ...with the next shape
    }
}
