using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The prompted history encoder of <see cref="EmbeddingAlgorithm.DivideConquer"/> (Eq. 5) on padded rows, forward and
/// exact reverse pass: n token rows s_j (history input vectors, oldest first; for <see cref="DivideConquerEncoder.UserVector"/>
/// the user's one vector; for <see cref="DivideConquerEncoder.SelfAttention"/> input vector plus position vector), a prompt
/// t and, for attention, a query q.
/// Mean: <c>e = t ⊙ m</c>, <c>m = (1/n) Σ s_j</c>. Attention: <c>z_j = ⟨q ⊙ t, s_j⟩ = ⟨q, s_j ⊙ t⟩</c>, <c>a = softmax(z)</c>,
/// <c>p = Σ a_j s_j</c>, <c>e = t ⊙ p</c>. Self-attention read out at the most recent token: the same with the query
/// <c>v = q + W h</c> in place of q, <c>h = s_(n−1) ⊙ t</c> the prompted last token and W a learned d × d matrix.
/// </summary>
/// <remarks>
/// Reverse pass for g = dL/de: mean, <c>dL/dt = g ⊙ m</c>, <c>dL/ds_j = (g ⊙ t)/n</c>. Attention, with <c>g_p = g ⊙ t</c>:
/// <c>dL/dt = g ⊙ p + g_qt ⊙ q</c>, <c>g_a,j = ⟨g_p, s_j⟩</c>, <c>g_z,j = a_j (g_a,j − Σ_l a_l g_a,l)</c>,
/// <c>dL/ds_j = a_j g_p + g_z,j (q ⊙ t)</c>, <c>g_qt = Σ_j g_z,j s_j</c>, <c>dL/dq = g_qt ⊙ t</c>. Self-attention, with q
/// read as v: <c>dL/dv = g_qt ⊙ t</c>, <c>dL/dq = dL/dv</c>, <c>dL/dW = (dL/dv) hᵀ</c>, and <c>g_h = Wᵀ dL/dv</c> adds
/// <c>g_h ⊙ t</c> to dL/ds_(n−1) and <c>g_h ⊙ s_(n−1)</c> to dL/dt.
/// <see cref="Load"/> keeps the tokens and their mean, so serving one user's K clusters pools the history once for the
/// mean encoder (each cluster is then one Hadamard product). Buffers are allocated once; nothing per call.
/// </remarks>
internal sealed class PromptPooling
{
    private readonly bool _attention, _selfAttention;
    private readonly int _stride;
    private readonly float[] _mean, _pooled, _qt, _gp, _gqt, _a, _ga, _h, _v, _gh;
    private float[] _tokens = [];
    private int _n;

    /// <summary>Allocates for up to <paramref name="maxTokens"/> rows of <paramref name="stride"/> floats.</summary>
    public PromptPooling(DivideConquerEncoder encoder, int maxTokens, int stride)
    {
        _selfAttention = encoder == DivideConquerEncoder.SelfAttention;
        _attention = _selfAttention || encoder == DivideConquerEncoder.AttentionPooling;
        _stride = stride;
        maxTokens = Math.Max(1, maxTokens);
        MaxTokens = maxTokens;
        _mean = new float[stride];
        _pooled = new float[stride];
        _qt = new float[stride];
        _gp = new float[stride];
        _gqt = new float[stride];
        _a = new float[maxTokens];
        _ga = new float[maxTokens];
        _h = new float[stride];
        _v = new float[stride];
        _gh = new float[stride];
    }

    /// <summary>The most tokens one call holds.</summary>
    public int MaxTokens { get; }

    /// <summary>Takes <paramref name="n"/> ≥ 1 token rows (kept by reference: leave them unchanged until the last <see cref="Backward"/>).</summary>
    public void Load(float[] tokens, int n)
    {
        if (n < 1 || n > MaxTokens) throw new ArgumentOutOfRangeException(nameof(n), n, $"The encoder holds 1..{MaxTokens} tokens.");
        _tokens = tokens;
        _n = n;
        int s = _stride;
        Array.Clear(_mean);
        for (int j = 0; j < n; j++) TensorPrimitives.Add(_mean, tokens.AsSpan(j * s, s), _mean);
        TensorPrimitives.Multiply(_mean, 1f / n, _mean);
    }

