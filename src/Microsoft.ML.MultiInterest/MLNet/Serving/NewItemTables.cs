using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Folds items added since the fit into one stage's <see cref="ServingTables"/> (<see cref="MultiInterestRecommender.FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/>):
/// each new item gets the vector the next implicit-ALS item step would give it (<see cref="ItemFoldIn"/>), solved against the
/// trained users' vectors from the trained users who engaged it, a key after every existing one (so compact indices stay the
/// rank of the item key and "lower key wins" ties hold), the cluster of its nearest centroid where the stage reads item
/// clusters, and its edges in the training history (so a user who engaged it does not get it back). The source tables are
/// not touched: the result is new tables, sharing the unchanged parts.
/// </summary>
internal static class NewItemTables
{
    /// <summary>A stage's retriever over its tables with the new items of <paramref name="edges"/> folded in, and what was done.</summary>
    /// <param name="live">The stage served now.</param>
    /// <param name="compactOfItem">Its map of known item ids to compact items.</param>
    /// <param name="edges">The new engagements (validated: no null or empty id).</param>
    /// <param name="threads">Parallelism of the solves and the one-off item-side work; the vectors do not depend on it.</param>
    /// <exception cref="NotSupportedException">The stage cannot take items between fits (round robin, conditional, no user vectors).</exception>
    public static (LiveRetriever Live, FoldedItemCounts Counts) Fold(LiveRetriever live, Dictionary<string, int> compactOfItem,
        IReadOnlyList<(string User, string Item)> edges, int threads)
    {
        var t = live.Tables;
        RequireFoldable(t);
        var users = t.UserVectors!;
        // Items folded in by an earlier call (after the trained ones) are solved again when this call gives them new users,
        // from all their users, as if every edge had come in one call; only the trained items' edges are not read.
        int trained = t.TrainedItems;
        var usersOfFolded = t.FoldedItems == 0 ? null : UsersOfFolded(t.History, trained);
        int knownItemEdges = 0, unknownUserEdges = 0, duplicates = 0;
        var newIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var newNames = new List<string>();
        var compactOfNew = new List<int>(); // the compact item of one folded in before, else -1
        var usersOf = new List<SortedSet<int>>();
        var given = new List<List<int>>();  // the users this call adds (their edges join the history)
        foreach (var (userId, itemId) in edges)
        {
            bool knownItem = compactOfItem.TryGetValue(itemId, out int compact);
            if (knownItem && compact < trained)
            {
                knownItemEdges++;
                continue;
            }
            if (!newIndex.TryGetValue(itemId, out int k))
            {
                newIndex.Add(itemId, k = newNames.Count);
                newNames.Add(itemId);
                compactOfNew.Add(knownItem ? compact : -1);
                usersOf.Add(knownItem ? new SortedSet<int>(usersOfFolded![compact - trained]) : []);
                given.Add([]);
            }
            // A user the item is solved against has a trained vector: one with a training edge (a history entry) and a vector.
            int row = t.UserNames.IndexOf(userId);
            int entry = row < 0 ? -1 : Array.BinarySearch(t.HistoryUsers, row);
            if (entry < 0 || !users.Contains(row)) unknownUserEdges++;
            else if (usersOf[k].Add(entry)) given[k].Add(entry);
            else duplicates++;
        }
        // Solved: the new items with a trained user, and the ones folded in before that this call gave a new user.
        var solved = Enumerable.Range(0, newNames.Count).Where(k => given[k].Count > 0).ToArray();
        var refolded = solved.Where(k => compactOfNew[k] >= 0).OrderBy(k => compactOfNew[k]).ToArray();
        var added = solved.Where(k => compactOfNew[k] < 0).ToArray();
        var counts = new FoldedItemCounts(refolded.Concat(added).Select(k => newNames[k]).ToArray(),
            Enumerable.Range(0, newNames.Count).Where(k => usersOf[k].Count == 0).Select(k => newNames[k]).ToArray(),
            solved.Sum(k => given[k].Count), knownItemEdges, unknownUserEdges, duplicates);
        if (solved.Length == 0) return (live, counts);

        var userTable = users.Gather(t.HistoryUsers, absentAsZero: true);
        bool fitted = !CarriesObjective(live.Settings);
        var foldIn = ObjectiveOf(live, userTable, threads);
        var order = refolded.Concat(added).ToArray();
        var vectors = foldIn.Fold(order.Select(k => usersOf[k].ToArray()).ToArray(), threads);
        var tables = Extend(t, live.Settings, refolded.Select(k => compactOfNew[k]).ToArray(), added.Select(k => newNames[k]).ToArray(),
            order.Select(k => given[k]).ToArray(), vectors);
        var poolIndex = live.HistoryMmr?.PoolIndex?.WithItems(tables.Items, trained);
        return (new LiveRetriever(tables, threads, poolIndex), counts with { FittedObjective = fitted });
    }

