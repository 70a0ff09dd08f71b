namespace Microsoft.ML.MultiInterest;

/// <summary>What a fit did with its <see cref="GraphEmbeddingTrainer.Options.WarmStart"/> (<see cref="GraphEmbeddingTransformer.WarmStart"/>).</summary>
/// <param name="StartedItems">Items with edges that started from the given vector of the same id (0 when not applied).</param>
/// <param name="NewItems">Items with edges whose id the start does not know (or gives an all-zero vector): they started from their random draw.</param>
/// <param name="NotAppliedReason">Null when the start was applied; otherwise why not (Auto chose another algorithm or dimension).</param>
public sealed record ItemWarmStartOutcome(int StartedItems, int NewItems, string? NotAppliedReason)
{
    /// <summary>Whether the item vectors started from the given ones.</summary>
    public bool Applied => NotAppliedReason == null;
}
