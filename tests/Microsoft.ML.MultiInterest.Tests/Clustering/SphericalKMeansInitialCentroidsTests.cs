using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Clustering;

/// <summary><see cref="SphericalKMeansOptions.InitialCentroids"/>: warm starts and shared initialisations.</summary>
public class SphericalKMeansInitialCentroidsTests
{
    [Fact]
    public void FirstAssignmentIsToTheNearestGivenCentroid()
    {
        var points = SphericalKMeansTestData.RandomPoints(400, 12, seed: 21);
        var given = SphericalKMeansTestData.RandomPoints(9, 12, seed: 22);

        var result = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 9, MaxIterations = 1, InitialCentroids = given });

        var unitPoints = points.Normalized();
        var unitGiven = given.Normalized();
        for (int i = 0; i < points.Rows; i++)
        {
            int best = 0;
            for (int c = 1; c < 9; c++)
                if (VectorMath.Dot(unitPoints.ReadRow(i), unitGiven.ReadRow(c)) > VectorMath.Dot(unitPoints.ReadRow(i), unitGiven.ReadRow(best))) best = c;
            Assert.Equal(best, result.Assignments[i]);
        }
    }

    [Fact]
    public void WarmStartFromAConvergedModelReproducesIt()
    {
        var points = SphericalKMeansTestData.RandomPoints(1200, 16, seed: 23);
        var cold = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 25, MaxIterations = 200, Seed = 4 });
        Assert.Equal(0, cold.Iterations[^1].Reassignments); // converged: a fixed point of the Lloyd step

        var warm = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 25, MaxIterations = 3, Tolerance = 0, InitialCentroids = cold.Centroids });

        Assert.Equal(cold.Assignments, warm.Assignments);
        Assert.Equal(cold.Centroids.Values, warm.Centroids.Values);
        Assert.All(warm.Iterations.Skip(1), s => Assert.Equal(0, s.Reassignments));
    }

    [Fact]
    public void RowsAreNormalisedTheTableIsNotModifiedAndTheSeedIsUnused()
    {
        var points = SphericalKMeansTestData.RandomPoints(600, 10, seed: 24);
        var given = SphericalKMeansTestData.RandomPoints(8, 10, seed: 25);
        var scaled = new EmbeddingMatrix(8, 10, (float[])given.Values.Clone());
        for (int c = 0; c < 8; c++) System.Numerics.Tensors.TensorPrimitives.Multiply(scaled.Row(c), 0.5f + 3f * c, scaled.Row(c));
        var before = (float[])scaled.Values.Clone();

        var a = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 8, Seed = 1, InitialCentroids = given });
        var b = SphericalKMeans.Fit(points, new SphericalKMeansOptions { Clusters = 8, Seed = 2, InitialCentroids = scaled });

        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(before, scaled.Values);
    }

    [Fact]
    public void WrongShapeNonFiniteOrZeroRowsAreNamed()
    {
        var points = SphericalKMeansTestData.RandomPoints(50, 6, seed: 26);
        AssertRejected(points, SphericalKMeansTestData.RandomPoints(4, 6, seed: 1), "4 rows but Clusters is 3", clusters: 3);
        AssertRejected(points, SphericalKMeansTestData.RandomPoints(3, 5, seed: 1), "dimension 5 but the points have dimension 6", clusters: 3);
        var nan = SphericalKMeansTestData.RandomPoints(3, 6, seed: 1);
        nan.Row(2)[4] = float.NaN;
        AssertRejected(points, nan, "non-finite value (NaN) in row 2, column 4", clusters: 3);
        var zero = SphericalKMeansTestData.RandomPoints(3, 6, seed: 1);
        zero.Row(1).Clear();
        AssertRejected(points, zero, "row 1 is all zeros", clusters: 3);
    }

    private static void AssertRejected(EmbeddingMatrix points, EmbeddingMatrix given, string expected, int clusters)
    {
        var options = new SphericalKMeansOptions { Clusters = clusters, InitialCentroids = given };
        var ex = Assert.Throws<ArgumentException>(() => SphericalKMeans.Fit(points, options));
        Assert.Equal(nameof(SphericalKMeansOptions.InitialCentroids), ex.ParamName);
        Assert.Contains(expected, ex.Message);
    }
}
