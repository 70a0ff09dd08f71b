using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The mark that a GraphEmbedding stage's item vectors come from a divide-and-conquer model (its encoder's name, an
/// annotation of the item embedding column): a retrieval stage, which sees the fit data only, reads it to say that it reads
/// a new user's history otherwise than that model's encoder (<see cref="DivideConquerHistoryWarning"/>). Absent for the
/// other algorithms and on a loaded chain (ML.NET's own transformers).
/// </summary>
internal static class DivideConquerAnnotations
{
    public const string Encoder = "MultiInterest.DivideConquerEncoder";

    /// <summary>The annotation of a model with <paramref name="encoder"/>: its name as text.</summary>
    public static DataViewSchema.Annotations Of(DivideConquerEncoder encoder)
    {
        var name = encoder.ToString().AsMemory();
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(Encoder, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = name);
        return builder.ToAnnotations();
    }

    /// <summary>The encoder's name annotated on <paramref name="column"/>, or null when it carries none (or not as text).</summary>
    public static string? Read(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Encoder) is not { Type: TextDataViewType }) return null;
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(Encoder, ref value);
        return value.ToString();
    }
}
