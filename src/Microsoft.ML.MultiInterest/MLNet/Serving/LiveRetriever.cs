using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Retrieves one user's candidates at request time from <see cref="ServingTables"/>, with the method and settings the
/// stage was fitted with: a trained user from its own vector and mixture (round robin: its learned components; history-interest
/// MMR: the interests of its training history; conditional: the conditions of its training history), a user with only fresh
/// history from a mixture and vector built from that history (the vector its fold-in or mean:
/// <see cref="RetrievalSettings.HistoryVector"/>; round robin: <see cref="LearnedComponents.HistoryComponents"/>;
/// history-interest MMR: the history's interests and, as its own vector, the implicit-ALS fold-in of the whole history;
/// conditional: the history's conditions over that vector), anyone else from the popular-items fallback; a trained user with
/// new items in its fresh history, on a stage that reads histories by the fold-in alone, as a user with its whole history
/// (<see cref="RereadsTrainedUsers"/>). The training history and the fresh history are excluded. A single request runs the
/// same engine code as the batch retrieval at Fit (one user, one thread), so a trained user without fresh history gets
/// exactly its fitted list. Thread-safe: the tables and
/// engine retrievers are read-only, every request allocates its own scratch.
/// </summary>
internal sealed partial class LiveRetriever
{
    private readonly UnimodalRetriever _unimodal;
    private readonly ClusterQuotaRetriever? _quota;
    private readonly MmrRetriever? _mmr;
    private readonly RoundRobinRetriever? _roundRobin;
    private readonly HistoryInterestBuilder? _interests;
    private readonly HistoryInterestBuilder? _freshInterests;
    private readonly HistoryInterestRetriever? _historyMmr;
    private readonly Lazy<InterestFoldIn>? _historyFoldIn;
    private readonly DivideConquerModel? _encoder;
    private readonly DivideConquerModel? _mixtureModel;
    private readonly ConditionalRetriever? _conditional;
    private readonly Lazy<(EmbeddingMatrix Unit, UnimodalRetriever Search)> _similar;
    private readonly int[] _popular;
    private readonly float[] _degrees;

    /// <summary>A conditional stage's members of each condition by popularity (training degree, ties to the lower item): built on first use.</summary>
    private readonly Lazy<int[][]> _popularByCondition;

