using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The 2-D frame of the mixture plot: planted planes in d = 8 come back with their geometry.</summary>
public sealed class PcaProjectionTests
{
    private const int Dimension = 8;

    [Fact]
    public void Points_on_a_plane_keep_their_pairwise_distances_and_other_points_of_the_plane_share_the_frame()
    {
        var random = new Random(11);
        var (u, v) = RandomPlane(random);
        var origin = Enumerable.Range(0, Dimension).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        // Items fit the frame; "components" are further points of the same plane, projected only.
        var items = Enumerable.Range(0, 40).Select(_ => (A: 3 * Normal(random), B: Normal(random))).ToArray();
        var components = new[] { (A: 5.0, B: -4.0), (A: -2.5, B: 3.0), (A: 0.0, B: 0.0) };
        var fitted = Points(items, origin, u, v);
        var frame = PcaProjection.Fit(fitted, items.Length, Dimension);

        var all = items.Concat(components).ToArray();
        var points = Points(all, origin, u, v);
        var projected = Enumerable.Range(0, all.Length).Select(p => frame.Project(points.AsSpan(p * Dimension, Dimension))).ToArray();
        for (int p = 0; p < all.Length; p++)
        {
            for (int q = p + 1; q < all.Length; q++)
            {
                double planted = Math.Sqrt(Square(all[p].A - all[q].A) + Square(all[p].B - all[q].B));
                double drawn = Math.Sqrt(Square(projected[p].X - projected[q].X) + Square(projected[p].Y - projected[q].Y));
                Assert.True(Math.Abs(planted - drawn) < 1e-4 * (1 + planted), $"Points {p} and {q}: planted distance {planted}, projected {drawn}.");
            }
        }
        Assert.Equal(1, frame.ExplainedVariance1 + frame.ExplainedVariance2, 4);
        Assert.Equal(0, Dot(frame.Axis1, frame.Axis2), 6);
        Assert.Equal(1, Dot(frame.Axis1, frame.Axis1), 6);
        Assert.Equal(1, Dot(frame.Axis2, frame.Axis2), 6);
    }

    [Fact]
    public void Axes_follow_the_planted_directions_by_variance_and_ignore_a_weak_third_direction()
    {
        var random = new Random(5);
        var (u, v) = RandomPlane(random);
        // A third direction orthogonal to the plane, with a tenth of the second axis's spread.
        var w = Enumerable.Range(0, Dimension).Select(_ => Normal(random)).ToArray();
        foreach (var axis in new[] { u, v })
        {
            double projection = Dot(w, axis);
            for (int k = 0; k < Dimension; k++) w[k] -= projection * axis[k];
        }
        double norm = Math.Sqrt(Dot(w, w));
        for (int k = 0; k < Dimension; k++) w[k] /= norm;

        const int count = 400;
        var points = new float[count * Dimension];
        double sumA = 0, sumB = 0, sumC = 0;
        for (int p = 0; p < count; p++)
        {
            double a = 4 * Normal(random), b = 2 * Normal(random), c = 0.2 * Normal(random);
            (sumA, sumB, sumC) = (sumA + a * a, sumB + b * b, sumC + c * c);
            for (int k = 0; k < Dimension; k++) points[p * Dimension + k] = (float)(1 + a * u[k] + b * v[k] + c * w[k]);
        }
        var frame = PcaProjection.Fit(points, count, Dimension);

        Assert.True(Math.Abs(Dot(frame.Axis1, u)) > 0.99, $"Axis 1 . u = {Dot(frame.Axis1, u)}");
        Assert.True(Math.Abs(Dot(frame.Axis2, v)) > 0.99, $"Axis 2 . v = {Dot(frame.Axis2, v)}");
        // Shares of variance near the planted ones (about 0.8 and 0.2).
        double total = sumA + sumB + sumC;
        Assert.Equal(sumA / total, frame.ExplainedVariance1, 1);
        Assert.Equal(sumB / total, frame.ExplainedVariance2, 1);
        Assert.True(frame.ExplainedVariance1 > frame.ExplainedVariance2);
    }

    [Fact]
    public void Identical_points_give_a_valid_frame_at_the_origin()
    {
        var points = Enumerable.Repeat(0.5f, 5 * Dimension).ToArray();
        var frame = PcaProjection.Fit(points, 5, Dimension);
        Assert.Equal((0.0, 0.0), frame.Project(points.AsSpan(0, Dimension)));
        Assert.Equal(0, Dot(frame.Axis1, frame.Axis2), 9);
        Assert.Equal(1, Dot(frame.Axis2, frame.Axis2), 9);
        Assert.Throws<ArgumentException>(() => PcaProjection.Fit(points, 4, Dimension));
    }

    private static (double[] U, double[] V) RandomPlane(Random random)
    {
        var u = Enumerable.Range(0, Dimension).Select(_ => Normal(random)).ToArray();
        var v = Enumerable.Range(0, Dimension).Select(_ => Normal(random)).ToArray();
        double nu = Math.Sqrt(Dot(u, u));
        for (int k = 0; k < Dimension; k++) u[k] /= nu;
        double projection = Dot(u, v);
        for (int k = 0; k < Dimension; k++) v[k] -= projection * u[k];
        double nv = Math.Sqrt(Dot(v, v));
        for (int k = 0; k < Dimension; k++) v[k] /= nv;
        return (u, v);
    }

    private static float[] Points((double A, double B)[] coordinates, double[] origin, double[] u, double[] v)
    {
        var points = new float[coordinates.Length * Dimension];
        for (int p = 0; p < coordinates.Length; p++)
            for (int k = 0; k < Dimension; k++)
                points[p * Dimension + k] = (float)(origin[k] + coordinates[p].A * u[k] + coordinates[p].B * v[k]);
        return points;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }

    private static double Square(double x) => x * x;
}