    /// <summary>
    /// Writes <c>e</c> for prompt <paramref name="prompt"/> (and <paramref name="query"/> when attending, and the d × stride
    /// matrix <paramref name="mixing"/> W for self-attention; empty otherwise) into <paramref name="output"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> prompt, ReadOnlySpan<float> query, ReadOnlySpan<float> mixing, Span<float> output)
    {
        int s = _stride;
        if (!_attention)
        {
            TensorPrimitives.Multiply(prompt.Slice(0, s), _mean, output.Slice(0, s));
            return;
        }
        query.Slice(0, s).CopyTo(_v);
        if (_selfAttention)
        {
            TensorPrimitives.Multiply(_tokens.AsSpan((_n - 1) * s, s), prompt.Slice(0, s), _h);
            int rows = mixing.Length / s;
            for (int r = 0; r < rows; r++) _v[r] += TensorPrimitives.Dot(mixing.Slice(r * s, s), _h);
        }
        TensorPrimitives.Multiply(_v, prompt.Slice(0, s), _qt);
        float max = float.NegativeInfinity;
        for (int j = 0; j < _n; j++)
        {
            float z = TensorPrimitives.Dot(_qt, _tokens.AsSpan(j * s, s));
            _a[j] = z;
            if (z > max) max = z;
        }
        float sum = 0f;
        for (int j = 0; j < _n; j++) sum += _a[j] = MathF.Exp(_a[j] - max);
        float inverse = 1f / sum;
        Array.Clear(_pooled);
        for (int j = 0; j < _n; j++)
        {
            _a[j] *= inverse;
            TensorPrimitives.MultiplyAdd(_tokens.AsSpan(j * s, s), _a[j], _pooled, _pooled);
        }
        TensorPrimitives.Multiply(prompt.Slice(0, s), _pooled, output.Slice(0, s));
    }

    /// <summary>
    /// Back-propagates <paramref name="gradOutput"/> = dL/de through the last <see cref="Forward"/> (same prompt, query and
    /// mixing): writes dL/ds into <paramref name="gradTokens"/> (n rows), dL/dt into <paramref name="gradPrompt"/>, when
    /// attending dL/dq into <paramref name="gradQuery"/>, and for self-attention dL/dW into <paramref name="gradMixing"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<float> gradOutput, ReadOnlySpan<float> prompt, ReadOnlySpan<float> mixing,
        Span<float> gradTokens, Span<float> gradPrompt, Span<float> gradQuery, Span<float> gradMixing)
    {
        int s = _stride, n = _n;
        var g = gradOutput.Slice(0, s);
        TensorPrimitives.Multiply(g, prompt.Slice(0, s), _gp);
        if (!_attention)
        {
            TensorPrimitives.Multiply(g, _mean, gradPrompt.Slice(0, s));
            TensorPrimitives.Multiply(_gp, 1f / n, _gp);
            for (int j = 0; j < n; j++) _gp.CopyTo(gradTokens.Slice(j * s, s));
            return;
        }
        TensorPrimitives.Multiply(g, _pooled, gradPrompt.Slice(0, s));
        float mean = 0f;
        for (int j = 0; j < n; j++)
        {
            _ga[j] = TensorPrimitives.Dot(_gp, _tokens.AsSpan(j * s, s));
            mean += _a[j] * _ga[j];
        }
        Array.Clear(_gqt);
        for (int j = 0; j < n; j++)
        {
            float gz = _a[j] * (_ga[j] - mean);
            var gs = gradTokens.Slice(j * s, s);
            TensorPrimitives.Multiply(_gp, _a[j], gs);
            TensorPrimitives.MultiplyAdd(_qt, gz, gs, gs);
            TensorPrimitives.MultiplyAdd(_tokens.AsSpan(j * s, s), gz, _gqt, _gqt);
        }
        TensorPrimitives.Multiply(_gqt, prompt.Slice(0, s), gradQuery.Slice(0, s));
        TensorPrimitives.MultiplyAdd(_gqt, _v, gradPrompt.Slice(0, s), gradPrompt.Slice(0, s));
        if (!_selfAttention) return;
        // v = q + W h: dL/dW = (dL/dv) hᵀ, and h = s_(n−1) ⊙ t passes g_h = Wᵀ dL/dv back to the last token and the prompt.
        int rows = mixing.Length / s;
        Array.Clear(_gh);
        for (int r = 0; r < rows; r++)
        {
            float gv = gradQuery[r];
            TensorPrimitives.Multiply(_h, gv, gradMixing.Slice(r * s, s));
            TensorPrimitives.MultiplyAdd(mixing.Slice(r * s, s), gv, _gh, _gh);
        }
        var last = gradTokens.Slice((n - 1) * s, s);
        TensorPrimitives.MultiplyAdd(_gh, prompt.Slice(0, s), last, last);
        TensorPrimitives.MultiplyAdd(_gh, _tokens.AsSpan((n - 1) * s, s), gradPrompt.Slice(0, s), gradPrompt.Slice(0, s));
    }
}
