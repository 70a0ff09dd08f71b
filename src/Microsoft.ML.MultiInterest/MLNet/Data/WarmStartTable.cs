using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// An <see cref="ItemWarmStart"/> matched to one fit's item rows by raw id: the engine's start table
/// (<see cref="ImplicitAlsOptions.InitialItems"/>) and the counts the fit reports.
/// </summary>
/// <param name="Table">One row per item row of the fit: the matched vector, or zeros (a random draw).</param>
/// <param name="Started">Items with edges that matched an id of the start.</param>
/// <param name="New">Items with edges that did not.</param>
/// <param name="Dimension">The start's dimension.</param>
internal sealed record WarmStartTable(EmbeddingMatrix Table, int Started, int New, int Dimension)
{
    /// <summary>Matches <paramref name="start"/> to the fit's item rows (<paramref name="itemIds"/>), counting the rows with edges (<paramref name="edgeItems"/>).</summary>
    public static WarmStartTable Match(ItemWarmStart start, IReadOnlyList<string> itemIds, IReadOnlyList<int> edgeItems)
    {
        var (table, matched) = start.Match(itemIds);
        var hasEdge = new bool[itemIds.Count];
        foreach (int item in edgeItems) hasEdge[item] = true;
        int started = 0, fresh = 0;
        for (int row = 0; row < hasEdge.Length; row++)
        {
            if (!hasEdge[row]) continue;
            if (matched[row]) started++;
            else fresh++;
        }
        return new WarmStartTable(table, started, fresh, start.Dimension);
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
