using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The differentiable clustering of one history (<see cref="DcmOptions"/>): T soft k-means steps over n unit rows x_i from
/// K unit seeds m⁰, <c>z_ik = ⟨x_i, m^{t−1}_k⟩/τ</c>, <c>a_ik = softmax_k z_ik</c>, <c>c_k = β m^{t−1}_k + Σ_i a_ik x_i</c>,
/// <c>m^t_k = c_k/|c_k|</c>, and the exact reverse pass through every step (with respect to the rows, the seeds and τ).
/// Buffers are allocated once for the largest history; nothing is allocated per call.
/// </summary>
/// <remarks>
/// Reverse pass of one step, for g = dL/dm^t: <c>g_c = (g − ⟨g, m^t⟩m^t)/|c|</c>; <c>dL/dm^{t−1} += β g_c</c>;
/// <c>dL/dx_i += Σ_k a_ik g_c,k</c>; with <c>g_a,ik = ⟨g_c,k, x_i⟩</c> the softmax gives <c>g_z,ik = a_ik (g_a,ik − Σ_k' a_ik' g_a,ik')</c>,
/// then <c>dL/dx_i += Σ_k g_z,ik m^{t−1}_k/τ</c>, <c>dL/dm^{t−1}_k += Σ_i g_z,ik x_i/τ</c> and <c>dL/dτ −= Σ g_z,ik z_ik/τ</c>.
/// Rows are padded to <c>stride</c> floats (padding zero).
/// </remarks>
internal sealed class SoftClustering
{
    private readonly int _k, _steps, _stride;
    private readonly float[] _m, _a, _z, _norms, _g, _gc, _gPrev, _ga, _aT, _gzRow, _gzT;
    private readonly int[] _rowIndex;
    private int _n;
    private float _tau, _beta;

    /// <summary>Allocates for histories of up to <paramref name="maxRows"/> rows.</summary>
    /// <exception cref="ArgumentException"><paramref name="stride"/> is not a multiple of the SIMD width (<see cref="EmbeddingTable.PaddedStride"/>).</exception>
    public SoftClustering(int interests, int steps, int maxRows, int stride)
    {
        // The kernels read and write whole vectors: a row shorter than a multiple of their width would be overrun.
        if (stride % System.Numerics.Vector<float>.Count != 0)
            throw new ArgumentException($"Stride {stride} is not a multiple of the SIMD width {System.Numerics.Vector<float>.Count}: pad the rows (EmbeddingTable.PaddedStride).", nameof(stride));
        _k = interests;
        _steps = steps;
        _stride = stride;
        maxRows = Math.Max(1, maxRows);
        _m = new float[(steps + 1) * interests * stride];
        _a = new float[steps * maxRows * interests];
        _z = new float[_a.Length];
        _norms = new float[steps * interests];
        _g = new float[interests * stride];
        _gc = new float[_g.Length];
        _gPrev = new float[_g.Length];
        _ga = new float[maxRows * interests];
        _aT = new float[interests * maxRows];
        _gzRow = new float[interests];
        _gzT = new float[interests * maxRows];
        _rowIndex = Enumerable.Range(0, Math.Max(maxRows, interests)).ToArray();
        MaxRows = maxRows;
    }

    /// <summary>The largest history this instance holds.</summary>
    public int MaxRows { get; }

    /// <summary>The K unit interest vectors of the last <see cref="Forward"/> (padded rows).</summary>
    public ReadOnlySpan<float> Interests => _m.AsSpan(_steps * _k * _stride, _k * _stride);

    /// <summary>The soft mass <c>Σ_i a_ik</c> of interest k in the last step.</summary>
    public float Mass(int k)
    {
        float s = 0f;
        var a = _a.AsSpan((_steps - 1) * MaxRows * _k);
        for (int i = 0; i < _n; i++) s += a[i * _k + k];
        return s;
    }

