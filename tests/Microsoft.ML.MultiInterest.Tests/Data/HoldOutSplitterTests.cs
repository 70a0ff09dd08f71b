using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.Data;

public class HoldOutSplitterTests
{
    private static List<RawEdge> RandomEdges(int seed)
    {
        var random = new Random(seed);
        var edges = new List<RawEdge>();
        for (int u = 0; u < 80; u++)
        {
            int degree = random.Next(1, 12);
            for (int j = 0; j < degree; j++) edges.Add(new RawEdge($"{u}", $"{random.Next(0, 40)}", 1));
        }
        edges.Add(new RawEdge("7", "7", 1)); // a self-loop
        return edges;
    }

    [Fact]
    public void FollowsTheProtocol()
    {
        var edges = RandomEdges(1);
        var split = HoldOutSplitter.Split(edges);
        var distinct = edges.Where(e => e.User != e.Item).Select(e => (e.User, e.Item)).Distinct().ToList();
        var train = split.Train.Select(e => (e.User, e.Item)).ToHashSet();
        var test = split.Test.Select(e => (e.User, e.Item)).ToHashSet();

        Assert.Equal(distinct.Count, train.Count + test.Count);
        Assert.Empty(train.Intersect(test));
        Assert.DoesNotContain(("7", "7"), train);
        var trainItems = split.Train.Select(e => e.Item).ToHashSet();
        Assert.All(split.Test, e => Assert.Contains(e.Item, trainItems));
        foreach (var user in distinct.GroupBy(e => e.User))
        {
            int degree = user.Count();
            int heldOut = test.Count(e => e.User == user.Key);
            if (degree < 3) Assert.Equal(0, heldOut);
            // At most ceil(20%); fewer only when an item went back to training.
            else Assert.InRange(heldOut, 0, (int)Math.Ceiling(0.2 * degree - 1e-9));
        }
        Assert.Equal(distinct.Where(e => distinct.Count(x => x.User == e.User) >= 3).GroupBy(e => e.User).Sum(g => (int)Math.Ceiling(0.2 * g.Count() - 1e-9)),
            test.Count + split.ReturnedToTraining);
    }

    [Fact]
    public void CountsWhatItDropsAndKeepsSelfLoopsWhenAsked()
    {
        var edges = RandomEdges(3);
        int selfLoops = edges.Count(e => e.User == e.Item);
        int duplicates = edges.Count - edges.Select(e => (e.User, e.Item)).Distinct().Count();
        Assert.True(selfLoops >= 1 && duplicates >= 1, "the fixture needs both kinds");

        var dropped = HoldOutSplitter.Split(edges);
        Assert.Equal(selfLoops, dropped.SelfLoopsDropped);
        // A repeated self-loop is counted once, as a self-loop.
        Assert.Equal(edges.Count - selfLoops - edges.Where(e => e.User != e.Item).Select(e => (e.User, e.Item)).Distinct().Count(), dropped.DuplicatesDropped);
        Assert.Equal(edges.Count, dropped.Train.Count + dropped.Test.Count + dropped.SelfLoopsDropped + dropped.DuplicatesDropped);

        // A user-item graph numbered separately: user 7 rated item 7, a real edge.
        var kept = HoldOutSplitter.Split(edges, new HoldOutSplitOptions { DropSelfLoops = false });
        Assert.Equal(0, kept.SelfLoopsDropped);
        Assert.Equal(duplicates, kept.DuplicatesDropped);
        Assert.Contains(kept.Train.Concat(kept.Test), e => e.User == "7" && e.Item == "7");
        Assert.Equal(edges.Count, kept.Train.Count + kept.Test.Count + kept.DuplicatesDropped);
        // An unweighted log stays unweighted: a repeat is the same edge again.
        Assert.All(kept.Train.Concat(kept.Test), e => Assert.Equal(1f, e.Weight));
    }

