using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The loss of one training edge of the conditional representation and its exact gradients with respect to the
/// condition's parameters: <c>a = u + β h</c>, <c>q = a ⊙ (1 + t)</c>, logits <c>z_j = ⟨q, x_j⟩ / T</c> over the target
/// (j = 0) and the negatives, <c>L = −z_0 + log Σ_j exp z_j + (λ/2)|t|²</c>. With <c>g_j = softmax_j − [j = 0]</c>:
/// <c>dL/dq = Σ_j g_j x_j / T</c>, <c>dL/dt = dL/dq ⊙ a + λ t</c>, <c>dL/dβ = ⟨dL/dq ⊙ (1 + t), h⟩</c>. The user and item
/// vectors are inputs, not parameters. Buffers are filled by the trainer (and by the gradient tests); nothing is
/// allocated per edge.
/// </summary>
internal sealed class ConditionalEdgeModel
{
    private readonly int _d;
    private readonly float[] _a, _q, _dq, _logits;

    /// <summary>Allocates for vectors of <paramref name="dimension"/> and up to <paramref name="maxCandidates"/> candidates (target included).</summary>
    public ConditionalEdgeModel(int dimension, int maxCandidates)
    {
        _d = dimension;
        User = new float[dimension];
        History = new float[dimension];
        Condition = new float[dimension];
        Candidates = new float[maxCandidates * dimension];
        ConditionGradient = new float[dimension];
        _a = new float[dimension];
        _q = new float[dimension];
        _dq = new float[dimension];
        _logits = new float[maxCandidates];
    }

    /// <summary>u, the user's vector.</summary>
    public float[] User { get; }

    /// <summary>h, the mean of the user's other items in the condition (zero when it has none).</summary>
    public float[] History { get; }

    /// <summary>t_c, the condition vector.</summary>
    public float[] Condition { get; }

    /// <summary>β_c, the weight of the history mean.</summary>
    public float Beta { get; set; }

    /// <summary>The candidate item rows: the target, then the negatives.</summary>
    public float[] Candidates { get; }

    /// <summary>dL/dt after <see cref="Compute"/>.</summary>
    public float[] ConditionGradient { get; }

    /// <summary>dL/dβ after <see cref="Compute"/>.</summary>
    public float BetaGradient { get; private set; }

    /// <summary>The loss of the prepared edge over <paramref name="candidates"/> rows, and its gradients.</summary>
    /// <param name="candidates">Target plus negatives, at least 2.</param>
    /// <param name="inverseTemperature">1 / T.</param>
    /// <param name="l2">λ.</param>
    public float Compute(int candidates, float inverseTemperature, float l2)
    {
        int d = _d;
        TensorPrimitives.MultiplyAdd(History, Beta, User, _a);
        TensorPrimitives.MultiplyAdd(_a, Condition, _a, _q);
        float max = float.NegativeInfinity;
        for (int j = 0; j < candidates; j++)
        {
            float z = TensorPrimitives.Dot(_q, Candidates.AsSpan(j * d, d)) * inverseTemperature;
            _logits[j] = z;
            if (z > max) max = z;
        }
        double sum = 0;
        for (int j = 0; j < candidates; j++) sum += Math.Exp(_logits[j] - max);
        float logSum = max + (float)Math.Log(sum);
        float loss = logSum - _logits[0] + 0.5f * l2 * TensorPrimitives.Dot(Condition, Condition);

        // dL/dq = Σ_j (softmax_j − [j = 0]) x_j / T.
        Array.Clear(_dq);
        for (int j = 0; j < candidates; j++)
        {
            float g = (MathF.Exp(_logits[j] - logSum) - (j == 0 ? 1f : 0f)) * inverseTemperature;
            TensorPrimitives.MultiplyAdd(Candidates.AsSpan(j * d, d), g, _dq, _dq);
        }
        // dL/dβ = Σ_d dq_d (1 + t_d) h_d, computed before ConditionGradient reuses nothing of it.
        BetaGradient = TensorPrimitives.Dot(_dq, History) + SumOfProducts(_dq, Condition, History);
        TensorPrimitives.Multiply(_dq, _a, ConditionGradient);
        TensorPrimitives.MultiplyAdd(Condition, l2, ConditionGradient, ConditionGradient);
        return loss;
    }

    /// <summary>Σ_d x_d y_d z_d.</summary>
    private float SumOfProducts(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z)
    {
        TensorPrimitives.Multiply(x, y, _q);
        return TensorPrimitives.Dot(_q, z);
    }
}
