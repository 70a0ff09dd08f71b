namespace Microsoft.ML.MultiInterest;

/// <summary>Items added to the catalogue since the fit, folded into a new recommender between two fits.</summary>
public sealed partial class MultiInterestRecommender
{
    /// <summary>
    /// A new recommender that also knows the items of <paramref name="edges"/> the model does not know (items added since the
    /// fit), each folded in from the trained users who engaged it: its vector is the one the next implicit-ALS item step would
    /// give it, x = (α0 XᵀX + p I + Σ_(u∈S) x_u x_uᵀ)⁻¹ Σ_(u∈S) x_u over the trained users' vectors X and its users S, with
    /// the objective the item vectors were trained with (α0, λ, ν: the stage's fold-in objective), or, for vectors no ALS
    /// objective produced, one fitted so that folding the trained items in from their users reproduces their vectors. The new
    /// items then serve as trained items do: in trained users' and history users' lists, read in a history that names them,
    /// <see cref="KnowsItem"/>, <see cref="SimilarItems"/>, exclusions and <see cref="Explain"/>. Each gets a key after
    /// every existing item's (ties still go to the older item), the cluster of its nearest centroid by cosine where the stage
    /// reads item clusters (cluster quotas, multi-interest MMR, a history-interest MMR's clustered pool; the centroids are not
    /// moved), and its edges join its users' training histories (so they are not recommended it again). Trained items and
    /// users keep their vectors and mixtures. This recommender is not changed: a service swaps its reference to the result's.
    /// Folding into a recommender that an earlier call returned reads its folded items as new ones: an edge by a new user of
    /// such an item joins that user's history and the item is solved again from all its users (folding a day's edges in
    /// batches gives the vectors, clusters and lists of folding them at once; only the keys follow the order of the calls).
    /// A fusion folds the items into each source stage. The fitted pipeline's Transform, <see cref="MultiInterestModel.RetrieveWithEngine"/>
    /// and ONNX exports do not take folded items (they serve the fitted or saved tables), and saving is unaffected (the next
    /// fit learns the items from the same edges). Costs one solve per new item (O(|S|² d) for |S| users, O(d³) beyond d
    /// users) plus the new tables' one-off item-side work (a copy of the item table; for stages that fold histories in,
    /// the eigenbasis of YᵀY over the grown catalogue; for vectors no ALS objective produced, the fit of the objective).
    /// </summary>
    /// <param name="edges">The new engagements by raw ids (user, item), e.g. the day's edges of the items added since the fit. Edges of
    /// trained items, and of users the model has no trained vector for, are counted and not read.</param>
    /// <param name="threads">Parallelism of the solves and of the new tables' one-off item-side work; 0 = all cores. The
    /// vectors and lists do not depend on it (each item is solved on its own, the shared sums in a fixed order).</param>
    /// <returns>The new recommender and what was done with the edges.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="edges"/> is null.</exception>
    /// <exception cref="ArgumentException">An edge has a null or empty user or item id, or an item id the model does not know that is
    /// blank, has white space at its start or end, or holds a TAB or line break (it would be folded in as a twin of the item it names);
    /// or, on a model whose user key column has no KeyValues (users named by their key numbers 1..N), a user id that is no key
    /// number, as <see cref="Recommend(string, IEnumerable{string}, int)"/> refuses it (item ids are not checked so: a new item has no key number).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The stage (or a source of the fusion) cannot take items between fits: round robin over
    /// learned components, conditional retrieval, or a stage without user vectors. Refit to serve new items there.</exception>
    public NewItemsFoldIn FoldInNewItems(IEnumerable<(string UserId, string ItemId)> edges, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var checkedEdges = new List<(string, string)>();
        foreach (var (user, item) in edges)
        {
            if (string.IsNullOrEmpty(user))
                throw new ArgumentException($"Edge {checkedEdges.Count} has {(user == null ? "a null" : "an empty")} user id: every edge names the user who engaged the item.", nameof(edges));
            if (string.IsNullOrEmpty(item))
                throw new ArgumentException($"Edge {checkedEdges.Count} (user '{user}') has {(item == null ? "a null" : "an empty")} item id: every edge names the item engaged.", nameof(edges));
            // Where the users are named by their key numbers (a key column without KeyValues), an edge's user id must be one, as
            // Recommend's must: "0" or "u3" names no user there (the caller's own ids, which ML.NET's loaders store as key v + 1), and
            // counting its edges as a new user's would drop them without a word. Item ids are not checked so: a new item has no key
            // number, whatever its id (the model's item keys are 1..N; "25" past them is a new item, as "i-new" is).
            RequireKeyNumber(user, user: true, nameof(edges), $"edge {checkedEdges.Count} of {nameof(edges)}");
            // An id the model knows is read as it is (a trained " 7" stays that item); a new one is stored, so it must be clean.
            if (!_compactOfItem.ContainsKey(item) && IO.NewId.Problem(item) is { } problem)
                throw new ArgumentException($"Edge {checkedEdges.Count} (user '{Escaped(user)}') has the item id '{Escaped(item)}': it {problem}. Folded in, it would be "
                    + "a new item beside the one it was meant to name, served next to it. Pass the id as the training edges wrote it (trimmed, on one line).", nameof(edges));
            checkedEdges.Add((user, item));
        }
        return FoldIn(checkedEdges, threads);
    }

