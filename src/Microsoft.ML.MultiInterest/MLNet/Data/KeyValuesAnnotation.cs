using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The text KeyValues annotation the library's key outputs carry, so MapKeyToValue turns them back into
/// ids: item names for candidates, cluster numbers ("1".."k") for clusters. Saved models rebuild the same
/// annotation through MapValueToKey, so a loaded model's columns match the in-memory ones.
/// </summary>
internal static class KeyValuesAnnotation
{
    private static string[] s_numbers = [];

    /// <summary>
    /// "1", "2", ... "<paramref name="count"/>": the names of cluster keys, and of keys without KeyValues. The strings are
    /// shared between calls (one set for the largest count asked, kept for the life of the process: a model of that key range
    /// holds the same strings anyway), so a wide key range costs each caller 8 bytes a key, not a string a key.
    /// </summary>
    public static string[] Numbers(int count)
    {
        var shared = Volatile.Read(ref s_numbers);
        if (shared.Length < count)
        {
            var grown = new string[count];
            shared.CopyTo(grown, 0);
            for (int i = shared.Length; i < count; i++) grown[i] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            // A race only builds the same strings twice; either array is correct.
            Volatile.Write(ref s_numbers, grown);
            shared = grown;
        }
        return shared.AsSpan(0, count).ToArray();
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
