namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Scores candidate lists and user representations against the held-out edges with <see cref="MetricsScorer"/>
/// (the ML.NET evaluator's scorer too): per-user Recall@K, NDCG@K, Diversity@K and EMD, averaged in test-user order so the
/// means do not depend on the thread count.
/// </summary>
internal sealed class ProtocolScorer
{
    private readonly BipartiteGraph _test;
    private readonly int[] _testUsers;
    private readonly EmbeddingMatrix _unitItems;
    private readonly EmbeddingMatrix _unitFitItems;
    private readonly int _threads;
    private readonly HeldOutMisses _misses;
    private readonly int _missedUsers;
    private readonly ActivityQuartiles? _activity;
    private ulong? _heldOutFingerprint;

    /// <summary>Creates a scorer.</summary>
    /// <param name="test">The held-out edges over seen users and items.</param>
    /// <param name="testUsers">The user rows with a seen held-out edge, ascending.</param>
    /// <param name="itemEmbeddings">The item vectors Diversity@K is measured on.</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores.</param>
    /// <param name="activity">Activity quartile of each test user, for the breakdown; null for none.</param>
    /// <param name="misses">Unseen held-out items per user, counted as misses; <see cref="HeldOutMisses.None"/> to drop them.</param>
    /// <param name="missedUsers">Test users with no seen held-out item, counted with Recall = NDCG = 0 (in the overall means only).</param>
    /// <param name="fitItemEmbeddings">
    /// The item vectors of the space the user representations live in, for the goodness of fit; default
    /// <paramref name="itemEmbeddings"/>. A model with its own vectors (learned mixtures) fits in its own space while its
    /// diversity is measured in the shared one, so that every row of a table is measured with the same ruler.
    /// </param>
    public ProtocolScorer(BipartiteGraph test, int[] testUsers, EmbeddingMatrix itemEmbeddings, int threads, ActivityQuartiles? activity = null,
        HeldOutMisses? misses = null, int missedUsers = 0, EmbeddingMatrix? fitItemEmbeddings = null)
        : this(test, testUsers, threads, itemEmbeddings.Normalized(), fitItemEmbeddings?.Normalized(), activity, misses, missedUsers)
    {
    }

    /// <summary>As the public constructor, with the items already at unit length (<see cref="EmbeddingMatrix.Normalized"/>
    /// of them: a retriever's copy, shared instead of made again).</summary>
    internal static ProtocolScorer OverUnitItems(BipartiteGraph test, int[] testUsers, EmbeddingMatrix unitItems, int threads, ActivityQuartiles? activity,
        HeldOutMisses? misses, int missedUsers) => new(test, testUsers, threads, unitItems, null, activity, misses, missedUsers);

    private ProtocolScorer(BipartiteGraph test, int[] testUsers, int threads, EmbeddingMatrix unitItems, EmbeddingMatrix? unitFitItems,
        ActivityQuartiles? activity, HeldOutMisses? misses, int missedUsers)
    {
        _activity = activity;
        _misses = misses ?? HeldOutMisses.None;
        _missedUsers = missedUsers;
        _test = test;
        _testUsers = testUsers;
        _unitItems = unitItems;
        _unitFitItems = unitFitItems ?? unitItems;
        _threads = threads;
    }

    /// <summary>
    /// The scorer of a row added beside the main table's (learned, divide-and-conquer, conditional, fused rows): the test
    /// users' activity quartiles from their training degree, and the users or held-out items unseen in training counted as
    /// misses when <paramref name="misses"/> is given.
    /// </summary>
    public static ProtocolScorer ForAddedRow(BipartiteGraph train, BipartiteGraph test, int[] testUsers, EmbeddingMatrix itemEmbeddings, int threads,
        HeldOutMisses? misses, EmbeddingMatrix? fitItemEmbeddings = null)
    {
        misses ??= HeldOutMisses.None;
        int missedUsers = misses.UsersWithoutSeenItems(test);
        var activity = ActivityQuartiles.Assign(testUsers.Select(train.DegreeOf).ToArray());
        return new ProtocolScorer(test, testUsers, itemEmbeddings, threads, activity, misses, missedUsers, fitItemEmbeddings);
    }