    /// <summary>Creates the retriever; <paramref name="threads"/> parallelise the one-off item-side work of history interests.</summary>
    /// <param name="tables">What the stage serves.</param>
    /// <param name="threads">Parallelism of the one-off item-side work; the lists do not depend on it.</param>
    /// <param name="poolIndex">A history-interest MMR stage's clustered pool lists over <paramref name="tables"/>' items, kept from
    /// the stage they were extended from (<see cref="NewItemTables"/>); null trains them.</param>
    public LiveRetriever(ServingTables tables, int threads = 0, HistoryPoolIndex? poolIndex = null)
    {
        Tables = tables;
        Settings = tables.Settings;
        // Every row of the tables is a fitted item (a zero vector given from elsewhere too), listed as the ONNX graphs list it.
        _unimodal = new UnimodalRetriever(tables.Items, skipZeroRows: false);
        if (tables.Method == CandidateMethod.ClusterQuota) _quota = new ClusterQuotaRetriever(tables.Items, tables.Clustering!, skipZeroRows: false);
        // A fold-in fitted to the trained users' own vectors and not recorded yet (at Fit, or a history-interest MMR model saved
        // before the fitted values were) is fitted now; the fitted values then go into Settings, which a save records.
        HistoryInterestBuilder? matched = null;
        if (Settings is { FoldsInHistories: true, FoldInMatchUserVectors: true, FoldInFitted: false } && tables.UserVectors != null)
        {
            var trained = Enumerable.Range(0, tables.UserCount).Where(tables.IsTrained).ToArray();
            matched = new HistoryInterestBuilder(tables.Items, Settings.History(), threads)
                .MatchedTo(HistoryOf(trained), tables.UserVectors.Gather(trained, absentAsZero: true), threads);
            Settings = Settings with
            {
                FoldInRegularization = matched.Options.Regularization, FoldInUnobservedWeight = matched.Options.UnobservedWeight, FoldInFitted = true,
            };
        }
        if (tables.Method == CandidateMethod.Mmr && tables.Settings.Interests == MmrInterests.History)
        {
            // The item side of the fold-in (YᵀY's eigenbasis) once, so a request's interests cost its own history only.
            _interests = matched ?? new HistoryInterestBuilder(tables.Items, tables.Settings.History(), threads);
            // A fresh history's own vector is its whole-history fold-in, so scaling onto it would solve that fold-in again for a factor of 1.
            _freshInterests = _interests.Unscaled();
            _historyMmr = new HistoryInterestRetriever(tables.Items, tables.Settings.Pool(threads), search: null, mmr: null, poolIndex, skipZeroRows: false);
        }
        else if (tables.Method == CandidateMethod.Mmr) _mmr = new MmrRetriever(tables.Items);
        if (tables.Method == CandidateMethod.RoundRobin) _roundRobin = new RoundRobinRetriever(tables.Learned!.ItemComponents, tables.Learned.DestinationComponents);
        if (tables.Method == CandidateMethod.Conditional) _conditional = new ConditionalRetriever(tables.Items, tables.Conditional!.Conditions, tables.Clustering, skipZeroRows: false);
        // The other stages' fold-in of a new user's history: the item side (YᵀY's eigenbasis) on the first such request, so a
        // model that never serves one (or a large catalogue at load) does not pay for it.
        var objective = Settings.History();
        _historyFoldIn = Settings.HistoryVector == HistoryVector.FoldIn && _interests == null
            ? new(() => matched?.FoldIn ?? new InterestFoldIn(tables.Items, objective, threads))
            : null;
        // The divide-and-conquer model over the stage's items, whose query reads a new user's history (HistoryVector.Encoder)
        // and whose intent and per-cluster queries make its mixture (HistoryMixture.DivideConquer).
        var model = Settings.ReadsByDivideConquer
            ? (tables.Encoder ?? throw new InvalidOperationException("The stage reads histories by the divide-and-conquer encoder but holds no encoder tables.")).ToModel(tables.Items)
            : null;
        HistoryModel = model;
        _encoder = Settings.HistoryVector == HistoryVector.Encoder ? model : null;
        _mixtureModel = Settings.HistoryMixture == HistoryMixture.DivideConquer ? model : null;
        _similar = new(() =>
        {
            var unit = tables.Items.Normalized();
            return (unit, new UnimodalRetriever(unit, skipZeroRows: false));
        });
        var degrees = tables.History.ItemDegrees();
        _degrees = degrees.Select(d => (float)d).ToArray();
        _popular = PopularItems.Rank(degrees);
        _popularByCondition = new(() =>
        {
            var conditions = tables.Conditional!.Conditions;
            return Enumerable.Range(0, conditions.Count)
                .Select(c => PopularItems.RankAmong(degrees, conditions.MembersOf(c).ToArray())).ToArray();
        });
    }

    public ServingTables Tables { get; }

    /// <summary>
    /// The divide-and-conquer model the stage reads a new user's history by (<see cref="HistoryVector.Encoder"/>,
    /// <see cref="HistoryMixture.DivideConquer"/>) over its items, which an ONNX export writes as its history encoder; null
    /// for a stage that reads histories otherwise.
    /// </summary>
    internal DivideConquerModel? HistoryModel { get; }

    /// <summary>A history-interest MMR stage's retriever (its clustered pool's lists built once), null for other stages.</summary>
    internal HistoryInterestRetriever? HistoryMmr => _historyMmr;

    /// <summary>The stage's settings as served: the tables' own, with the fold-in fitted to the user vectors filled in once fitted.</summary>
    public RetrievalSettings Settings { get; }

    /// <summary>
    /// The list of user row <paramref name="user"/> (-1 = unknown) with fresh history <paramref name="fresh"/> (compact items);
    /// for a conditional stage, <paramref name="followed"/> (condition indices, distinct, ascending) are the conditions the
    /// user follows at request time, in place of the history's or those saved for it. <paramref name="excluded"/> (compact
    /// items) are left out of the list like seen items but, unlike <paramref name="fresh"/>, are not part of the user's history.
    /// </summary>
    public LiveList Retrieve(int user, ReadOnlySpan<int> fresh, int count, int[]? followed = null, ReadOnlySpan<int> excluded = default) =>
        Serve(user, fresh, count, followed, excluded, known: null, out _);

