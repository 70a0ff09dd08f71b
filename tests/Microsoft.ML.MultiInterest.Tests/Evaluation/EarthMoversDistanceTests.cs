using CsCheck;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Evaluation;

public class EarthMoversDistanceTests
{
    private static float[] RandomPoints(Random rng, int count, int d, int grid = 0)
    {
        var p = new float[count * d];
        for (int k = 0; k < p.Length; k++)
            p[k] = grid > 0 ? rng.Next(grid) : (float)(rng.NextDouble() * 2 - 1);
        return p;
    }

    private static double[] RandomWeights(Random rng, int count, bool integers = false)
    {
        var w = new double[count];
        for (int k = 0; k < count; k++)
            w[k] = integers ? rng.Next(4) : (rng.Next(5) == 0 ? 0 : rng.NextDouble());
        if (w.Sum() == 0) w[rng.Next(count)] = 1;
        return w;
    }

    [Fact]
    public void MatchesVertexEnumerationOnRandomTinyInstances()
    {
        var rng = new Random(12345);
        var solver = new EarthMoversDistance();
        for (int instance = 0; instance < 400; instance++)
        {
            int s = rng.Next(1, 4), t = rng.Next(1, 5), d = rng.Next(1, 4);
            var xs = RandomPoints(rng, s, d);
            var xt = RandomPoints(rng, t, d);
            var a = RandomWeights(rng, s);
            var b = RandomWeights(rng, t);
            double expected = TransportReference.VertexEnumeration(TransportReference.Costs(xs, s, xt, t, d), a, b);
            double actual = solver.Compute(xs, a, xt, b, d);
            Assert.True(Math.Abs(expected - actual) < 1e-9, $"instance {instance}: expected {expected}, got {actual}");
        }
    }

    [Fact]
    public void MatchesVertexEnumerationOnDegenerateGridInstances()
    {
        // Integer coordinates and integer weights: duplicate points, equal costs and ties everywhere.
        var rng = new Random(777);
        var solver = new EarthMoversDistance();
        for (int instance = 0; instance < 400; instance++)
        {
            int s = rng.Next(2, 4), t = rng.Next(2, 5), d = rng.Next(1, 3);
            var xs = RandomPoints(rng, s, d, grid: 3);
            var xt = RandomPoints(rng, t, d, grid: 3);
            var a = RandomWeights(rng, s, integers: true);
            var b = RandomWeights(rng, t, integers: true);
            double expected = TransportReference.VertexEnumeration(TransportReference.Costs(xs, s, xt, t, d), a, b);
            double actual = solver.Compute(xs, a, xt, b, d);
            Assert.True(Math.Abs(expected - actual) < 1e-9, $"instance {instance}: expected {expected}, got {actual}");
        }
    }

