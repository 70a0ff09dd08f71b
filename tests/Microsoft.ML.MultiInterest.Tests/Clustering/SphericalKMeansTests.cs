using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Clustering;

public class SphericalKMeansTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void RecoversWellSeparatedPlantedClusters(int seed)
    {
        // Tight clusters (cosine to the planted direction about 0.998): k-means++ then seeds one centroid per
        // cluster with probability about 0.98 (looser clusters make it likelier that two seeds share a cluster,
        // a local optimum Lloyd iterations cannot leave; about 1 seed in 4 at noise 0.05).
        var (points, labels) = SphericalKMeansTestData.Planted(clusters: 5, perCluster: 60, dimension: 32, noise: 0.01f, seed: 100 + seed);

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 5, Seed = seed });

        // Adjusted purity 1.0: the contingency table is a permutation (every found cluster is exactly one planted one).
        var foundFor = new int[5];
        Array.Fill(foundFor, -1);
        for (int i = 0; i < labels.Length; i++)
        {
            if (foundFor[labels[i]] < 0) foundFor[labels[i]] = result.Assignments[i];
            Assert.Equal(foundFor[labels[i]], result.Assignments[i]);
        }
        Assert.Equal(5, foundFor.Distinct().Count());
        Assert.True(result.Objective > 0.99, $"objective {result.Objective}");
    }

    /// <summary>
    /// MaxIterations is an upper bound, not an allocation: int.MaxValue runs until no point moves (found by a review of sweeps:
    /// kmeans-iterations=2147483647 ended the sweep with "OutOfMemoryException: Array dimensions exceeded supported range").
    /// </summary>
    [Fact]
    public void The_largest_iteration_bound_runs_until_converged()
    {
        var points = SphericalKMeansTestData.RandomPoints(300, 8, seed: 3);

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 6, MaxIterations = int.MaxValue, Tolerance = 0, Seed = 5 });

        Assert.Equal(0, result.Iterations[^1].Reassignments);
        Assert.InRange(result.Iterations.Count, 1, 1000);
    }

    [Fact]
    public void ObjectiveNeverDecreases()
    {
        var points = SphericalKMeansTestData.RandomPoints(3000, 16, seed: 3);

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 60, MaxIterations = 25, Tolerance = 0, Seed = 5 });

        // All 25 iterations, or fewer ending at a fixed point (no point moved).
        Assert.True(result.Iterations.Count == 25 || result.Iterations[^1].Reassignments == 0);
        Assert.True(result.Iterations.Count > 10);
        for (int t = 1; t < result.Iterations.Count; t++)
            Assert.True(result.Iterations[t].Objective >= result.Iterations[t - 1].Objective,
                $"objective fell from {result.Iterations[t - 1].Objective} to {result.Iterations[t].Objective} at iteration {t + 1}");
        // The returned centroids are the update after the last assignment, so they can only be better.
        Assert.True(result.Objective >= result.Iterations[^1].Objective - 1e-6);
        Assert.True(result.Iterations[^1].Objective > result.Iterations[0].Objective);
    }

    [Fact]
    public void SameSeedGivesIdenticalResults()
    {
        var points = SphericalKMeansTestData.RandomPoints(1500, 24, seed: 11);
        var options = new SphericalKMeansOptions { Clusters = 40, Seed = 9, Threads = 1 };

        AssertIdentical(SphericalKMeans.Fit(points, options), SphericalKMeans.Fit(points, options));
    }

    [Fact]
    public void ThreadCountDoesNotChangeTheResult()
    {
        var points = SphericalKMeansTestData.RandomPoints(2500, 20, seed: 12);
        SphericalKMeansResult Run(int threads) =>
            SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 70, Seed = 4, Tolerance = 0, MaxIterations = 8, Threads = threads });

        var single = Run(1);
        AssertIdentical(single, Run(2));
        AssertIdentical(single, Run(3));
        AssertIdentical(single, Run(0));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentInitialisations()
    {
        var points = SphericalKMeansTestData.RandomPoints(500, 8, seed: 2);
        var a = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 20, Seed = 1, MaxIterations = 1 });
        var b = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 20, Seed = 2, MaxIterations = 1 });
        Assert.NotEqual(a.Assignments, b.Assignments);
    }

    [Fact]
    public void CentroidsAreUnitLengthAndSimilaritiesMatchThem()
    {
        var points = SphericalKMeansTestData.RandomPoints(800, 10, seed: 5);
        // Rows far from unit length: normalisation is internal.
        for (int i = 0; i < points.Values.Length; i++) points.Values[i] *= 1000f;

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 30, Seed = 2 });

        Assert.Equal(30, result.Centroids.Rows);
        Assert.Equal(10, result.Centroids.Dimension);
        for (int c = 0; c < result.Centroids.Rows; c++)
            Assert.InRange(VectorMath.Norm(result.Centroids.ReadRow(c)), 1f - 1e-5f, 1f + 1e-5f);
        var unit = points.Normalized();
        for (int i = 0; i < points.Rows; i++)
        {
            float expected = VectorMath.Dot(unit.ReadRow(i), result.Centroids.ReadRow(result.Assignments[i]));
            Assert.InRange(result.Similarities[i], expected - 1e-5f, expected + 1e-5f);
        }
        Assert.Equal(result.Similarities.Average(s => (double)s), result.Objective, 1e-6);
    }

    [Fact]
    public void ReturnedSimilaritiesAreAttainableAndReassignmentCannotLowerTheObjective()
    {
        // Brute-force nearest centroid against the returned centroids: every reported similarity is at most the
        // best one, and the brute-force objective is at least the last iteration's (monotonicity one step further).
        var points = SphericalKMeansTestData.RandomPoints(301, 13, seed: 8);
        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 37, Seed = 3, MaxIterations = 2, Tolerance = 0 });
        var unit = points.Normalized();
        double brute = 0;
        for (int i = 0; i < unit.Rows; i++)
        {
            float best = float.NegativeInfinity;
            for (int c = 0; c < result.Centroids.Rows; c++) best = Math.Max(best, VectorMath.Dot(unit.ReadRow(i), result.Centroids.ReadRow(c)));
            Assert.True(best >= result.Similarities[i] - 1e-5f);
            brute += best;
        }
        Assert.True(brute / unit.Rows >= result.Iterations[^1].Objective - 1e-6);
    }

    [Fact]
    public void RepairsEmptyClustersCreatedByDuplicatePoints()
    {
        // Three distinct directions, four copies each, six clusters: the seeding must reuse a direction, the
        // duplicate centroid loses every tie to the lower index, and the update has to repair it.
        var directions = new[] { new float[] { 1, 0, 0 }, new float[] { 0, 1, 0 }, new float[] { 0, 0, 1 } };
        var points = new EmbeddingMatrix(12, 3);
        for (int i = 0; i < 12; i++) directions[i % 3].CopyTo(points.Row(i));

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 6, Seed = 1, MaxIterations = 5, Tolerance = 0 });

        Assert.True(result.Iterations.Sum(s => s.EmptyClustersRepaired) > 0);
        var sizes = new int[6];
        foreach (int c in result.Assignments) sizes[c]++;
        Assert.All(sizes, s => Assert.True(s > 0));
        for (int c = 0; c < 6; c++)
            Assert.InRange(VectorMath.Norm(result.Centroids.ReadRow(c)), 1f - 1e-5f, 1f + 1e-5f);
        // Every point sits on its own direction, so every similarity is 1.
        Assert.All(result.Similarities, s => Assert.InRange(s, 1f - 1e-5f, 1f + 1e-5f));
    }

    [Fact]
    public void NoClusterIsEmptyWhenThereAreAsManyPointsAsClusters()
    {
        var points = SphericalKMeansTestData.RandomPoints(40, 4, seed: 21);
        // Many repeated rows make empty clusters likely.
        for (int i = 20; i < 40; i++) points.ReadRow(i - 20).CopyTo(points.Row(i));

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 20, Seed = 6, Tolerance = 0 });

        var sizes = new int[20];
        foreach (int c in result.Assignments) sizes[c]++;
        Assert.All(sizes, s => Assert.True(s > 0));
    }

    [Fact]
    public void ToleranceStopsEarlyAndZeroRunsUntilNoPointMoves()
    {
        var (points, _) = SphericalKMeansTestData.Planted(4, 50, 16, 0.02f, seed: 31);

        var early = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 4, MaxIterations = 50, Tolerance = 1e-3 });
        Assert.InRange(early.Iterations.Count, 2, 49);

        // Tolerance 0 on random points: still moving after 3 iterations, so all 3 run.
        var random = SphericalKMeansTestData.RandomPoints(400, 8, seed: 32);
        var capped = SphericalKMeans.Fit(random, new SphericalKMeansOptions { Clusters = 40, MaxIterations = 3, Tolerance = 0, Seed = 1 });
        Assert.Equal(new[] { 1, 2, 3 }, capped.Iterations.Select(s => s.Iteration));
        Assert.True(capped.Iterations[^1].Reassignments > 0);
        Assert.Equal(random.Rows, capped.Iterations[0].Reassignments);
    }

    [Fact]
    public void ZeroToleranceStopsAtAFixedPointWithTheResultOfMoreIterations()
    {
        var random = SphericalKMeansTestData.RandomPoints(300, 6, seed: 33);
        var options = new SphericalKMeansOptions { Clusters = 12, MaxIterations = 200, Tolerance = 0, Seed = 2 };

        var converged = SphericalKMeans.Fit(random, options);
        int ran = converged.Iterations.Count;
        Assert.InRange(ran, 2, 199);
        Assert.Equal(0, converged.Iterations[^1].Reassignments);
        Assert.Equal(0, converged.Iterations[^1].EmptyClustersRepaired);
        Assert.True(converged.Iterations[^2].Reassignments > 0 || converged.Iterations[^2].EmptyClustersRepaired > 0);

        // A true fixed point: restarted from the returned centroids, the first iteration rebuilds them bit for bit and
        // the second moves nothing, so more iterations would have returned the same clustering.
        var restarted = SphericalKMeans.Fit(random, new SphericalKMeansOptions { Clusters = 12, MaxIterations = 50, Tolerance = 0, InitialCentroids = converged.Centroids });
        Assert.Equal(2, restarted.Iterations.Count);
        Assert.Equal(converged.Assignments, restarted.Assignments);
        Assert.Equal(converged.Similarities, restarted.Similarities);
        for (int c = 0; c < 12; c++) Assert.True(converged.Centroids.ReadRow(c).SequenceEqual(restarted.Centroids.ReadRow(c)));
    }

    [Fact]
    public void ZeroRowsGoToClusterZeroWithSimilarityZero()
    {
        var (points, _) = SphericalKMeansTestData.Planted(3, 10, 6, 0.05f, seed: 41);
        points.Row(4).Clear();
        points.Row(17).Clear();

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 3, Seed = 2 });

        Assert.Equal(0, result.Assignments[4]);
        Assert.Equal(0, result.Assignments[17]);
        Assert.Equal(0f, result.Similarities[4]);
        Assert.Equal(0f, result.Similarities[17]);
    }

    [Fact]
    public void MoreClustersThanPointsIsRejected()
    {
        var points = SphericalKMeansTestData.RandomPoints(5, 3, seed: 1);
        var ex = Assert.Throws<ArgumentException>(() => SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 6 }));
        Assert.Contains("clusters", ex.Message);
        Assert.Contains("more clusters than items", ex.Message);
    }

    [Fact]
    public void MoreClustersThanNonZeroPointsIsRejected()
    {
        var points = SphericalKMeansTestData.RandomPoints(5, 3, seed: 1);
        points.Row(0).Clear();
        points.Row(3).Clear();
        var ex = Assert.Throws<ArgumentException>(() => SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 4 }));
        Assert.Contains("clusters", ex.Message);
    }

    [Fact]
    public void EmptyInputIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => SphericalKMeans.Fit(new EmbeddingMatrix(0, 4), new SphericalKMeansOptions { Clusters = 1 }));
        Assert.Contains("empty", ex.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteValuesAreRejected(float bad)
    {
        var points = SphericalKMeansTestData.RandomPoints(10, 3, seed: 1);
        points.Row(7)[1] = bad;
        var ex = Assert.Throws<ArgumentException>(() => SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 2 }));
        Assert.Contains("row 7", ex.Message);
    }

    [Theory]
    [InlineData(nameof(SphericalKMeansOptions.Clusters))]
    [InlineData(nameof(SphericalKMeansOptions.MaxIterations))]
    [InlineData(nameof(SphericalKMeansOptions.Tolerance))]
    [InlineData(nameof(SphericalKMeansOptions.Threads))]
    public void InvalidOptionsAreRejectedByName(string option)
    {
        var options = new SphericalKMeansOptions { Clusters = 2 };
        switch (option)
        {
            case nameof(SphericalKMeansOptions.Clusters): options.Clusters = 0; break;
            case nameof(SphericalKMeansOptions.MaxIterations): options.MaxIterations = 0; break;
            case nameof(SphericalKMeansOptions.Tolerance): options.Tolerance = double.NaN; break;
            case nameof(SphericalKMeansOptions.Threads): options.Threads = -1; break;
        }
        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(option, ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => SphericalKMeans.Fit(SphericalKMeansTestData.RandomPoints(4, 2, 1), options));
    }

    [Fact]
    public void DefaultsAreDocumentedValues()
    {
        var options = new SphericalKMeansOptions();
        Assert.Equal(20, options.MaxIterations);
        Assert.Equal(1e-4, options.Tolerance);
        Assert.Equal(0, options.Seed);
        Assert.Equal(0, options.Threads);
    }

    [Fact]
    public void CancellationIsObserved()
    {
        var points = SphericalKMeansTestData.RandomPoints(100, 4, seed: 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 3 }, ct: cts.Token));
    }

    [Fact]
    public void SingleClusterIsTheNormalisedMean()
    {
        var points = SphericalKMeansTestData.RandomPoints(50, 5, seed: 4);
        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 1 });
        var unit = points.Normalized();
        var mean = new double[5];
        for (int i = 0; i < 50; i++)
            for (int j = 0; j < 5; j++) mean[j] += unit.ReadRow(i)[j];
        double norm = Math.Sqrt(mean.Sum(v => v * v));
        for (int j = 0; j < 5; j++) Assert.Equal(mean[j] / norm, result.Centroids.ReadRow(0)[j], 1e-5);
        Assert.All(result.Assignments, c => Assert.Equal(0, c));
    }

    private static void AssertIdentical(SphericalKMeansResult expected, SphericalKMeansResult actual)
    {
        Assert.Equal(expected.Assignments, actual.Assignments);
        Assert.Equal(expected.Centroids.Values, actual.Centroids.Values);
        Assert.Equal(expected.Similarities, actual.Similarities);
        Assert.Equal(expected.Iterations.Select(s => (s.Objective, s.Reassignments, s.EmptyClustersRepaired)),
            actual.Iterations.Select(s => (s.Objective, s.Reassignments, s.EmptyClustersRepaired)));
    }
}
