using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The text KeyValues annotation the library's key outputs carry, so MapKeyToValue turns them back into
/// ids: item names for candidates, cluster numbers ("1".."k") for clusters. Saved models rebuild the same
/// annotation through MapValueToKey, so a loaded model's columns match the in-memory ones.
/// </summary>
internal static class KeyValuesAnnotation
{
    /// <summary>"1", "2", ... "<paramref name="count"/>": the names of cluster keys, and of keys without KeyValues (made when read).</summary>
    public static KeyNameList Numbers(int count) => KeyNameList.Numbers(count);

    /// <summary>
    /// An annotation set holding only KeyValues = <paramref name="names"/>. The text is materialised only when a reader asks
    /// for the annotation's value, so declaring a column over a wide key range of numbered keys costs nothing per key.
    /// </summary>
    public static DataViewSchema.Annotations Of(IReadOnlyList<string> names) => Of(names, null);

    /// <summary>KeyValues = <paramref name="names"/> and, when given, the id of the retrieval stage that fills the column (<see cref="CandidateStageId"/>).</summary>
    public static DataViewSchema.Annotations Of(IReadOnlyList<string> names, string? stageId)
    {
        int count = names.Count;
        var builder = new DataViewSchema.Annotations.Builder();
        if (stageId != null) builder.Add(CandidateStageId.Annotation, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = stageId.AsMemory());
        builder.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, count), (ref VBuffer<ReadOnlyMemory<char>> value) =>
        {
            var editor = VBufferEditor.Create(ref value, count);
            for (int i = 0; i < count; i++) editor.Values[i] = names[i].AsMemory();
            value = editor.Commit();
        });
        return builder.ToAnnotations();
    }
}