    /// <summary>
    /// <see cref="Retrieve"/>'s list, and the user's representation it was retrieved from (null for the popular fallbacks),
    /// which <see cref="Explain"/> reads. With <paramref name="known"/> (the list this call would retrieve, e.g. the one kept
    /// from Fit), a user with a representation is not retrieved again: <paramref name="known"/> is returned with it.
    /// </summary>
    private LiveList Serve(int user, ReadOnlySpan<int> fresh, int count, int[]? followed, ReadOnlySpan<int> excluded, LiveList? known, out Represented? represented)
    {
        represented = null;
        var t = Tables;
        bool trained = t.IsTrained(user);
        var trainedItems = trained ? t.HistoryOf(user) : default;
        var seen = new List<int>(fresh.Length + trainedItems.Length + excluded.Length);
        if (t.ExcludeSeen) seen.AddRange(trainedItems.ToArray());
        seen.AddRange(fresh.ToArray());
        int ownItems = seen.Count; // the user's own (trained and fresh) items; the request's exclusions follow
        seen.AddRange(excluded.ToArray());
        var exclusions = BipartiteGraph.FromEdges(1, t.Items.Rows, new int[seen.Count], seen.ToArray());
        if (!trained && fresh.IsEmpty) return followed != null ? PopularInConditions(exclusions, followed, count) : Popular(exclusions, count);
        int[]?[]? followedOf = followed != null ? [followed] : trained ? t.FollowedOf([user]) : null;

        int d = t.Items.Dimension;
        EmbeddingMatrix? vector = null;
        MixtureTable? mixture = null, conditions = null;
        HistoryInterests? interests = null;
        // The history the representation is read from: the training history of a trained user (fresh items are only
        // excluded), else the fresh history; a trained user with fresh history on a stage that reads it from the history
        // itself is read from both, as a new user with that whole history would be (RereadsTrainedUsers).
        bool reread = trained && RereadsTrainedUsers && HasNewItems(trainedItems, fresh);
        int[] readFrom = reread ? WholeHistory(trainedItems, fresh) : trained ? trainedItems.ToArray() : fresh.ToArray();
        var represents = BipartiteGraph.FromEdges(1, t.Items.Rows, new int[readFrom.Length], readFrom);
        if (trained && !reread)
        {
            if (t.UserVectors != null) vector = t.UserVectors.Gather([user], absentAsZero: true);
            if (t.Mixtures != null) mixture = t.Mixtures.Gather([user]);
            // The interests (or conditions) of the training history, as at Fit.
            if (_interests != null || t.Conditional != null)
            {
                var trainedHistory = represents;
                if (_interests != null) interests = _interests.Build(trainedHistory, [0], threads: 1, vector);
                else conditions = t.Conditional!.Represent(trainedHistory, vector!, t.Items, [0], t.Settings.MaxConditions, followedOf, threads: 1);
            }
        }
        else
        {
            var history = represents;
            if (_interests != null)
            {
                // The history's interests, and as the user's own vector the fold-in of the whole history (one interest of every item).
                vector = new EmbeddingMatrix(1, d, _interests.FoldInAll(history.ItemsOf(0)));
                interests = _freshInterests!.Build(history, [0], threads: 1);
            }
            else
            {
                var read = VectorOfHistory(history);
                vector = new EmbeddingMatrix(1, d, read);
                if (t.Learned != null) mixture = t.Learned.HistoryComponents(history.ItemsOf(0), read);
                else if (t.Mixtures != null) mixture = MixtureOfHistory(history);
                if (t.Conditional != null) conditions = t.Conditional.Represent(history, vector, t.Items, [0], t.Settings.MaxConditions, followedOf, threads: 1);
            }
        }
        // The excluded items are left out of the list only: a clustered pool's history lists are those of the user's own items.
        var historyLists = excluded.IsEmpty || _historyMmr == null ? null
            : BipartiteGraph.FromEdges(1, t.Items.Rows, new int[ownItems], seen.GetRange(0, ownItems).ToArray());
        represented = new Represented(vector, mixture, interests, represents.ItemsOf(0).ToArray(), exclusions);
        if (known is { } given) return given;
        var lists = Run(vector, mixture, interests, conditions, [0], exclusions, count, threads: 1, historyLists);
        return new LiveList(lists.IndicesOf(0).ToArray(), lists.ScoresOf(0).ToArray(), trained ? CandidateSource.Trained : CandidateSource.History);
    }

