using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.RoundTrip;

/// <summary>
/// Writes every column of a data view as text, one line per column and row, with the column's type and
/// KeyValues, so that outputs computed in two processes can be compared value by value.
/// </summary>
public static class ColumnDump
{
    /// <summary>One dumped column: name, type, KeyValues (may be empty) and one value line per row.</summary>
    public sealed record Column(string Name, string Type, string KeyValues, List<string> Rows);

    /// <summary>Dumps the columns of <paramref name="data"/> named in <paramref name="columns"/>.</summary>
    public static List<Column> Dump(IDataView data, IEnumerable<string> columns)
    {
        var result = new List<Column>();
        foreach (string name in columns)
        {
            var column = data.Schema[name];
            result.Add(new Column(name, column.Type.ToString() ?? "", KeyValuesOf(column), Values(data, column)));
        }
        return result;
    }

    /// <summary>Writes <paramref name="columns"/> in a line format <see cref="Read"/> parses.</summary>
    public static void Write(IEnumerable<Column> columns, TextWriter writer)
    {
        foreach (var c in columns)
        {
            writer.WriteLine($"column\t{c.Name}\t{c.Type}\t{c.KeyValues}");
            foreach (string row in c.Rows) writer.WriteLine($"row\t{row}");
        }
    }

    /// <summary>Parses what <see cref="Write"/> wrote.</summary>
    public static List<Column> Read(TextReader reader)
    {
        var result = new List<Column>();
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            var parts = line.Split('\t');
            if (parts[0] == "column") result.Add(new Column(parts[1], parts[2], parts[3], []));
            else result[^1].Rows.Add(parts[1]);
        }
        return result;
    }

    private static string KeyValuesOf(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: TextDataViewType } }) return "";
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue("KeyValues", ref values);
        return string.Join(",", values.DenseValues());
    }

    private static List<string> Values(IDataView data, DataViewSchema.Column column)
    {
        var type = column.Type is VectorDataViewType vector ? vector.ItemType.RawType : column.Type.RawType;
        bool isVector = column.Type is VectorDataViewType;
        if (type == typeof(float)) return isVector ? Vectors<float>(data, column, F) : Scalars<float>(data, column, F);
        if (type == typeof(double)) return isVector ? Vectors<double>(data, column, D) : Scalars<double>(data, column, D);
        if (type == typeof(uint)) return isVector ? Vectors<uint>(data, column, U) : Scalars<uint>(data, column, U);
        if (type == typeof(ReadOnlyMemory<char>)) return isVector ? Vectors<ReadOnlyMemory<char>>(data, column, T) : Scalars<ReadOnlyMemory<char>>(data, column, T);
        throw new NotSupportedException($"Column '{column.Name}' of type {column.Type} is not dumped.");
    }

    private static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string U(uint v) => v.ToString(CultureInfo.InvariantCulture);

    private static string T(ReadOnlyMemory<char> v) => v.ToString();

    private static List<string> Scalars<T>(IDataView data, DataViewSchema.Column column, Func<T, string> format)
    {
        var rows = new List<string>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(format(value));
        }
        return rows;
    }

    private static List<string> Vectors<T>(IDataView data, DataViewSchema.Column column, Func<T, string> format)
    {
        var rows = new List<string>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        VBuffer<T> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(string.Join(" ", value.DenseValues().Select(format)));
        }
        return rows;
    }
}
