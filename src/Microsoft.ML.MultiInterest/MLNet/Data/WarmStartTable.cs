using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// An <see cref="ItemWarmStart"/> matched to one fit's item rows by raw id: the engine's start table
/// (<see cref="ImplicitAlsOptions.InitialItems"/>) and the counts the fit reports.
/// </summary>
/// <param name="Table">One row per item with an edge, in the rows the engine trains (the subgraph's): the matched vector, or zeros (a random draw).</param>
/// <param name="Started">Items with edges that matched an id of the start.</param>
/// <param name="New">Items with edges that did not.</param>
/// <param name="Dimension">The start's dimension.</param>
internal sealed record WarmStartTable(EmbeddingMatrix Table, int Started, int New, int Dimension)
{
    /// <summary>
    /// Matches <paramref name="start"/> to the fit's items with edges: <paramref name="activeItems"/> (the item rows of the
    /// subgraph the engine trains, <see cref="ActiveSubgraph.Items"/>), or every row of <paramref name="itemIds"/> when null (every
    /// item has an edge). Only those rows' ids are read, so a wide key range costs what its ids in use cost.
    /// </summary>
    public static WarmStartTable Match(ItemWarmStart start, IReadOnlyList<string> itemIds, int[]? activeItems)
    {
        IReadOnlyList<string> ids = activeItems == null ? itemIds : Array.ConvertAll(activeItems, row => itemIds[row]);
        var (table, matched) = start.Match(ids);
        int started = matched.Count(m => m);
        return new WarmStartTable(table, started, ids.Count - started, start.Dimension);
    }

    /// <summary>
    /// What the fit did with the start, from what it produced: the engine applies it exactly when the vectors are implicit
    /// ALS at the start's dimension (<see cref="AlsWarmStart.AppliesTo"/>; an explicit ALS fit always is, by the trainer's checks).
    /// </summary>
    public ItemWarmStartOutcome Outcome(EmbeddingAlgorithm algorithm, int dimension) =>
        algorithm == EmbeddingAlgorithm.ImplicitAls && dimension == Dimension
            ? new ItemWarmStartOutcome(Started, New, null)
            : new ItemWarmStartOutcome(0, New, algorithm == EmbeddingAlgorithm.ImplicitAls
                ? $"Auto chose implicit ALS at d = {dimension}, not the start's d = {Dimension}; the fit started cold."
                : $"Auto chose {algorithm} (d = {dimension}), and only an implicit-ALS fit at the start's d = {Dimension} starts from it; the fit started cold.");
}
