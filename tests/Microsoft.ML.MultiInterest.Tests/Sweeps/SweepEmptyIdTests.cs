using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

/// <summary>
/// <c>mi.Sweep</c> on a view with an empty user or item id (a text column's empty string, a key column's missing key):
/// refused naming the column and the row, as <c>LoadEdges</c> refuses a DataFrame's empty id and the edge files an empty
/// field, rather than the row skipped and the sweep run on fewer edges than it was given.
/// </summary>
public class SweepEmptyIdTests
{
    private static readonly SweepOptions OneTrial = new() { Cutoff = 5, MaxTrials = 1 };

    [Theory]
    [InlineData("User", "userColumnName", "a user id")]
    [InlineData("Item", "itemColumnName", "an item id")]
    public void An_empty_text_id_is_refused_by_column_and_row(string column, string option, string role)
    {
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.Edges();
        if (column == "User") rows[3].User = ""; else rows[3].Item = "";
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Sweep(ml.Data.LoadFromEnumerable(rows), SweepSearchSpace.Parse("lambda=0.5"), OneTrial, refitBest: false));
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith($"Row 3 of column '{column}' ({option}) holds an empty value: every edge needs {role}. Drop or fill such rows first.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_is_refused_by_column_and_row()
    {
        var ml = new MLContext(seed: 1);
        var rows = MLNetTestData.Edges();
        var raw = ml.Data.LoadFromEnumerable(rows);
        // The key mapping fitted without the last row's item, so that row's Item is the missing key 0.
        var mapping = ml.Transforms.Conversion.MapValueToKey("Item").Fit(ml.Data.LoadFromEnumerable(rows.Where(r => r.Item != rows[^1].Item)));
        var keyed = mapping.Transform(raw);
        int row = rows.Count - 1;
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Sweep(keyed, SweepSearchSpace.Parse("lambda=0.5"), OneTrial, refitBest: false));
        Assert.Equal("itemColumnName", error.ParamName);
        Assert.StartsWith($"Row {rows.FindIndex(r => r.Item == rows[^1].Item)} of column 'Item' (itemColumnName) holds a missing key (0", error.Message, StringComparison.Ordinal);
    }
}
