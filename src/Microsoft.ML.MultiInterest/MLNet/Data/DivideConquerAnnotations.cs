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
        // Copied when read, straight from the model's tables: a stage that never asks for the encoder copies nothing, and
        // one that does holds no second copy alive with the schema.
        var inputs = model.HistoryItems;
        int n = rows.Count, d = model.Items.Dimension, k = model.ClusterPrior.Length;
        builder.Add(ItemRows, new VectorDataViewType(NumberDataViewType.Int32, n), (ref VBuffer<int> value) => Fill(ref value, rows.ToArray()));
        builder.Add(HistoryItems, new VectorDataViewType(NumberDataViewType.Single, n, d), (ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, n * d);
            for (int j = 0; j < n; j++) inputs.ReadRow(rows[j]).CopyTo(editor.Values.Slice(j * d, d));
            value = editor.Commit();
        });
        builder.Add(Clusters, new VectorDataViewType(NumberDataViewType.Int32, n), (ref VBuffer<int> value) => Fill(ref value, rows.Select(model.Clustering.ClusterOf).ToArray()));
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

    /// <summary>
    /// The model's item clusters annotated on <paramref name="column"/> (the item rows, their clusters and K), or null when it
    /// carries no encoder tables; reads neither the input vectors nor the other tables.
    /// </summary>
    /// <exception cref="ArgumentException">The annotations are incomplete, of other types, or inconsistent.</exception>
    public static DivideConquerItemClusters? ReadClusters(DataViewSchema.Column column, string option)
    {
        if (Read(column) == null || column.Annotations.Schema.GetColumnOrNull(HistoryItems) == null) return null;
        try
        {
            var rows = Vector<int>(column, ItemRows);
            var clusters = Vector<int>(column, Clusters);
            int k = Vector<double>(column, Prior).Length;
            if (clusters.Length != rows.Length) throw new InvalidDataException($"'{Clusters}' holds {clusters.Length} clusters for {rows.Length} items");
            if (clusters.Any(c => (uint)c >= (uint)k)) throw new InvalidDataException($"'{Clusters}' holds a cluster outside 0..{k - 1}");
            return new DivideConquerItemClusters(rows, clusters, k);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException)
        {
            throw new ArgumentException($"Input column '{column.Name}' (option {option}) carries divide-and-conquer annotations that cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The encoder's tables annotated on <paramref name="column"/> (over the item rows it lists), or null when it carries none (no mark, or an encoder a stage does not serve).</summary>
    /// <exception cref="ArgumentException">The annotations are incomplete, of other types, or inconsistent.</exception>
    public static HistoryEncoderTables? ReadTables(DataViewSchema.Column column, string option)
    {
        var schema = column.Annotations.Schema;
        if (ReadClusters(column, option) is not { } items) return null;
        string name = Read(column)!;
        try
        {
            if (!Enum.TryParse<DivideConquerEncoder>(name, out var encoder)) throw new ArgumentException($"annotation '{Encoder}' names no encoder: '{name}'");
            var rows = items.Rows;
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
            return new HistoryEncoderTables(encoder, rows, new EmbeddingMatrix(rows.Length, d, inputs), items.Clusters,
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
        // A dense buffer (what Of writes) is copied as a block; DenseValues enumerates one value at a time.
        return value.IsDense ? value.GetValues().ToArray() : value.DenseValues().ToArray();
    }
}
