using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Refuses the id tables of models whose numeric ids were named lossily. Before 2026-12-04 integer ids were named through
/// double (two ids above 2^53 could share a name; 1e15 and up were written in E-notation) and fractional Single ids by
/// their double ("129.8000030517578"): such a model loads, but its recommender and ONNX export look requests up by those
/// names, so trained users are served the popular list. Only the typed tables are affected; the chain of
/// <c>mlContext.Model.Load</c> maps ids by value.
/// </summary>
internal static class SavedIdNames
{
    /// <summary>
    /// Checks both sides of <paramref name="embedding"/> against the raw id columns of <paramref name="inputSchema"/> (null
    /// for a zip saved without one, as ML.NET allows: the ids' type is then unknown and only shared names are refused).
    /// </summary>
    /// <exception cref="InvalidDataException">A side's names are lossy; the message says which name and to refit.</exception>
    public static void Check(DataViewSchema? inputSchema, SavedGraphEmbedding embedding, string what)
    {
        Check(IdType(inputSchema?.GetColumnOrNull(embedding.UserColumnName)), embedding.UserIds, "user", what);
        Check(IdType(inputSchema?.GetColumnOrNull(embedding.ItemColumnName)), embedding.ItemIds, "item", what);
    }

    /// <summary>
    /// The type the ids were named from: a raw id column's own, or for a key column given as input its KeyValues' item type
    /// (its UInt32 keys are not the ids); null when unknown.
    /// </summary>
    private static Type? IdType(DataViewSchema.Column? column) => column?.Type switch
    {
        null => null,
        KeyDataViewType => column.Value.Annotations.Schema.GetColumnOrNull("KeyValues")?.Type is VectorDataViewType values ? values.ItemType.RawType : null,
        var type => type.RawType,
    };

    private static void Check(Type? idType, IReadOnlyList<string> names, string side, string what)
    {
        if (Lossy(idType, names, side) is not { } why) return;
        throw new InvalidDataException($"{what} names its {side}s lossily: {why}. A model fitted before 2026-12-04 on 64-bit integer or fractional Single "
            + $"ids named them through double, so its recommender and ONNX export would serve trained {side}s the popular list (the chain of "
            + "mlContext.Model.Load still maps ids by value). Refit the model with this version of the library.");
    }

    /// <summary>What makes the names of ids of type <paramref name="idType"/> (null: unknown) lossy, or null when they are exact.</summary>
    internal static string? Lossy(Type? idType, IReadOnlyList<string> names, string side)
    {
        bool integer = idType == typeof(long) || idType == typeof(ulong) || idType == typeof(int) || idType == typeof(uint)
            || idType == typeof(short) || idType == typeof(ushort) || idType == typeof(byte) || idType == typeof(sbyte);
        bool single = idType == typeof(float);
        var seen = new HashSet<string>(names.Count, StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!seen.Add(name)) return $"two {side}s share the name '{name}'";
            if (integer && name.AsSpan().IndexOfAny('E', 'e', '.') >= 0) return $"the integer {side} id '{name}' is written as a floating-point number";
            if (single && float.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out float value)
                && value.ToString(CultureInfo.InvariantCulture) != name)
                return $"the Single {side} id '{name}' is not written as the Single it is ('{value.ToString(CultureInfo.InvariantCulture)}')";
        }
        return null;
    }
}
