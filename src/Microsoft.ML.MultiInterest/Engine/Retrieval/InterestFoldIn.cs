using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The implicit-ALS user solve for a subset S of a user's items: x = A⁻¹ Σ_(i∈S) w_i y_i with
/// A = α0 G + p I + Σ_(i∈S) w_i y_i y_iᵀ, G = YᵀY over every item and p = λ (|S| + α0 |I|)^ν, the vector ALS would give
/// a user whose whole history were S. Solved in G's eigenbasis G = Q Λ Qᵀ (computed once) with the Woodbury identity:
/// A = B + Zᵀ W Z with B = Q diag(α0 Λ + p) Qᵀ diagonal in that basis and Z = Y_S Q, so each solve costs
/// O(|S|² d + |S|³ + d²) rather than O(d³): cheap at the large dimensions of spectral embeddings. A subset larger than the
/// dimension is solved directly in that basis instead, (diag(α0 Λ + p) + Zᵀ W Z) x̃ = Zᵀ w, at O(|S| d² + d³): the
/// same solution, and a long history (a heavy user, a large fresh history at serving) never costs |S|³ time or |S|²
/// memory.
/// </summary>
internal sealed class InterestFoldIn
{
    private readonly double[] _basis;      // Q, d × d row-major (columns are eigenvectors)
    private readonly double[] _eigenvalues; // Λ
    private readonly float[] _rotated;     // Y Q, items × d
    private readonly HistoryInterestOptions _options;
    private readonly int _itemCount; // |I| of the penalty
    private readonly int _rows;      // rows of the item table

    /// <param name="items">The item vectors the embeddings were trained with.</param>
    /// <param name="options">The objective (λ, ν, α0).</param>
    /// <param name="threads">Degree of parallelism of the item-side work; the result does not depend on it.</param>
    /// <param name="itemCount">
    /// |I| of the penalty: the items the embeddings were fitted over, when <paramref name="items"/> holds more rows (an ONNX
    /// directory's table of every item key, keys without edges as zero rows, which add nothing to G); null: its rows.
    /// </param>
    public InterestFoldIn(EmbeddingMatrix items, HistoryInterestOptions options, int threads, int? itemCount = null)
    {
        int d = items.Dimension, n = items.Rows;
        Dimension = d;
        _options = options;
        _itemCount = itemCount ?? n;
        _rows = n;
        var gram = DenseRows.Gram(items.Values, n, d, threads);
        var evd = Matrix<double>.Build.DenseOfRowMajor(d, d, gram).Evd(Symmetricity.Symmetric);
        _basis = new double[d * d];
        _eigenvalues = new double[d];
        for (int j = 0; j < d; j++)
        {
            _eigenvalues[j] = Math.Max(0, evd.EigenValues[j].Real);
            for (int i = 0; i < d; i++) _basis[i * d + j] = evd.EigenVectors[i, j];
        }
        _rotated = Rotate(items.Values, n, d, _basis, threads);
    }

    /// <summary>
    /// Y Q in float, computed in double over chunks of whole blocks of rows (each row's product does not depend on the
    /// rows beside it), so that no double copy of the whole table is made.
    /// </summary>
    private static float[] Rotate(float[] items, int n, int d, double[] basis, int threads)
    {
        var rotated = new float[(long)n * d];
        int chunk = Math.Min(n, 8 * DenseRows.RowsPerBlock);
        var y = new double[chunk * d];
        var product = new double[chunk * d];
        for (int start = 0; start < n; start += chunk)
        {
            int rows = Math.Min(chunk, n - start);
            for (int k = 0; k < rows * d; k++) y[k] = items[(long)start * d + k];
            DenseRows.MultiplyRight(y, rows, d, basis, d, product, threads);
            for (int k = 0; k < rows * d; k++) rotated[(long)start * d + k] = (float)product[k];
        }
        return rotated;
    }

    /// <summary>The same item side with another objective (α0, λ, ν of <paramref name="options"/>): nothing is recomputed.</summary>
    private InterestFoldIn(InterestFoldIn source, HistoryInterestOptions options)
    {
        Dimension = source.Dimension;
        _basis = source._basis;
        _eigenvalues = source._eigenvalues;
        _rotated = source._rotated;
        _itemCount = source._itemCount;
        _rows = source._rows;
        _options = options;
    }

    public int Dimension { get; }

    /// <summary>This fold-in with the objective of <paramref name="options"/>.</summary>
    public InterestFoldIn WithObjective(HistoryInterestOptions options) => new(this, options);

    /// <summary>
    /// Scratch for one worker: <see cref="Solve"/> allocates nothing for subsets of up to <paramref name="maxItems"/> items.
    /// Subsets larger than the dimension are solved in a d × d system, so the scratch never needs more than d items.
    /// </summary>
    public Scratch CreateScratch(int maxItems) => new(Dimension, Math.Min(maxItems, Dimension));

    /// <summary>
    /// The fold-in of a whole history: the vector implicit ALS gives a user whose history is <paramref name="items"/> (item
    /// rows, weights <paramref name="weights"/> or 1), with scratch of its own. The zero vector for an empty history.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An item row is outside the item table.</exception>
    public float[] SolveWhole(ReadOnlySpan<int> items, ReadOnlySpan<float> weights = default)
    {
        var x = new float[Dimension];
        if (items.IsEmpty) return x;
        foreach (int i in items)
            if ((uint)i >= (uint)_rows) throw new ArgumentOutOfRangeException(nameof(items), $"Unknown item row {i}: there are {_rows} items.");
        Solve(items, weights, x, CreateScratch(items.Length));
        return x;
    }

