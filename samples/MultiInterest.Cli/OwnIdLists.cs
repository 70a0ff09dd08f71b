using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// Test users whose own id is an item in their Unimodal list. Where users and items are the same nodes (a citation or
/// social graph) the protocol, which excludes training items only, recommends a user to itself, and that slot can never be
/// a hit once split has dropped self-loops; where they are numbered apart, an equal id is another thing and turns up by
/// chance. Said when the lists hold own ids far more often than chance, so a reader knows what the figures count.
/// </summary>
internal static class OwnIdLists
{
    /// <summary>How many times chance the count must reach before it is said.</summary>
    private const double AboveChance = 5;

    /// <summary>The count at the longest cutoff of Unimodal's lists, and what chance alone would give.</summary>
    /// <param name="Cutoff">The list length counted.</param>
    /// <param name="Lists">Test users whose list holds their own id.</param>
    /// <param name="Eligible">Test users whose id is also an item's.</param>
    /// <param name="Expected">The count if each eligible user's own item were in its list with probability K / items.</param>
    /// <param name="HeadCutoff">The shortest cutoff, where such a slot costs a row most (0 when there is one cutoff).</param>
    /// <param name="HeadLists">Test users whose list at <paramref name="HeadCutoff"/> holds their own id.</param>
    public readonly record struct Count(int Cutoff, int Lists, int Eligible, double Expected, int HeadCutoff = 0, int HeadLists = 0);

    /// <summary>Counts the test users whose Unimodal list at the longest cutoff holds their own id.</summary>
    public static Count Of(ProtocolResult result, IdMap users, IdMap items)
    {
        // Every protocol result holds Unimodal's row; a result without one has nothing to count.
        if (result.Methods.FirstOrDefault(m => m.Name == ProtocolEvaluator.UnimodalName) is not { } unimodal) return default;
        int cutoff = unimodal.Candidates.Keys.Max(), head = unimodal.Candidates.Keys.Min();
        var lists = unimodal.Candidates[cutoff];
        var headLists = unimodal.Candidates[head];
        int eligible = 0, holding = 0, holdingAtHead = 0;
        for (int q = 0; q < result.TestUsers.Count; q++)
        {
            if (!items.TryGetIndex(users[result.TestUsers[q]], out int own)) continue;
            eligible++;
            if (lists.IndicesOf(q).Contains(own)) holding++;
            if (headLists.IndicesOf(q).Contains(own)) holdingAtHead++;
        }
        return new Count(cutoff, holding, eligible, eligible * Math.Min(1.0, (double)cutoff / Math.Max(1, items.Count)),
            head == cutoff ? 0 : head, head == cutoff ? 0 : holdingAtHead);
    }

    /// <summary>
    /// Writes a note when the lists hold own ids far more often than chance (and more than a handful of times); with fewer
    /// than 5 x K items chance alone fills most lists, so it is never said there.
    /// </summary>
    public static void Note(Count count, TextWriter warnings)
    {
        if (count.Lists < 10 || count.Lists < AboveChance * count.Expected) return;
        warnings.WriteLine($"  note: {Counted.Of(count.Lists, "test user")} of the {count.Eligible:N0} whose id is also an item's {(count.Lists == 1 ? "has" : "have")} "
            + $"that item in {(count.Lists == 1 ? "its" : "their")} own Unimodal top {count.Cutoff} (chance would give about {count.Expected:N0}"
            + (count.HeadCutoff > 0 ? $"; {count.HeadLists:N0} in their top {count.HeadCutoff}" : "") + "): users and items seem "
            + "to be the same nodes. The protocol excludes training items only, so every row may recommend a user to itself, a slot that is never a hit "
            + "once split has dropped self-loops; the figures count it as the protocol does (metrics.json: counts.unimodal_lists_with_own_id). "
            + "Served lists can leave it out: recommend --exclude-self, or the recommender's ExcludingSelf().");
    }
}