    /// <summary>
    /// <see cref="FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/> over the rows of <paramref name="edges"/>, one
    /// edge per row, its raw ids read from the user and item columns (text, an integer, or a key with its values).
    /// </summary>
    /// <param name="edges">The new engagements.</param>
    /// <param name="userColumnName">The user id column; default <see cref="MultiInterestColumnNames.User"/>.</param>
    /// <param name="itemColumnName">The item id column; default <see cref="MultiInterestColumnNames.Item"/>.</param>
    /// <param name="threads">As for the other overload.</param>
    /// <exception cref="ArgumentException">A column is missing or of another type, or a row has an empty id, or an item id refused as by the other overload.</exception>
    /// <returns>The new recommender and what was done with the edges.</returns>
    public NewItemsFoldIn FoldInNewItems(IDataView edges, string userColumnName = MultiInterestColumnNames.User, string itemColumnName = MultiInterestColumnNames.Item,
        int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(edges);
        // A null name reached ML.NET's schema lookup, whose "Value cannot be null. (Parameter 'name')" named no option.
        OptionChecks.ColumnName(userColumnName, nameof(userColumnName));
        OptionChecks.ColumnName(itemColumnName, nameof(itemColumnName));
        var userColumn = edges.Schema.GetColumnOrNull(userColumnName)
            ?? throw new ArgumentException($"The edges have no user column '{userColumnName}'.", nameof(userColumnName));
        var itemColumn = edges.Schema.GetColumnOrNull(itemColumnName)
            ?? throw new ArgumentException($"The edges have no item column '{itemColumnName}'.", nameof(itemColumnName));
        var pairs = new List<(string, string)>();
        using (var cursor = edges.GetRowCursor([userColumn, itemColumn]))
        {
            var user = IdColumnReader.Getter(cursor, userColumn, nameof(userColumnName));
            var item = IdColumnReader.Getter(cursor, itemColumn, nameof(itemColumnName));
            long row = -1;
            while (cursor.MoveNext())
            {
                row++;
                string u = user(), i = item();
                // A key column's missing key reads as an empty id, which the other overload would call "an empty item id": a
                // new item run through the fitted MapValueToKey gets that key, so the reason and the way out are said here.
                if (i.Length == 0 && itemColumn.Type is Microsoft.ML.Data.KeyDataViewType)
                    throw new ArgumentException(RawEdgeReader.EmptyIdReason(row, itemColumnName, nameof(itemColumnName), "an item id", key: true)
                        + " New items have no key in the fitted mapping, so fold them in by their raw ids: the column before MapValueToKey, text or numbers.", nameof(itemColumnName));
                if (u.Length == 0 && userColumn.Type is Microsoft.ML.Data.KeyDataViewType)
                    throw new ArgumentException(RawEdgeReader.EmptyIdReason(row, userColumnName, nameof(userColumnName), "a user id", key: true), nameof(userColumnName));
                pairs.Add((u, i));
            }
        }
        return FoldInNewItems(pairs, threads);
    }

    /// <summary>The stages served, each with its tables: the one stage, or the sources of a fusion (tests read the folded vectors here).</summary>
    internal IReadOnlyList<LiveRetriever> LiveStages => _fusion?.Sources ?? [_live];

    /// <summary>The fold-in into the stage, or into every source of a fusion (all refuse or none; the report is the first source's).</summary>
    private NewItemsFoldIn FoldIn(List<(string User, string Item)> edges, int threads)
    {
        if (_fusion == null)
        {
            var (live, counts) = NewItemTables.Fold(_live, _compactOfItem, edges, threads);
            var single = ReferenceEquals(live, _live) ? this : new MultiInterestRecommender(live, _stageNames[0]).ExcludingSelf(_excludesSelf);
            return new NewItemsFoldIn(single, counts, edges.Count);
        }
        foreach (var source in _fusion.Sources) NewItemTables.RequireFoldable(source.Tables);
        var folded = _fusion.Sources.Select((s, l) => NewItemTables.Fold(s, _fusion.CompactOfItem[l], edges, threads)).ToArray();
        var first = folded[0].Counts;
        // Fused by item row: every source must have given the same items the same new keys (sources of one pipeline share their users and items).
        if (folded.Any(f => !f.Counts.Folded.SequenceEqual(first.Folded)))
            throw new NotSupportedException("FoldInNewItems: the fusion's sources know different users or items, so they would fold in different new items; refit to serve them.");
        if (first.Folded.Length == 0) return new NewItemsFoldIn(this, first, edges.Count);
        var fused = new MultiInterestRecommender(folded.Select(f => f.Live).ToArray(), _fusion.Weights, _fusion.Candidates, _stageNames).ExcludingSelf(_excludesSelf);
        return new NewItemsFoldIn(fused, first, edges.Count);
    }
}
