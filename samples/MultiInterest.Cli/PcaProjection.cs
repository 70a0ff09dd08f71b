namespace MultiInterest.Cli;

/// <summary>
/// A 2-D principal-component frame of a small point set (one user's items and mixture components, a few hundred rows
/// of d values): the mean, the two leading eigenvectors of the d x d covariance and their share of the variance.
/// The eigenvectors come from subspace (block power) iteration on two vectors with Gram-Schmidt, then a 2 x 2
/// Rayleigh-Ritz step that orders them by variance: enough for a plot, with no linear-algebra dependency.
/// Any point of the same dimension, fitted or not, projects into the frame.
/// </summary>
internal sealed class PcaProjection
{
    private const int MaxIterations = 500;
    private const double Tolerance = 1e-10;

    private readonly double[] _mean;
    private readonly double[] _axis1;
    private readonly double[] _axis2;

    private PcaProjection(double[] mean, double[] axis1, double[] axis2, double variance1, double variance2, double totalVariance)
    {
        (_mean, _axis1, _axis2) = (mean, axis1, axis2);
        double total = totalVariance > 0 ? totalVariance : 1;
        ExplainedVariance1 = variance1 / total;
        ExplainedVariance2 = variance2 / total;
    }

    /// <summary>Dimension of the points.</summary>
    public int Dimension => _mean.Length;

    /// <summary>Share of the fitted points' variance along the first axis, in [0, 1].</summary>
    public double ExplainedVariance1 { get; }

    /// <summary>Share of the fitted points' variance along the second axis, in [0, 1].</summary>
    public double ExplainedVariance2 { get; }

    /// <summary>The first axis (unit length).</summary>
    public ReadOnlySpan<double> Axis1 => _axis1;

    /// <summary>The second axis (unit length, orthogonal to the first).</summary>
    public ReadOnlySpan<double> Axis2 => _axis2;

    /// <summary>Fits the frame to <paramref name="count"/> points of <paramref name="dimension"/> values stored as consecutive rows.</summary>
    public static PcaProjection Fit(ReadOnlySpan<float> points, int count, int dimension)
    {
        if (dimension < 2) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "A 2-D projection needs at least 2 dimensions.");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A projection needs at least one point.");
        if (points.Length != count * dimension) throw new ArgumentException($"Expected {count} x {dimension} values, got {points.Length}.", nameof(points));

        var mean = new double[dimension];
        for (int p = 0; p < count; p++)
            for (int k = 0; k < dimension; k++) mean[k] += points[p * dimension + k];
        for (int k = 0; k < dimension; k++) mean[k] /= count;

        // Covariance (up to the 1/n factor, which changes no eigenvector).
        var cov = new double[dimension * dimension];
        var centred = new double[dimension];
        for (int p = 0; p < count; p++)
        {
            for (int k = 0; k < dimension; k++) centred[k] = points[p * dimension + k] - mean[k];
            for (int a = 0; a < dimension; a++)
            {
                double ca = centred[a];
                if (ca == 0) continue;
                var row = cov.AsSpan(a * dimension, dimension);
                for (int b = 0; b < dimension; b++) row[b] += ca * centred[b];
            }
        }
        double trace = 0;
        for (int k = 0; k < dimension; k++) trace += cov[k * dimension + k];

        // Deterministic start: the two coordinate axes of largest variance, so a planted axis-aligned plane converges at once.
        var order = Enumerable.Range(0, dimension).OrderByDescending(k => cov[k * dimension + k]).ThenBy(k => k).ToArray();
        var q1 = new double[dimension];
        var q2 = new double[dimension];
        // A small spread over every coordinate keeps the start from being orthogonal to the leading eigenvectors.
        for (int k = 0; k < dimension; k++) (q1[k], q2[k]) = (1e-3 * (k + 1), 1e-3 * (dimension - k));
        q1[order[0]] += 1;
        q2[order[1]] += 1;
        Orthonormalise(q1, q2);
        var z1 = new double[dimension];
        var z2 = new double[dimension];
        for (int iteration = 0; iteration < MaxIterations && trace > 0; iteration++)
        {
            Multiply(cov, q1, z1);
            Multiply(cov, q2, z2);
            Orthonormalise(z1, z2);
            // Converged when the new pair spans the old one: the projection of each old vector onto the new plane has length 1.
            double residual = 2 - (Square(Dot(q1, z1)) + Square(Dot(q1, z2)) + Square(Dot(q2, z1)) + Square(Dot(q2, z2)));
            (q1, z1) = (z1, q1);
            (q2, z2) = (z2, q2);
            if (residual < Tolerance) break;
        }

