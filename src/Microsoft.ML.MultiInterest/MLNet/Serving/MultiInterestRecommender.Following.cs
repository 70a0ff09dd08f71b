namespace Microsoft.ML.MultiInterest;

/// <summary>Requests of a conditional stage's user with the topics it follows now (Pinterest's explicit interests).</summary>
public sealed partial class MultiInterestRecommender
{
    /// <summary>
    /// The topics (conditions) a conditional stage retrieves within, in condition order: the names
    /// <see cref="RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/> takes. Empty for the other methods.
    /// </summary>
    public IReadOnlyList<string> Topics => _fusion == null ? _live.Tables.Conditional?.Conditions.Names ?? [] : [];

    /// <summary>
    /// The candidates of user <paramref name="userId"/> who follows <paramref name="followedTopics"/> now (Pinterest's explicit
    /// interests given at request time), from a conditional stage (<see cref="ConditionalRetrieverEstimator"/>): one query per
    /// followed topic, as for a user whose topics were given at Fit (<see cref="ConditionalRetrieverEstimator.Options.FollowedConditionsColumnName"/>),
    /// over the user's trained vector and history (<see cref="CandidateSource.Trained"/>), or over <paramref name="history"/>'s
    /// vector (its implicit-ALS fold-in or mean, as <see cref="RetrievalSettings.HistoryVector"/> says) for a user known by that
    /// history only (<see cref="CandidateSource.History"/>). A user with neither gets each
    /// followed topic's most popular items under equal quotas (<see cref="CandidateSource.FollowedTopics"/>). Seen items are
    /// excluded as by <see cref="Recommend(string, IEnumerable{string}, int)"/>, and so is the user's own id where <see cref="ExcludesSelf"/>.
    /// </summary>
    /// <param name="userId">The raw user id (unknown ids are new users; an empty one is refused, and so is a blank one the model was not trained on).</param>
    /// <param name="followedTopics">Names from <see cref="Topics"/>, at least one; a name given twice counts once.</param>
    /// <param name="history">Fresh item ids the user engaged with, or null; ids unknown to the model are ignored.</param>
    /// <param name="count">List length, at least 1; 0 = <see cref="Candidates"/>.</param>
    /// <exception cref="InvalidOperationException">The stage is not conditional retrieval.</exception>
    /// <exception cref="NotSupportedException">The recommender fuses several stages.</exception>
    /// <exception cref="ArgumentException">A topic is not one of <see cref="Topics"/>, or none is given; or <paramref name="userId"/> is empty, or blank and not a user of the model, or <paramref name="history"/> holds a null, an empty or an unknown blank id; or an id is unknown as written but known without the spaces or line breaks around it; or the model's key column has no KeyValues (its ids are the key numbers "1".."N") and an id is no key number (docs/pipeline.md, "Ids of a key column without KeyValues").</exception>
    /// <returns>The list, best first, with the source of the user's representation (<see cref="CandidateSource.FollowedTopics"/> for a user with neither vector nor history).</returns>
    public RecommendationList RecommendFollowing(string userId, IEnumerable<string> followedTopics, IEnumerable<string>? history = null, int count = 0) =>
        RecommendFollowing(userId, followedTopics, history, count, exclude: null);

    /// <summary>
    /// As <see cref="RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/>, never returning the items of
    /// <paramref name="exclude"/>, as <see cref="Recommend(string, IEnumerable{string}, int, IEnumerable{string})"/> leaves them
    /// out: they are not the user's engagements (its queries are the same as without them), and each followed topic's share
    /// is filled from its next items instead.
    /// </summary>
    /// <param name="userId">The raw user id (unknown ids are new users; an empty one is refused, and so is a blank one the model was not trained on).</param>
    /// <param name="followedTopics">Names from <see cref="Topics"/>, at least one; a name given twice counts once.</param>
    /// <param name="history">Fresh item ids the user engaged with, or null; ids unknown to the model are ignored.</param>
    /// <param name="count">List length, at least 1; 0 = <see cref="Candidates"/>.</param>
    /// <param name="exclude">Item ids never to return, or null; ids unknown to the model are ignored.</param>
    /// <exception cref="InvalidOperationException">The stage is not conditional retrieval.</exception>
    /// <exception cref="NotSupportedException">The recommender fuses several stages.</exception>
    /// <exception cref="ArgumentException">A topic is not one of <see cref="Topics"/>, or none is given; or <paramref name="userId"/> is empty, or blank and not a user of the model, or <paramref name="history"/> or <paramref name="exclude"/> holds a null, an empty or an unknown blank id; or an id is unknown as written but known without the spaces or line breaks around it; or the model's key column has no KeyValues (its ids are the key numbers "1".."N") and an id is no key number (docs/pipeline.md, "Ids of a key column without KeyValues").</exception>
    /// <returns>The list, best first, with the source of the user's representation (<see cref="CandidateSource.FollowedTopics"/> for a user with neither vector nor history).</returns>
    public RecommendationList RecommendFollowing(string userId, IEnumerable<string> followedTopics, IEnumerable<string>? history, int count, IEnumerable<string>? exclude)
    {
        RequireUserId(userId);
        ArgumentNullException.ThrowIfNull(followedTopics);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1 (0 = the model's M).");
        if (_fusion != null)
            throw new NotSupportedException("RecommendFollowing serves one conditional stage; this recommender fuses several stages' lists (RankFusion).");
        var conditions = _live.Tables.Conditional?.Conditions
            ?? throw new InvalidOperationException($"RecommendFollowing needs a conditional retrieval stage (ConditionalRetriever); this recommender's stage is {Method}.");
        var followed = new SortedSet<int>();
        foreach (string topic in followedTopics)
        {
            if (topic == null) throw new ArgumentException("A followed topic is null.", nameof(followedTopics));
            int c = IndexOf(conditions.Names, topic);
            if (c < 0)
                throw new ArgumentException($"Topic '{topic}' is not one of the stage's {conditions.Count:N0} topics (MultiInterestRecommender.Topics lists them).", nameof(followedTopics));
            followed.Add(c);
        }
        if (followed.Count == 0) throw new ArgumentException("Follow at least one topic (Recommend serves a user without topics).", nameof(followedTopics));
        var ids = ItemIds(history, nameof(history));
        var excluded = WithSelf(ItemIds(exclude, nameof(exclude)), userId);
        var list = RetrieveFrom(_live, _compactOfItem, userId, ids, count == 0 ? Candidates : count, followed.ToArray(), excluded);
        return new RecommendationList(userId, ToRecords(list), list.Source);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int c = 0; c < names.Count; c++)
            if (string.Equals(names[c], name, StringComparison.Ordinal)) return c;
        return -1;
    }
}
