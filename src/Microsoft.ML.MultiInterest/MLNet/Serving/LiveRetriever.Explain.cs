using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>Explaining a served list: which of the user's interests placed each candidate (<see cref="MultiInterestRecommender.Explain"/>).</summary>
internal sealed partial class LiveRetriever
{
    /// <summary>
    /// The name of the method that tells which interest placed each candidate, for the messages of the stages that cannot
    /// (<see cref="ExplainableMethod"/> false).
    /// </summary>
    internal const string ExplainingMethods = "cluster quotas (ClusterQuotaRetriever), multi-interest MMR (MmrRetriever with InterestWeight > 0 and Lambda > 0), "
        + "history-interest MMR (MmrRetriever with Interests = History) and round robin (RoundRobinRetriever)";

    /// <summary>Whether the stage's lists are placed by interests it can name (<see cref="Explain"/> refuses the others).</summary>
    internal bool ExplainableMethod => Tables.Method switch
    {
        CandidateMethod.ClusterQuota or CandidateMethod.RoundRobin => true,
        // At lambda 0 the interest term has faded to nothing (MmrRetriever.InterestWeightAt): plain MMR's lists, no interest placed them.
        CandidateMethod.Mmr => _historyMmr != null || MmrRetriever.InterestWeightAt(Settings.InterestWeight, Settings.MmrLambda) > 0,
        _ => false,
    };

    /// <summary>Why <see cref="Explain"/> refuses this stage, for an <see cref="InvalidOperationException"/> that names <paramref name="caller"/>.</summary>
    internal string NotExplainable(string caller) => Tables.Method switch
    {
        CandidateMethod.Mmr => $"{caller}: this MMR stage (Interests = Clusters, {(Settings.InterestWeight > 0 ? "Lambda = 0, where the interest term fades to nothing" : "InterestWeight = 0")}) re-ranks the single vector's list without interests, so no "
            + $"interest placed its candidates. {caller} tells the interests of {ExplainingMethods}.",
        CandidateMethod.Conditional => $"{caller} does not tell the conditions of a conditional stage (CandidateMethod.Conditional); it tells the interests of {ExplainingMethods}.",
        _ => $"{caller}: a {Tables.Method} stage retrieves with the single vector alone, so no interest placed its candidates. {caller} tells the interests of {ExplainingMethods}.",
    };

    /// <summary>
    /// <see cref="Retrieve"/>'s list (fresh items and <paramref name="excluded"/> excluded as there) with, for each candidate, the
    /// interest of the user that placed it (-1: the unimodal head or fill of cluster quotas, or no interest), the user's interests
    /// (weight, cluster, and the items of the history the representation was read from that each one covers) and that history.
    /// A popular fallback has no interests. The stage must be <see cref="ExplainableMethod"/>. <paramref name="known"/>: the list
    /// <see cref="Retrieve"/> gives for these arguments, when the caller holds it (the list kept from Fit), so that it is not
    /// retrieved again (a round robin still searches its components, to tell which placed each item).
    /// </summary>
    /// <param name="user">The user row (-1 = unknown).</param>
    /// <param name="fresh">The request's history (compact items).</param>
    /// <param name="count">The list length asked.</param>
    /// <param name="excluded">Items left out as by <see cref="Retrieve"/>.</param>
    /// <param name="known">The list <see cref="Retrieve"/> gives for these arguments, or null.</param>
    /// <param name="strict">Refuse a stage that names no interests (else: its list, no interests, the history).</param>
    public LiveExplanation Explain(int user, ReadOnlySpan<int> fresh, int count, ReadOnlySpan<int> excluded = default, LiveList? known = null, bool strict = true)
    {
        if (strict && !ExplainableMethod) throw new InvalidOperationException(NotExplainable(nameof(Explain)));
        var list = Serve(user, fresh, count, null, excluded, known, out var represented);
        var components = new int[list.Items.Length];
        Array.Fill(components, -1);
        if (represented == null) return new LiveExplanation(list, components, [], []);
        if (!ExplainableMethod) return new LiveExplanation(list, components, [], represented.History);
        var t = Tables;
        var history = represented.History;
        switch (t.Method)
        {
            case CandidateMethod.ClusterQuota:
            case CandidateMethod.Mmr when _historyMmr == null:
            {
                // Each component searches (or, for MMR's term, counts) its own cluster's items; the quota list's head is told by its position.
                var mixture = represented.Mixture!;
                var clusters = mixture.Clusters(0).ToArray();
                var clustering = t.Clustering!;
                int head = t.Method == CandidateMethod.ClusterQuota
                    ? Math.Min(new QuotaRetrievalOptions { HeadShare = t.Settings.HeadShare }.HeadSlots(count), list.Items.Length) : 0;
                for (int p = head; p < list.Items.Length; p++) components[p] = Array.IndexOf(clusters, clustering.ClusterOf(list.Items[p]));
                var interests = new LiveInterest[clusters.Length];
                for (int c = 0; c < interests.Length; c++)
                {
                    int cluster = clusters[c];
                    interests[c] = new LiveInterest(mixture.Weights(0)[c], cluster, history.Where(j => clustering.ClusterOf(j) == cluster).ToArray());
                }
                return new LiveExplanation(list, components, interests, history);
            }
            case CandidateMethod.Mmr:
            {
                var interests = represented.Interests!;
                _historyMmr.InterestsOf(interests, 0, list.Items).CopyTo(components, 0);
                var groups = HistoryInterests.GroupsOf(_interests!, history);
                var described = new LiveInterest[interests.InterestCount(0)];
                for (int c = 0; c < described.Length; c++)
                    described[c] = new LiveInterest(interests.Weights(0)[c], -1, history.Where((_, i) => groups[i] == c).ToArray());
                return new LiveExplanation(list, components, described, history);
            }
            case CandidateMethod.RoundRobin:
            {
                var mixture = represented.Mixture!;
                var lists = _roundRobin!.RetrieveWithComponents(mixture, [0], represented.Exclusions, count, threads: 1, out var placedBy);
                // The same engine run as the list's: it must give the same list, or the components would explain another one.
                if (!lists.IndicesOf(0).SequenceEqual(list.Items))
                    throw new InvalidOperationException("The round robin's components were retrieved for another list than the one served: please report this.");
                placedBy.AsSpan(0, list.Items.Length).CopyTo(components);
                // Each history item goes to the component that scores it highest by the merge's own score (the sum over its item components).
                var learned = t.Learned!;
                int cd = learned.DestinationComponents, n = mixture.ComponentCount(0);
                var owner = new int[history.Length];
                for (int i = 0; i < history.Length; i++)
                {
                    float best = float.NegativeInfinity;
                    owner[i] = -1;
                    for (int c = 0; c < n; c++)
                    {
                        float score = 0;
                        for (int l = 0; l < cd; l++) score += VectorMath.Dot(mixture.Embedding(0, c), learned.ItemComponents.ReadRow(history[i] * cd + l));
                        if (score > best) (best, owner[i]) = (score, c);
                    }
                }
                var interests = new LiveInterest[n];
                for (int c = 0; c < n; c++)
                    interests[c] = new LiveInterest(mixture.Weights(0)[c], -1, history.Where((_, i) => owner[i] == c).ToArray());
                return new LiveExplanation(list, components, interests, history);
            }
            default:
                throw new InvalidOperationException(NotExplainable(nameof(Explain)));
        }
    }
}
