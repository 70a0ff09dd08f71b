using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class OnnxExclusionMaskTests
{
    [Fact]
    public void RefillingBatchAfterBatchGivesTheMaskOfEachBatch()
    {
        var random = new Random(7);
        const int users = 30, items = 40;
        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        for (int u = 0; u < users; u++)
        {
            // User 0 has no edges; the others up to a third of the items.
            for (int k = 0; k < (u == 0 ? 0 : random.Next(items / 3)); k++)
            {
                edgeUsers.Add(u);
                edgeItems.Add(random.Next(items));
            }
        }
        var seen = BipartiteGraph.FromEdges(users, items, edgeUsers.ToArray(), edgeItems.ToArray());
        const int width = 6;
        var mask = new float[width * items];
        int[] previous = [];
        // Batches grow, shrink (the rows past a shorter batch keep stale values, which the caller never passes on) and repeat users.
        foreach (int size in new[] { 6, 2, 6, 1, 5, 6, 3 })
        {
            var batch = Enumerable.Range(0, size).Select(_ => random.Next(users)).ToArray();
            OnnxExclusionMask.Refill(seen, previous, batch, mask);
            Assert.Equal(OnnxExclusionMask.Build(seen, batch), mask.AsSpan(0, size * items).ToArray());
            previous = batch;
        }
        Assert.Contains(mask, float.IsNegativeInfinity); // the check above saw real exclusions
    }

    [Fact]
    public void RefillRefusesAnUnknownUserOrAShortMask()
    {
        var seen = BipartiteGraph.FromEdges(2, 3, [0, 1], [1, 2]);
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExclusionMask.Refill(seen, [], [2], new float[3])).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => OnnxExclusionMask.Refill(seen, [0, 1], [0], new float[3])).ParamName);
    }
}
