using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Evaluation;

/// <summary><see cref="CatalogueExposure"/> against figures worked out by hand.</summary>
public sealed class CatalogueExposureTests
{
    private static RankedLists Lists(params int[][] lists)
    {
        var result = new RankedLists(lists.Length, lists.Max(l => l.Length));
        for (int q = 0; q < lists.Length; q++)
        {
            lists[q].CopyTo(result.Indices.AsSpan(q * result.Capacity));
            result.Counts[q] = lists[q].Length;
        }
        return result;
    }

    [Fact]
    public void CoverageGiniAndLongTailShare_AreTheDocumentedFigures()
    {
        // Catalogue: items 0, 1, 2, 3, 5 (item 4 has no training edge). Head: the top ⌈0.2 x 5⌉ = 1 by degree, item 0.
        int[] degrees = [5, 3, 3, 1, 0, 2];
        var exposure = CatalogueExposure.Of(Lists([0, 1], [0, 2], [0, 1]), degrees);
        Assert.Equal(3.0 / 5, exposure.Coverage, 12);
        // Exposure counts over the catalogue, ascending: 0, 0, 1, 2, 3; Σ (2k − 6) x_k = 0 + 0 + 0 + 4 + 12 = 16, over 5 x 6.
        Assert.Equal(16.0 / 30, exposure.Gini, 12);
        Assert.Equal(3.0 / 6, exposure.LongTailShare, 12); // items 1, 1, 2 of the six entries
    }

    [Fact]
    public void ItemsTiedAtTheHeadsDegree_AreAllHead_AndEqualExposureHasGiniZero()
    {
        int[] degrees = [4, 4, 1, 1, 1];
        var exposure = CatalogueExposure.Of(Lists([0, 2], [1, 3], [4, 0], [1, 2], [3, 4]), degrees);
        Assert.Equal(1.0, exposure.Coverage, 12);
        Assert.Equal(0.0, exposure.Gini, 12); // every item in two lists
        Assert.Equal(6.0 / 10, exposure.LongTailShare, 12); // items 0 and 1 (degree 4, both head) fill 4 of the 10 entries
    }

    [Fact]
    public void NoEntries_GiveNaN_AndANonCatalogueItemIsRefused()
    {
        var empty = CatalogueExposure.Of(new RankedLists(2, 3), [1, 2]);
        Assert.True(double.IsNaN(empty.Coverage) && double.IsNaN(empty.Gini) && double.IsNaN(empty.LongTailShare));
        var refused = Assert.Throws<ArgumentException>(() => CatalogueExposure.Of(Lists([0, 1]), [3, 0]));
        Assert.Contains("item 1, which is not a catalogue item", refused.Message);
    }

    [Fact]
    public void LongTailRecall_AveragesOverTheUsersWithALongTailHeldOutItem()
    {
        // Catalogue 0, 1, 2, 3, 5; head item 0 (degree 5); long tail 1, 2, 3, 5; item 4 has no training edge.
        int[] degrees = [5, 3, 3, 1, 0, 2];
        // Held out, by user row: 0 {0, 1, 3} (tail 1, 3), 1 {0, 4} (no tail: 4 is outside the catalogue), 2 {2, 5, 5} (tail 2, 5; a repeat), 3 {1}.
        var heldOut = BipartiteGraph.FromEdges(4, 6, [0, 0, 0, 1, 1, 2, 2, 2, 3], [0, 1, 3, 0, 4, 2, 5, 5, 1]);
        // Lists of users 2, 0, 1, in that order: user 2 lists 5 (not 2), user 0 lists 1 (not 3), user 1 lists 0 and 3.
        var lists = Lists([5, 0], [1, 2], [0, 3]);
        var exposure = CatalogueExposure.Of(lists, degrees, heldOut, [2, 0, 1]);
        // User 2: 1 of its 2 tail items (5); user 0: 1 of 2 (item 1); user 1 has no tail item and is left out.
        Assert.Equal(2, exposure.LongTailUsers);
        Assert.Equal((0.5 + 0.5) / 2, exposure.LongTailRecall, 12);
        Assert.Equal(CatalogueExposure.Of(lists, degrees) with { LongTailRecall = exposure.LongTailRecall, LongTailUsers = 2 }, exposure);

        // Without held-out edges there is no figure; with users of no long-tail item, NaN over 0 users.
        Assert.True(double.IsNaN(CatalogueExposure.Of(lists, degrees).LongTailRecall));
        var headOnly = CatalogueExposure.Of(Lists([1]), degrees, BipartiteGraph.FromEdges(1, 6, [0], [0]), [0]);
        Assert.True(double.IsNaN(headOnly.LongTailRecall));
        Assert.Equal(0, headOnly.LongTailUsers);
        var mismatched = Assert.Throws<ArgumentException>(() => CatalogueExposure.Of(lists, degrees, heldOut, [0, 1]));
        Assert.Contains("3 lists but 2 users", mismatched.Message);
    }

