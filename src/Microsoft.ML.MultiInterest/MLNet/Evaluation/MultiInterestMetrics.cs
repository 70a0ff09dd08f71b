using Microsoft.ML.MultiInterest.Engine;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Retrieval metrics averaged over the test users (users with at least one held-out edge), with the
/// definitions of the project's evaluation protocol: Recall@K, NDCG@K, Diversity@K (kNN-Embed, Eq. 8) and the
/// goodness of fit (exact earth mover's distance). The counterpart of ML.NET's <c>RankingMetrics</c>.
/// </summary>
public sealed class MultiInterestMetrics
{
    internal MultiInterestMetrics(int[] cutoffs, double[] recall, double[] ndcg, double[] diversity, double? emd, UserRepresentation representation,
        int userCount, bool retrievalPerCutoff, IReadOnlyList<MultiInterestGroupMetrics>? byActivity = null)
    {
        ByActivity = byActivity ?? [];
        Cutoffs = Array.AsReadOnly((int[])cutoffs.Clone());
        RecallAtK = Table(cutoffs, recall);
        NdcgAtK = Table(cutoffs, ndcg);
        DiversityAtK = Table(cutoffs, diversity);
        Emd = emd;
        Representation = emd == null ? UserRepresentation.None : representation;
        UserCount = userCount;
        RetrievalPerCutoff = retrievalPerCutoff;
    }

    /// <summary>The cutoffs K, ascending.</summary>
    public IReadOnlyList<int> Cutoffs { get; }

    /// <summary>Mean Recall@K = |the first K candidates ∩ held-out items| / |held-out items|, by K.</summary>
    public IReadOnlyDictionary<int, double> RecallAtK { get; }

    /// <summary>
    /// Mean NDCG@K with binary gains, by K: DCG = Σ 1/log2(p + 2) over the 0-based ranks p &lt; K at which a held-out
    /// item appears among the candidates (an item listed twice counts once), divided by the ideal DCG
    /// Σ_{p &lt; min(K, |held-out items|)} 1/log2(p + 2).
    /// </summary>
    public IReadOnlyDictionary<int, double> NdcgAtK { get; }

    /// <summary>Mean Diversity@K = mean distance of the first K candidates' unit embeddings to their mean, by K.</summary>
    public IReadOnlyDictionary<int, double> DiversityAtK { get; }

    /// <summary>
    /// Mean earth mover's distance between each user's representation and the uniform distribution over its
    /// held-out items' unit embeddings (lower is better); null when no representation was evaluated.
    /// </summary>
    public double? Emd { get; }

    /// <summary>The representation <see cref="Emd"/> was computed on (<see cref="UserRepresentation.None"/> when it is null).</summary>
    public UserRepresentation Representation { get; }

    /// <summary>
    /// The same metrics per activity quartile of the test users (training degree in the fit data, least active first;
    /// <see cref="Engine.ActivityQuartiles"/>). Filled by <see cref="MultiInterestCatalog.EvaluateRetriever"/>, which sees
    /// the training edges; empty from <see cref="MultiInterestCatalog.Evaluate"/>. Missed users are in no quartile.
    /// </summary>
    public IReadOnlyList<MultiInterestGroupMetrics> ByActivity { get; }

    /// <summary>
    /// The number of test users with a list and a held-out item seen in training: Diversity@K and the EMD average over them,
    /// and Recall@K and NDCG@K too, with <see cref="MissedUsers"/> more when unseen edges count as misses.
    /// </summary>
    public int UserCount { get; }

    /// <summary>How held-out edges of users or items unseen in training were scored (<see cref="MultiInterestEvaluatorOptions.Unseen"/>).</summary>
    public UnseenHeldOut Unseen { get; init; } = EvaluationDefaults.Unseen;

    /// <summary>
    /// Test users not in <see cref="UserCount"/> because they, or all their held-out items, are unseen in training: counted with
    /// Recall@K = NDCG@K = 0 under <see cref="UnseenHeldOut.Miss"/>, left out under <see cref="UnseenHeldOut.Drop"/>.
    /// </summary>
    public int MissedUsers { get; init; }