        // Rayleigh-Ritz: the eigenvectors of the 2 x 2 matrix Q^T C Q give the principal axes within the plane, by variance.
        Multiply(cov, q1, z1);
        Multiply(cov, q2, z2);
        double h11 = Dot(q1, z1), h12 = Dot(q1, z2), h22 = Dot(q2, z2);
        double half = (h11 + h22) / 2, spread = Math.Sqrt(Square((h11 - h22) / 2) + h12 * h12);
        double l1 = half + spread, l2 = half - spread;
        double angle = 0.5 * Math.Atan2(2 * h12, h11 - h22);
        double c = Math.Cos(angle), s = Math.Sin(angle);
        var axis1 = new double[dimension];
        var axis2 = new double[dimension];
        for (int k = 0; k < dimension; k++)
        {
            axis1[k] = c * q1[k] + s * q2[k];
            axis2[k] = -s * q1[k] + c * q2[k];
        }
        // Sign convention (eigenvectors have none): the largest coordinate of each axis is positive, so reruns draw the same picture.
        FixSign(axis1);
        FixSign(axis2);
        return new PcaProjection(mean, axis1, axis2, Math.Max(0, l1), Math.Max(0, l2), trace);
    }

    /// <summary>The coordinates of <paramref name="point"/> in the frame.</summary>
    public (double X, double Y) Project(ReadOnlySpan<float> point)
    {
        if (point.Length != Dimension) throw new ArgumentException($"Expected {Dimension} values, got {point.Length}.", nameof(point));
        double x = 0, y = 0;
        for (int k = 0; k < point.Length; k++)
        {
            double v = point[k] - _mean[k];
            x += v * _axis1[k];
            y += v * _axis2[k];
        }
        return (x, y);
    }

    private static void Multiply(double[] matrix, double[] vector, double[] result)
    {
        int d = vector.Length;
        for (int a = 0; a < d; a++) result[a] = Dot(matrix.AsSpan(a * d, d), vector);
    }

    /// <summary>Gram-Schmidt on two vectors; a vector that vanishes is replaced by a coordinate axis orthogonal to the other.</summary>
    private static void Orthonormalise(double[] a, double[] b)
    {
        if (!Normalise(a)) Fallback(a, null);
        double projection = Dot(a, b);
        for (int k = 0; k < b.Length; k++) b[k] -= projection * a[k];
        if (!Normalise(b)) Fallback(b, a);
    }

    private static void Fallback(double[] target, double[]? other)
    {
        // The coordinate axis least aligned with the other vector, made orthogonal to it.
        int best = 0;
        for (int k = 1; k < target.Length; k++)
            if (other != null && Math.Abs(other[k]) < Math.Abs(other[best])) best = k;
        Array.Clear(target);
        target[best] = 1;
        if (other == null) return;
        double projection = Dot(other, target);
        for (int k = 0; k < target.Length; k++) target[k] -= projection * other[k];
        Normalise(target);
    }

    private static bool Normalise(double[] v)
    {
        double norm = Math.Sqrt(Dot(v, v));
        if (norm < 1e-12) return false;
        for (int k = 0; k < v.Length; k++) v[k] /= norm;
        return true;
    }

    private static void FixSign(double[] v)
    {
        int largest = 0;
        for (int k = 1; k < v.Length; k++)
            if (Math.Abs(v[k]) > Math.Abs(v[largest]) + 1e-12) largest = k;
        if (v[largest] < 0)
            for (int k = 0; k < v.Length; k++) v[k] = -v[k];
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }

    private static double Square(double x) => x * x;
}
