using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Unit-length item embeddings by item row (key - 1), read from the first row of each item key of a view
/// with the Item key and ItemEmbedding columns (for example the transformed training edges); every later row of the item
/// must repeat it unless a stage marked the column as looked up by the item key (<see cref="PerKeyAnnotation"/>). Items
/// without a row have no embedding; <see cref="Require"/> names the first one a metric needs.
/// </summary>
internal sealed class ItemEmbeddingTable
{
    private readonly bool[] _present;
    private readonly string _source;

    private ItemEmbeddingTable(EmbeddingMatrix unitItems, bool[] present, DataViewSchema.Column itemColumn, string source)
    {
        UnitItems = unitItems;
        _present = present;
        ItemColumn = itemColumn;
        _source = source;
    }

    /// <summary>Item embeddings scaled to unit length, one row per item key (zero rows for items without one).</summary>
    public EmbeddingMatrix UnitItems { get; }

    public DataViewSchema.Column ItemColumn { get; }

    public int Dimension => UnitItems.Dimension;

    /// <summary>Whether item row <paramref name="item"/> has an embedding (it is seen in the view).</summary>
    public bool Has(int item) => _present[item];

    /// <summary>Whether no item has an embedding (the view had no row with an item key).</summary>
    public bool IsEmpty => !_present.Contains(true);

    /// <summary>Throws unless item row <paramref name="item"/> has an embedding; <paramref name="role"/> says why it is needed (built only on failure).</summary>
    public void Require(int item, Func<string> role)
    {
        if (!_present[item])
            throw new ArgumentException($"Item {KeyNames.Describe(ItemColumn, _present.Length, item)} ({role()}) has no row in {_source}, so it has no embedding: "
                + "give a view with a row for every item that can be a candidate or a held-out item (for example the transformed training edges).");
    }

    /// <summary>Reads <paramref name="view"/>, passed as <paramref name="parameter"/>; <paramref name="source"/> names it in messages.</summary>
    public static ItemEmbeddingTable Read(IDataView view, string parameter, string source, MultiInterestEvaluatorOptions o)
    {
        var schema = view.Schema;
        var item = ColumnChecks.Key(schema, o.ItemColumnName, nameof(o.ItemColumnName), out int itemCount);
        var embedding = ColumnChecks.FloatVector(schema, o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName), out int dimension);
        if (dimension < 1)
            throw ColumnChecks.Mismatch(o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName), "a non-empty vector", embedding.Type);
        var table = new EmbeddingMatrix(itemCount, dimension);
        var present = new bool[itemCount];
        bool compareRows = !PerKeyAnnotation.Holds(embedding, item);
        var later = new float[dimension];
        using (var cursor = view.GetRowCursor([item, embedding]))
        {
            var getItem = cursor.GetGetter<uint>(item);
            var getEmbedding = cursor.GetGetter<VBuffer<float>>(embedding);
            uint key = 0;
            VBuffer<float> vector = default;
            while (cursor.MoveNext())
            {
                getItem(ref key);
                if (key == 0 || (present[key - 1] && !compareRows)) continue;
                getEmbedding(ref vector);
                if (present[key - 1])
                {
                    VectorRows.Copy(in vector, later, (o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName)), "item", (item, itemCount, (int)key - 1), parameter);
                    EntityRows.RequireSame<float>(table.Row((int)key - 1), later, (o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName)), "item",
                        (item, itemCount, (int)key - 1), "vector", parameter);
                    continue;
                }
                VectorRows.Copy(in vector, table.Row((int)key - 1), (o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName)), "item", (item, itemCount, (int)key - 1), parameter);
                present[key - 1] = true;
            }
        }
        table.ThrowIfNotFinite($"item embeddings (column '{o.ItemEmbeddingColumnName}' of {source})");
        // Normalised in float below, such a vector would become a zero vector and count in Diversity as one.
        int tooLong = ScorableLength.FirstTooLong(table.Values, dimension, out double squares);
        if (tooLong >= 0)
            throw new ArgumentException($"Input column '{o.ItemEmbeddingColumnName}' (option {nameof(o.ItemEmbeddingColumnName)}) of {source} holds "
                + $"{ScorableLength.Describe(squares)}, for item {KeyNames.Describe(item, itemCount, tooLong)}.", parameter);
        return new ItemEmbeddingTable(table.Normalized(), present, item, source);
    }
}
