using CsCheck;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class TopKSelectorTests
{
    [Fact]
    public void KeepsTheBestScoresWithTiesToTheLowerIndex()
    {
        var random = new Random(3);
        var selector = new TopKSelector(10);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = random.Next(0, 60), k = random.Next(0, 11);
            // Few distinct values so ties are frequent.
            var scores = Enumerable.Range(0, n).Select(_ => (float)random.Next(0, 6)).ToArray();
            selector.Reset(k);
            for (int i = 0; i < n; i++) selector.Offer(scores[i], i);
            var got = new int[k];
            var gotScores = new float[k];
            int count = selector.Drain(got, gotScores);
            var expected = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();
            Assert.Equal(expected, got.Take(count).ToArray());
            Assert.Equal(expected.Select(i => scores[i]).ToArray(), gotScores.Take(count).ToArray());
        }
    }

    [Fact]
    public void ScoresWithinRoundingAreTiesGoingToTheLowerIndex()
    {
        var selector = new TopKSelector(2);
        selector.Reset(2);
        selector.Offer(MathF.BitIncrement(1.0f), 9); // one ulp higher than row 7: a tie
        selector.Offer(1.0f, 7);
        selector.Offer(0.999f, 1); // clearly lower
        var top = new int[2];
        selector.Drain(top, default);
        Assert.Equal(new[] { 7, 9 }, top);
        Assert.True(TopKSelector.Better(1.0f, 3, MathF.BitIncrement(1.0f), 4));
        Assert.True(TopKSelector.Better(1.001f, 4, 1.0f, 3));
    }

    [Fact]
    public void ResetBeyondCapacityThrows()
    {
        var selector = new TopKSelector(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => selector.Reset(4));
    }

    [Fact]
    public void NoScoreBelowTheEntryBoundMightEnter()
    {
        // The bound is what the vectorised search filter compares against: it must never drop a score the
        // selector would take. Probe scores just below the bound, ulp by ulp, for held scores of every sign and size.
        Gen.Select(Gen.Float[-1e6f, 1e6f], Gen.Int[1, 6], Gen.Int[0, 40]).Sample((worst, k, ulps) =>
        {
            var selector = new TopKSelector(k);
            selector.Reset(k);
            for (int i = 0; i < k; i++) selector.Offer(worst, i);
            float score = selector.EntryBound;
            for (int step = 0; step <= ulps; step++) score = MathF.BitDecrement(score);
            Assert.False(selector.MightEnter(score), $"worst {worst}, bound {selector.EntryBound}, score {score}");
        });
    }

    [Fact]
    public void EntryBoundIsOpenUntilFullAndClosedForKZero()
    {
        var selector = new TopKSelector(2);
        selector.Reset(2);
        Assert.Equal(float.NegativeInfinity, selector.EntryBound);
        selector.Offer(1f, 0);
        Assert.Equal(float.NegativeInfinity, selector.EntryBound);
        selector.Offer(3f, 1);
        Assert.True(selector.EntryBound < 1f && selector.EntryBound > 0.999f);
        selector.Reset(0);
        Assert.Equal(float.PositiveInfinity, selector.EntryBound);
    }
}