    /// <summary>The users (history entries, ascending) of each item folded in before, compact items <paramref name="trained"/>.. of <paramref name="history"/>.</summary>
    private static List<int>[] UsersOfFolded(BipartiteGraph history, int trained)
    {
        var usersOf = new List<int>[history.ItemCount - trained];
        for (int j = 0; j < usersOf.Length; j++) usersOf[j] = [];
        for (int u = 0; u < history.UserCount; u++)
            foreach (int j in history.ItemsOf(u))
                if (j >= trained) usersOf[j - trained].Add(u);
        return usersOf;
    }

    /// <summary>
    /// Refuses a stage whose item side cannot be folded in: a round robin's learned item components and a conditional stage's
    /// item conditions come from the fit alone, and without user vectors there is nothing to solve against.
    /// </summary>
    internal static void RequireFoldable(ServingTables t)
    {
        const string Refit = "refit the model with the new items' edges to serve them.";
        if (t.Method == CandidateMethod.RoundRobin)
            throw new NotSupportedException("FoldInNewItems: a round-robin stage (RoundRobinRetriever) retrieves from learned item components (DCM or mixture "
                + "components) that the fit gives each item and no fold-in can give a new one; " + Refit);
        if (t.Method == CandidateMethod.Conditional)
            throw new NotSupportedException("FoldInNewItems: a conditional stage (ConditionalRetriever) retrieves an item only under its conditions (topics), "
                + "which the fit gives each item and new engagements do not; " + Refit);
        if (t.Settings.HistoryVector == HistoryVector.Encoder)
            throw new NotSupportedException("FoldInNewItems: this stage reads a new user's history by the divide-and-conquer encoder (HistoryVector = Encoder), "
                + "which reads each history item's input vector and cluster; the fit gives every item both and a fold-in neither. Fit the stage with "
                + "HistoryVector = Auto or FoldIn to fold items in between fits, or " + Refit);
        if (t.Settings.HistoryMixture == HistoryMixture.DivideConquer)
            throw new NotSupportedException("FoldInNewItems: this stage builds a new user's mixture by the divide-and-conquer model (HistoryMixture = DivideConquer), "
                + "which reads each history item's input vector and cluster; the fit gives every item both and a fold-in neither. Fit the stage with "
                + "HistoryMixture = Counts to fold items in between fits, or " + Refit);
        if (t.UserVectors == null)
            throw new NotSupportedException($"FoldInNewItems: this {t.Method} stage reads no user vectors (UserEmbeddingColumnName), and a new item is "
                + "folded in against the trained users' vectors; fit the stage with user vectors, or " + Refit);
    }

    /// <summary>
    /// The item-side objective: the one the stage reads histories with when the item vectors carry it (their ALS objective,
    /// or one given), else fitted to the trained items (roles swapped from the user side's fit).
    /// </summary>
    private static ItemFoldIn ObjectiveOf(LiveRetriever live, EmbeddingMatrix userTable, int threads)
    {
        var t = live.Tables;
        var settings = live.Settings;
        // |U| of the penalty: the users the embedding was fitted over, those with a training edge (the user table's rows), not
        // the user keys (a KeyType(10_000_000) column of 40 users would shrink every folded vector a thousandfold).
        int userCount = t.HistoryUsers.Length;
        if (CarriesObjective(settings))
            return ItemFoldIn.OfObjective(userTable, userCount, settings.History(), threads);
        var start = settings.History();
        start.MatchUserVectors = false;
        // Fitted to the trained items only: items folded in before are not the embedding's, and refitting to them would give
        // a later fold-in another objective than the first.
        return ItemFoldIn.MatchedTo(userTable, userCount, UsersOfItems(t.History, t.TrainedItems), t.Items, start, threads);
    }

    /// <summary>Whether the stage reads histories with an objective the item vectors carry (their ALS objective, or one given), rather than one fitted or none.</summary>
    private static bool CarriesObjective(RetrievalSettings settings) => settings.FoldsInHistories && !settings.FoldInMatchUserVectors;

    /// <summary>
    /// The training history turned round: row j holds compact item j's users (history entries), with their weights, for the
    /// first <paramref name="items"/> items (the trained ones).
    /// </summary>
    private static BipartiteGraph UsersOfItems(BipartiteGraph history, int items)
    {
        var users = new List<int>(history.EdgeCount);
        var itemsOf = new List<int>(history.EdgeCount);
        var weights = history.HasWeights ? new List<float>(history.EdgeCount) : null;
        for (int u = 0; u < history.UserCount; u++)
        {
            var row = history.ItemsOf(u);
            var rowWeights = history.HasWeights ? history.WeightsOf(u) : default;
            for (int e = 0; e < row.Length; e++)
            {
                if (row[e] >= items) continue;
                users.Add(u);
                itemsOf.Add(row[e]);
                weights?.Add(rowWeights[e]);
            }
        }
        return BipartiteGraph.FromEdges(items, history.UserCount, itemsOf.ToArray(), users.ToArray(), weights == null ? default : weights.ToArray());
    }