    /// <summary>
    /// Whether a trained user with new items in its fresh history is served from its whole history (training items and fresh ones) instead of
    /// its trained representation: on stages whose representation is read from a history by the fold-in alone (unimodal and
    /// MMR without a mixture term on folding vectors, history-interest MMR), where it is what the next fit's user step would
    /// give (on cit-HepPh, +1.7 points of Recall@50 for unimodal). Quota, conditional and multi-interest MMR stages keep the
    /// trained representation: read from a history alone, their mixture would lose its neighbours' smoothing.
    /// </summary>
    internal bool RereadsTrainedUsers =>
        Settings.FoldsInHistories && (Tables.Method == CandidateMethod.Unimodal || (Tables.Method == CandidateMethod.Mmr && (_historyMmr != null || Tables.Mixtures == null)));

    /// <summary>Whether <paramref name="fresh"/> holds an item the training history (ascending) does not: re-engaging with a known item changes nothing.</summary>
    private static bool HasNewItems(ReadOnlySpan<int> trained, ReadOnlySpan<int> fresh)
    {
        foreach (int i in fresh)
            if (trained.BinarySearch(i) < 0) return true;
        return false;
    }

    /// <summary>The distinct items of a training history (ascending) and a fresh history, ascending.</summary>
    private static int[] WholeHistory(ReadOnlySpan<int> trained, ReadOnlySpan<int> fresh)
    {
        var items = new SortedSet<int>(trained.ToArray());
        foreach (int i in fresh) items.Add(i);
        return [.. items];
    }

    /// <summary>A served user's representation: its vector, mixture or learned components, history interests, the history they were read from and the list's exclusions.</summary>
    private sealed record Represented(EmbeddingMatrix? Vector, MixtureTable? Mixture, HistoryInterests? Interests, int[] History, BipartiteGraph Exclusions);

    /// <summary>The items most similar to compact item <paramref name="item"/> by cosine, itself excluded.</summary>
    public LiveList Similar(int item, int count)
    {
        var (unit, search) = _similar.Value;
        var query = new EmbeddingMatrix(1, Tables.Items.Dimension, unit.ReadRow(item).ToArray());
        var lists = search.Retrieve(query, [0], BipartiteGraph.FromEdges(1, Tables.Items.Rows, [0], [item]), count, threads: 1);
        return new LiveList(lists.IndicesOf(0).ToArray(), lists.ScoresOf(0).ToArray(), CandidateSource.Trained);
    }

    /// <summary>
    /// The lists of many trained users at once (the Fit-time lists; saved with the model). Their vectors, mixtures and
    /// histories are gathered into tables of those users only, as a single request does for its one user, so the work and
    /// memory follow the users served, not the user key range.
    /// </summary>
    public RankedLists RetrieveTrained(int[] users, int threads) =>
        RetrieveUsers(users, Tables.ExcludeSeen ? HistoryOf(users) : null, threads);

    /// <summary>
    /// The lists of user rows <paramref name="users"/> from their vectors, mixtures and training histories (the trained users'
    /// representations; a user without history has no mixture and no interests), excluding <paramref name="exclusions"/>
    /// (one row per entry, compact items; null for none).
    /// </summary>
    // ownItems: the users' own items (entry q's row), which pick a clustered history pool's history lists when the exclusions
    // also hold items excluded for another reason; null: the exclusions' items pick them.
    public RankedLists RetrieveUsers(int[] users, BipartiteGraph? exclusions, int threads, BipartiteGraph? ownItems = null)
    {
        var t = Tables;
        var vectors = t.UserVectors?.Gather(users, absentAsZero: true);
        var mixtures = t.Mixtures == null ? null : t.Mixtures.Gather(users);
        var entries = Enumerable.Range(0, users.Length).ToArray();
        var interests = _interests?.Build(HistoryOf(users), entries, threads, vectors);
        var conditions = t.Conditional?.Represent(HistoryOf(users), vectors!, t.Items, entries, t.Settings.MaxConditions, t.FollowedOf(users), threads);
        return Run(vectors, mixtures, interests, conditions, entries, exclusions, t.ListLength, threads, ownItems);
    }

