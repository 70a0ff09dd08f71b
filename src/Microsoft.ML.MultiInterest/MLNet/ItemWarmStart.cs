using System.Numerics.Tensors;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Item vectors by raw item id, such as yesterday's fitted model, that a refit's implicit ALS starts from
/// (<see cref="GraphEmbeddingTrainer.Options.WarmStart"/>): matched to the new fit's items by id, since keys follow the order
/// ids first appear in the data and differ between fits.
/// </summary>
/// <remarks>Holds the given tables, not copies: do not change them while a fit reads them.</remarks>
public sealed class ItemWarmStart
{
    private readonly Dictionary<string, int> _entryOfId;

    /// <summary>The vectors of <paramref name="items"/>, the item of row r being <paramref name="itemIds"/>[r].</summary>
    /// <param name="items">
    /// The item vectors by row (key - 1); rows without a vector are items the start knows nothing of, and so is a row whose
    /// vector is all zeros (the engine's "no start": that item starts from its random draw and is counted as new).
    /// </param>
    /// <param name="itemIds">The raw id of each row: one per row of the key range, distinct.</param>
    /// <exception cref="ArgumentException">The ids are not one per row of <paramref name="items"/>, repeat, or a vector is not finite.</exception>
    public ItemWarmStart(KeyedEmbeddings items, IReadOnlyList<string> itemIds)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(itemIds);
        if (itemIds.Count != items.KeyCount)
            throw new ArgumentException($"There are {itemIds.Count} item ids for {items.KeyCount} item rows: give the raw id of every row (key - 1).", nameof(itemIds));
        if (items.Count == 0) throw new ArgumentException("The item vectors are empty: there is nothing to start from.", nameof(items));
        items.Vectors.ThrowIfNotFinite("The warm start's item vectors");
        _entryOfId = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        for (int entry = 0; entry < items.Count; entry++)
        {
            string id = itemIds[items.Rows[entry]] ?? throw new ArgumentException($"The id of item row {items.Rows[entry]} is null.", nameof(itemIds));
            if (!_entryOfId.TryAdd(id, entry))
                throw new ArgumentException($"Item id '{id}' names two rows ({items.Rows[_entryOfId[id]]} and {items.Rows[entry]}): ids must be distinct.", nameof(itemIds));
        }
        Items = items;
    }

    /// <summary>The item vectors of a fitted embedding stage, by its item ids.</summary>
    /// <param name="model">A fitted single- or multi-vector embedding stage, e.g. from <c>pipeline.Fit(train)</c>; not null. Its tables are held, not copied.</param>
    /// <returns>A warm start over <paramref name="model"/>'s item vectors, matched by its item ids.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">As for the constructor: the stage's ids are not one per item row or repeat, or a vector is not finite.</exception>
    public static ItemWarmStart From(GraphEmbeddingTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ItemWarmStart(model.ItemEmbeddings, model.ItemIds);
    }

    /// <summary>The item vectors of a saved model's embedding stage (<see cref="MultiInterestModel.GraphEmbedding"/>), by its item ids.</summary>
    /// <param name="model">The embedding stage of a loaded model (<see cref="MultiInterestModel.GraphEmbedding"/>); not null. Its tables are held, not copied.</param>
    /// <returns>A warm start over <paramref name="model"/>'s item vectors, matched by its item ids.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">As for the constructor: the stage's ids are not one per item row or repeat, or a vector is not finite.</exception>
    public static ItemWarmStart From(SavedGraphEmbedding model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ItemWarmStart(model.ItemEmbeddings, model.ItemIds);
    }

    /// <summary>The item vectors.</summary>
    public KeyedEmbeddings Items { get; }

    /// <summary>The vectors' dimension: an explicit <see cref="EmbeddingAlgorithm.ImplicitAls"/> fit must have it.</summary>
    public int Dimension => Items.Dimension;

    /// <summary>How many items have a vector.</summary>
    public int Count => Items.Count;

    /// <summary>
    /// The start table of a fit whose item row r has id <paramref name="ids"/>[r]: the matched vector, or zeros (the engine's
    /// "no start": a random draw) for an id the start does not know; and which rows were matched. An id whose given vector is
    /// all zeros is not matched: the engine cannot tell that row from "no start", so the item starts from its draw as a new one.
    /// </summary>
    internal (EmbeddingMatrix Table, bool[] Matched) Match(IReadOnlyList<string> ids)
    {
        var table = new EmbeddingMatrix(ids.Count, Dimension);
        var matched = new bool[ids.Count];
        for (int row = 0; row < ids.Count; row++)
        {
            if (!_entryOfId.TryGetValue(ids[row], out int entry)) continue;
            var vector = Items.Vectors.ReadRow(entry);
            if (TensorPrimitives.MaxMagnitude(vector) == 0) continue;
            vector.CopyTo(table.Row(row));
            matched[row] = true;
        }
        return (table, matched);
    }
}
