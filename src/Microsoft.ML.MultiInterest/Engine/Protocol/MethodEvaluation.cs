namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The figures and artefacts of one retrieval method under the evaluation protocol.</summary>
public sealed class MethodEvaluation
{
    internal MethodEvaluation(string name, IReadOnlyDictionary<int, double> recall, IReadOnlyDictionary<int, double> ndcg,
        IReadOnlyDictionary<int, double> diversity, double emd, IReadOnlyDictionary<int, RankedLists> candidates, MixtureTable? mixtures,
        IReadOnlyList<GroupEvaluation>? byActivity = null)
    {
        ByActivity = byActivity ?? [];
        Name = name;
        Recall = recall;
        Ndcg = ndcg;
        Diversity = diversity;
        Emd = emd;
        Candidates = candidates;
        Mixtures = mixtures;
    }

    /// <summary>The same figures per activity quartile of the test users (training degree), least active first.</summary>
    public IReadOnlyList<GroupEvaluation> ByActivity { get; }

    /// <summary>Method name: "unimodal", "mmr", "mmr_reorder", "mixture", "knn_embed", "knn_embed_tuned", "interest_mmr", "history_mmr", or a row added with <see cref="ProtocolResult.With"/>.</summary>
    public string Name { get; }

    /// <summary>Mean Recall@K over test users, per cutoff K.</summary>
    public IReadOnlyDictionary<int, double> Recall { get; }

    /// <summary>
    /// Mean NDCG@K over test users, per cutoff K: binary gains, DCG = Σ 1/log2(p + 2) over the 0-based ranks p &lt; K of
    /// the held-out items in the list, divided by the ideal DCG over min(K, |held-out|) ranks
    /// (<see cref="RetrievalMetrics.Ndcg"/>).
    /// </summary>
    public IReadOnlyDictionary<int, double> Ndcg { get; }

    /// <summary>Mean Diversity@K over test users, per cutoff K.</summary>
    public IReadOnlyDictionary<int, double> Diversity { get; }

    /// <summary>
    /// Mean exact earth mover's distance between the user representation and its held-out items; NaN for a row without a
    /// user representation (<see cref="ProtocolEvaluator.PopularName"/>).
    /// </summary>
    public double Emd { get; }

    /// <summary>The candidate lists per cutoff, one list per test user (in <see cref="ProtocolResult.TestUsers"/> order).</summary>
    public IReadOnlyDictionary<int, RankedLists> Candidates { get; }

    /// <summary>
    /// The mixtures used (null for the unimodal method). For the rows of <see cref="ProtocolEvaluator.Run"/> they hold the
    /// clusters and weights only (<see cref="MixtureTable.HasEmbeddings"/> false) unless
    /// <see cref="ProtocolSettings.KeepMixtureEmbeddings"/> is set.
    /// </summary>
    public MixtureTable? Mixtures { get; private init; }

    /// <summary>
    /// The whole mixtures, component embeddings included, of a few test users (<see cref="ProtocolSettings.MixtureSampleUsers"/>,
    /// chosen by <see cref="MixtureSample.Select"/>; every other user reads as having no components), or null: what a plot of
    /// a user's components needs when the row's <see cref="Mixtures"/> keep no embeddings.
    /// </summary>
    public MixtureTable? MixtureSample { get; private init; }

    /// <summary>The per-user figures behind the means, for <see cref="Against"/>; null when the row was not scored per user.</summary>
    internal UserFigures? PerUser { get; init; }

    /// <summary>
    /// This method against <paramref name="baseline"/>, user by user: per cutoff the mean per-user difference of Recall@K,
    /// NDCG@K and Diversity@K (this method minus the baseline) and its standard error. The protocol's rows (those of one
    /// <see cref="ProtocolResult"/>, added rows included) are scored on the same test users, so any two of them pair.
    /// </summary>
    /// <param name="baseline">Another row of the same evaluation, such as <c>result[ProtocolEvaluator.UnimodalName]</c>.</param>
    /// <exception cref="ArgumentException">
    /// The two rows cannot pair (<see cref="CanPairWith"/>): other cutoffs, test users, missed users, or held-out items and
    /// unseen counts; the message names which.
    /// </exception>
    /// <returns>The paired differences (this row minus the baseline) and their standard errors, per cutoff.</returns>
    public PairedComparison Against(MethodEvaluation baseline)
    {
        if (!CanPairWith(baseline, out string? reason)) throw new ArgumentException($"The two rows cannot be paired user by user: {reason}.", nameof(baseline));
        return PerUser!.Against(baseline.PerUser!);
    }

    /// <summary>
    /// Whether <see cref="Against"/> can pair this row with <paramref name="baseline"/>; when not, <paramref name="reason"/>
    /// says what differs (the cutoffs, the users, the missed users, or the held-out items and unseen counts).
    /// </summary>
    /// <param name="baseline">The other row; not null.</param>
    /// <param name="reason">Null when the rows pair, else what differs.</param>
    /// <returns>True if the rows pair.</returns>
    public bool CanPairWith(MethodEvaluation baseline, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        reason = PerUser == null ? $"row '{Name}' keeps no per-user figures"
            : baseline.PerUser == null ? $"row '{baseline.Name}' keeps no per-user figures"
            : PerUser.Why(baseline.PerUser);
        return reason == null;
    }

