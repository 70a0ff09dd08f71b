using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Checks that every item a metric needs has an embedding, then scores with <see cref="MetricsScorer"/>, the scorer
/// the protocol (<see cref="ProtocolEvaluator"/>, behind the command line's figures) uses too.
/// </summary>
internal static class EvaluationScorer
{
    /// <param name="cutoffs">The cutoffs K, ascending.</param>
    /// <param name="lists">Per cutoff, per test user: the candidate item rows, best first; the first K are scored.</param>
    /// <param name="heldOut">The test users and their held-out items.</param>
    /// <param name="items">The item embeddings.</param>
    /// <param name="representations">The users' representations, or null for no goodness of fit.</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores.</param>
    /// <param name="retrievalPerCutoff">Whether each cutoff has its own lists (reported in the metrics).</param>
    /// <param name="unseen">Whether unseen held-out items and users count as misses or are left out.</param>
    /// <param name="trainingDegrees">Each test user's training degree, for the per-activity breakdown; null for none.</param>
    public static MultiInterestMetrics Score(int[] cutoffs, int[][][] lists, HeldOutEdges heldOut, ItemEmbeddingTable items,
        UserRepresentations? representations, int threads, bool retrievalPerCutoff, UnseenHeldOut unseen, int[]? trainingDegrees = null)
    {
        int n = heldOut.Users.Length, count = cutoffs.Length;
        for (int c = 0; c < count; c++)
            for (int q = 0; q < n; q++)
                foreach (int item in lists[c][q]) items.Require(item, () => $"a candidate of user {heldOut.DescribeUser(q)}");
        if (representations != null)
            for (int q = 0; q < n; q++)
                foreach (int item in heldOut.Items[q]) items.Require(item, () => $"a held-out item of user {heldOut.DescribeUser(q)}");

        var unitItems = items.UnitItems;
        MetricsScorer.FitSource? fit = representations?.Kind switch
        {
            UserRepresentation.Mixture => (solver, q, held) => RetrievalMetrics.GoodnessOfFit(solver, representations!.Points[q], representations.Weights![q], unitItems, held),
            UserRepresentation.Unimodal => (_, q, held) => RetrievalMetrics.UnimodalGoodnessOfFit(representations!.Points[q], unitItems, held),
            _ => null,
        };
        bool miss = unseen == UnseenHeldOut.Miss;
        var activity = trainingDegrees == null ? null : ActivityQuartiles.Assign(trainingDegrees);
        var breakdown = MetricsScorer.Score(cutoffs, n, (c, q) => lists[c][q], q => heldOut.Items[q], unitItems, fit, threads,
            miss ? q => heldOut.UnseenItems[q] : null, miss ? heldOut.MissedUsers : 0, activity?.Groups, ActivityQuartiles.Count);
        var means = breakdown.All;
        double? emd = representations == null ? null : means.Emd;
        var groups = breakdown.Groups.Select((g, i) => new MultiInterestGroupMetrics(i, g.Users, activity!.LowerDegree[i], activity.UpperDegree[i],
            MultiInterestMetrics.Table(cutoffs, g.Recall), MultiInterestMetrics.Table(cutoffs, g.Ndcg), MultiInterestMetrics.Table(cutoffs, g.Diversity),
            representations == null ? null : g.Emd)).ToArray();
        return new MultiInterestMetrics(cutoffs, means.Recall, means.Ndcg, means.Diversity, emd, representations?.Kind ?? UserRepresentation.None, n, retrievalPerCutoff, groups)
        {
            Unseen = unseen,
            MissedUsers = heldOut.MissedUsers,
            UnseenEdges = heldOut.UnseenEdges,
            PerUser = new UserFigures(heldOut.Users, cutoffs, breakdown.Recall, breakdown.Ndcg, breakdown.Diversity, miss ? heldOut.MissedUsers : 0,
                UserFigures.Fingerprint(heldOut.Users, q => heldOut.Items[q], q => miss ? heldOut.UnseenItems[q] : 0), activity?.Groups),
        };
    }
}