    /// <summary>Scores one method. Mixture methods pass <paramref name="mixtures"/>; the unimodal one its user embeddings.</summary>
    /// <param name="name">The method's name.</param>
    /// <param name="lists">Its lists per cutoff.</param>
    /// <param name="mixtures">Its mixtures, for the goodness of fit.</param>
    /// <param name="userEmbeddings">Or its single vectors.</param>
    /// <param name="sameRepresentation">
    /// An evaluated method with the very same user representation (MMR shares Unimodal's vectors, multi-interest MMR the
    /// tuned row's mixtures): its goodness of fit is reused instead of solved again.
    /// </param>
    public MethodEvaluation Score(string name, IReadOnlyDictionary<int, RankedLists> lists, MixtureTable? mixtures, EmbeddingMatrix? userEmbeddings,
        MethodEvaluation? sameRepresentation = null)
    {
        MetricsScorer.FitSource? fit = sameRepresentation != null ? null : mixtures != null
            ? (solver, q, heldOut) => RetrievalMetrics.GoodnessOfFit(solver, mixtures.Embeddings(_testUsers[q]), mixtures.Weights(_testUsers[q]), _unitFitItems, heldOut)
            : (_, q, heldOut) => RetrievalMetrics.UnimodalGoodnessOfFit(userEmbeddings!.ReadRow(_testUsers[q]), _unitFitItems, heldOut);
        return Score(name, lists, mixtures, fit, sameRepresentation);
    }

    /// <summary>
    /// As <see cref="Score(string, IReadOnlyDictionary{int, RankedLists}, MixtureTable?, EmbeddingMatrix?, MethodEvaluation?)"/>
    /// for mixtures held as clusters and weights only (<paramref name="weights"/>, what the result keeps): the goodness of
    /// fit reads the q-th test user's whole mixture, when it is measured, from row 0 of <paramref name="mixtureOf"/>(q).
    /// </summary>
    public MethodEvaluation ScoreWeights(string name, IReadOnlyDictionary<int, RankedLists> lists, MixtureTable weights, Func<int, MixtureTable> mixtureOf) =>
        Score(name, lists, weights, (solver, q, heldOut) =>
        {
            var one = mixtureOf(q);
            return RetrievalMetrics.GoodnessOfFit(solver, one.Embeddings(0), one.Weights(0), _unitFitItems, heldOut);
        }, null);

    /// <summary>
    /// The goodness of fit of the mixtures of test users <paramref name="first"/> to <paramref name="first"/> +
    /// <paramref name="count"/> - 1 (their rows of <paramref name="mixtures"/>, component embeddings included), written to
    /// <paramref name="fits"/> at those test users' places: what <see cref="Score(string, IReadOnlyDictionary{int, RankedLists}, MixtureTable?, EmbeddingMatrix?, MethodEvaluation?)"/>
    /// measures, for a block of users whose embeddings are let go afterwards (<see cref="ScoreFits"/> reads the fits).
    /// </summary>
    public void FitMixtures(MixtureTable mixtures, int first, int count, double[] fits)
    {
        if (!mixtures.HasEmbeddings) throw new ArgumentException("The goodness of fit needs the mixtures' component embeddings.", nameof(mixtures));
        CheckBlock(first, count, fits);
        FitBlock(first, count, fits, () => 0, (solver, q, user, _) =>
            RetrievalMetrics.GoodnessOfFit(solver, mixtures.Embeddings(user), mixtures.Weights(user), _unitFitItems, _test.ItemsOf(user)));
    }

