namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The one place the evaluation's figures are computed: per test user Recall@K, NDCG@K and Diversity@K of the first K
/// candidates (<see cref="RetrievalMetrics"/>) and the goodness of fit, averaged by a <see cref="MetricsAccumulator"/>
/// in test-user order, so the means do not depend on the thread count. The protocol (<see cref="ProtocolEvaluator"/>,
/// behind the command line's figures) and the ML.NET evaluator (<see cref="MultiInterestCatalog.Evaluate"/>,
/// <see cref="MultiInterestCatalog.EvaluateRetriever"/>) both score through it, so they give the same figures for the
/// same lists and representations.
/// </summary>
internal static class MetricsScorer
{
    /// <summary>The ranked candidate item rows of test user <paramref name="user"/> for cutoff index <paramref name="cutoff"/>, best first.</summary>
    public delegate ReadOnlySpan<int> CandidateSource(int cutoff, int user);

    /// <summary>The held-out item rows of test user <paramref name="user"/>, ascending and distinct; at least one.</summary>
    public delegate ReadOnlySpan<int> HeldOutSource(int user);

    /// <summary>The goodness of fit (EMD) of test user <paramref name="user"/>'s representation to its held-out items.</summary>
    public delegate double FitSource(EarthMoversDistance solver, int user, ReadOnlySpan<int> heldOut);

    /// <summary>The means over the test users.</summary>
    /// <param name="Recall">Mean Recall@K per cutoff, in the order of the cutoffs.</param>
    /// <param name="Ndcg">Mean NDCG@K per cutoff, in the order of the cutoffs.</param>
    /// <param name="Diversity">Mean Diversity@K per cutoff, in the order of the cutoffs.</param>
    /// <param name="Emd">Mean goodness of fit; 0 when no representation was scored.</param>
    /// <param name="Users">The number of users averaged (missed users included in <see cref="Breakdown.All"/>).</param>
    public readonly record struct Means(double[] Recall, double[] Ndcg, double[] Diversity, double Emd, int Users);

    /// <summary>The means over all test users, and over each group of them when groups were given.</summary>
    /// <param name="All">Over every test user, missed users included (as zeros in Recall and NDCG).</param>
    /// <param name="Groups">Per group (index = group), or empty when no groups were given; an empty group's means are NaN.</param>
    /// <param name="Recall">Recall@K per scored user and cutoff, user-major (the missed users are in no table).</param>
    /// <param name="Ndcg">NDCG@K per scored user and cutoff, user-major.</param>
    /// <param name="Diversity">Diversity@K per scored user and cutoff, user-major.</param>
    public readonly record struct Breakdown(Means All, Means[] Groups, double[] Recall, double[] Ndcg, double[] Diversity);

    /// <summary>Scores <paramref name="users"/> test users.</summary>
    /// <param name="cutoffs">The cutoffs K, strictly ascending.</param>
    /// <param name="users">The number of test users.</param>
    /// <param name="candidates">Each user's list per cutoff; the first K entries are scored.</param>
    /// <param name="heldOut">Each user's held-out items.</param>
    /// <param name="unitItems">Item embeddings scaled to unit length.</param>
    /// <param name="fit">Each user's goodness of fit, or null for none (then the EMD is 0).</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores. The figures do not depend on it.</param>
    /// <param name="unseenItems">
    /// Per test user, further held-out items unseen in training (misses in the Recall and NDCG denominators), or null for none.
    /// </param>
    /// <param name="missedUsers">
    /// Further test users with no seen held-out item or no representation (unseen in training): each adds Recall@K = NDCG@K = 0
    /// to the means; Diversity@K and the EMD average over the <paramref name="users"/> scored users only.
    /// </param>
    public static Means Score(int[] cutoffs, int users, CandidateSource candidates, HeldOutSource heldOut, EmbeddingMatrix unitItems,
        FitSource? fit, int threads, Func<int, int>? unseenItems = null, int missedUsers = 0) =>
        Score(cutoffs, users, candidates, heldOut, unitItems, fit, threads, unseenItems, missedUsers, null, 0).All;