    /// <summary>Clusters the <paramref name="n"/> unit rows <paramref name="x"/> from the unit <paramref name="seeds"/>.</summary>
    public void Forward(ReadOnlySpan<float> x, int n, ReadOnlySpan<float> seeds, float tau, float beta)
    {
        if (n > MaxRows) throw new ArgumentOutOfRangeException(nameof(n), n, $"The clustering holds at most {MaxRows} rows.");
        int k = _k, s = _stride;
        _n = n;
        _tau = tau;
        _beta = beta;
        seeds.Slice(0, k * s).CopyTo(_m);
        float inverse = 1f / tau;
        for (int t = 0; t < _steps; t++)
        {
            var prev = _m.AsSpan(t * k * s, k * s);
            var next = _m.AsSpan((t + 1) * k * s, k * s);
            var a = _a.AsSpan(t * MaxRows * k, n * k);
            var z = _z.AsSpan(t * MaxRows * k, n * k);
            // z = x mᵀ / τ in one blocked product, the softmax per row, then each c_k as one weighted sum of the rows.
            ChunkKernels.Scores(x, n, prev, k, s, z, k);
            for (int i = 0; i < n; i++)
            {
                float max = float.NegativeInfinity;
                for (int c = 0; c < k; c++)
                {
                    float v = z[i * k + c] *= inverse;
                    if (v > max) max = v;
                }
                float sum = 0f;
                for (int c = 0; c < k; c++) sum += a[i * k + c] = MathF.Exp(z[i * k + c] - max);
                for (int c = 0; c < k; c++) _aT[c * n + i] = a[i * k + c] /= sum;
            }
            TensorPrimitives.Multiply(prev, beta, next);
            for (int c = 0; c < k; c++)
                ChunkKernels.AddWeightedRows(next.Slice(c * s, s), x, _rowIndex, _aT.AsSpan(c * n, n), n, s);
            for (int c = 0; c < k; c++)
            {
                var row = next.Slice(c * s, s);
                float norm = MathF.Max(TensorPrimitives.Norm(row), UnitRows.MinimumNorm);
                _norms[t * k + c] = norm;
                TensorPrimitives.Multiply(row, 1f / norm, row);
            }
        }
    }

    /// <summary>
    /// Back-propagates <paramref name="gradOut"/> = dL/d<see cref="Interests"/> through the last <see cref="Forward"/>:
    /// adds dL/dx to <paramref name="gradX"/>, writes dL/dseeds (unit seeds) to <paramref name="gradSeeds"/>; returns dL/dτ.
    /// </summary>
    public float Backward(ReadOnlySpan<float> gradOut, ReadOnlySpan<float> x, Span<float> gradX, Span<float> gradSeeds)
    {
        int k = _k, s = _stride, n = _n;
        float inverse = 1f / _tau, gradTau = 0f;
        gradOut.Slice(0, k * s).CopyTo(_g);
        for (int t = _steps - 1; t >= 0; t--)
        {
            var prev = _m.AsSpan(t * k * s, k * s);
            var next = _m.AsSpan((t + 1) * k * s, k * s);
            var a = _a.AsSpan(t * MaxRows * k, n * k);
            var z = _z.AsSpan(t * MaxRows * k, n * k);
            for (int c = 0; c < k; c++)
            {
                var g = _g.AsSpan(c * s, s);
                var m = next.Slice(c * s, s);
                var gc = _gc.AsSpan(c * s, s);
                float along = TensorPrimitives.Dot(g, m);
                TensorPrimitives.MultiplyAdd(m, -along, g, gc);
                TensorPrimitives.Multiply(gc, 1f / _norms[t * k + c], gc);
                TensorPrimitives.Multiply(gc, _beta, _gPrev.AsSpan(c * s, s));
            }
            // g_a = x g_cᵀ in one blocked product; then per row the softmax's reverse, and the rows' and the previous
            // interests' gradients as weighted sums.
            var ga = _ga.AsSpan(0, n * k);
            ChunkKernels.Scores(x, n, _gc, k, s, ga, k);
            for (int i = 0; i < n; i++)
            {
                float mean = 0f;
                for (int c = 0; c < k; c++) mean += a[i * k + c] * ga[i * k + c];
                for (int c = 0; c < k; c++)
                {
                    float gz = a[i * k + c] * (ga[i * k + c] - mean);
                    gradTau -= gz * z[i * k + c] * inverse;
                    _gzT[c * n + i] = _gzRow[c] = gz * inverse;
                }
                var gxi = gradX.Slice(i * s, s);
                ChunkKernels.AddWeightedRows(gxi, _gc, _rowIndex, a.Slice(i * k, k), k, s);
                ChunkKernels.AddWeightedRows(gxi, prev, _rowIndex, _gzRow, k, s);
            }
            for (int c = 0; c < k; c++)
                ChunkKernels.AddWeightedRows(_gPrev.AsSpan(c * s, s), x, _rowIndex, _gzT.AsSpan(c * n, n), n, s);
            _gPrev.CopyTo(_g, 0);
        }
        _g.AsSpan(0, k * s).CopyTo(gradSeeds);
        return gradTau;
    }
}
