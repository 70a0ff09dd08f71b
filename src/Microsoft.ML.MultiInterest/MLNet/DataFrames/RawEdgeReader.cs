using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest;

/// <summary>Reads raw-id edges (and an optional weight) from any view, whatever the id columns' types.</summary>
internal static class RawEdgeReader
{
    /// <summary>The edges of <paramref name="data"/>; rows with an empty id (a missing key) are skipped.</summary>
    public static List<RawEdge> Read(IDataView data, string userColumn, string itemColumn, string? weightColumn)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var user = schema.GetColumnOrNull(userColumn) ?? throw new ArgumentException($"userColumnName: the data has no column '{userColumn}'.", nameof(userColumn));
        var item = schema.GetColumnOrNull(itemColumn) ?? throw new ArgumentException($"itemColumnName: the data has no column '{itemColumn}'.", nameof(itemColumn));
        var active = new List<DataViewSchema.Column> { user, item };
        DataViewSchema.Column? weight = null;
        if (weightColumn != null)
        {
            weight = schema.GetColumnOrNull(weightColumn) ?? throw new ArgumentException($"weightColumnName: the data has no column '{weightColumn}'.", nameof(weightColumn));
            active.Add(weight.Value);
        }
        var edges = new List<RawEdge>();
        using var cursor = data.GetRowCursor(active);
        var getUser = IdColumnReader.Getter(cursor, user, "userColumnName");
        var getItem = IdColumnReader.Getter(cursor, item, "itemColumnName");
        var getWeight = weight == null ? null : IdColumnReader.WeightGetter(cursor, weight.Value, "weightColumnName");
        while (cursor.MoveNext())
        {
            string u = getUser(), i = getItem();
            if (u.Length == 0 || i.Length == 0) continue;
            edges.Add(new RawEdge(u, i, getWeight?.Invoke() ?? 1f));
        }
        if (edges.Count == 0) throw new ArgumentException("The data has no edges (no row with both a user and an item).", nameof(data));
        return edges;
    }
}
