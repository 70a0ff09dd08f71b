namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A validation hold-out carved from training edges by the protocol's rule, with vectors fitted without it: what
/// <see cref="EmbeddingAlgorithm.Auto"/> chose its embedding on, kept (<see cref="GraphEmbeddingOptions.KeepHoldout"/>) so
/// that later settings, such as history-interest MMR's lambda (<see cref="HistoryMmrLambdaSelection"/>), are chosen on the
/// same hold-out and vectors instead of a second fit. Both graphs and both tables use the full graph's index range.
/// </summary>
public sealed class ValidationHoldout
{
    /// <summary>Creates a hold-out; the graphs share index ranges and the tables have one row per user and item.</summary>
    public ValidationHoldout(BipartiteGraph train, BipartiteGraph validation, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        if (validation.UserCount != train.UserCount || validation.ItemCount != train.ItemCount)
            throw new ArgumentException($"The validation graph is {validation.UserCount} x {validation.ItemCount}, the training part {train.UserCount} x {train.ItemCount}.", nameof(validation));
        if (userEmbeddings.Rows != train.UserCount || itemEmbeddings.Rows != train.ItemCount || userEmbeddings.Dimension != itemEmbeddings.Dimension)
            throw new ArgumentException($"The vectors are {userEmbeddings.Rows} x {userEmbeddings.Dimension} (users) and {itemEmbeddings.Rows} x {itemEmbeddings.Dimension} (items) for a graph of {train.UserCount} x {train.ItemCount}.");
        Train = train;
        Validation = validation;
        UserEmbeddings = userEmbeddings;
        ItemEmbeddings = itemEmbeddings;
    }

    /// <summary>The training edges left after the hold-out.</summary>
    public BipartiteGraph Train { get; }

    /// <summary>The held-out edges.</summary>
    public BipartiteGraph Validation { get; }

    /// <summary>User vectors fitted on <see cref="Train"/>.</summary>
    public EmbeddingMatrix UserEmbeddings { get; }

    /// <summary>Item vectors fitted on <see cref="Train"/>.</summary>
    public EmbeddingMatrix ItemEmbeddings { get; }
}