    /// <summary>Writes the fold-in of <paramref name="subset"/> (item rows, weights <paramref name="weights"/> or 1) to <paramref name="x"/>.</summary>
    public void Solve(ReadOnlySpan<int> subset, ReadOnlySpan<float> weights, Span<float> x, Scratch s)
    {
        int d = Dimension, n = subset.Length;
        double penalty = _options.Regularization * Math.Pow(n + _options.UnobservedWeight * _itemCount, _options.RegularizationExponent);
        if (n > d)
        {
            SolveInBasis(subset, weights, x, s, penalty);
            return;
        }
        if (n > s.MaxItems) s.Grow(n);
        // With S = B^(-1/2) (diagonal in the eigenbasis) and Zs = Z S: x̃ = S (v − Zsᵀ K⁻¹ Zs v), v = Zsᵀ w,
        // K = W⁻¹ + Zs Zsᵀ (|S| × |S|). A direction with no penalty and no energy stays at 0 rather than dividing by 0.
        var scale = s.Scale.AsSpan(0, d);
        for (int j = 0; j < d; j++)
        {
            double b = _options.UnobservedWeight * _eigenvalues[j] + penalty;
            scale[j] = b > 0 ? 1 / Math.Sqrt(b) : 0;
        }
        var zs = s.Z.AsSpan(0, n * d);
        var v = s.V.AsSpan(0, d);
        v.Clear();
        var k = s.K.AsSpan(0, n * n);
        for (int a = 0; a < n; a++)
        {
            var row = zs.Slice(a * d, d);
            var rotated = _rotated.AsSpan(subset[a] * d, d);
            for (int j = 0; j < d; j++) row[j] = rotated[j] * scale[j];
            double w = weights.IsEmpty ? 1 : weights[a];
            TensorPrimitives.MultiplyAdd(row, w, v, v);
            k[a * n + a] = 1 / w;
        }
        var projected = s.Projected.AsSpan(0, n);
        for (int a = 0; a < n; a++)
        {
            var za = zs.Slice(a * d, d);
            projected[a] = TensorPrimitives.Dot(za, v);
            k[a * n + a] += TensorPrimitives.Dot(za, za);
            for (int b = a + 1; b < n; b++) k[a * n + b] = TensorPrimitives.Dot(za, zs.Slice(b * d, d));
        }
        ImplicitAlsTrainer.CholeskyInPlace(k, n);
        var coefficients = s.Coefficients.AsSpan(0, n);
        ImplicitAlsTrainer.CholeskySolve(k, n, projected, coefficients);
        for (int a = 0; a < n; a++) TensorPrimitives.MultiplyAdd(zs.Slice(a * d, d), -coefficients[a], v, v);
        TensorPrimitives.Multiply(v, scale, v);
        // x = Q x̃.
        for (int i = 0; i < d; i++) x[i] = (float)TensorPrimitives.Dot(_basis.AsSpan(i * d, d), v);
    }

    /// <summary>
    /// The solve for |S| > d: M x̃ = r with M = diag(α0 Λ + p) + Σ_a w_a z_a z_aᵀ (upper triangle, d × d) and r = Σ_a w_a z_a,
    /// z_a the item's row of Y Q; then x = Q x̃.
    /// </summary>
    private void SolveInBasis(ReadOnlySpan<int> subset, ReadOnlySpan<float> weights, Span<float> x, Scratch s, double penalty)
    {
        int d = Dimension;
        var m = s.Basis.AsSpan(0, d * d);
        var r = s.V.AsSpan(0, d);
        var z = s.Scale.AsSpan(0, d);
        m.Clear();
        r.Clear();
        for (int j = 0; j < d; j++) m[j * d + j] = _options.UnobservedWeight * _eigenvalues[j] + penalty;
        for (int a = 0; a < subset.Length; a++)
        {
            var rotated = _rotated.AsSpan(subset[a] * d, d);
            for (int j = 0; j < d; j++) z[j] = rotated[j];
            double w = weights.IsEmpty ? 1 : weights[a];
            TensorPrimitives.MultiplyAdd(z, w, r, r);
            for (int j = 0; j < d; j++)
            {
                var row = m.Slice(j * d + j, d - j);
                TensorPrimitives.MultiplyAdd(z[j..], w * z[j], row, row);
            }
        }
        ImplicitAlsTrainer.CholeskyInPlace(m, d);
        var solution = s.Solution.AsSpan(0, d);
        ImplicitAlsTrainer.CholeskySolve(m, d, r, solution);
        for (int i = 0; i < d; i++) x[i] = (float)TensorPrimitives.Dot(_basis.AsSpan(i * d, d), solution);
    }

    internal sealed class Scratch(int d, int maxItems)
    {
        /// <summary>The d × d system of a subset larger than the dimension.</summary>
        public double[] Basis => _basis ??= new double[d * d];

        private double[]? _basis;

        /// <summary>Its solution x̃.</summary>
        public double[] Solution { get; } = new double[d];

        public int MaxItems { get; private set; } = maxItems;
        public double[] Scale { get; } = new double[d];
        public double[] V { get; } = new double[d];
        public double[] Z { get; private set; } = new double[maxItems * d];
        public double[] K { get; private set; } = new double[maxItems * maxItems];
        public double[] Projected { get; private set; } = new double[maxItems];
        public double[] Coefficients { get; private set; } = new double[maxItems];

        /// <summary>Makes room for a subset of <paramref name="n"/> items (rare: only a larger interest than seen so far).</summary>
        public void Grow(int n)
        {
            MaxItems = n;
            Z = new double[n * d];
            K = new double[n * n];
            Projected = new double[n];
            Coefficients = new double[n];
        }
    }
}
