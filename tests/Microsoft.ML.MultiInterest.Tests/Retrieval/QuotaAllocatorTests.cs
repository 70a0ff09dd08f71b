using CsCheck;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class QuotaAllocatorTests
{
    [Fact]
    public void QuotasAlwaysSumToM()
    {
        Gen.Select(Gen.Double[0.01, 1].Array[1, 8], Gen.Double[0, 3], Gen.Int[0, 200]).Sample((weights, alpha, m) =>
        {
            double total = weights.Sum();
            var w = weights.Select(x => x / total).ToArray();
            var quotas = new int[w.Length];
            QuotaAllocator.Allocate(w, Enumerable.Range(0, w.Length).ToArray(), alpha, m, quotas);
            Assert.Equal(m, quotas.Sum());
            // Largest remainder: each quota is the floor or the ceiling of its exact share.
            double norm = w.Sum(x => Math.Pow(x, alpha));
            for (int j = 0; j < w.Length; j++)
            {
                double exact = m * Math.Pow(w[j], alpha) / norm;
                Assert.InRange(quotas[j], Math.Floor(exact) - 1e-9, Math.Ceiling(exact) + 1e-9);
            }
        });
    }

    [Theory]
    [InlineData(new[] { 0.5, 0.3, 0.2 }, 10, 1.0, new[] { 5, 3, 2 })]
    [InlineData(new[] { 0.5, 0.3, 0.2 }, 4, 1.0, new[] { 2, 1, 1 })]
    [InlineData(new[] { 0.7, 0.2, 0.1 }, 6, 0.0, new[] { 2, 2, 2 })]
    [InlineData(new[] { 0.5, 0.25, 0.25 }, 2, 1.0, new[] { 1, 1, 0 })]
    public void LargestRemainderExamples(double[] weights, int m, double alpha, int[] expected)
    {
        var quotas = new int[weights.Length];
        QuotaAllocator.Allocate(weights, [3, 7, 9], alpha, m, quotas);
        Assert.Equal(expected, quotas);
    }

    [Fact]
    public void RemainderTiesGoToTheHigherWeightThenTheLowerCluster()
    {
        var quotas = new int[2];
        // Exact shares 0.5 and 0.5 of one slot: equal weights, so the lower cluster id (4) wins.
        QuotaAllocator.Allocate([0.5, 0.5], [9, 4], 1.0, 1, quotas);
        Assert.Equal(new[] { 0, 1 }, quotas);
    }

    /// <summary>
    /// A huge alpha is winner-takes-all, as a large one is: every w^alpha underflowing to 0 once made the shares NaN and handed
    /// the slots out by tie rule instead.
    /// </summary>
    [Theory]
    [InlineData(50.0)]
    [InlineData(1e300)]
    [InlineData(double.MaxValue)]
    public void AHugeAlphaGivesTheMainInterestEverySlot(double alpha)
    {
        var quotas = new int[5];
        QuotaAllocator.Allocate([3 / 7.0, 1 / 7.0, 1 / 7.0, 1 / 7.0, 1 / 7.0], [0, 1, 2, 3, 4], alpha, 10, quotas);
        Assert.Equal(new[] { 10, 0, 0, 0, 0 }, quotas);
        // Weights above 1 overflow instead of underflowing: the same limit.
        QuotaAllocator.Allocate([30, 10, 10, 10, 10], [0, 1, 2, 3, 4], alpha, 10, quotas);
        Assert.Equal(new[] { 10, 0, 0, 0, 0 }, quotas);
    }

    [Fact]
    public void ExactRemainderTiesSurviveFloatingPointRounding()
    {
        // Regression (found by the independent checker, cit-HepPh user 2023): shares 10 * 5/15, 10 * 2/15
        // and 10 * 2/15 all have remainder exactly 1/3, but in doubles 5/15's remainder is a few ulps
        // smaller. The spare slot must go to the highest weight.
        var quotas = new int[5];
        QuotaAllocator.Allocate([5 / 15.0, 3 / 15.0, 3 / 15.0, 2 / 15.0, 2 / 15.0], [1592, 690, 1492, 848, 1049], 1.0, 10, quotas);
        Assert.Equal(new[] { 4, 2, 2, 1, 1 }, quotas);
    }

    /// <summary>
    /// Regression (a review's randomised check): at alpha 664 the plain powers of these weights sum to a subnormal 1e-323,
    /// which holds a few bits only; the shares were taken from it and handed the second component all 10 slots. The exact
    /// shares are 0.974, 9.026, 9e-56 and 0.
    /// </summary>
    [Fact]
    public void ASubnormalSumOfPowersIsTakenRelativeToTheLargestWeight()
    {
        var quotas = new int[4];
        QuotaAllocator.Allocate([0.32532720287353867, 0.3264191254089768, 0.26884154339539723, 0.0794121283220874], [0, 1, 2, 3],
            664.4304172169001, 10, quotas);
        Assert.Equal(new[] { 1, 9, 0, 0 }, quotas);
    }
}
