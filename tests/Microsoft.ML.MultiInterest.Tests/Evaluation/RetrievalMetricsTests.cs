using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Evaluation;

public class RetrievalMetricsTests
{
    private static EmbeddingMatrix RandomUnitItems(Random rng, int rows, int d)
    {
        var values = new float[rows * d];
        for (int k = 0; k < values.Length; k++) values[k] = (float)(rng.NextDouble() * 2 - 1);
        return new EmbeddingMatrix(rows, d, values).Normalized();
    }

    [Fact]
    public void RecallCountsDistinctHitsOverHeldOutSize()
    {
        Assert.Equal(0.5, RetrievalMetrics.Recall([5, 3, 9, 1], [1, 2, 3, 4]));
        Assert.Equal(1.0, RetrievalMetrics.Recall([7, 2], [2, 7]));
        Assert.Equal(0.0, RetrievalMetrics.Recall([], [2, 7]));
        Assert.Equal(0.0, RetrievalMetrics.Recall([0, 1, 3], [2]));
        // A duplicated candidate is one item of the intersection.
        Assert.Equal(0.5, RetrievalMetrics.Recall([3, 3, 3], [3, 8]));
        Assert.Equal(1.0 / 3, RetrievalMetrics.Recall([10, 4, 10], [4, 6, 9]), 1e-15);
    }

    [Fact]
    public void RecallMatchesASetBasedReference()
    {
        var rng = new Random(11);
        for (int instance = 0; instance < 500; instance++)
        {
            var candidates = Enumerable.Range(0, rng.Next(0, 60)).Select(_ => rng.Next(100)).ToArray();
            var heldOut = Enumerable.Range(0, rng.Next(1, 30)).Select(_ => rng.Next(100)).Distinct().Order().ToArray();
            double expected = (double)candidates.ToHashSet().Intersect(heldOut).Count() / heldOut.Length;
            Assert.Equal(expected, RetrievalMetrics.Recall(candidates, heldOut));
        }
    }

    [Fact]
    public void RecallRejectsEmptyOrUnsortedHeldOut()
    {
        Assert.Equal("heldOut", Assert.Throws<ArgumentException>(() => RetrievalMetrics.Recall([1], [])).ParamName);
        Assert.Equal("heldOut", Assert.Throws<ArgumentException>(() => RetrievalMetrics.Recall([1], [3, 2])).ParamName);
        Assert.Equal("heldOut", Assert.Throws<ArgumentException>(() => RetrievalMetrics.Recall([1], [2, 2])).ParamName);
    }

    [Fact]
    public void NdcgOfHandWorkedLists()
    {
        double g2 = 1 / Math.Log2(3); // the gain at rank 2; rank 1 gains 1, rank 3 gains 1/log2(4) = 0.5
        // A perfect list: every one of the first min(K, |held-out|) candidates is held out.
        Assert.Equal(1.0, RetrievalMetrics.Ndcg([4, 2, 7], [2, 4, 7], 3), 1e-15);
        Assert.Equal(1.0, RetrievalMetrics.Ndcg([7, 4, 9], [2, 4, 7], 2), 1e-15);
        // One hit at rank 2 with 3 held out and K = 3: g2 / (1 + g2 + 1/2) = 0.2960819...
        Assert.Equal(g2 / (1 + g2 + 0.5), RetrievalMetrics.Ndcg([9, 5, 8], [1, 5, 6], 3), 1e-15);
        Assert.Equal(0.29608191, RetrievalMetrics.Ndcg([9, 5, 8], [1, 5, 6], 3), 1e-8);
        // Only the first K candidates count.
        Assert.Equal(0.0, RetrievalMetrics.Ndcg([9, 5, 8], [1, 5, 6], 1));
        Assert.Equal(0.0, RetrievalMetrics.Ndcg([0, 1], [1], 1));
        Assert.Equal(0.0, RetrievalMetrics.Ndcg([], [1], 5));
        // A duplicate counts once and keeps its slot: hits at ranks 1 and 3 of [5, 5, 6], ideal over 2 held out.
        Assert.Equal((1 + 0.5) / (1 + g2), RetrievalMetrics.Ndcg([5, 5, 6], [5, 6], 3), 1e-15);
        Assert.Equal(1.0, RetrievalMetrics.Ndcg([5, 5], [5], 2), 1e-15);
        Assert.Equal(1 / (1 + g2), RetrievalMetrics.Ndcg([3, 3, 3], [3, 8], 3), 1e-15);
        // K larger than the list: the list is scored whole, the ideal runs over min(K, |held-out|) ranks.
        Assert.Equal(1 / (1 + g2), RetrievalMetrics.Ndcg([3], [3, 8], 10), 1e-15);
        Assert.Equal(1.0, RetrievalMetrics.Ndcg([8, 3], [3, 8], 50), 1e-15);
        // More held out than K: the ideal has K ranks, so K hits at the top score 1.
        Assert.Equal(1.0, RetrievalMetrics.Ndcg([1, 2, 3, 4], [1, 2, 3, 4, 5, 6], 2), 1e-15);
        Assert.Equal(g2 / (1 + g2), RetrievalMetrics.Ndcg([0, 2, 3, 4], [1, 2, 3, 4, 5, 6], 2), 1e-15);
    }

