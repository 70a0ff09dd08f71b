using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Which stage made a column of user components: the kNN-Embed mixture stage marks its embeddings column, so that a
/// round-robin retriever fitted over it (the fit data is all it sees) records where its components come from, and a loaded
/// model rebuilds them from that stage rather than from the GraphEmbedding stage's learned components.
/// </summary>
internal static class ComponentSourceAnnotation
{
    /// <summary>The annotation's name (text).</summary>
    public const string Name = "MultiInterest.ComponentSource";

    /// <summary>The value of the kNN-Embed mixture stage (<see cref="KnnSmoothedMixtureTransformer"/>).</summary>
    public const string KnnSmoothedMixture = "KnnSmoothedMixture";

    /// <summary>The annotation naming <paramref name="source"/>.</summary>
    public static DataViewSchema.Annotations Of(string source)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(Name, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = source.AsMemory());
        return builder.ToAnnotations();
    }

    /// <summary>The source annotated on <paramref name="column"/>, or null when it carries none (a GraphEmbedding stage's learned components).</summary>
    public static string? Read(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Name) is not { Type: TextDataViewType }) return null;
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(Name, ref value);
        return value.ToString();
    }
}