    [Fact]
    public void MatchesBruteForceAssignmentWhenMassesAreMultiplesOfOneOverT()
    {
        var solver = new EarthMoversDistance();
        Gen.Int.Sample(seed =>
        {
            var rng = new Random(seed);
            int t = rng.Next(2, 8), s = rng.Next(2, Math.Min(5, t) + 1), d = rng.Next(1, 5);
            // A random composition of t into s parts (some may be zero).
            var multiplicity = new int[s];
            for (int q = 0; q < t; q++) multiplicity[rng.Next(s)]++;
            var xs = RandomPoints(rng, s, d);
            var xt = RandomPoints(rng, t, d);
            var a = multiplicity.Select(m => m / (double)t).ToArray();
            var b = Enumerable.Repeat(1.0 / t, t).ToArray();
            double expected = TransportReference.BestAssignment(TransportReference.Costs(xs, s, xt, t, d), multiplicity, t);
            double actual = solver.Compute(xs, a, xt, b, d);
            Assert.True(Math.Abs(expected - actual) < 1e-9, $"t={t} s={s}: expected {expected}, got {actual}");
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void OneDimensionalCasesEqualTheCdfIntegral()
    {
        var rng = new Random(2024);
        var solver = new EarthMoversDistance();
        for (int instance = 0; instance < 300; instance++)
        {
            int s = rng.Next(1, 6);
            int t = instance % 10 == 0 ? rng.Next(100, 301) : rng.Next(1, 30);
            var xs = RandomPoints(rng, s, 1);
            var xt = RandomPoints(rng, t, 1, grid: instance % 3 == 0 ? 5 : 0);
            var a = RandomWeights(rng, s);
            var b = instance % 2 == 0 ? Enumerable.Repeat(1.0 / t, t).ToArray() : RandomWeights(rng, t);
            double expected = TransportReference.CdfIntegral(xs, a, xt, b);
            double actual = solver.Compute(xs, a, xt, b, 1);
            Assert.True(Math.Abs(expected - actual) < 1e-9, $"instance {instance} (s={s}, t={t}): expected {expected}, got {actual}");
            // Many sources to few targets takes the transposed route.
            double reversed = solver.Compute(xt, b, xs, a, 1);
            Assert.True(Math.Abs(expected - reversed) < 1e-9, $"instance {instance} reversed: expected {expected}, got {reversed}");
        }
    }

    [Fact]
    public void TwoSourcesToManyUniformItemsMatchTheFractionalGreedy()
    {
        var rng = new Random(99);
        var solver = new EarthMoversDistance();
        const int d = 16;
        var items = new EmbeddingMatrix(400, d, RandomPoints(rng, 400, d)).Normalized();
        for (int instance = 0; instance < 40; instance++)
        {
            int t = rng.Next(50, 301);
            var rows = Enumerable.Range(0, items.Rows).OrderBy(_ => rng.Next()).Take(t).ToArray();
            var targets = rows.SelectMany(r => items.ReadRow(r).ToArray()).ToArray();
            var xs = new EmbeddingMatrix(2, d, RandomPoints(rng, 2, d)).Normalized().Values;
            var a = new[] { rng.NextDouble(), rng.NextDouble() };
            var b = Enumerable.Repeat(1.0, t).ToArray();
            double expected = TransportReference.TwoSourceGreedy(TransportReference.Costs(xs, 2, targets, t, d), a, b);
            Assert.Equal(expected, solver.ComputeToUniform(xs, a, items, rows), 1e-9);
            Assert.Equal(expected, solver.Compute(xs, a, targets, b, d), 1e-9);
        }
    }

    [Fact]
    public void IsSymmetricAndInvariantToOrderAndWeightScale()
    {
        var rng = new Random(31);
        var solver = new EarthMoversDistance();
        for (int instance = 0; instance < 300; instance++)
        {
            int s = rng.Next(1, 7), t = rng.Next(1, 7), d = rng.Next(1, 5);
            var xs = RandomPoints(rng, s, d, grid: instance % 2 == 0 ? 3 : 0);
            var xt = RandomPoints(rng, t, d);
            var a = RandomWeights(rng, s);
            var b = RandomWeights(rng, t);
            double forward = solver.Compute(xs, a, xt, b, d);
            Assert.Equal(forward, solver.Compute(xt, b, xs, a, d), 1e-9);

            // Reorder the targets and scale their weights: same distributions, same distance.
            var order = Enumerable.Range(0, t).OrderBy(_ => rng.Next()).ToArray();
            var xt2 = order.SelectMany(j => xt.AsSpan(j * d, d).ToArray()).ToArray();
            var b2 = order.Select(j => b[j] * 7.5).ToArray();
            Assert.Equal(forward, solver.Compute(xs, a, xt2, b2, d), 1e-9);
        }
    }

    [Fact]
    public void IdenticalDistributionsHaveZeroDistance()
    {
        var rng = new Random(5);
        var solver = new EarthMoversDistance();
        for (int instance = 0; instance < 200; instance++)
        {
            int n = rng.Next(1, 40), d = rng.Next(1, 8);
            var x = RandomPoints(rng, n, d, grid: instance % 2 == 0 ? 2 : 0); // grid: repeated points
            var w = RandomWeights(rng, n);
            Assert.True(solver.Compute(x, w, x, w, d) < 1e-12);
        }
    }

    [Fact]
    public void SatisfiesTheTriangleInequality()
    {
        var rng = new Random(8);
        var solver = new EarthMoversDistance();
        for (int instance = 0; instance < 300; instance++)
        {
            int d = rng.Next(1, 4);
            int na = rng.Next(1, 6), nb = rng.Next(1, 6), nc = rng.Next(1, 6);
            var xa = RandomPoints(rng, na, d);
            var xb = RandomPoints(rng, nb, d);
            var xc = RandomPoints(rng, nc, d);
            var wa = RandomWeights(rng, na);
            var wb = RandomWeights(rng, nb);
            var wc = RandomWeights(rng, nc);
            double ac = solver.Compute(xa, wa, xc, wc, d);
            double ab = solver.Compute(xa, wa, xb, wb, d);
            double bc = solver.Compute(xb, wb, xc, wc, d);
            Assert.True(ac <= ab + bc + 1e-9, $"instance {instance}: {ac} > {ab} + {bc}");
        }
    }

    [Fact]
    public void SinglePointSidesGiveTheWeightedMeanDistanceAndAgreeWithTheGeneralPath()
    {
        var rng = new Random(17);
        var solver = new EarthMoversDistance();
        for (int instance = 0; instance < 100; instance++)
        {
            int t = rng.Next(1, 50), d = rng.Next(1, 6);
            var x = RandomPoints(rng, 1, d);
            var xt = RandomPoints(rng, t, d);
            var b = RandomWeights(rng, t);
            var cost = TransportReference.Costs(x, 1, xt, t, d);
            var nb = TransportReference.Normalize(b);
            double expected = Enumerable.Range(0, t).Sum(j => nb[j] * cost[j]);

            Assert.Equal(expected, solver.Compute(x, [2.5], xt, b, d), 1e-12);
            Assert.Equal(expected, solver.Compute(xt, b, x, [1.0], d), 1e-12);

            // A second, weightless source forces the general algorithm; the answer must not change.
            var two = x.Concat(RandomPoints(rng, 1, d)).ToArray();
            Assert.Equal(expected, solver.Compute(two, [1.0, 0.0], xt, b, d), 1e-9);
            Assert.Equal(expected, solver.Compute(xt, b, two, [0.3, 0.0], d), 1e-9);
        }
    }

    [Fact]
    public void KnownSmallCase()
    {
        // Sources (0,0) with 0.75 and (1,0) with 0.25; targets (0,0) and (1,0) with 0.5 each:
        // 0.25 must move a distance of 1.
        var solver = new EarthMoversDistance();
        float[] points = [0, 0, 1, 0];
        Assert.Equal(0.25, solver.Compute(points, [0.75, 0.25], points, [0.5, 0.5], 2), 1e-12);
        // Sources at 0, 1, 2 (1/3 each), targets at 0.5, 1.5 (1/2 each): the middle source must split,
        // and the CDF gaps are 1/3, 1/6, 1/6, 1/3 over four half-unit intervals, i.e. 1/2 in total.
        Assert.Equal(0.5, solver.Compute([0f, 1f, 2f], [1, 1, 1], [0.5f, 1.5f], [1, 1], 1), 1e-12);
    }

    [Fact]
    public void ReusingOneSolverAcrossSizesGivesTheSameAnswersAsFreshSolvers()
    {
        var rng = new Random(3);
        var shared = new EarthMoversDistance();
        for (int instance = 0; instance < 60; instance++)
        {
            int s = rng.Next(1, 6), t = rng.Next(1, instance % 4 == 0 ? 200 : 10), d = rng.Next(1, 9);
            var xs = RandomPoints(rng, s, d);
            var xt = RandomPoints(rng, t, d);
            var a = RandomWeights(rng, s);
            var b = RandomWeights(rng, t);
            Assert.Equal(new EarthMoversDistance().Compute(xs, a, xt, b, d), shared.Compute(xs, a, xt, b, d));
        }
    }

    [Fact]
    public void FiveComponentsAgainstHundredsOfItemsStaysBetweenSimpleBounds()
    {
        var rng = new Random(41);
        var solver = new EarthMoversDistance();
        const int d = 32, s = 5;
        var items = new EmbeddingMatrix(1000, d, RandomPoints(rng, 1000, d)).Normalized();
        for (int user = 0; user < 30; user++)
        {
            int t = rng.Next(100, 301);
            var rows = Enumerable.Range(0, items.Rows).OrderBy(_ => rng.Next()).Take(t).ToArray();
            var components = new EmbeddingMatrix(s, d, RandomPoints(rng, s, d)).Normalized().Values;
            var w = RandomWeights(rng, s);
            double emd = solver.ComputeToUniform(components, w, items, rows);

            var targets = rows.SelectMany(r => items.ReadRow(r).ToArray()).ToArray();
            var cost = TransportReference.Costs(components, s, targets, t, d);
            var nw = TransportReference.Normalize(w);
            // Lower bound: drop the source capacities; upper bound: ship proportionally (a feasible plan).
            double lower = Enumerable.Range(0, t).Sum(j => Enumerable.Range(0, s).Min(i => cost[i * t + j])) / t;
            double upper = Enumerable.Range(0, t).Sum(j => Enumerable.Range(0, s).Sum(i => nw[i] * cost[i * t + j])) / t;
            Assert.InRange(emd, lower - 1e-9, upper + 1e-9);

            // Same distribution listed in another order: same value.
            var shuffled = rows.OrderBy(_ => rng.Next()).ToArray();
            Assert.Equal(emd, solver.ComputeToUniform(components, w, items, shuffled), 1e-9);
        }
    }

    [Fact]
    public void RejectsInvalidInputNamingTheArgument()
    {
        var solver = new EarthMoversDistance();
        float[] p2 = [0, 0, 1, 1];
        var items = new EmbeddingMatrix(2, 2, [1, 0, 0, 1]);

        Assert.Equal("sourceWeights", Assert.Throws<ArgumentException>(() => solver.Compute(p2, [1, -1], p2, [1, 1], 2)).ParamName);
        Assert.Equal("targetWeights", Assert.Throws<ArgumentException>(() => solver.Compute(p2, [1, 1], p2, [1, double.NaN], 2)).ParamName);
        Assert.Equal("sourceWeights", Assert.Throws<ArgumentException>(() => solver.Compute(p2, [0, 0], p2, [1, 1], 2)).ParamName);
        Assert.Equal("targetWeights", Assert.Throws<ArgumentException>(() => solver.Compute(p2, [1, 1], p2, [double.MaxValue, double.MaxValue], 2)).ParamName);
        Assert.Equal("sourcePoints", Assert.Throws<ArgumentException>(() => solver.Compute(p2, [1, 1, 1], p2, [1, 1], 2)).ParamName);
        Assert.Equal("targetPoints", Assert.Throws<ArgumentException>(() => solver.Compute(p2, [1, 1], [0f, 0f, 1f], [1, 1], 2)).ParamName);
        Assert.Equal("sourcePoints", Assert.Throws<ArgumentException>(() => solver.Compute([0f, float.NaN], [1], p2, [1, 1], 2)).ParamName);
        Assert.Equal("sourceWeights", Assert.Throws<ArgumentException>(() => solver.Compute([], [], p2, [1, 1], 2)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.Compute(p2, [1, 1], p2, [1, 1], 0));
        Assert.Equal("targetRows", Assert.Throws<ArgumentException>(() => solver.ComputeToUniform([1f, 0f], [1], items, [])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.ComputeToUniform([1f, 0f], [1], items, [2]));
        Assert.Equal("sourcePoints", Assert.Throws<ArgumentException>(() => solver.ComputeToUniform([1f, 0f, 0f], [1], items, [0])).ParamName);

        // A failed call must not poison the reused buffers.
        Assert.Equal(Math.Sqrt(2) / 2, solver.ComputeToUniform([1f, 0f], [1], items, [0, 1]), 1e-12);
    }
}