    /// <summary>
    /// A conditional stage's explicit components of user rows <paramref name="users"/> (one table row per entry): their
    /// conditions from the training history or the followed topics, with their queries, as <see cref="RetrieveUsers"/> builds them.
    /// </summary>
    internal MixtureTable ConditionQueries(int[] users, int threads)
    {
        var t = Tables;
        var conditional = t.Conditional ?? throw new InvalidOperationException("The stage is not conditional retrieval.");
        var vectors = t.UserVectors?.Gather(users, absentAsZero: true)
            ?? throw new InvalidOperationException("The conditional stage was saved without user vectors.");
        var entries = Enumerable.Range(0, users.Length).ToArray();
        return conditional.Represent(HistoryOf(users), vectors, t.Items, entries, t.Settings.MaxConditions, t.FollowedOf(users), threads);
    }

    /// <summary>
    /// A history-interest MMR stage's interests of user rows <paramref name="users"/> (one row per entry), as
    /// <see cref="RetrieveUsers"/> builds them (the fold-in fitted to the user vectors, if the stage was), and their vectors.
    /// </summary>
    internal (HistoryInterests Interests, EmbeddingMatrix Vectors) HistoryInterestsOf(int[] users, int threads)
    {
        var builder = _interests ?? throw new InvalidOperationException("The stage is not history-interest MMR.");
        var vectors = Tables.UserVectors?.Gather(users, absentAsZero: true)
            ?? throw new InvalidOperationException("The history-interest MMR stage has no user vectors.");
        return (builder.Build(HistoryOf(users), Enumerable.Range(0, users.Length).ToArray(), threads, vectors), vectors);
    }

    /// <summary>How a history-interest MMR stage reads a fresh history (its fold-in, fitted values included, unscaled).</summary>
    internal HistoryInterestOptions FreshHistoryOptions =>
        (_freshInterests ?? throw new InvalidOperationException("The stage is not history-interest MMR.")).Options;

    /// <summary>The training history of <paramref name="users"/>, one graph row per entry.</summary>
    private BipartiteGraph HistoryOf(int[] users)
    {
        var t = Tables;
        int edges = 0;
        foreach (int u in users) edges += t.HistoryOf(u).Length;
        var userOf = new int[edges];
        var items = new int[edges];
        for (int q = 0, e = 0; q < users.Length; q++)
        {
            foreach (int j in t.HistoryOf(users[q]))
            {
                userOf[e] = q;
                items[e++] = j;
            }
        }
        return BipartiteGraph.FromEdges(users.Length, t.History.ItemCount, userOf, items);
    }

    /// <summary>The lists of <paramref name="users"/> (entries of the tables given); <paramref name="conditions"/> are a conditional stage's explicit components, <paramref name="mixtures"/> the implicit ones.</summary>
    private RankedLists Run(EmbeddingMatrix? vectors, MixtureTable? mixtures, HistoryInterests? interests, MixtureTable? conditions, int[] users, BipartiteGraph? exclusions,
        int count, int threads, BipartiteGraph? historyLists = null)
    {
        var t = Tables;
        switch (t.Method)
        {
            case CandidateMethod.Unimodal:
                return _unimodal.Retrieve(vectors!, users, exclusions, count, threads);
            case CandidateMethod.Mmr:
            {
                // A pool larger than the catalogue holds the catalogue: the same lists, without allocating for the rest.
                int pool = Math.Min(Math.Max(t.Settings.MmrPoolSize, count), t.Items.Rows);
                if (_historyMmr != null)
                    return _historyMmr.RetrieveWithHistoryLists(vectors!, interests!, exclusions, count, t.Settings.MmrLambda, t.Settings.InterestWeight, pool, threads,
                        userLists: null, historyLists: historyLists);
                var ranking = _unimodal.Retrieve(vectors!, users, exclusions, pool, threads);
                InterestProportionality? term = t.Settings.InterestWeight > 0
                    ? new InterestProportionality(mixtures!, users, t.Clustering!, t.Settings.InterestWeight) : null;
                return _mmr!.Rerank(ranking, count, t.Settings.MmrLambda, pool, term, threads);
            }
            case CandidateMethod.RoundRobin:
                return _roundRobin!.Retrieve(mixtures!, users, exclusions, [count], threads)[0];
            case CandidateMethod.Conditional:
            {
                var options = t.Settings.Conditional(t.Alpha);
                int fillLength = ConditionalDefaults.FillLength(count, t.Items.Rows);
                return UnimodalFill.Lazily(users, count, options.HeadShare > 0,
                    (some, fill) => _conditional!.Retrieve(conditions!, mixtures, some, exclusions, [count], options, fill, vectors, threads)[0],
                    some => _unimodal.Retrieve(vectors!, some, exclusions, fillLength, threads),
                    () => _unimodal.Check(vectors!, users, exclusions, fillLength));
            }
            default:
            {
                if (vectors == null) return _quota!.Retrieve(mixtures!, users, exclusions, [count], t.Settings.Quota(t.Alpha), null, null, threads)[0];
                return _quota!.RetrieveWithUnimodalFill(mixtures!, users, exclusions, count, t.Settings.Quota(t.Alpha), _unimodal, vectors, threads);
            }
        }
    }

