using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The mark that a GraphEmbedding stage's item vectors come from a divide-and-conquer model (its encoder's name, an
/// annotation of the item embedding column) and, for a pooling encoder, what a retrieval stage needs to read a new user's
/// history by that encoder (<see cref="HistoryEncoderTables"/>: the item rows with edges, their input vectors and clusters,
/// the prompts, the attention query, the cluster prior, s and m). A retrieval stage sees the fit data only: it reads them
/// to serve <see cref="HistoryVector.Encoder"/>, or to say that it reads a new user's history otherwise
/// (<see cref="DivideConquerHistoryWarning"/>). Absent for the other algorithms and on a loaded chain (ML.NET's own transformers).
/// </summary>
internal static class DivideConquerAnnotations
{
    public const string Encoder = "MultiInterest.DivideConquerEncoder";
    public const string ItemRows = "MultiInterest.DivideConquerItemRows";
    public const string HistoryItems = "MultiInterest.DivideConquerHistoryItems";
    public const string Clusters = "MultiInterest.DivideConquerItemClusters";
    public const string Prompts = "MultiInterest.DivideConquerPrompts";
    public const string AttentionQuery = "MultiInterest.DivideConquerAttentionQuery";
    public const string Prior = "MultiInterest.DivideConquerClusterPrior";
    public const string IntentSmoothing = "MultiInterest.DivideConquerIntentSmoothing";
    public const string Components = "MultiInterest.DivideConquerComponents";

    /// <summary>The annotations of <paramref name="model"/>: its encoder's name, and for a pooling encoder its tables over the item rows <paramref name="rows"/> (those with a vector).</summary>
    public static DataViewSchema.Annotations Of(DivideConquerModel model, IReadOnlyList<int> rows)
    {
        var name = model.Encoder.ToString().AsMemory();
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(Encoder, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = name);
        if (!HistoryEncoderTables.Serves(model.Encoder) || model.HistoryItems == null) return builder.ToAnnotations();
        // Gathered when first read: a stage that never asks for the encoder does not copy the input vectors.
        var lazy = new Lazy<HistoryEncoderTables?>(() => HistoryEncoderTables.Of(model, rows));
        int n = rows.Count, d = model.Items.Dimension, k = model.ClusterPrior.Length;
        HistoryEncoderTables T() => lazy.Value!;
        builder.Add(ItemRows, new VectorDataViewType(NumberDataViewType.Int32, n), (ref VBuffer<int> value) => Fill(ref value, T().Rows));
        builder.Add(HistoryItems, new VectorDataViewType(NumberDataViewType.Single, n, d), (ref VBuffer<float> value) => Fill(ref value, T().HistoryItems.Values));
        builder.Add(Clusters, new VectorDataViewType(NumberDataViewType.Int32, n), (ref VBuffer<int> value) => Fill(ref value, T().Clusters));
        if (model.Prompts is { } prompts)
            builder.Add(Prompts, new VectorDataViewType(NumberDataViewType.Single, k, d), (ref VBuffer<float> value) => Fill(ref value, prompts.Values));
        if (model.AttentionQuery is { } query)
            builder.Add(AttentionQuery, new VectorDataViewType(NumberDataViewType.Single, d), (ref VBuffer<float> value) => Fill(ref value, query.Values));
        var prior = model.ClusterPrior.ToArray();
        builder.Add(Prior, new VectorDataViewType(NumberDataViewType.Double, k), (ref VBuffer<double> value) => Fill(ref value, prior));
        double s = model.IntentSmoothing;
        int m = model.Components;
        builder.Add(IntentSmoothing, NumberDataViewType.Double, (ref double value) => value = s);
        builder.Add(Components, NumberDataViewType.Int32, (ref int value) => value = m);
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

    /// <summary>The encoder's tables annotated on <paramref name="column"/> (over the item rows it lists), or null when it carries none (no mark, or an encoder a stage does not serve).</summary>
    /// <exception cref="ArgumentException">The annotations are incomplete, of other types, or inconsistent.</exception>
    public static HistoryEncoderTables? ReadTables(DataViewSchema.Column column, string option)
    {
        var schema = column.Annotations.Schema;
        if (Read(column) is not { } name || schema.GetColumnOrNull(HistoryItems) == null) return null;
        try
        {
            if (!Enum.TryParse<DivideConquerEncoder>(name, out var encoder)) throw new ArgumentException($"annotation '{Encoder}' names no encoder: '{name}'");
            var rows = Vector<int>(column, ItemRows);
            var inputs = Vector<float>(column, HistoryItems);
            int d = rows.Length == 0 ? 0 : inputs.Length / rows.Length;
            var prior = Vector<double>(column, Prior);
            var prompts = schema.GetColumnOrNull(Prompts) == null ? null : Vector<float>(column, Prompts);
            var query = schema.GetColumnOrNull(AttentionQuery) == null ? null : Vector<float>(column, AttentionQuery);
            double s = 0;
            int m = 0;
            column.Annotations.GetValue(IntentSmoothing, ref s);
            column.Annotations.GetValue(Components, ref m);
            if (d == 0 || inputs.Length != rows.Length * d || (prompts != null && prompts.Length != prior.Length * d))
                throw new ArgumentException($"'{HistoryItems}' holds {inputs.Length} values for {rows.Length} items");
            return new HistoryEncoderTables(encoder, rows, new EmbeddingMatrix(rows.Length, d, inputs), Vector<int>(column, Clusters),
                prompts == null ? null : new EmbeddingMatrix(prior.Length, d, prompts), query == null ? null : new EmbeddingMatrix(1, query.Length, query),
                prior, s, m).Checked($"Input column '{column.Name}'");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException)
        {
            throw new ArgumentException($"Input column '{column.Name}' (option {option}) carries divide-and-conquer annotations that cannot be read: {e.Message}", e);
        }
    }

    private static void Fill<T>(ref VBuffer<T> value, ReadOnlySpan<T> source)
    {
        var editor = VBufferEditor.Create(ref value, source.Length);
        source.CopyTo(editor.Values);
        value = editor.Commit();
    }

    private static T[] Vector<T>(DataViewSchema.Column column, string name)
    {
        VBuffer<T> value = default;
        column.Annotations.GetValue(name, ref value);
        return value.DenseValues().ToArray();
    }
}
