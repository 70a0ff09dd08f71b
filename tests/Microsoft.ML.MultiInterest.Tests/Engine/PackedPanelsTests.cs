using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class PackedPanelsTests
{
    [Fact]
    public void ScoresMatchPlainDotsAndIdenticalRowsScoreIdentically()
    {
        // 37 rows: two full panels and a padded third; row 30 duplicates row 3 in another panel and lane.
        var rows = TestGraphs.RandomMatrix(37, 29, 4);
        rows.ReadRow(3).CopyTo(rows.Row(30));
        var queries = TestGraphs.RandomMatrix(4, 29, 5);
        var panels = new PackedPanels(rows);
        Assert.Equal(3, panels.Panels);
        var scores = new float[64];
        for (int panel = 0; panel < panels.Panels; panel++)
        {
            panels.Score4(panel, queries.ReadRow(0), queries.ReadRow(1), queries.ReadRow(2), queries.ReadRow(3), scores);
            for (int q = 0; q < 4; q++)
            {
                for (int t = 0; t < PackedPanels.Width; t++)
                {
                    int row = panel * PackedPanels.Width + t;
                    float expected = row < rows.Rows ? VectorMath.Dot(queries.ReadRow(q), rows.ReadRow(row)) : 0f;
                    Assert.True(Math.Abs(expected - scores[q * 16 + t]) < 1e-5f, $"query {q}, row {row}");
                }
            }
        }
        var first = new float[64];
        var second = new float[64];
        panels.Score4(0, queries.ReadRow(0), queries.ReadRow(1), queries.ReadRow(2), queries.ReadRow(3), first);
        panels.Score4(1, queries.ReadRow(0), queries.ReadRow(1), queries.ReadRow(2), queries.ReadRow(3), second);
        for (int q = 0; q < 4; q++) Assert.Equal(first[q * 16 + 3], second[q * 16 + 30 - 16]);
    }
}
