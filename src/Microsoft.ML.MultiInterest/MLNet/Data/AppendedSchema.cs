namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The output schema of an appending transform: every input column (hidden ones too, so input column
/// indices stay valid), then the appended columns. An appended column with an input column's name hides it,
/// as ML.NET's own transforms do.
/// </summary>
internal static class AppendedSchema
{
    public static DataViewSchema Build(DataViewSchema input, IReadOnlyList<AppendedColumn> columns)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in columns) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    /// <summary>The input columns needed to compute the requested output columns.</summary>
    public static IEnumerable<DataViewSchema.Column> Dependencies(DataViewSchema input, IReadOnlyList<AppendedColumn> columns, IEnumerable<DataViewSchema.Column> requested)
    {
        var needed = new HashSet<int>();
        foreach (var column in requested)
        {
            if (column.Index < input.Count)
            {
                needed.Add(column.Index);
                continue;
            }
            foreach (var name in columns[column.Index - input.Count].Inputs) needed.Add(input[name].Index);
        }
        return needed.OrderBy(i => i).Select(i => input[i]);
    }
}