    /// <summary>
    /// <paramref name="t"/> with the items folded in before at compact items <paramref name="refolded"/> solved again and the
    /// items <paramref name="names"/> appended (<paramref name="vectors"/>: the refolded ones', then the new ones'; users
    /// <paramref name="given"/> added, in the same order): new keys after every existing one, the given edges in the
    /// history, every folded item in its nearest cluster.
    /// </summary>
    private static ServingTables Extend(ServingTables t, RetrievalSettings settings, int[] refolded, string[] names, IReadOnlyList<int>[] given, EmbeddingMatrix vectors)
    {
        int known = t.ItemRowOf.Length, keys = t.ItemNames.Count, d = t.Items.Dimension, added = names.Length;
        // The names are read through the model's (a KeyType(10_000_000) column's key numbers are not made one by one).
        var itemNames = t.ItemNames.WithAppended(names);
        var rowOf = new int[known + added];
        t.ItemRowOf.CopyTo(rowOf, 0);
        for (int k = 0; k < added; k++) rowOf[known + k] = keys + k;
        var items = new EmbeddingMatrix(known + added, d);
        t.Items.Values.CopyTo(items.Values, 0);
        for (int k = 0; k < refolded.Length; k++) vectors.ReadRow(k).CopyTo(items.Row(refolded[k]));
        vectors.Values.AsSpan(refolded.Length * d).CopyTo(items.Values.AsSpan((int)((long)known * d)));
        int trained = t.TrainedItems;
        var clustering = t.Clustering?.WithItems(trained, NearestClusters(t.Clustering, items, trained));
        var edgeItems = refolded.Concat(Enumerable.Range(known, added)).ToArray();
        return new ServingTables
        {
            Method = t.Method,
            Candidates = t.Candidates,
            Alpha = t.Alpha,
            Settings = settings,
            ExcludeSeen = t.ExcludeSeen,
            ItemNames = itemNames,
            UserNames = t.UserNames,
            UserColumnName = t.UserColumnName,
            ItemColumnName = t.ItemColumnName,
            ItemRowOf = rowOf,
            Items = items,
            FoldedItems = t.FoldedItems + added,
            UserVectors = t.UserVectors,
            Mixtures = t.Mixtures,
            Clustering = clustering,
            Learned = t.Learned,
            Conditional = t.Conditional,
            Followed = t.Followed,
            HistoryUsers = t.HistoryUsers,
            History = WithEdges(t.History, given, edgeItems, known + added),
        };
    }

    /// <summary>The nearest centroid by cosine of the rows of <paramref name="items"/> from <paramref name="from"/> on (<see cref="NearestCentroid"/>: the rule a loaded model's k-means assigns by).</summary>
    private static int[] NearestClusters(ItemClustering clustering, EmbeddingMatrix items, int from)
    {
        var clusters = new int[items.Rows - from];
        for (int k = 0; k < clusters.Length; k++) clusters[k] = NearestCentroid.Of(clustering.Centroids, items.ReadRow(from + k)).Cluster;
        return clusters;
    }

    /// <summary>
    /// The history with the given edges: compact item <paramref name="edgeItems"/>[k] engaged by the entries of
    /// <paramref name="given"/>[k] (weight 1), over <paramref name="itemCount"/> items.
    /// </summary>
    private static BipartiteGraph WithEdges(BipartiteGraph history, IReadOnlyList<int>[] given, int[] edgeItems, int itemCount)
    {
        int added = given.Sum(u => u.Count), total = history.EdgeCount + added;
        var users = new int[total];
        var items = new int[total];
        history.EdgeItems.CopyTo(items);
        for (int u = 0; u < history.UserCount; u++) users.AsSpan(history.Offsets[u], history.DegreeOf(u)).Fill(u);
        float[]? weights = history.HasWeights ? new float[total] : null;
        if (weights != null)
        {
            history.EdgeWeights.CopyTo(weights);
            weights.AsSpan(history.EdgeCount).Fill(1f);
        }
        int e = history.EdgeCount;
        for (int k = 0; k < given.Length; k++)
        {
            foreach (int u in given[k])
            {
                users[e] = u;
                items[e++] = edgeItems[k];
            }
        }
        return BipartiteGraph.FromEdges(history.UserCount, itemCount, users, items, weights);
    }
}

/// <summary>What a fold-in of new items did with the edges given (<see cref="NewItemsFoldIn"/>).</summary>
internal sealed record FoldedItemCounts(string[] Folded, string[] LeftUnknown, int FoldedEdges, int KnownItemEdges, int UnknownUserEdges, int DuplicateEdges)
{
    /// <summary>Whether the item-side objective was fitted to the trained items (vectors no ALS objective produced).</summary>
    public bool FittedObjective { get; init; }
}