    /// <summary>Scores <paramref name="users"/> test users, and each group of them (e.g. <see cref="ActivityQuartiles"/>).</summary>
    /// <param name="cutoffs">The cutoffs K, strictly ascending.</param>
    /// <param name="users">The number of test users.</param>
    /// <param name="candidates">Each user's list per cutoff; the first K entries are scored.</param>
    /// <param name="heldOut">Each user's held-out items.</param>
    /// <param name="unitItems">Item embeddings scaled to unit length.</param>
    /// <param name="fit">Each user's goodness of fit, or null for none (then the EMD is 0).</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores. The figures do not depend on it.</param>
    /// <param name="unseenItems">Per test user, further held-out items unseen in training, or null for none.</param>
    /// <param name="missedUsers">Further test users counted as zeros in <see cref="Breakdown.All"/>'s Recall and NDCG (in no group).</param>
    /// <param name="groups">The group of each scored test user (0 to <paramref name="groupCount"/> - 1), or null for none.</param>
    /// <param name="groupCount">The number of groups.</param>
    public static Breakdown Score(int[] cutoffs, int users, CandidateSource candidates, HeldOutSource heldOut, EmbeddingMatrix unitItems,
        FitSource? fit, int threads, Func<int, int>? unseenItems, int missedUsers, IReadOnlyList<int>? groups, int groupCount)
    {
        if (groups != null && groups.Count != users) throw new ArgumentException($"There are {groups.Count} group entries for {users} users.", nameof(groups));
        int count = cutoffs.Length;
        var recalls = new double[users * count];
        var ndcgs = new double[users * count];
        var diversities = new double[users * count];
        var distances = new double[users];
        var parallel = Parallelism.Options(threads);
        Parallel.For(0, users, parallel, () => new EarthMoversDistance(), (q, _, solver) =>
        {
            var held = heldOut(q);
            int unseen = unseenItems?.Invoke(q) ?? 0;
            for (int c = 0; c < count; c++)
            {
                var list = candidates(c, q);
                var top = list[..Math.Min(cutoffs[c], list.Length)];
                recalls[q * count + c] = RetrievalMetrics.Recall(top, held, unseen);
                ndcgs[q * count + c] = RetrievalMetrics.Ndcg(top, held, cutoffs[c], unseen);
                diversities[q * count + c] = RetrievalMetrics.Diversity(top, unitItems);
            }
            if (fit != null) distances[q] = fit(solver, q, held);
            return solver;
        }, _ => { });

        var accumulator = new MetricsAccumulator(cutoffs);
        var perGroup = groups == null ? [] : Enumerable.Range(0, groupCount).Select(_ => new MetricsAccumulator(cutoffs)).ToArray();
        for (int q = 0; q < users; q++)
        {
            accumulator.Add(recalls.AsSpan(q * count, count), ndcgs.AsSpan(q * count, count), diversities.AsSpan(q * count, count), distances[q]);
            if (groups != null)
                perGroup[groups[q]].Add(recalls.AsSpan(q * count, count), ndcgs.AsSpan(q * count, count), diversities.AsSpan(q * count, count), distances[q]);
        }
        return new Breakdown(WithMissed(MeansOf(accumulator, cutoffs), users, missedUsers), perGroup.Select(a => MeansOf(a, cutoffs)).ToArray(),
            recalls, ndcgs, diversities);
    }

    /// <summary>Missed users add zeros to Recall and NDCG: the same sums over more users. Diversity and EMD keep the scored users' means.</summary>
    private static Means WithMissed(Means scored, int users, int missedUsers)
    {
        if (missedUsers == 0) return scored;
        double share = users == 0 ? 0 : (double)users / (users + missedUsers);
        return new Means(scored.Recall.Select(r => users == 0 ? 0 : r * share).ToArray(), scored.Ndcg.Select(n => users == 0 ? 0 : n * share).ToArray(),
            users == 0 ? new double[scored.Diversity.Length] : scored.Diversity, users == 0 ? 0 : scored.Emd, users + missedUsers);
    }

    private static Means MeansOf(MetricsAccumulator accumulator, int[] cutoffs) =>
        new(cutoffs.Select(accumulator.MeanRecall).ToArray(), cutoffs.Select(accumulator.MeanNdcg).ToArray(),
            cutoffs.Select(accumulator.MeanDiversity).ToArray(), accumulator.MeanEarthMoversDistance, (int)accumulator.UserCount);
}