    [Fact]
    public void NdcgMatchesAReferenceAndIsBelowOneUnlessPerfect()
    {
        var rng = new Random(13);
        for (int instance = 0; instance < 500; instance++)
        {
            var candidates = Enumerable.Range(0, rng.Next(0, 60)).Select(_ => rng.Next(40)).ToArray();
            var heldOut = Enumerable.Range(0, rng.Next(1, 30)).Select(_ => rng.Next(40)).Distinct().Order().ToArray();
            int k = rng.Next(1, 70);
            var held = heldOut.ToHashSet();
            var seen = new HashSet<int>();
            double dcg = 0;
            foreach (var (item, p) in candidates.Take(k).Select((item, p) => (item, p)))
                if (seen.Add(item) && held.Contains(item)) dcg += 1 / Math.Log2(p + 2);
            double ideal = Enumerable.Range(0, Math.Min(k, heldOut.Length)).Sum(p => 1 / Math.Log2(p + 2));
            double actual = RetrievalMetrics.Ndcg(candidates, heldOut, k);
            Assert.Equal(dcg / ideal, actual, 1e-12);
            Assert.InRange(actual, 0, 1 + 1e-15);
            bool perfect = candidates.Length >= Math.Min(k, heldOut.Length)
                && candidates.Take(Math.Min(k, heldOut.Length)).Distinct().Count(held.Contains) == Math.Min(k, heldOut.Length);
            if (!perfect) Assert.True(actual < 1 - 1e-12);
        }
    }

