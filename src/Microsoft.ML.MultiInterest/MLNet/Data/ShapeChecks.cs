using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The <see cref="SchemaShape"/> counterparts of <see cref="ColumnChecks"/>, used by the estimators'
/// GetOutputSchema before any data is seen.
/// </summary>
internal static class ShapeChecks
{
    public static SchemaShape.Column Find(SchemaShape shape, string name, string option)
    {
        ArgumentNullException.ThrowIfNull(shape);
        // The last column with a name wins, as in a DataViewSchema.
        for (int i = shape.Count - 1; i >= 0; i--)
            if (shape[i].Name == name) return shape[i];
        // The last column of each name is the visible one; listed in schema order.
        var visible = shape.Select(c => c.Name).Reverse().Distinct().Reverse().ToList();
        throw new ArgumentException($"Input column '{name}' (option {option}) was not found in the input schema{ColumnChecks.Present(visible, name)}.", nameof(shape));
    }

    public static SchemaShape.Column Key(SchemaShape shape, string name, string option)
    {
        var column = Find(shape, name, option);
        if (!column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.UInt32)
            throw ColumnChecks.Mismatch(name, option, "a key type over UInt32 (produce it with MapValueToKey)", Describe(column));
        return column;
    }

    public static SchemaShape.Column KeyVector(SchemaShape shape, string name, string option)
    {
        var column = Find(shape, name, option);
        if (!column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.UInt32)
            throw ColumnChecks.Mismatch(name, option, "a known-size vector of UInt32 keys", Describe(column));
        return column;
    }

    /// <summary>A vector of UInt32 keys, of known or variable size.</summary>
    public static SchemaShape.Column KeyVectorAnySize(SchemaShape shape, string name, string option)
    {
        var column = Find(shape, name, option);
        if (!column.IsKey || column.Kind == SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.UInt32)
            throw ColumnChecks.Mismatch(name, option, "a vector of UInt32 keys", Describe(column));
        return column;
    }

    public static SchemaShape.Column Vector(SchemaShape shape, string name, string option, DataViewType itemType)
    {
        var column = Find(shape, name, option);
        if (column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != itemType)
            throw ColumnChecks.Mismatch(name, option, $"a known-size vector of {itemType}", Describe(column));
        return column;
    }

    public static SchemaShape.Column Scalar(SchemaShape shape, string name, string option, DataViewType itemType)
    {
        var column = Find(shape, name, option);
        if (column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != itemType)
            throw ColumnChecks.Mismatch(name, option, $"{itemType}", Describe(column));
        return column;
    }

    /// <summary>
    /// The optional fresh-history column: absent, or a vector of keys or of text, as <see cref="HistoryColumnReader.Find"/>
    /// requires when the fitted stage transforms; refused here so that a schema Transform would refuse fails the shape check.
    /// </summary>
    public static void OptionalHistory(SchemaShape shape, string name, string option)
    {
        ArgumentNullException.ThrowIfNull(shape);
        for (int i = shape.Count - 1; i >= 0; i--)
        {
            if (shape[i].Name != name) continue;
            var column = shape[i];
            if (column.Kind == SchemaShape.Column.VectorKind.Scalar || !(column.IsKey ? column.ItemType == NumberDataViewType.UInt32 : column.ItemType is TextDataViewType))
                throw ColumnChecks.Mismatch(name, option, "a vector of item keys or of item ids (text), or absent", Describe(column));
            return;
        }
    }

    public static bool HasKeyValues(SchemaShape.Column column) => column.Annotations.Any(a => a.Name == "KeyValues");

    internal static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : $"{column.ItemType}";
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}>",
            SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{item}>",
            _ => item,
        };
    }
}
