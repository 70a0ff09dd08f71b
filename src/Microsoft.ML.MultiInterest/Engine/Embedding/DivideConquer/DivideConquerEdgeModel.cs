using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The loss of one training edge of <see cref="EmbeddingAlgorithm.DivideConquer"/> and its exact gradients: the user's
/// query for the positive's cluster, <c>e = f(tokens; t, q)</c> (<see cref="PromptPooling"/>), scores <c>r_c = ⟨e, v_c⟩</c>
/// of the target (c = 0) and N negatives, and the sigmoid loss of Eq. 2/3,
/// <c>w [−log σ(r_0) − (1/N) Σ_c log(1 − σ(r_c))]</c> (negatives averaged, as the logistic loss of the other trainers).
/// Buffers are public to the worker (it gathers rows into them) and to the gradient tests.
/// </summary>
internal sealed class DivideConquerEdgeModel
{
    private readonly int _stride;
    private readonly PromptPooling _pooling;
    private readonly float[] _output, _gradOutput, _scores;

    /// <summary>Allocates for up to <paramref name="maxTokens"/> token rows and <paramref name="maxNegatives"/> negatives.</summary>
    public DivideConquerEdgeModel(DivideConquerEncoder encoder, int maxTokens, int maxNegatives, int stride)
    {
        _stride = stride;
        _pooling = new PromptPooling(encoder, maxTokens, stride);
        Tokens = new float[_pooling.MaxTokens * stride];
        TokenGradients = new float[Tokens.Length];
        Candidates = new float[(1 + maxNegatives) * stride];
        CandidateGradients = new float[Candidates.Length];
        Prompt = new float[stride];
        PromptGradient = new float[stride];
        Query = new float[stride];
        QueryGradient = new float[stride];
        int mixingRows = encoder == DivideConquerEncoder.SelfAttention ? stride : 0;
        Mixing = new float[mixingRows * stride];
        MixingGradient = new float[Mixing.Length];
        _output = new float[stride];
        _gradOutput = new float[stride];
        _scores = new float[1 + maxNegatives];
    }

    /// <summary>Raw token rows: the history's input vectors (or the user's vector).</summary>
    public float[] Tokens { get; }

    /// <summary>Raw candidate rows: the target, then the negatives.</summary>
    public float[] Candidates { get; }

    /// <summary>The prompt t_k of the target's cluster (ones without prompts).</summary>
    public float[] Prompt { get; }

    /// <summary>The attention query q (ignored by the mean encoders).</summary>
    public float[] Query { get; }

    /// <summary>The self-attention matrix W (rows of <c>stride</c> floats; empty for the other encoders). Rows past the dimension stay zero.</summary>
    public float[] Mixing { get; }

    /// <summary>dL/dMixing after <see cref="Compute"/>.</summary>
    public float[] MixingGradient { get; }

    /// <summary>dL/dTokens after <see cref="Compute"/>.</summary>
    public float[] TokenGradients { get; }

    /// <summary>dL/dCandidates after <see cref="Compute"/>.</summary>
    public float[] CandidateGradients { get; }

    /// <summary>dL/dPrompt after <see cref="Compute"/>.</summary>
    public float[] PromptGradient { get; }

    /// <summary>dL/dQuery after <see cref="Compute"/> (zero for the mean encoders).</summary>
    public float[] QueryGradient { get; }

    /// <summary>The loss of the prepared edge (<paramref name="n"/> tokens, <paramref name="negatives"/> ≥ 0 negatives, edge weight <paramref name="weight"/>) and its gradients.</summary>
    public float Compute(int n, int negatives, float weight)
    {
        int s = _stride, candidates = 1 + negatives;
        _pooling.Load(Tokens, n);
        _pooling.Forward(Prompt, Query, Mixing, _output);
        for (int c = 0; c < candidates; c++) _scores[c] = TensorPrimitives.Dot(_output, Candidates.AsSpan(c * s, s));

        // dL/dr: −w σ(−r_0) for the target, (w/N) σ(r_c) for each negative.
        float loss = weight * Softplus(-_scores[0]);
        _scores[0] = -weight * Sigmoid(-_scores[0]);
        float negativeWeight = negatives == 0 ? 0f : weight / negatives;
        for (int c = 1; c < candidates; c++)
        {
            loss += negativeWeight * Softplus(_scores[c]);
            _scores[c] = negativeWeight * Sigmoid(_scores[c]);
        }

        Array.Clear(_gradOutput);
        for (int c = 0; c < candidates; c++)
        {
            TensorPrimitives.Multiply(_output, _scores[c], CandidateGradients.AsSpan(c * s, s));
            TensorPrimitives.MultiplyAdd(Candidates.AsSpan(c * s, s), _scores[c], _gradOutput, _gradOutput);
        }
        Array.Clear(QueryGradient);
        _pooling.Backward(_gradOutput, Prompt, Mixing, TokenGradients, PromptGradient, QueryGradient, MixingGradient);
        return loss;
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static float Softplus(float x) => x > 0 ? x + MathF.Log(1f + MathF.Exp(-x)) : MathF.Log(1f + MathF.Exp(x));
}
