using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest;

/// <summary>Reads raw-id edges (and an optional weight) from any view, whatever the id columns' types.</summary>
internal static class RawEdgeReader
{
    /// <summary>
    /// The edges of <paramref name="data"/>. A row with an empty id (a text column's empty string, a key column's missing key)
    /// is refused naming the column and the row, as LoadEdges refuses a DataFrame's and the edge files an empty field: skipped,
    /// it would leave the caller's edges fewer without a word.
    /// </summary>
    public static List<RawEdge> Read(IDataView data, string userColumn, string itemColumn, string? weightColumn)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var user = ColumnChecks.Find(schema, userColumn, "userColumnName");
        var item = ColumnChecks.Find(schema, itemColumn, "itemColumnName");
        var active = new List<DataViewSchema.Column> { user, item };
        DataViewSchema.Column? weight = null;
        if (weightColumn != null)
        {
            weight = ColumnChecks.Find(schema, weightColumn, "weightColumnName");
            active.Add(weight.Value);
        }
        var edges = new List<RawEdge>();
        using var cursor = data.GetRowCursor(active);
        var getUser = IdColumnReader.Getter(cursor, user, "userColumnName");
        var getItem = IdColumnReader.Getter(cursor, item, "itemColumnName");
        var getWeight = weight == null ? null : IdColumnReader.WeightGetter(cursor, weight.Value, "weightColumnName");
        bool weightIsSingle = weight?.Type.RawType == typeof(float);
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            string u = getUser(), i = getItem();
            if (u.Length == 0) throw EmptyViewId(row, userColumn, "userColumnName", "a user id", user.Type is KeyDataViewType);
            if (i.Length == 0) throw EmptyViewId(row, itemColumn, "itemColumnName", "an item id", item.Type is KeyDataViewType);
            edges.Add(new RawEdge(u, i, getWeight == null ? 1f : EdgeWeight.Checked(getWeight(), weightIsSingle, weight!.Value.Name, "weightColumnName", row, "weightColumnName")));
        }
        if (edges.Count == 0) throw new ArgumentException("The data has no edges (no row with both a user and an item).", nameof(data));
        return edges;
    }

    /// <summary>
    /// The edges of <paramref name="data"/> with the optional columns a DataFrame or file can carry: weight, relation (any id
    /// type, read as text) and timestamp (a number, or text holding a number or an ISO 8601 date, as Unix seconds).
    /// </summary>
    public static List<FrameEdge> ReadWithExtras(IDataView data, string userColumn, string itemColumn, string? weightColumn, string? relationColumn, string? timestampColumn)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        DataViewSchema.Column Find(string name, string option) => ColumnChecks.Find(schema, name, option);
        var user = Find(userColumn, "userColumnName");
        var item = Find(itemColumn, "itemColumnName");
        var active = new List<DataViewSchema.Column> { user, item };
        DataViewSchema.Column? weight = weightColumn == null ? null : Find(weightColumn, "weightColumnName");
        DataViewSchema.Column? relation = relationColumn == null ? null : Find(relationColumn, "relationColumnName");
        DataViewSchema.Column? timestamp = timestampColumn == null ? null : Find(timestampColumn, "timestampColumnName");
        foreach (var c in new[] { weight, relation, timestamp }) if (c != null) active.Add(c.Value);
        var edges = new List<FrameEdge>();
        using var cursor = data.GetRowCursor(active);
        var getUser = IdColumnReader.Getter(cursor, user, "userColumnName");
        var getItem = IdColumnReader.Getter(cursor, item, "itemColumnName");
        var getWeight = weight == null ? null : IdColumnReader.WeightGetter(cursor, weight.Value, "weightColumnName");
        bool weightIsSingle = weight?.Type.RawType == typeof(float);
        var getRelation = relation == null ? null : IdColumnReader.Getter(cursor, relation.Value, "relationColumnName");
        var getTime = timestamp == null ? null : TimeColumnReader.Getter(cursor, timestamp.Value);
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            string u = getUser(), i = getItem();
            // A frame's id is never a missing key: an empty one is a hole in the data, said rather than dropped.
            if (u.Length == 0) throw EmptyId(row - 1, userColumn, "userColumnName", "a user id");
            if (i.Length == 0) throw EmptyId(row - 1, itemColumn, "itemColumnName", "an item id");
            string relationId = getRelation?.Invoke() ?? "";
            // An empty relation would map to the missing key, and the edge be skipped: said, as an empty id is.
            if (getRelation != null && relationId.Length == 0) throw EmptyId(row - 1, relationColumn!, "relationColumnName", "a relation");
            edges.Add(new FrameEdge(u, i, getWeight == null ? 1f : EdgeWeight.Checked(getWeight(), weightIsSingle, weightColumn!, "weightColumnName", row - 1, "weightColumnName"), relationId, getTime?.Invoke(row - 1) ?? 0));
        }
        if (edges.Count == 0) throw new ArgumentException("The data has no edges (no row with both a user and an item).", nameof(data));
        return edges;
    }

    private static EdgeFrameRowException EmptyId(long row, string column, string option, string role) =>
        new(EmptyIdReason(row, column, option, role, key: false), option, row, column, role);

    /// <summary>The refusal of a view's empty id at <paramref name="row"/> (from 0), as an ArgumentException naming the option.</summary>
    private static ArgumentException EmptyViewId(long row, string column, string option, string role, bool key) =>
        new(EmptyIdReason(row, column, option, role, key), option);

    /// <summary>Why a row's empty id is refused; a key column's is its missing key, 0.</summary>
    internal static string EmptyIdReason(long row, string column, string option, string role, bool key) => key
        ? $"Row {row} of column '{column}' ({option}) holds a missing key (0: a value its MapValueToKey mapping did not know, or an empty one): every edge needs {role}. "
            + "Drop such rows first, or pass the raw ids."
        : $"Row {row} of column '{column}' ({option}) holds an empty value: every edge needs {role}. Drop or fill such rows first.";
}

/// <summary>An edge with the optional DataFrame columns: weight (1 when absent), relation ("" when absent), timestamp (Unix seconds, 0 when absent).</summary>
internal sealed record FrameEdge(string User, string Item, float Weight, string Relation, double Timestamp);
