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
    public void TheSweepIsTheScalarRaiseAndRuleBitForBit()
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
            // Half the trials raise the redundancy first with a row of cosines (coarse too, so some equal it).
            float[]? row = random.Next(2) == 0 ? null : Enumerable.Range(0, n).Select(_ => (float)(random.Next(0, 5) / 4.0 - 0.5)).ToArray();

            // Raise: where the row's cosine is greater, the redundancy takes it (widened from float); then the rule.
            var expectedRedundancy = row == null ? redundancy : redundancy.Select((red, r) => row[r] > red ? row[r] : red).ToArray();
            int expected = ReferenceBest(relevance, expectedRedundancy, addend, hasAddend, picked, lambda, first);
            var swept = (double[])redundancy.Clone();
            int got = MmrGreedy.Best(relevance, swept, row ?? default(ReadOnlySpan<float>), addend ?? default(ReadOnlySpan<double>),
                hasAddend.Select(h => h ? -1L : 0L).ToArray(), picked.Select(p => p ? -1L : 0L).ToArray(), lambda, first);
            Assert.Equal(expected, got);
            Assert.Equal(expectedRedundancy, swept);
            if (Enumerable.Range(0, n).Count(r => !picked[r] && relevance[r] == relevance[expected]) > 1) ties++;
        }
        Assert.True(ties > 300, $"only {ties} trials had equal relevances");

        // Every unpicked value negative infinity (an infinite redundancy): the scalar rule's first unpicked item.
        var infinite = Enumerable.Repeat(double.PositiveInfinity, 9).ToArray();
        long[] firstTwoPicked = [-1, -1, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(2, MmrGreedy.Best(new double[9], infinite, default, default, new long[9], firstTwoPicked, 0.5, first: false));
    }

    [Fact]
    public void TheSweepRaisesWithTheRowBeforeItPicks()
    {
        // Item 0 leads on relevance; its cosine with the last pick makes it redundant enough that item 1 wins, in the
        // vector part (n = 32) and the scalar tail (n = 3) alike.
        foreach (int n in new[] { 3, 32 })
        {
            var relevance = Enumerable.Range(0, n).Select(r => r == 0 ? 1.0 : r == 1 ? 0.9 : 0.0).ToArray();
            var redundancy = new double[n];
            var row = new float[n];
            row[0] = 0.9f;
            Assert.Equal(0, MmrGreedy.Best(relevance, (double[])redundancy.Clone(), default, default, new long[n], new long[n], 0.5, first: false));
            Assert.Equal(1, MmrGreedy.Best(relevance, redundancy, row, default, new long[n], new long[n], 0.5, first: false));
            Assert.Equal(0.9f, redundancy[0]);
        }
    }
}
