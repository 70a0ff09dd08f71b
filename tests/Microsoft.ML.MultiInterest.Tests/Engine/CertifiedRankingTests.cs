using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

public class CertifiedRankingTests
{
    /// <summary>
    /// Scores a few ulps around a coarse grid: exact ties, near-ties inside the selector's tolerance, chains of them
    /// whose ends are clearly apart (where its order is not transitive), and gaps just above and below twice the tolerance.
    /// </summary>
    private static float NearGrid(Random random)
    {
        float value = 1f + random.Next(0, 24) * 4e-7f;
        for (int step = random.Next(0, 4); step > 0; step--) value = MathF.BitIncrement(value);
        return random.Next(4) == 0 ? -value : value;
    }

    [Fact]
    public void TheProvedPrefixIsWhatTheSelectorKeepsWhateverTheOtherItemsAndTheOfferOrder()
    {
        var random = new Random(11);
        var certifier = new CertifiedRanking();
        int provedEntries = 0, cutShort = 0, complete = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            int candidates = random.Next(1, 20), others = random.Next(0, 12);
            var indices = Enumerable.Range(0, 100).OrderBy(_ => random.Next()).Take(candidates + others).ToArray();
            var scores = indices.Select(_ => NearGrid(random)).ToArray();
            // The other items score at most the bound; without any, nothing is left out.
            double bound = others == 0 ? double.NegativeInfinity : scores.Skip(candidates).Max();
            var items = new int[candidates];
            var proved = new float[candidates];
            int length = certifier.Rank(indices.AsSpan(0, candidates), scores.AsSpan(0, candidates), bound, items, proved);
            Assert.InRange(length, 0, candidates);
            provedEntries += length;
            if (length < candidates) cutShort++;
            if (others == 0 && length == candidates) complete++;

            // Every capacity, every offer order: the selector's list starts with the proved prefix.
            for (int order = 0; order < 4; order++)
            {
                var offers = Enumerable.Range(0, indices.Length).OrderBy(_ => random.Next()).ToArray();
                int k = random.Next(1, indices.Length + 1);
                var selector = new TopKSelector(k);
                foreach (int p in offers) selector.Offer(scores[p], indices[p]);
                var kept = new int[k];
                var keptScores = new float[k];
                int count = selector.Drain(kept, keptScores);
                int head = Math.Min(length, k);
                Assert.Equal(items[..head], kept[..head]);
                Assert.Equal(proved[..head], keptScores[..head]);
                if (others == 0 && length == candidates) Assert.Equal(Math.Min(k, candidates), count);
            }
        }
        // The grid makes all three outcomes common: long proofs, proofs cut short by chains or the bound, whole lists.
        Assert.True(provedEntries > 3_000 && cutShort > 1_000 && complete > 100, $"{provedEntries} entries proved, {cutShort} cut short, {complete} complete");
    }

    [Fact]
    public void AChainOfNearTiesWhoseEndsAreClearlyApartIsNotProved()
    {
        // a ~ a+1.25e-7 ~ a+2.5e-7 (relative) in index order 0, 1, 2, but the last is beyond the tolerance of the first:
        // the selector's order is a cycle, so which of them it keeps depends on the offers, and nothing from the chain on is proved.
        float a = 1.9f, b = Ulps(a, 2), c = Ulps(b, 2);
        Assert.True(TopKSelector.Better(a, 0, b, 1) && TopKSelector.Better(b, 1, c, 2) && TopKSelector.Better(c, 2, a, 0));
        var certifier = new CertifiedRanking();
        var items = new int[4];
        var scores = new float[4];
        Assert.Equal(1, certifier.Rank([3, 0, 1, 2], [2f, a, b, c], double.NegativeInfinity, items, scores));
        Assert.Equal(3, items[0]);
        // Without the chain's middle the two are clearly ordered; an exact tie goes to the lower index.
        Assert.Equal(4, certifier.Rank([3, 0, 2, 1], [2f, a, c, c], double.NegativeInfinity, items, scores));
        Assert.Equal([3, 1, 2, 0], items);
    }

    private static float Ulps(float value, int steps)
    {
        for (int i = 0; i < steps; i++) value = MathF.BitIncrement(value);
        return value;
    }

    [Fact]
    public void NothingCloserToTheBoundThanTwiceTheToleranceIsProved()
    {
        var certifier = new CertifiedRanking();
        var items = new int[3];
        var scores = new float[3];
        const float Top = 3f, Mid = 2f, Low = 1f;
        Assert.Equal(3, certifier.Rank([5, 6, 7], [Top, Mid, Low], 0.5, items, scores));
        // An item left out may score up to the bound: Mid is 1e-7 above it, a tie the selector may break for it.
        Assert.Equal(1, certifier.Rank([5, 6, 7], [Top, Mid, Low], Mid - 1e-7, items, scores));
        Assert.Equal(0, certifier.Rank([5, 6, 7], [Top, Mid, Low], Top, items, scores));
        Assert.True(CertifiedRanking.ClearlyAbove(1.0, 1.0 - 5e-7) && !CertifiedRanking.ClearlyAbove(1.0, 1.0 - 3e-7));
    }
}
