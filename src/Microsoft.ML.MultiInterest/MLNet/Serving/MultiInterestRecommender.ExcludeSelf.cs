namespace Microsoft.ML.MultiInterest;

/// <summary>Graphs whose users and items are the same nodes: keeping each user's own id out of its lists.</summary>
public sealed partial class MultiInterestRecommender
{
    private readonly bool _excludesSelf;

    /// <summary>This recommender's tables and stages, with <see cref="ExcludesSelf"/> set to <paramref name="excludesSelf"/>.</summary>
    private MultiInterestRecommender(MultiInterestRecommender source, bool excludesSelf)
    {
        _live = source._live;
        _compactOfItem = source._compactOfItem;
        _fusion = source._fusion;
        _stageNames = source._stageNames;
        _excludesSelf = excludesSelf;
    }

    /// <summary>
    /// Whether every list leaves out the item whose id is the requesting user's id (false by default): set by
    /// <see cref="ExcludingSelf"/>. On a graph whose users and items are the same nodes (a citation or follow graph: a paper
    /// cites and is cited) the model knows each role as its own id, so without it a paper may be recommended to itself.
    /// </summary>
    public bool ExcludesSelf => _excludesSelf;

    /// <summary>
    /// A recommender over the same tables (nothing is copied) whose lists never hold the item with the requesting user's id,
    /// as if every request passed that id in <c>exclude</c>: for graphs whose users and items are the same nodes (a citation
    /// or follow graph), where a user would otherwise be recommended itself. It applies to every list this recommender gives:
    /// <see cref="Recommend(string, IEnumerable{string}, int, IEnumerable{string})"/> for trained users, users served from a
    /// history and the popular fallback, <see cref="Explain"/>, <see cref="RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/>, and the recommenders
    /// <see cref="FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/> returns. The query is unchanged (the id is left
    /// out, not read as history), so the list is filled from the next item; a user whose id is no item the model knows gets
    /// the list it gets without the option. <see cref="SimilarItems"/> already leaves the item asked about out. This
    /// recommender is not changed.
    /// </summary>
    /// <param name="excludeSelf">True to leave each user's own id out of its lists; false for a recommender that does not (the default one).</param>
    /// <returns>This recommender when it already has the setting, else a new one sharing its tables.</returns>
    public MultiInterestRecommender ExcludingSelf(bool excludeSelf = true) =>
        excludeSelf == _excludesSelf ? this : new MultiInterestRecommender(this, excludeSelf);

    /// <summary>A request's exclusions, with the user's own id added when <see cref="ExcludesSelf"/> (an id no item has is ignored downstream).</summary>
    private string[] WithSelf(string[] excluded, string userId) => _excludesSelf ? [.. excluded, userId] : excluded;
}
