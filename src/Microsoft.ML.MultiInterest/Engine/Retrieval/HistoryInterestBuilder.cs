namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The item side of <see cref="HistoryInterests"/>, computed once and shared by every history read with it: the unit item
/// vectors the per-history k-means compares, and the fold-in's eigenbasis of YᵀY (<see cref="InterestFoldIn"/>,
/// O(|I| d² + d³)). Live serving keeps one, so that a request's interests cost only its own history. Read-only after
/// construction; thread-safe (every read allocates its own scratch).
/// </summary>
internal sealed class HistoryInterestBuilder
{
    /// <summary>Prepares reading histories over <paramref name="items"/> with <paramref name="options"/> (copied).</summary>
    /// <param name="items">The item vectors the embeddings were trained with.</param>
    /// <param name="options">How histories are split and folded in; validated.</param>
    /// <param name="threads">Degree of parallelism of the one-off item-side work; the result does not depend on it.</param>
    public HistoryInterestBuilder(EmbeddingMatrix items, HistoryInterestOptions options, int threads)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        items.ThrowIfNotFinite("item embeddings");
        Items = items;
        Options = options.Clone();
        Unit = items.Normalized();
        FoldIn = new InterestFoldIn(items, Options, threads);
    }

    private HistoryInterestBuilder(HistoryInterestBuilder source, HistoryInterestOptions options)
    {
        Items = source.Items;
        Unit = source.Unit;
        Options = options;
        FoldIn = source.FoldIn.WithObjective(options);
    }

    /// <summary>
    /// This builder with the fold-in fitted to <paramref name="userEmbeddings"/> (<see cref="FoldInCalibration"/>), over a
    /// sample of the histories in <paramref name="train"/>; the item side is not recomputed.
    /// </summary>
    public HistoryInterestBuilder MatchedTo(BipartiteGraph train, EmbeddingMatrix userEmbeddings, int threads)
    {
        var options = FoldInCalibration.Calibrate(FoldIn, train, userEmbeddings, Options, threads);
        options.MatchUserVectors = true;
        return new HistoryInterestBuilder(this, options);
    }

    /// <summary>
    /// This builder without the per-user scaling of <see cref="HistoryInterestOptions.MatchUserVectors"/> (same objective):
    /// for a history whose own vector is its whole-history fold-in (<see cref="FoldInAll"/>), where the factor is 1.
    /// </summary>
    public HistoryInterestBuilder Unscaled()
    {
        if (!Options.MatchUserVectors) return this;
        var options = Options.Clone();
        options.MatchUserVectors = false;
        return new HistoryInterestBuilder(this, options);
    }

    /// <summary>The item vectors.</summary>
    public EmbeddingMatrix Items { get; }

    /// <summary>The item vectors at unit length (what the per-history k-means compares).</summary>
    public EmbeddingMatrix Unit { get; }

    /// <summary>The options (a copy).</summary>
    public HistoryInterestOptions Options { get; }

    /// <summary>The fold-in over <see cref="Items"/>.</summary>
    public InterestFoldIn FoldIn { get; }

    /// <summary>The interests of <paramref name="users"/> (rows of <paramref name="train"/>, whose items are the histories).</summary>
    /// <remarks>With <see cref="HistoryInterestOptions.MatchUserVectors"/>, <paramref name="userEmbeddings"/> scale each user's interests.</remarks>
    public HistoryInterests Build(BipartiteGraph train, IReadOnlyList<int> users, int threads, EmbeddingMatrix? userEmbeddings = null) =>
        HistoryInterests.Read(this, train, users, threads, userEmbeddings);

    /// <summary>
    /// The fold-in of a whole history: the vector implicit ALS gives a user whose history is <paramref name="items"/>, i.e. the
    /// vector of one interest holding every item (weights <paramref name="weights"/>, or 1). The zero vector for an empty history.
    /// </summary>
    public float[] FoldInAll(ReadOnlySpan<int> items, ReadOnlySpan<float> weights = default) => FoldIn.SolveWhole(items, weights);
}
