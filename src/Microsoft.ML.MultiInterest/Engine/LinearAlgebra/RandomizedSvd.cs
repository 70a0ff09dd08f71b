using MathNet.Numerics.LinearAlgebra;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The leading singular triplets of a matrix: A ≈ U diag(S) Vᵀ.</summary>
/// <param name="Rank">Number of triplets k.</param>
/// <param name="U">Left singular vectors, rows × k, row-major, single precision.</param>
/// <param name="SingularValues">The k singular values, descending.</param>
/// <param name="V">Right singular vectors, columns × k, row-major, single precision.</param>
internal sealed record SvdResult(int Rank, float[] U, double[] SingularValues, float[] V);

/// <summary>
/// Randomized truncated SVD (Halko, Martinsson and Tropp 2011, Algorithms 4.4 and 5.1): a Gaussian sketch of the
/// range, a few power (subspace) iterations with re-orthonormalisation, then the exact SVD of the small projected
/// matrix. Cost: (2q + 2) sparse products with k + p columns and a few dense n × (k + p) Gram products.
/// </summary>
internal static class RandomizedSvd
{
    /// <summary>Computes the <paramref name="rank"/> leading singular triplets of <paramref name="a"/>.</summary>
    /// <param name="a">The matrix.</param>
    /// <param name="rank">k, within 1..min(rows, columns).</param>
    /// <param name="oversampling">p: extra sketch columns, which make the leading k accurate. Clamped so k + p ≤ min(rows, columns).</param>
    /// <param name="powerIterations">q: subspace iterations; each sharpens the decay of the spectrum the sketch sees.</param>
    /// <param name="seed">Seed of the Gaussian sketch: the only random choice.</param>
    /// <param name="threads">Worker threads; results do not depend on it.</param>
    /// <param name="ct">Cancellation, checked between blocks.</param>
    public static SvdResult Compute(SparseMatrix a, int rank, int oversampling, int powerIterations, int seed, int threads, CancellationToken ct = default)
    {
        int smaller = Math.Min(a.Rows, a.Columns);
        if (rank < 1 || rank > smaller)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be within 1..min(rows, columns) = {smaller}.");
        int width = Math.Min(rank + Math.Max(0, oversampling), smaller);
        var at = a.Transpose();

        // Sketch: Y = A Ω with Ω Gaussian (columns × width), stored in q.
        var omega = new double[(long)a.Columns * width];
        var random = new EmbeddingRandom(seed, 0x5D);
        for (int i = 0; i < omega.Length; i++) omega[i] = random.NextGaussian();
        var q = new double[(long)a.Rows * width];
        a.Multiply(omega, width, q, threads, ct);
        // One Cholesky QR pass per power iteration keeps the sketch conditioned well enough for double precision
        // (the condition number grows by at most (σ1/σk)² between passes); two at the end make Q orthonormal. Every
        // pass works in place, and Ω's storage becomes the column side's Z once the sketch is taken: two n × (k + p)
        // tables in all (Gowalla at k = 768: 0.44 GB). The sketch Y becomes Q where it lies.
        Orthonormalizer.Orthonormalize(q, a.Rows, width, threads, passes: powerIterations == 0 ? 2 : 1, ct: ct);
        var z = omega;
        for (int i = 0; i < powerIterations; i++)
        {
            at.Multiply(q, width, z, threads, ct);
            Orthonormalizer.Orthonormalize(z, a.Columns, width, threads, passes: 1, ct: ct);
            a.Multiply(z, width, q, threads, ct);
        }
        if (powerIterations > 0) Orthonormalizer.Orthonormalize(q, a.Rows, width, threads, passes: 2, ct: ct);

        // Bᵀ = Aᵀ Q (columns × width); B Bᵀ = W Λ Wᵀ gives σ = √λ, U = Q W, V = Bᵀ W Σ⁻¹.
        at.Multiply(q, width, z, threads, ct);
        var small = DenseRows.Gram(z, a.Columns, width, threads, ct);
        var evd = Matrix<double>.Build.DenseOfRowMajor(width, width, small).Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues;
        var vectors = evd.EigenVectors;
        // MathNet orders a symmetric problem's eigenvalues ascending: take them from the end.
        var order = Enumerable.Range(0, width).OrderByDescending(j => values[j].Real).ThenBy(j => j).Take(rank).ToArray();
        var s = new double[rank];
        var w = new double[width * rank];
        var wScaled = new double[width * rank];
        double top = Math.Sqrt(Math.Max(values[order[0]].Real, 0));
        for (int c = 0; c < rank; c++)
        {
            int j = order[c];
            s[c] = Math.Sqrt(Math.Max(values[j].Real, 0));
            // Directions with no energy (rank-deficient input) get zero vectors rather than noise divided by ~0.
            double inverse = s[c] > 1e-12 * top ? 1 / s[c] : 0;
            for (int r = 0; r < width; r++)
            {
                w[r * rank + c] = vectors[r, j];
                wScaled[r * rank + c] = vectors[r, j] * inverse;
            }
        }
        // Singular vectors are kept in single precision: they become float embeddings, and it halves what callers keep.
        var u = DenseRows.MultiplyRightToSingle(q, a.Rows, width, w, rank, threads, ct);
        var v = DenseRows.MultiplyRightToSingle(z, a.Columns, width, wScaled, rank, threads, ct);
        return new SvdResult(rank, u, s, v);
    }
}