    /// <summary>
    /// Held-out rows whose user or item is unseen in training (misses, or left out, as <see cref="Unseen"/> says). Rows, not
    /// distinct pairs: after a key mapping fitted on training every unseen id is key 0, so repeated rows cannot be told apart
    /// (the command line, which reads raw ids, counts distinct pairs). The figures count each unseen item once per user when
    /// the held-out view still holds the raw ids MapValueToKey hid; without them, each key-0 item row counts as its own item.
    /// </summary>
    public long UnseenEdges { get; init; }

    /// <summary>
    /// True when every K came from its own retrieval with M = K (the protocol's figures, from
    /// <see cref="MultiInterestCatalog.EvaluateRetriever"/>); false when all K are prefixes of one list.
    /// </summary>
    public bool RetrievalPerCutoff { get; }

    /// <summary>The per-user figures behind the means, for <see cref="Against"/>.</summary>
    internal UserFigures? PerUser { get; init; }

    /// <summary>
    /// These metrics against <paramref name="baseline"/>'s, user by user: per cutoff the mean per-user difference of
    /// Recall@K, NDCG@K and Diversity@K (these minus the baseline's) and its standard error, so that a lead can be told
    /// from the noise of which users were held out. Both evaluations must score the same test users (the same held-out
    /// view and key mapping), cutoffs and unseen rule, e.g. two retrievers' outputs on one split; others are refused with the
    /// difference named (checked on the users, their held-out items and the unseen ones counted, not on the item embeddings).
    /// </summary>
    /// <param name="baseline">The other retriever's metrics, such as a single-vector retriever's.</param>
    /// <exception cref="ArgumentException">
    /// The two evaluations did not score the same cutoffs, test users, missed users, or held-out items and unseen counts;
    /// the message names which.
    /// </exception>
    /// <returns>The paired differences (these minus the baseline's) and their standard errors, per cutoff.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="baseline"/> is null.</exception>
    public PairedComparison Against(MultiInterestMetrics baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (PerUser == null || baseline.PerUser == null)
            throw new ArgumentException($"{(PerUser == null ? "These metrics" : "The baseline's metrics")} keep no per-user figures to pair.", nameof(baseline));
        return PerUser.Against(baseline.PerUser);
    }

    /// <summary>A readable table: one line per cutoff with Recall@K, NDCG@K and Diversity@K, then the EMD and the user count.</summary>
    /// <returns>The table, in invariant culture, one line per row.</returns>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"{"K",6} {"Recall@K",10} {"NDCG@K",10} {"Diversity@K",12}");
        foreach (int k in Cutoffs)
            text.AppendLine(inv, $"{k,6} {RecallAtK[k],10:F4} {NdcgAtK[k],10:F4} {DiversityAtK[k],12:F4}");
        string emd = Emd is double value ? value.ToString("F4", inv) + $" ({Representation.ToString().ToLowerInvariant()})" : "n/a";
        text.AppendLine(inv, $"EMD: {emd}");
        // Recall and NDCG average over the missed users too when unseen edges count as misses: say over how many, not just UserCount.
        bool missesCounted = Unseen == UnseenHeldOut.Miss && MissedUsers > 0;
        if (missesCounted)
            text.Append(inv, $"Users: {UserCount + MissedUsers} in Recall@K and NDCG@K, of which {Users(MissedUsers)} scored 0; Diversity@K and the EMD over the other {UserCount}");
        else
            text.Append(inv, $"Users: {UserCount}");
        text.Append(inv, $"; {(RetrievalPerCutoff ? "one retrieval per K (M = K)" : "prefixes of one candidate list")}");
        if (UnseenEdges > 0)
            text.Append(inv, $"; {UnseenEdges} held-out edges unseen in training {(Unseen == UnseenHeldOut.Miss ? "counted as misses" : $"left out, and {Users(MissedUsers)} left with none")}");
        return text.ToString();
    }

    /// <summary>"1 user", "2 users".</summary>
    internal static string Users(int count) => count == 1 ? "1 user" : count.ToString(CultureInfo.InvariantCulture) + " users";

    internal static ReadOnlyDictionary<int, double> Table(int[] cutoffs, double[] values)
    {
        var table = new SortedDictionary<int, double>();
        for (int c = 0; c < cutoffs.Length; c++) table[cutoffs[c]] = values[c];
        return new ReadOnlyDictionary<int, double>(table);
    }
}
