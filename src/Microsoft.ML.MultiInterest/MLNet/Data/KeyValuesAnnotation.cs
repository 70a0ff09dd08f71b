using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The text KeyValues annotation the library's key outputs carry, so MapKeyToValue turns them back into
/// ids: item names for candidates, cluster numbers ("1".."k") for clusters. Saved models rebuild the same
/// annotation through MapValueToKey, so a loaded model's columns match the in-memory ones.
/// </summary>
internal static class KeyValuesAnnotation
{
    /// <summary>"1", "2", ... "<paramref name="count"/>": the names of cluster keys.</summary>
    public static string[] Numbers(int count)
    {
        var names = new string[count];
        for (int i = 0; i < count; i++) names[i] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return names;
    }

    /// <summary>An annotation set holding only KeyValues = <paramref name="names"/>.</summary>
    public static DataViewSchema.Annotations Of(IReadOnlyList<string> names)
    {
        var values = names.Select(n => n.AsMemory()).ToArray();
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, values.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(values.Length, values));
        return builder.ToAnnotations();
    }
}