    /// <summary>
    /// Catalogue 0, 1, 2, 3, 5; head item 0 (degree 5); long tail 1, 2, 3, 5; item 4 has no training edge. Held out, by user
    /// row: 0 {0, 1, 3} (tail 1, 3), 1 {0, 4} (no tail), 2 {2, 5} (tail 2, 5), 3 {1} (tail 1). Shares of the tail items
    /// listed, users 2, 0, 1, 3: row 1/2 (5), 1/2 (1), none, 1 (1); baseline 2/2, 0, none, 0.
    /// </summary>
    private static (int[] Degrees, BipartiteGraph HeldOut, int[] Users, RankedLists Row, RankedLists Baseline) LongTailWorld() =>
        ([5, 3, 3, 1, 0, 2], BipartiteGraph.FromEdges(4, 6, [0, 0, 0, 1, 1, 2, 2, 3], [0, 1, 3, 0, 4, 2, 5, 1]), [2, 0, 1, 3],
            Lists([5, 0], [1, 2], [0, 3], [1]), Lists([2, 5], [0], [0], [0]));

    [Fact]
    public void LongTailRecallAgainst_PairsTheSharesOfTheUsersWithALongTailHeldOutItem()
    {
        var (degrees, heldOut, users, row, baseline) = LongTailWorld();
        var paired = CatalogueExposure.LongTailRecallAgainst(row, baseline, degrees, heldOut, users);
        // Differences over users 2, 0, 3 (user 1 holds out no tail item): -1/2, +1/2, +1; mean 1/3.
        // Deviations -5/6, 1/6, 2/3; squares 25/36 + 1/36 + 16/36 = 7/6; s² = (7/6) / (3 − 1) = 7/12; SE = √(7/12 / 3) = √7 / 6.
        Assert.Equal(3, paired.Users);
        Assert.Equal(1.0 / 3, paired.Difference, 12);
        Assert.Equal(Math.Sqrt(7) / 6, paired.StandardError, 12);
        // The difference of the two rows' long-tail recalls (2/3 and 1/3), over the same users.
        var mine = CatalogueExposure.Of(row, degrees, heldOut, users);
        var theirs = CatalogueExposure.Of(baseline, degrees, heldOut, users);
        Assert.Equal(mine.LongTailRecall - theirs.LongTailRecall, paired.Difference, 12);
        Assert.Equal(mine.LongTailUsers, paired.Users);

        // One long-tail user: a difference without a standard error; none: NaN over 0 users.
        var one = CatalogueExposure.LongTailRecallAgainst(Lists([1]), Lists([0]), degrees, heldOut, [3]);
        Assert.Equal((1.0, 1), (one.Difference, one.Users));
        Assert.True(double.IsNaN(one.StandardError));
        var none = CatalogueExposure.LongTailRecallAgainst(Lists([1]), Lists([0]), degrees, heldOut, [1]);
        Assert.True(double.IsNaN(none.Difference) && double.IsNaN(none.StandardError));
        Assert.Equal(0, none.Users);

        var unequal = Assert.Throws<ArgumentException>(() => CatalogueExposure.LongTailRecallAgainst(row, Lists([0]), degrees, heldOut, users));
        Assert.Contains("4 lists but 1 baseline lists", unequal.Message);
        var outside = Assert.Throws<ArgumentException>(() => CatalogueExposure.LongTailRecallAgainst(row, Lists([4], [0], [0], [0]), degrees, heldOut, users));
        Assert.Contains("item 4, which is not a catalogue item", outside.Message);
    }

    [Fact]
    public void LongTailRecallByActivity_PairsEachGroupsLongTailUsersAlone()
    {
        // Users 2, 0, 1, 3 with differences -1/2, +1/2, none (no tail item), +1.
        var (degrees, heldOut, users, row, baseline) = LongTailWorld();
        // Groups: users 2 and 0 in group 1, user 1 (no tail item) in group 0, user 3 in group 3; group 2 empty.
        var byGroup = CatalogueExposure.LongTailRecallByActivity(row, baseline, degrees, heldOut, users, [1, 1, 0, 3]);
        Assert.Equal(ActivityQuartiles.Count, byGroup.Length);
        Assert.Equal(0, byGroup[0].Users);   // its one user holds out no long-tail item
        Assert.True(double.IsNaN(byGroup[0].Difference));
        Assert.Equal(2, byGroup[1].Users);
        Assert.Equal(0.0, byGroup[1].Difference, 12);          // (-1/2 + 1/2) / 2
        Assert.Equal(0.5, byGroup[1].StandardError, 12);       // deviations ±1/2: s² = 1/2, SE = √(1/2 / 2)
        Assert.Equal(0, byGroup[2].Users);
        Assert.Equal((1.0, 1), (byGroup[3].Difference, byGroup[3].Users));
        // The groups' users add up to the whole comparison's.
        Assert.Equal(CatalogueExposure.LongTailRecallAgainst(row, baseline, degrees, heldOut, users).Users, byGroup.Sum(g => g.Users));

        var wrongCount = Assert.Throws<ArgumentException>(() => CatalogueExposure.LongTailRecallByActivity(row, baseline, degrees, heldOut, users, [0, 1]));
        Assert.Contains("4 lists but 2 groups", wrongCount.Message);
        var wrongGroup = Assert.Throws<ArgumentException>(() => CatalogueExposure.LongTailRecallByActivity(row, baseline, degrees, heldOut, users, [0, 1, 4, 0]));
        Assert.Contains("List 2 has group 4", wrongGroup.Message);
    }
}
