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
    /// <param name="train">The training part the vectors were fitted on.</param>
    /// <param name="validation">The held-out edges, of the same user and item counts as <paramref name="train"/>.</param>
    /// <param name="userEmbeddings">One row per user of <paramref name="train"/>, fitted without <paramref name="validation"/>.</param>
    /// <param name="itemEmbeddings">One row per item of <paramref name="train"/>, of the users' dimension.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The graphs' sizes differ, or a table's rows or dimension do not match.</exception>
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