    /// <summary>The same evaluation holding <paramref name="mixtures"/> and <paramref name="sample"/> instead of its mixtures.</summary>
    internal MethodEvaluation WithMixtures(MixtureTable? mixtures, MixtureTable? sample) =>
        new(Name, Recall, Ndcg, Diversity, Emd, Candidates, mixtures, ByActivity) { MixtureSample = sample, PerUser = PerUser };
}

/// <summary>The outcome of <see cref="ProtocolEvaluator.Run"/>.</summary>
public sealed class ProtocolResult
{
    internal ProtocolResult(int[] testUsers, IReadOnlyList<MethodEvaluation> methods, IReadOnlyDictionary<string, double> seconds,
        IReadOnlyList<FrontierResult>? frontiers = null, int missedUsers = 0)
    {
        Frontiers = frontiers ?? [];
        MissedUsers = missedUsers;
        TestUsers = testUsers;
        Methods = methods;
        Seconds = seconds;
    }

    /// <summary>Users with at least one held-out edge, ascending.</summary>
    public IReadOnlyList<int> TestUsers { get; }

    /// <summary>
    /// Test users counted with Recall@K = NDCG@K = 0 because they, or all their held-out items, are unseen in training
    /// (<see cref="UnseenHeldOut.Miss"/>); not in <see cref="TestUsers"/>. 0 when unseen edges are dropped.
    /// </summary>
    public int MissedUsers { get; }

    /// <summary>The recall-diversity frontiers measured (<see cref="ProtocolSettings.Frontier"/>), or none.</summary>
    public IReadOnlyList<FrontierResult> Frontiers { get; }

    /// <summary>
    /// Unimodal, MMR (and its re-ordering), Mixture, kNN-Embed and, when configured, the round robin, the tuned multi-interest rows,
    /// history-interest MMR and the popular row, in that order, then any rows added by <see cref="With"/>.
    /// </summary>
    public IReadOnlyList<MethodEvaluation> Methods { get; }

    /// <summary>Wall-clock seconds per stage.</summary>
    public IReadOnlyDictionary<string, double> Seconds { get; }

    /// <summary>
    /// The options the <c>history_mmr</c> row read its interests with, after any fitting to the user vectors
    /// (<see cref="HistoryInterestOptions.MatchUserVectors"/>); null without that row.
    /// </summary>
    public HistoryInterestOptions? HistoryInterests { get; init; }

    /// <summary>This result with <paramref name="methods"/> appended (same test users; for rows measured separately, such as learned mixtures).</summary>
    /// <exception cref="ArgumentException">A row's lists at some cutoff are not one per test user (every figure read across rows pairs them by position).</exception>
    /// <param name="methods">The rows to append, scored on the same test users; not null.</param>
    /// <returns>A new result; this one is unchanged.</returns>
    public ProtocolResult With(IEnumerable<MethodEvaluation> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        var added = methods.ToArray();
        // Checked here, where the row is added, rather than by the exposure or the export after every row has been computed.
        foreach (var method in added)
            foreach (var (cutoff, lists) in method.Candidates)
                if (lists.QueryCount != TestUsers.Count)
                    throw new ArgumentException($"Row '{method.Name}' has {lists.QueryCount} lists at K = {cutoff}, not one per test user ({TestUsers.Count}).", nameof(methods));
        var seconds = new Dictionary<string, double>(Seconds);
        return new ProtocolResult(TestUsers.ToArray(), Methods.Concat(added).ToArray(), seconds, Frontiers, MissedUsers) { HistoryInterests = HistoryInterests };
    }

    /// <summary>
    /// This result with only the rows named in <paramref name="names"/>, in this result's order (the same test users, seconds and
    /// frontiers): the rows a report is about, such as the Unimodal row alone of a sweep whose best is Unimodal.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a row of this result.</exception>
    /// <param name="names">The names of the rows to keep (matched exactly; names of no row are ignored); not null.</param>
    /// <returns>A new result; this one is unchanged.</returns>
    public ProtocolResult Only(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var kept = names.ToHashSet(StringComparer.Ordinal);
        foreach (string name in kept)
            if (!Methods.Any(m => m.Name == name))
                throw new ArgumentException($"'{name}' is not a row of this result ({string.Join(", ", Methods.Select(m => m.Name))}).", nameof(names));
        return new ProtocolResult(TestUsers.ToArray(), Methods.Where(m => kept.Contains(m.Name)).ToArray(), new Dictionary<string, double>(Seconds), Frontiers, MissedUsers)
        {
            HistoryInterests = HistoryInterests,
        };
    }

    /// <summary>The method called <paramref name="name"/>.</summary>
    public MethodEvaluation this[string name] => Methods.First(m => m.Name == name);
}
