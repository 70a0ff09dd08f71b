using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>Topics followed at request time, through a conditional directory's condition model.</summary>
public sealed partial class OnnxCandidateScorer
{
    /// <summary>
    /// The topics (condition names) a conditional directory exported with its condition model serves, in condition order; empty
    /// for other directories. <see cref="RetrieveFollowing"/> and <see cref="RetrieveFollowingFromHistories"/> take these names.
    /// </summary>
    public IReadOnlyList<string> Topics => _conditionModel?.Conditions.Names ?? [];

    /// <summary>
    /// The conditional lists of trained users who follow <paramref name="followedTopics"/> now, as
    /// <see cref="MultiInterestRecommender.RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/> gives them: one query per followed topic over the user's trained
    /// vector and its training history's items in that topic, equal quota weights, then the quota scorer and the exact
    /// re-ranking.
    /// </summary>
    /// <param name="users">User rows, 0 to <see cref="OnnxServingManifest.Users"/> - 1, each once.</param>
    /// <param name="followedTopics">Per user, names from <see cref="Topics"/>, at least one (a name given twice counts once).</param>
    /// <param name="trainingHistory">The users' training edges (user rows, item rows): the items each topic's query averages.</param>
    /// <param name="exclusions">Items never to return per user (typically the training history, with any fresh items); needs the exclusion mask. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="InvalidOperationException">The directory is not conditional, or has no condition model (export it again).</exception>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFollowing(IReadOnlyList<int> users, IReadOnlyList<IReadOnlyList<string>> followedTopics, BipartiteGraph trainingHistory,
        BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null) =>
        Lists(FollowingRequest(users, followedTopics, trainingHistory, exclusions, excludeItems));

    /// <summary>
    /// The conditional lists of users known by their history only who follow <paramref name="followedTopics"/> now, as
    /// <see cref="MultiInterestRecommender.RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/> gives a new user with that history: one query per followed
    /// topic over the history's vector (the divide-and-conquer encoder's query where the directory has the history encoder, else
    /// its fold-in or mean item vector, as the manifest's <see cref="OnnxServingManifest.HistoryFoldIn"/> says). An empty history gets an empty list (the recommender gives such a user its
    /// topics' popular items, which the directory does not hold).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1.</param>
    /// <param name="followedTopics">Per user, names from <see cref="Topics"/>, at least one.</param>
    /// <param name="excludeHistory">True (the default) to never return a history's own items; needs the exclusion mask.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="InvalidOperationException">The directory is not conditional, or has no condition model (export it again).</exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFollowingFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, IReadOnlyList<IReadOnlyList<string>> followedTopics,
        bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null) => Lists(FreshFollowingRequest(histories, followedTopics, excludeHistory, excludeItems));

    /// <summary>Trained users' followed topics as the live path represents them: their vectors, one query per followed topic over their training items.</summary>
    private Represented FollowingRequest(IReadOnlyList<int> users, IReadOnlyList<IReadOnlyList<string>> followedTopics, BipartiteGraph trainingHistory, BipartiteGraph? exclusions,
        IReadOnlyCollection<int>? excludeItems)
    {
        _calls.ThrowIfClosed(this); // entered where the sessions run (Lists, Rankings)
        ArgumentNullException.ThrowIfNull(trainingHistory);
        var model = RequireConditionModel();
        CheckArguments(users, exclusions);
        var followed = FollowedConditions(followedTopics, users.Count, nameof(followedTopics));
        if (trainingHistory.ItemCount != Manifest.Items || trainingHistory.UserCount < Manifest.Users)
            throw new ArgumentException($"The training history has {trainingHistory.UserCount} users and {trainingHistory.ItemCount} items; the exported model {Manifest.Users} and {Manifest.Items}.",
                nameof(trainingHistory));
        var seen = new HashSet<int>();
        for (int q = 0; q < users.Count; q++)
            if (!seen.Add(users[q])) throw new ArgumentException($"User row {users[q]} is given twice (positions {users.ToList().IndexOf(users[q])} and {q}): serve each once.", nameof(users));
        var rows = users.ToArray();
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, rows, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        return new Represented(rows, exclusions, QuotaQuery.Component, (start, batch) =>
        {
            var part = rows.AsSpan(start, batch).ToArray();
            var vectors = new EmbeddingMatrix(batch, Manifest.Dimension);
            for (int q = 0; q < batch; q++) _tables.Users.ReadRow(part[q]).CopyTo(vectors.Row(q));
            var queries = model.Represent(trainingHistory, _tables.Users, _tables.Items, part, Manifest.MaxConditions, followed.AsSpan(start, batch).ToArray(), threads: 1);
            return (vectors, queries.Gather(part, Manifest.Components));
        }, null);
    }

    /// <summary>Fresh histories with the topics their users follow, as the live path represents them.</summary>
    private Represented FreshFollowingRequest(IReadOnlyList<IReadOnlyList<int>> histories, IReadOnlyList<IReadOnlyList<string>> followedTopics, bool excludeHistory,
        IReadOnlyCollection<int>? excludeItems)
    {
        _calls.ThrowIfClosed(this); // entered where the sessions run (Lists, Rankings)
        ArgumentNullException.ThrowIfNull(histories);
        RequireConditionModel();
        return FreshRequest(histories, excludeHistory, FollowedConditions(followedTopics, histories.Count, nameof(followedTopics)), excludeItems);
    }

    /// <summary>
    /// Refuses followed topics <see cref="RetrieveFollowing"/> would refuse (null, unknown, none, more than the components), naming
    /// the place in the whole list: for a caller that serves the list in parts.
    /// </summary>
    internal void CheckFollowedTopics(IReadOnlyList<IReadOnlyList<string>> followedTopics, int users, string parameter)
    {
        RequireConditionModel();
        FollowedConditions(followedTopics, users, parameter);
    }

    private ConditionalModel RequireConditionModel()
    {
        if (!Manifest.IsConditional)
            throw new InvalidOperationException($"Followed topics need a conditional serving directory; this one serves {Manifest.Retrieval ?? OnnxServingManifest.ClusterQuotaRetrieval}.");
        return _conditionModel ?? throw new InvalidOperationException(
            $"The conditional serving directory has no {OnnxServingDirectory.ConditionModelFileName} (exported before 2026-12): export it again to serve followed topics.");
    }

    /// <summary>Each user's followed topics as ascending, distinct condition indices; an unknown name or an empty list is refused naming its place.</summary>
    private int[]?[] FollowedConditions(IReadOnlyList<IReadOnlyList<string>> followedTopics, int users, string parameter)
    {
        ArgumentNullException.ThrowIfNull(followedTopics, parameter);
        if (followedTopics.Count != users)
            throw new ArgumentException($"There are {followedTopics.Count} followed-topic lists for {users} users.", parameter);
        var names = Topics;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < names.Count; c++) index.TryAdd(names[c], c);
        var result = new int[]?[users];
        for (int q = 0; q < users; q++)
        {
            var topics = followedTopics[q] ?? throw new ArgumentNullException(parameter, $"The followed topics of user {q} are null.");
            var chosen = new SortedSet<int>();
            foreach (string topic in topics)
            {
                if (topic == null || !index.TryGetValue(topic, out int c))
                    throw new ArgumentException($"Topic '{topic}' (user {q}) is not one of the directory's {names.Count:N0} topics (OnnxCandidateScorer.Topics lists them).", parameter);
                chosen.Add(c);
            }
            if (chosen.Count == 0) throw new ArgumentException($"User {q} follows no topic: serve it with RetrieveClusterQuota or RetrieveClusterQuotaFromHistories.", parameter);
            // The quota scorer takes m components per user, fixed at export (the most conditions any user had then).
            if (chosen.Count > Manifest.Components)
                throw new ArgumentException($"User {q} follows {chosen.Count} topics, more than the {Manifest.Components} components per user the directory was exported with.", parameter);
            result[q] = [.. chosen];
        }
        return result;
    }
}
