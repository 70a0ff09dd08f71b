using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Input column checks shared by the estimators and transformers. Every message names the column, the
/// option that chose it, the expected type and the type found, so a wrong pipeline is easy to fix.
/// </summary>
internal static class ColumnChecks
{
    /// <summary>Finds a column or throws naming it, the columns the data has, and one that differs only in case.</summary>
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string option)
    {
        // ML.NET would say an empty name is null, naming no option.
        if (string.IsNullOrEmpty(name))
            throw new ArgumentException($"Option {option} names no column (it is {(name == null ? "null" : "empty")}): give a column name{Present(schema, "")}.", option);
        var column = schema.GetColumnOrNull(name);
        if (column == null)
            throw new ArgumentException($"Input column '{name}' (option {option}) was not found in the data{Present(schema, name)}.", nameof(schema));
        return column.Value;
    }

    /// <summary>What the data does have, for a missing column's message: its visible columns (the first 20), and a near miss by case.</summary>
    private static string Present(DataViewSchema schema, string name) => Present(schema.Where(c => !c.IsHidden).Select(c => c.Name).ToList(), name);

    /// <summary>
    /// The columns <paramref name="visible"/> for a missing column's message: the first 20, and a near miss by case. Shared by the
    /// schema checks here and the shape checks of <see cref="ShapeChecks"/>, so a fitted stage and an estimator chain say the same.
    /// </summary>
    internal static string Present(IReadOnlyList<string> visible, string name)
    {
        const int Listed = 20;
        if (visible.Count == 0) return "; it has no columns";
        string list = string.Join(", ", visible.Take(Listed).Select(n => $"'{n}'")) + (visible.Count > Listed ? $" and {visible.Count - Listed} more" : "");
        string? nearMiss = visible.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return $"; its columns are {list}" + (nearMiss == null ? "" : $" ('{nearMiss}' differs only in case: names are case-sensitive)");
    }

    /// <summary>A key column over UInt32, as MapValueToKey produces; returns its key cardinality.</summary>
    public static DataViewSchema.Column Key(DataViewSchema schema, string name, string option, out int cardinality)
    {
        var column = Find(schema, name, option);
        if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw Mismatch(name, option, "a key type over UInt32 (produce it with MapValueToKey)", column.Type);
        cardinality = checked((int)key.Count);
        return column;
    }

    /// <summary>A known-size vector of Single; returns its length.</summary>
    public static DataViewSchema.Column FloatVector(DataViewSchema schema, string name, string option, out int size) =>
        NumberVector(schema, name, option, NumberDataViewType.Single, out size);

    /// <summary>
    /// Refuses user and item vector columns of different lengths, naming both columns and their options: the stages compare a
    /// user's vector with an item's by dot product, so both must live in one space of one dimension.
    /// </summary>
    public static void SameDimension((string Name, string Option) user, int userDimension, (string Name, string Option) item, int itemDimension)
    {
        if (userDimension != itemDimension)
            throw new ArgumentException($"Input column '{user.Name}' (option {user.Option}) holds vectors of dimension {userDimension}, but column '{item.Name}' "
                + $"(option {item.Option}) holds vectors of dimension {itemDimension}: users and items are compared by dot product, so both need one "
                + "space of one dimension. Give both columns vectors trained together (one embedding model for users and items), or name the matching columns in the options.",
                user.Option);
    }

    /// <summary>A scalar Single column.</summary>
    public static DataViewSchema.Column Float(DataViewSchema schema, string name, string option)
    {
        var column = Find(schema, name, option);
        if (column.Type != NumberDataViewType.Single) throw Mismatch(name, option, "Single", column.Type);
        return column;
    }

    /// <summary>A scalar edge-weight column: Single, or Double (read as its Single values; a weight needs no more precision).</summary>
    public static DataViewSchema.Column Weight(DataViewSchema schema, string name, string option)
    {
        var column = Find(schema, name, option);
        if (column.Type != NumberDataViewType.Single && column.Type != NumberDataViewType.Double)
            throw new ArgumentException($"Input column '{name}' (option {option}) must be Single or Double (the edges' weights), but it is {column.Type}: convert it first, "
                + $"e.g. mlContext.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single).", nameof(schema));
        return column;
    }

    /// <summary>A known-size vector of UInt32 keys; returns its length and key cardinality.</summary>
    public static DataViewSchema.Column KeyVector(DataViewSchema schema, string name, string option, out int size, out int cardinality)
    {
        var column = Find(schema, name, option);
        if (column.Type is not VectorDataViewType { IsKnownSize: true, ItemType: KeyDataViewType key } vector || key.RawType != typeof(uint))
            throw Mismatch(name, option, "a known-size vector of UInt32 keys", column.Type);
        size = vector.Size;
        cardinality = checked((int)key.Count);
        return column;
    }

    /// <summary>A known-size vector of Double; returns its length.</summary>
    public static DataViewSchema.Column DoubleVector(DataViewSchema schema, string name, string option, out int size) =>
        NumberVector(schema, name, option, NumberDataViewType.Double, out size);

    private static DataViewSchema.Column NumberVector(DataViewSchema schema, string name, string option, NumberDataViewType itemType, out int size)
    {
        var column = Find(schema, name, option);
        if (column.Type is not VectorDataViewType vector || vector.ItemType != itemType || !vector.IsKnownSize)
            throw Mismatch(name, option, $"a known-size vector of {itemType}", column.Type);
        size = vector.Size;
        return column;
    }

    /// <summary>Throws when a key column's cardinality differs from the one seen at Fit.</summary>
    public static void SameCardinality(string name, string option, int expected, int actual)
    {
        if (expected != actual)
            throw new ArgumentException($"Input column '{name}' (option {option}) is a key over {actual} values, but the model was fitted on {expected}: "
                + "apply the same MapValueToKey transformer as at Fit.");
    }

    /// <summary>
    /// Throws when a key column names its keys differently from the ids the model was fitted on: keys of another
    /// MapValueToKey (fitted on other data, or in another order) of the same cardinality would otherwise read other users'
    /// rows without a word. A column without KeyValues, or a model fitted on one, has no ids to compare.
    /// </summary>
    public static void SameKeys(DataViewSchema.Column column, string option, KeyNameList fitted)
    {
        var actual = KeyNames.Of(column, fitted.Count);
        int i = fitted.FirstDifference(actual);
        if (i >= 0)
            throw new ArgumentException($"Input column '{column.Name}' (option {option}) maps key {i + 1} to '{actual[i]}', but the model was fitted with key {i + 1} "
                + $"= '{fitted[i]}': apply the same fitted MapValueToKey transformer as at Fit.");
    }

    /// <summary>Throws when a vector column's length differs from the one seen at Fit.</summary>
    public static void SameSize(string name, string option, int expected, int actual)
    {
        if (expected != actual)
            throw new ArgumentException($"Input column '{name}' (option {option}) has vectors of length {actual}, but the model expects {expected}.");
    }

    public static ArgumentException Mismatch(string name, string option, string expected, object actual) =>
        new($"Input column '{name}' (option {option}) must be {expected}, but it is {actual}.", "schema");
}