    /// <summary>
    /// The goodness of fit of history interests read for test users <paramref name="first"/> onwards (entry q is test user
    /// <paramref name="first"/> + q), written to <paramref name="fits"/> at those test users' places: the interests' unit
    /// vectors with their history shares as weights, each entry's normalised as it is measured, so that no padded table of
    /// them is held. A block of users can be fitted while its vectors exist and let go afterwards.
    /// </summary>
    public void FitHistoryInterests(HistoryInterests interests, int first, double[] fits)
    {
        int count = interests.Users.Count;
        CheckBlock(first, count, fits);
        for (int q = 0; q < count; q++)
            if (interests.Users[q] != _testUsers[first + q])
                throw new ArgumentException("The interests must be those of the scorer's test users, in order.", nameof(interests));
        int size = interests.MaxInterests * interests.Dimension;
        FitBlock(first, count, fits, () => new float[size], (solver, q, user, unit) =>
            RetrievalMetrics.GoodnessOfFit(solver, interests.UnitVectors(q, unit), interests.Weights(q), _unitFitItems, _test.ItemsOf(user)));
    }

    /// <summary>Checks that <paramref name="fits"/> has a place per test user and that the block lies among them.</summary>
    private void CheckBlock(int first, int count, double[] fits)
    {
        if (fits.Length != _testUsers.Length) throw new ArgumentException($"There are {fits.Length} fits for {_testUsers.Length} test users.", nameof(fits));
        if (first < 0 || count < 0 || first + count > _testUsers.Length)
            throw new ArgumentException($"Entries {first} to {first + count - 1} are not among the scorer's {_testUsers.Length} test users.", nameof(first));
    }

    /// <summary>
    /// Writes <c>fits[first + q] = fit(solver, q, user, scratch)</c> for the block's entries q (test user <paramref name="first"/> + q
    /// is <c>user</c>), in parallel, one EMD solver and one <typeparamref name="TScratch"/> per worker.
    /// </summary>
    private void FitBlock<TScratch>(int first, int count, double[] fits, Func<TScratch> scratch, Func<EarthMoversDistance, int, int, TScratch, double> fit)
    {
        Parallel.For(0, count, Parallelism.Options(_threads), () => (Solver: new EarthMoversDistance(), Scratch: scratch()), (q, _, s) =>
        {
            fits[first + q] = fit(s.Solver, q, _testUsers[first + q], s.Scratch);
            return s;
        }, _ => { });
    }

    /// <summary>
    /// As <see cref="Score(string, IReadOnlyDictionary{int, RankedLists}, MixtureTable?, EmbeddingMatrix?, MethodEvaluation?)"/>
    /// with each test user's goodness of fit already measured (<paramref name="fits"/>, in test-user order; for instance by
    /// <see cref="FitHistoryInterests"/>); <paramref name="weights"/> are the row's mixtures as the result keeps them.
    /// </summary>
    public MethodEvaluation ScoreFits(string name, IReadOnlyDictionary<int, RankedLists> lists, MixtureTable weights, double[] fits)
    {
        if (fits.Length != _testUsers.Length) throw new ArgumentException($"There are {fits.Length} fits for {_testUsers.Length} test users.", nameof(fits));
        return Score(name, lists, weights, (_, q, _) => fits[q], null);
    }

    /// <summary>
    /// Scores a row without a user representation (the popularity row): Recall, NDCG and Diversity as for every row, its
    /// goodness of fit NaN, overall and per activity quartile, since there is nothing to fit.
    /// </summary>
    public MethodEvaluation ScoreWithoutRepresentation(string name, IReadOnlyDictionary<int, RankedLists> lists) =>
        Score(name, lists, null, (MetricsScorer.FitSource?)null, null);

