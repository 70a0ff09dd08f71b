namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Orthonormalises the columns of a tall row-major matrix by Cholesky QR, twice (CholeskyQR2: the second pass
/// restores the orthogonality the first loses to the Gram matrix's squared condition number). Work is two Gram
/// products and two small triangular solves, all dense and blocked: far cheaper than Householder QR on n × few hundred.
/// </summary>
internal static class Orthonormalizer
{
    /// <summary>Replaces the columns of <paramref name="y"/> (rows × width) by an orthonormal basis of their span, in place.</summary>
    /// <remarks>
    /// A rank-deficient <paramref name="y"/> (a graph with fewer independent rows than columns asked for) does not
    /// fail: a tiny diagonal shift keeps the factorisation defined, and the deficient directions come out near zero,
    /// which the SVD then reports as zero singular values.
    /// </remarks>
    /// <param name="y">The matrix, row-major; overwritten by the result (block by block: no second table is allocated).</param>
    /// <param name="rows">Its rows.</param>
    /// <param name="width">Its columns.</param>
    /// <param name="threads">Worker threads; the result does not depend on it.</param>
    /// <param name="passes">Cholesky QR passes: 2 for an orthonormal result; 1 suffices between power iterations, which only need the subspace well conditioned.</param>
    /// <param name="ct">Cancellation.</param>
    public static void Orthonormalize(double[] y, int rows, int width, int threads, int passes = 2, CancellationToken ct = default)
    {
        for (int pass = 0; pass < passes; pass++)
        {
            var gram = DenseRows.Gram(y, rows, width, threads, ct);
            var inverseFactor = InverseUpperCholesky(gram, width);
            DenseRows.MultiplyRightInPlace(y, rows, width, inverseFactor, threads, ct);
        }
    }

    /// <summary>
    /// R⁻¹ for the upper-triangular R with RᵀR = G (+ a shift of 1e-12 × the largest diagonal entry, so that a
    /// singular G still factors). Row-major width × width.
    /// </summary>
    internal static double[] InverseUpperCholesky(double[] g, int n)
    {
        double maxDiagonal = 0;
        for (int i = 0; i < n; i++) maxDiagonal = Math.Max(maxDiagonal, g[i * n + i]);
        double shift = 1e-12 * maxDiagonal + double.Epsilon;

        // Lower Cholesky factor L (row-major), G + shift I = L Lᵀ.
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = g[i * n + j] + (i == j ? shift : 0);
                for (int k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
                if (i == j) l[i * n + i] = Math.Sqrt(Math.Max(sum, shift));
                else l[i * n + j] = sum / l[j * n + j];
            }
        }

        // L⁻¹ by forward substitution, then R⁻¹ = (Lᵀ)⁻¹ = (L⁻¹)ᵀ.
        var inverse = new double[n * n];
        for (int col = 0; col < n; col++)
        {
            for (int i = col; i < n; i++)
            {
                double sum = i == col ? 1 : 0;
                for (int k = col; k < i; k++) sum -= l[i * n + k] * inverse[k * n + col];
                inverse[i * n + col] = sum / l[i * n + i];
            }
        }
        var result = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) result[i * n + j] = inverse[j * n + i];
        return result;
    }
}
