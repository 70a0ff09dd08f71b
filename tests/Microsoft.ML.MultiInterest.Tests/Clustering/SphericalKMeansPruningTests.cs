using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Clustering;

/// <summary>
/// The assignment step's bound (a point keeps its centroid without a full scan when no other centroid can beat it)
/// must give exactly the full scan's result, and must actually skip work.
/// </summary>
public class SphericalKMeansPruningTests
{
    public static TheoryData<string, int> Worlds => new()
    {
        // Random directions: many points move late, bounds are loose.
        { "random", 1 },
        { "random", 2 },
        // Planted clusters, one per centroid and more centroids than planted clusters: most points settle early.
        { "planted", 1 },
        { "planted", 2 },
        { "many-groups", 1 },
        { "many-groups", 2 },
        // A long dimension: the rounding slack grows with it.
        { "wide", 2 },
        // Zero rows and duplicated starting centroids (ties every iteration).
        { "zeros-and-ties", 1 },
        // More clusters than a random start can fill: empty clusters are repaired, which discards the bounds.
        { "repairs", 2 },
    };

    [Theory]
    [MemberData(nameof(Worlds))]
    public void PrunedAssignmentEqualsTheFullScanBitForBit(string world, int threads)
    {
        var (points, options) = Make(world, threads);

        var full = SphericalKMeans.FitCore(points, options, progress: null, prune: false, CancellationToken.None);
        var pruned = SphericalKMeans.FitCore(points, options, progress: null, prune: true, CancellationToken.None);

        Assert.Equal(full.Assignments, pruned.Assignments);
        Assert.Equal(full.Centroids.Values, pruned.Centroids.Values);
        Assert.Equal(full.Similarities, pruned.Similarities);
        Assert.Equal(full.Iterations.Select(s => (s.Objective, s.Reassignments, s.EmptyClustersRepaired)),
            pruned.Iterations.Select(s => (s.Objective, s.Reassignments, s.EmptyClustersRepaired)));
        int nonZero = Enumerable.Range(0, points.Rows).Count(i => points.ReadRow(i).ContainsAnyExcept(0f));
        Assert.All(full.Iterations, s => Assert.Equal(nonZero, s.PointsScanned));
        Assert.Equal(nonZero, pruned.Iterations[0].PointsScanned);
        if (world == "repairs") Assert.Contains(pruned.Iterations, s => s.EmptyClustersRepaired > 0);
        if (world == "zeros-and-ties") Assert.True(nonZero < points.Rows);
    }

    [Theory]
    // Bounds of 2,400 points: 4 bytes per point and group, so these budgets give groups of 2-3 panels and one group.
    [InlineData(4 * 2400 * 3)]
    [InlineData(1)]
    public void GroupsOfSeveralPanelsGiveTheSameResult(long budgetBytes)
    {
        var (points, options) = Make("many-groups", threads: 2);

        var full = SphericalKMeans.FitCore(points, options, progress: null, prune: false, CancellationToken.None);
        var grouped = SphericalKMeans.FitCore(points, options, progress: null, prune: true, CancellationToken.None, budgetBytes);

        Assert.Equal(full.Assignments, grouped.Assignments);
        Assert.Equal(full.Centroids.Values, grouped.Centroids.Values);
        Assert.Equal(full.Similarities, grouped.Similarities);
        Assert.Equal(full.Iterations.Select(s => s.Objective), grouped.Iterations.Select(s => s.Objective));
        Assert.Contains(grouped.Iterations, s => s.PointsScanned < points.Rows);
    }

    [Fact]
    public void SettledPointsAreNotScannedAgain()
    {
        // Several groups of centroids (panels of 32 or 16): once most centroids stop moving, a point is scored only
        // against the groups that could still beat its own centroid, and many points against none.
        var (points, options) = Make("many-groups", threads: 1);

        var result = SphericalKMeans.Fit(points, options);

        // The run ends at the fixed point (an iteration in which no point moved); every iteration after the first spared
        // some points, and over the run the bounds spared at least a tenth of the full scans' points.
        var its = result.Iterations;
        Assert.Equal(0, its[^1].Reassignments);
        Assert.All(its.Skip(1), s => Assert.True(s.PointsScanned < points.Rows, $"iteration {s.Iteration} scanned all {s.PointsScanned} points"));
        long scanned = its.Sum(s => (long)s.PointsScanned);
        Assert.True(scanned < (long)points.Rows * its.Count * 9 / 10, $"{scanned} points scanned in {its.Count} iterations of {points.Rows}: " + string.Join(", ", its.Select(s => s.PointsScanned)));
        Assert.Equal(SphericalKMeans.FitCore(points, options, progress: null, prune: false, CancellationToken.None).Assignments, result.Assignments);
    }

    private static (EmbeddingMatrix Points, SphericalKMeansOptions Options) Make(string world, int threads)
    {
        switch (world)
        {
            case "random":
                return (SphericalKMeansTestData.RandomPoints(2000, 12, seed: 21),
                    new SphericalKMeansOptions { Clusters = 40, MaxIterations = 15, Tolerance = 0, Seed = 2, Threads = threads });
            case "planted":
                return (SphericalKMeansTestData.Planted(clusters: 12, perCluster: 150, dimension: 24, noise: 0.15f, seed: 5).Points,
                    new SphericalKMeansOptions { Clusters = 30, MaxIterations = 12, Tolerance = 0, Seed = 1, Threads = threads });
            case "many-groups":
                return (SphericalKMeansTestData.Planted(clusters: 60, perCluster: 40, dimension: 16, noise: 0.1f, seed: 11).Points,
                    new SphericalKMeansOptions { Clusters = 160, MaxIterations = 15, Tolerance = 0, Seed = 1, Threads = threads });
            case "wide":
                return (SphericalKMeansTestData.Planted(clusters: 8, perCluster: 60, dimension: 700, noise: 0.05f, seed: 6).Points,
                    new SphericalKMeansOptions { Clusters = 20, MaxIterations = 8, Tolerance = 0, Seed = 3, Threads = threads });
            case "zeros-and-ties":
            {
                var (planted, _) = SphericalKMeansTestData.Planted(clusters: 6, perCluster: 50, dimension: 10, noise: 0.1f, seed: 7);
                for (int i = 0; i < planted.Rows; i += 17) planted.Row(i).Clear();
                var start = SphericalKMeansTestData.RandomPoints(9, 10, seed: 8).Normalized();
                start.ReadRow(2).CopyTo(start.Row(7));
                return (planted, new SphericalKMeansOptions { Clusters = 9, InitialCentroids = start, MaxIterations = 10, Tolerance = 0, Threads = threads });
            }
            case "repairs":
            {
                // Starting centroids all near one planted direction leave most clusters empty at the first assignment.
                var (planted, _) = SphericalKMeansTestData.Planted(clusters: 5, perCluster: 40, dimension: 8, noise: 0.05f, seed: 9);
                var start = new EmbeddingMatrix(25, 8);
                var rng = new Random(10);
                for (int c = 0; c < 25; c++)
                for (int j = 0; j < 8; j++)
                    start.Row(c)[j] = planted.ReadRow(0)[j] + 0.01f * (float)rng.NextDouble();
                return (planted, new SphericalKMeansOptions { Clusters = 25, InitialCentroids = start, MaxIterations = 10, Tolerance = 0, Threads = threads });
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(world), world, null);
        }
    }
}