    private MethodEvaluation Score(string name, IReadOnlyDictionary<int, RankedLists> lists, MixtureTable? mixtures, MetricsScorer.FitSource? fit,
        MethodEvaluation? sameRepresentation)
    {
        // Neither a fit nor a row to borrow one from: no representation, so no EMD (the scorer's 0 would read as a perfect fit).
        bool noRepresentation = fit == null && sameRepresentation == null;
        var cutoffs = lists.Keys.Order().ToArray();
        var ranked = cutoffs.Select(k => lists[k]).ToArray();
        var breakdown = MetricsScorer.Score(cutoffs, _testUsers.Length, (c, q) => ranked[c].IndicesOf(q), q => _test.ItemsOf(_testUsers[q]),
            _unitItems, fit, _threads, q => _misses.UnseenItemsOf(_testUsers[q]), _missedUsers, _activity?.Groups, ActivityQuartiles.Count);
        var means = breakdown.All;
        var groups = new List<GroupEvaluation>();
        for (int g = 0; g < breakdown.Groups.Length; g++)
        {
            var m = breakdown.Groups[g];
            double emd = noRepresentation ? double.NaN : sameRepresentation?.ByActivity[g].Emd ?? m.Emd;
            groups.Add(new GroupEvaluation(g, m.Users, _activity!.LowerDegree[g], _activity.UpperDegree[g], ByCutoff(cutoffs, m.Recall),
                ByCutoff(cutoffs, m.Ndcg), ByCutoff(cutoffs, m.Diversity), emd));
        }
        return new MethodEvaluation(name, ByCutoff(cutoffs, means.Recall), ByCutoff(cutoffs, means.Ndcg), ByCutoff(cutoffs, means.Diversity),
            noRepresentation ? double.NaN : sameRepresentation?.Emd ?? means.Emd, lists, mixtures, groups)
        {
            PerUser = new UserFigures(_testUsers, cutoffs, breakdown.Recall, breakdown.Ndcg, breakdown.Diversity, _missedUsers, HeldOutFingerprint, _activity?.Groups),
        };
    }

    /// <summary>
    /// Recall at <paramref name="recallCutoff"/>, Diversity at <paramref name="diversityCutoff"/> and Diversity at
    /// <paramref name="recallCutoff"/> (the whole list's) of lists alone (no goodness of fit), for frontier points.
    /// </summary>
    public (double Recall, double Diversity, double SetDiversity) ScoreLists(IReadOnlyDictionary<int, RankedLists> lists, int recallCutoff, int diversityCutoff)
    {
        var (recall, diversity, setDiversity, _) = ScoreListsPerUser(lists, recallCutoff, diversityCutoff);
        return (recall, diversity, setDiversity);
    }

    /// <summary>
    /// As <see cref="ScoreLists"/>, with the per-user figures behind the means (<see cref="UserFigures"/>, for pairing two
    /// candidates' lists with <see cref="UserFigures.Against"/>).
    /// </summary>
    public (double Recall, double Diversity, double SetDiversity, UserFigures PerUser) ScoreListsPerUser(IReadOnlyDictionary<int, RankedLists> lists,
        int recallCutoff, int diversityCutoff)
    {
        var cutoffs = lists.Keys.Order().ToArray();
        var ranked = cutoffs.Select(k => lists[k]).ToArray();
        var scored = MetricsScorer.Score(cutoffs, _testUsers.Length, (c, q) => ranked[c].IndicesOf(q), q => _test.ItemsOf(_testUsers[q]), _unitItems, null, _threads,
            q => _misses.UnseenItemsOf(_testUsers[q]), _missedUsers, null, 0);
        var means = scored.All;
        int recallAt = Array.IndexOf(cutoffs, recallCutoff);
        var perUser = new UserFigures(_testUsers, cutoffs, scored.Recall, scored.Ndcg, scored.Diversity, _missedUsers, HeldOutFingerprint);
        return (means.Recall[recallAt], means.Diversity[Array.IndexOf(cutoffs, diversityCutoff)], means.Diversity[recallAt], perUser);
    }

    /// <summary>The fingerprint of the held-out items every row of this scorer is measured against (<see cref="UserFigures.Fingerprint"/>), computed once.</summary>
    private ulong HeldOutFingerprint => _heldOutFingerprint ??=
        UserFigures.Fingerprint(_testUsers, q => _test.ItemsOf(_testUsers[q]), q => _misses.UnseenItemsOf(_testUsers[q]));

    private static Dictionary<int, double> ByCutoff(int[] cutoffs, double[] values) =>
        cutoffs.Select((k, c) => (k, c)).ToDictionary(p => p.k, p => values[p.c]);
}