    [Fact]
    public void NdcgRejectsBadHeldOutAndCutoff()
    {
        Assert.Equal("heldOut", Assert.Throws<ArgumentException>(() => RetrievalMetrics.Ndcg([1], [], 1)).ParamName);
        Assert.Equal("heldOut", Assert.Throws<ArgumentException>(() => RetrievalMetrics.Ndcg([1], [3, 2], 1)).ParamName);
        Assert.Equal("cutoff", Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Ndcg([1], [1], 0)).ParamName);
    }

    [Fact]
    public void DiversityOfHandWorkedLists()
    {
        var items = new EmbeddingMatrix(4, 2, [1, 0, 0, 1, -1, 0, 1, 0]);
        // Orthogonal pair: mean (0.5, 0.5), each at distance sqrt(0.5).
        Assert.Equal(Math.Sqrt(0.5), RetrievalMetrics.Diversity([0, 1], items), 1e-12);
        // Opposite pair: mean 0, each at distance 1.
        Assert.Equal(1.0, RetrievalMetrics.Diversity([0, 2], items), 1e-12);
        // Identical items, a single item and an empty list have no spread.
        Assert.Equal(0.0, RetrievalMetrics.Diversity([0, 3, 0], items));
        Assert.Equal(0.0, RetrievalMetrics.Diversity([1], items));
        Assert.Equal(0.0, RetrievalMetrics.Diversity([], items));
        // Three items: e1, e2, -e1 -> mean (0, 1/3); distances sqrt(1 + 1/9), 2/3, sqrt(1 + 1/9).
        double expected = (2 * Math.Sqrt(1 + 1.0 / 9) + 2.0 / 3) / 3;
        Assert.Equal(expected, RetrievalMetrics.Diversity([0, 1, 2], items), 1e-12);
    }

    [Fact]
    public void DiversityMatchesAReferenceAndIgnoresOrder()
    {
        var rng = new Random(23);
        foreach (int d in new[] { 3, 16, 600 }) // 600 exercises the rented buffer
        {
            var items = RandomUnitItems(rng, 2000, d);
            for (int instance = 0; instance < 50; instance++)
            {
                // Up to 1,500 candidates: longer lists than the stack holds exercise the rented row buffer.
                var list = Enumerable.Range(0, instance == 0 ? 1500 : rng.Next(1, 51)).Select(_ => rng.Next(items.Rows)).ToArray();
                var rows = list.Select(r => items.ReadRow(r).ToArray().Select(v => (double)v).ToArray()).ToArray();
                var mean = Enumerable.Range(0, d).Select(k => rows.Average(row => row[k])).ToArray();
                double expected = rows.Average(row => Math.Sqrt(row.Select((v, k) => (v - mean[k]) * (v - mean[k])).Sum()));
                double actual = RetrievalMetrics.Diversity(list, items);
                Assert.Equal(expected, actual, 1e-10);
                // The set's figure to the bit: a re-ordered list (MMR's re-ordering of Unimodal's) is not float noise away.
                Assert.Equal(actual, RetrievalMetrics.Diversity(list.Reverse().ToArray(), items));
                Assert.Equal(actual, RetrievalMetrics.Diversity(list.OrderBy(_ => rng.Next()).ToArray(), items));
                // For unit vectors ||i_k - mean|| <= 2, and the mean distance is at most 1 + ... bounded by 2.
                Assert.InRange(actual, 0, 2);
            }
        }
    }

    [Fact]
    public void DiversityRejectsCandidatesOutsideTheTable()
    {
        var items = new EmbeddingMatrix(2, 2, [1, 0, 0, 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Diversity([0, 2], items));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Diversity([-1], items));
    }

    [Fact]
    public void GoodnessOfFitOnHandWorkedMixtures()
    {
        var solver = new EarthMoversDistance();
        var items = new EmbeddingMatrix(3, 2, [1, 0, 0, 1, -1, 0]);
        float[] components = [1, 0, 0, 1];
        // The mixture puts half its mass on each held-out item: perfect fit.
        Assert.Equal(0.0, RetrievalMetrics.GoodnessOfFit(solver, components, [0.5, 0.5], items, [0, 1]), 1e-12);
        // 0.75 / 0.25 against 0.5 / 0.5: a quarter of the mass moves sqrt(2).
        Assert.Equal(0.25 * Math.Sqrt(2), RetrievalMetrics.GoodnessOfFit(solver, components, [0.75, 0.25], items, [0, 1]), 1e-12);
        // Unimodal: e1 against {e1, e2} is the mean distance (0 + sqrt 2) / 2, whatever the embedding's length.
        Assert.Equal(Math.Sqrt(2) / 2, RetrievalMetrics.UnimodalGoodnessOfFit([3f, 0f], items, [0, 1]), 1e-12);
        // Against {e2, -e1}: distances sqrt 2 and 2.
        Assert.Equal((Math.Sqrt(2) + 2) / 2, RetrievalMetrics.UnimodalGoodnessOfFit([0.5f, 0f], items, [1, 2]), 1e-12);
    }

    [Fact]
    public void UnimodalFitEqualsTheOneComponentMixtureFit()
    {
        var rng = new Random(29);
        var solver = new EarthMoversDistance();
        var items = RandomUnitItems(rng, 300, 24);
        for (int user = 0; user < 50; user++)
        {
            var embedding = Enumerable.Range(0, 24).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
            var unit = new EmbeddingMatrix(1, 24, (float[])embedding.Clone()).Normalized().Values;
            var heldOut = Enumerable.Range(0, rng.Next(1, 100)).Select(_ => rng.Next(items.Rows)).Distinct().Order().ToArray();
            double unimodal = RetrievalMetrics.UnimodalGoodnessOfFit(embedding, items, heldOut);
            Assert.Equal(unimodal, RetrievalMetrics.GoodnessOfFit(solver, unit, [1.0], items, heldOut), 1e-6);
            // Splitting the single component into two identical halves changes nothing.
            var doubled = unit.Concat(unit).ToArray();
            Assert.Equal(unimodal, RetrievalMetrics.GoodnessOfFit(solver, doubled, [0.3, 0.7], items, heldOut), 1e-6);
        }
    }

    [Fact]
    public void UnimodalFitRejectsBadInput()
    {
        var items = new EmbeddingMatrix(2, 2, [1, 0, 0, 1]);
        Assert.Equal("userEmbedding", Assert.Throws<ArgumentException>(() => RetrievalMetrics.UnimodalGoodnessOfFit([1f], items, [0])).ParamName);
        Assert.Equal("heldOut", Assert.Throws<ArgumentException>(() => RetrievalMetrics.UnimodalGoodnessOfFit([1f, 0f], items, [])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.UnimodalGoodnessOfFit([1f, 0f], items, [5]));
        // A zero embedding stays zero: every unit item is at distance 1.
        Assert.Equal(1.0, RetrievalMetrics.UnimodalGoodnessOfFit([0f, 0f], items, [0, 1]), 1e-12);
    }
}