    /// <summary>
    /// A user known only by the conditions it follows: each condition's most popular items (training degree, ties to the lower
    /// item), the list shared out among the conditions by equal quotas (<see cref="QuotaAllocator"/>, in condition order; a
    /// condition short of items hands its slots on), then the popular items of the whole catalogue.
    /// </summary>
    private LiveList PopularInConditions(BipartiteGraph exclusions, int[] followed, int count)
    {
        var seen = exclusions.ItemsOf(0).ToArray();
        var items = new List<int>(count);
        var taken = new HashSet<int>();
        bool Take(int j)
        {
            if (Array.BinarySearch(seen, j) >= 0 || !taken.Add(j)) return false;
            items.Add(j);
            return true;
        }
        var quotas = new int[followed.Length];
        QuotaAllocator.Allocate(Enumerable.Repeat(1.0 / followed.Length, followed.Length).ToArray(), followed, 1.0, count, quotas);
        // A cursor per condition into its members by popularity, so a hand-off continues where its quota stopped.
        var ranked = _popularByCondition.Value;
        var cursor = new int[followed.Length];
        int TakeFrom(int k, int wanted)
        {
            var members = ranked[followed[k]];
            int got = 0;
            for (; got < wanted && cursor[k] < members.Length; cursor[k]++)
                if (Take(members[cursor[k]])) got++;
            return got;
        }
        int leftover = 0;
        for (int k = 0; k < followed.Length; k++) leftover += quotas[k] - TakeFrom(k, quotas[k]);
        for (int k = 0; k < followed.Length && leftover > 0; k++) leftover -= TakeFrom(k, leftover);
        // Topics without an item the user may get (none with training edges) give the popular list itself: said as such.
        var source = items.Count > 0 ? CandidateSource.FollowedTopics : CandidateSource.Popular;
        foreach (int j in _popular)
        {
            if (items.Count == count) break;
            Take(j);
        }
        return new LiveList(items.ToArray(), items.Select(j => _degrees[j]).ToArray(), source);
    }

    private LiveList Popular(BipartiteGraph exclusions, int count)
    {
        var items = new int[Math.Min(count, _popular.Length)];
        int n = PopularItems.TakeUnseen(_popular, exclusions.ItemsOf(0), items);
        Array.Resize(ref items, n);
        return new LiveList(items, items.Select(j => _degrees[j]).ToArray(), CandidateSource.Popular);
    }

    /// <summary>
    /// A new user's mixture from its history (a graph of one user): the divide-and-conquer model's own (its intent's top m
    /// clusters, each with the model's query of the history for it: <see cref="DivideConquerModel.BuildMixtures"/>) or the
    /// counted one, as <see cref="RetrievalSettings.HistoryMixture"/> says.
    /// </summary>
    private MixtureTable MixtureOfHistory(BipartiteGraph history) =>
        _mixtureModel != null ? _mixtureModel.BuildMixtures(history, [0], threads: 1)
            : MixtureBuilder.BuildMle(history, Tables.Clustering!, Tables.Items, Tables.Mixtures!.MaxComponents, threads: 1);

    /// <summary>A new user's vector from its history (a graph of one user over the compact items): the fold-in, the encoder's query or the mean, as <see cref="RetrievalSettings.HistoryVector"/> says.</summary>
    private float[] VectorOfHistory(BipartiteGraph history) =>
        _historyFoldIn != null ? _historyFoldIn.Value.SolveWhole(history.ItemsOf(0))
            // The model's own query of the graph the request already built; its one row is the vector.
            : _encoder != null ? _encoder.UserQueries(history, threads: 1).Values
            : MeanOf(history.ItemsOf(0));

    private float[] MeanOf(ReadOnlySpan<int> items)
    {
        var mean = new float[Tables.Items.Dimension];
        Tables.Items.MeanOf(items, mean);
        return mean;
    }
}
