using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class MmrGreedyTests
{
    /// <summary>The scalar greedy step MmrRetriever ran before: the first unpicked item whose value is strictly the largest.</summary>
    private static int ReferenceBest(double[] relevance, double[] redundancy, double[]? addend, bool[] hasAddend, bool[] picked, double lambda, bool first)
    {
        int best = -1;
        double bestValue = double.NegativeInfinity;
        for (int r = 0; r < relevance.Length; r++)
        {
            if (picked[r]) continue;
            double value = first ? lambda * relevance[r] : lambda * relevance[r] - (1 - lambda) * redundancy[r];
            if (addend != null && hasAddend[r]) value += addend[r];
            if (best < 0 || value > bestValue)
            {
                best = r;
                bestValue = value;
            }
        }
        return best;
    }

    [Fact]
    public void BestAndRaiseAreTheScalarRulesBitForBit()
    {
        var random = new Random(29);
        int ties = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            // Lengths around and between vector widths; coarse values so that equal values (first one wins) are common.
            int n = random.Next(1, 70);
            double lambda = random.Next(3) switch { 0 => 0, 1 => 1, _ => random.Next(1, 20) / 20.0 };
            bool first = random.Next(4) == 0;
            double Coarse() => random.Next(0, 5) / 4.0;
            var relevance = Enumerable.Range(0, n).Select(_ => Coarse()).ToArray();
            var redundancy = Enumerable.Range(0, n).Select(_ => Coarse() - 0.5).ToArray();
            var picked = Enumerable.Range(0, n).Select(_ => random.Next(3) == 0).ToArray();
            picked[random.Next(n)] = false;
            var hasAddend = Enumerable.Range(0, n).Select(_ => random.Next(2) == 0).ToArray();
            double[]? addend = random.Next(2) == 0 ? null : Enumerable.Range(0, n).Select(_ => Coarse() / 3).ToArray();
            int expected = ReferenceBest(relevance, redundancy, addend, hasAddend, picked, lambda, first);
            int got = MmrGreedy.Best(relevance, redundancy, addend ?? default(ReadOnlySpan<double>), hasAddend.Select(h => h ? -1L : 0L).ToArray(),
                picked.Select(p => p ? -1L : 0L).ToArray(), lambda, first);
            Assert.Equal(expected, got);
            if (Enumerable.Range(0, n).Count(r => !picked[r] && relevance[r] == relevance[expected]) > 1) ties++;

            // Raise: where the row's cosine is greater, the redundancy takes it (widened from float).
            var row = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var raised = (double[])redundancy.Clone();
            MmrGreedy.Raise(raised, row);
            for (int r = 0; r < n; r++) Assert.Equal(row[r] > redundancy[r] ? row[r] : redundancy[r], raised[r]);
        }
        Assert.True(ties > 300, $"only {ties} trials had equal relevances");

        // Every unpicked value negative infinity (an infinite redundancy): the scalar rule's first unpicked item.
        var infinite = Enumerable.Repeat(double.PositiveInfinity, 9).ToArray();
        long[] firstTwoPicked = [-1, -1, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(2, MmrGreedy.Best(new double[9], infinite, default, new long[9], firstTwoPicked, 0.5, first: false));
    }
}
