using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// Test users with fewer unseen items than a cutoff K: their lists at K are shorter than K, and Recall@K counts every
/// unseen item, so a Recall@K of 1 there says little. Warned per cutoff, with the count.
/// </summary>
internal static class ShortListUsers
{
    /// <summary>Writes one warning per cutoff that some test users cannot fill; the number of such users by cutoff.</summary>
    public static Dictionary<int, int> Warn(IReadOnlyList<int> cutoffs, BipartiteGraph train, BipartiteGraph test, TextWriter warnings)
    {
        var shortBy = new Dictionary<int, int>();
        int testUsers = 0;
        var unseen = new List<int>();
        for (int u = 0; u < test.UserCount; u++)
        {
            if (test.DegreeOf(u) == 0) continue;
            testUsers++;
            unseen.Add(train.ItemCount - (u < train.UserCount ? train.DegreeOf(u) : 0));
        }
        foreach (int k in cutoffs.Distinct().Order())
        {
            int count = unseen.Count(n => n < k);
            shortBy[k] = count;
            if (count == 0) continue;
            warnings.WriteLine($"  warning: {Counted.Of(count, "test user")} of {testUsers:N0} {(count == 1 ? "has" : "have")} fewer than K = {k} items not seen in training "
                + $"(of {train.ItemCount:N0}): {(count == 1 ? "its" : "their")} lists at K = {k} are shorter than K, and Recall@{k} counts every unseen item, "
                + $"so it reaches 1 without a ranking.");
        }
        return shortBy;
    }
}
