using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// A test user holding out thousands of items is warned of before the run: the exact EMD of its mixtures grows with the
/// square of that count (an audit, 2026-12-07: one user of 17,321 held-out items took 27 s of an evaluate).
/// </summary>
public sealed class LargeHoldOutWarningTests
{
    private static string Warnings(params int[] heldOut)
    {
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < heldOut.Length; u++)
            for (int i = 0; i < heldOut[u]; i++)
            {
                users.Add(u);
                items.Add(i);
            }
        var test = BipartiteGraph.FromEdges(heldOut.Length, heldOut.Max(), users.ToArray(), items.ToArray());
        var ids = new IdMap(Enumerable.Range(0, heldOut.Length).Select(u => $"u{u}"));
        var warnings = new StringWriter();
        TestFileChecks.WarnLargeHoldOuts(test, ids, warnings);
        return warnings.ToString();
    }

    [Fact]
    public void Users_at_the_bound_are_counted_and_the_largest_is_named() =>
        Assert.Contains($"2 test users with {TestFileChecks.SlowEarthMoverItems:N0} held-out items or more (the most: 'u2', {TestFileChecks.SlowEarthMoverItems + 7:N0})",
            Warnings(3, TestFileChecks.SlowEarthMoverItems, TestFileChecks.SlowEarthMoverItems + 7), StringComparison.Ordinal);

    [Fact]
    public void Users_below_the_bound_are_not_warned_of() =>
        Assert.Equal("", Warnings(3, TestFileChecks.SlowEarthMoverItems - 1));
}