    /// <summary>
    /// In a weighted log (play counts spread over lines) a repeated pair keeps the sum of its weights, as the graph builders
    /// merge repeats, so the split files train as the unsplit file would; a sum past a float's range is refused.
    /// </summary>
    [Fact]
    public void A_weighted_logs_repeats_keep_the_sum_of_their_weights()
    {
        RawEdge[] edges = [new("u", "a", 1), new("u", "b", 2), new("u", "a", 7), new("u", "c", 1), new("v", "a", 0.5f), new("v", "a", 0.25f)];
        var split = HoldOutSplitter.Split(edges);
        Assert.Equal(2, split.DuplicatesDropped);
        var weights = split.Train.Concat(split.Test).ToDictionary(e => (e.User, e.Item), e => e.Weight);
        Assert.Equal(8f, weights[("u", "a")]);
        Assert.Equal(2f, weights[("u", "b")]);
        Assert.Equal(0.75f, weights[("v", "a")]);

        var e = Assert.Throws<ArgumentException>(() => HoldOutSplitter.Split([new("u", "a", 3e38f), new("u", "a", 3e38f), new("u", "b", 1)]));
        Assert.Contains("The weights of the edge ('u', 'a') add up to more than a float holds", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The split does not follow the file's line order, with ids of numbers and text mixed (their order was not transitive:
    /// 2 &lt; 10 by value, "10" &lt; "1a" &lt; "2" ordinally) nor in a culture whose sign is not '-' (fa-IR read "-5" as text).
    /// </summary>
    [Fact]
    public void MixedAndNegativeIds_SplitAlikeInAnyLineOrderAndCulture()
    {
        var random = new Random(4);
        var edges = new List<RawEdge>();
        foreach (string user in Enumerable.Range(1, 120).Select(u => u.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Concat(Enumerable.Range(1, 60).Select(u => $"{u}a")).Concat(Enumerable.Range(1, 40).Select(u => $"-{u}")))
            for (int j = 0; j < 6; j++) edges.Add(new RawEdge(user, $"i{random.Next(50)}", 1f));
        var expected = HoldOutSplitter.Split(edges, new HoldOutSplitOptions { Seed = 3 }).Test.OrderBy(e => e.User, StringComparer.Ordinal).ThenBy(e => e.Item, StringComparer.Ordinal).ToList();
        var shuffled = edges.OrderBy(_ => random.Next()).ToList();
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("fa-IR");
            var other = HoldOutSplitter.Split(shuffled, new HoldOutSplitOptions { Seed = 3 }).Test.OrderBy(e => e.User, StringComparer.Ordinal).ThenBy(e => e.Item, StringComparer.Ordinal).ToList();
            Assert.Equal(expected, other);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void SameSeedSameSplitOtherSeedOtherSplit()
    {
        var edges = RandomEdges(2);
        var a = HoldOutSplitter.Split(edges, new HoldOutSplitOptions { Seed = 5 });
        var b = HoldOutSplitter.Split(edges, new HoldOutSplitOptions { Seed = 5 });
        var c = HoldOutSplitter.Split(edges, new HoldOutSplitOptions { Seed = 6 });
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
    }

    [Fact]
    public void ALargeFraction_LeavesEveryEligibleUserATrainingEdge()
    {
        var edges = new List<RawEdge>
        {
            new("u", "i0", 1), new("u", "i1", 1), new("u", "i2", 1), new("w", "i0", 1), new("w", "i1", 1), new("x", "i2", 1),
        };
        var split = HoldOutSplitter.Split(edges, new HoldOutSplitOptions { HoldOutFraction = 0.9, MinimumUserEdges = 3 });
        // u's 3 edges: ceil(2.7) = 3 would leave it none; it keeps one, and so stays a user of the training graph.
        Assert.Equal(2, split.Test.Count(e => e.User == "u"));
        Assert.Equal(1, split.Train.Count(e => e.User == "u"));
    }

    [Fact]
    public void BadOptionsAndEmptyInputThrow()
    {
        Assert.Contains("HoldOutFraction", Assert.Throws<ArgumentOutOfRangeException>(() =>
            HoldOutSplitter.Split(RandomEdges(3), new HoldOutSplitOptions { HoldOutFraction = 1.2 })).Message);
        Assert.Throws<ArgumentException>(() => HoldOutSplitter.Split([new RawEdge("a", "a", 1)]));
    }
}
