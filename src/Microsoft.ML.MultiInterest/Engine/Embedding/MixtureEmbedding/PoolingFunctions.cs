namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The poolings of <see cref="MixturePooling"/> and their exact derivatives, on one pair's flattened cosine matrix
/// (a handful of entries). With p = softmax(M/γ) and S = smoothmax = Σ M p:
/// dS/dM_j = p_j (1 + (M_j − S)/γ); regularised R = θ ΣM + (1 − θ) S, so dR/dM_j = θ + (1 − θ) dS/dM_j;
/// max: 1 at the arg-max, 0 elsewhere.
/// </summary>
internal static class PoolingFunctions
{
    /// <summary>Pools <paramref name="m"/> and writes dPool/dM into <paramref name="gradient"/> (same length).</summary>
    /// <param name="kind">The pooling.</param>
    /// <param name="m">The pair's cosines (any order: pooling is symmetric in the entries, except the max's tie rule).</param>
    /// <param name="gamma">γ &gt; 0 of the smooth poolings.</param>
    /// <param name="theta">θ of the regularised pooling (ignored by the others).</param>
    /// <param name="gradient">Receives the derivative of the pooled value with respect to each entry.</param>
    public static float Pool(MixturePooling kind, ReadOnlySpan<float> m, float gamma, float theta, Span<float> gradient)
    {
        int n = m.Length;
        if (kind == MixturePooling.Max)
        {
            int best = 0;
            for (int k = 1; k < n; k++) if (m[k] > m[best]) best = k;
            gradient.Slice(0, n).Clear();
            gradient[best] = 1f;
            return m[best];
        }

        // Softmax shifted by the max, so no exponential overflows whatever γ.
        float max = m[0];
        for (int k = 1; k < n; k++) if (m[k] > max) max = m[k];
        float inverseGamma = 1f / gamma, z = 0f;
        for (int k = 0; k < n; k++)
        {
            float e = MathF.Exp((m[k] - max) * inverseGamma);
            gradient[k] = e;
            z += e;
        }
        float s = 0f, sum = 0f;
        for (int k = 0; k < n; k++)
        {
            gradient[k] /= z; // p_k
            s += m[k] * gradient[k];
            sum += m[k];
        }
        float t = kind == MixturePooling.RegularizedSmoothmax ? theta : 0f;
        for (int k = 0; k < n; k++)
            gradient[k] = t + (1f - t) * gradient[k] * (1f + (m[k] - s) * inverseGamma);
        return t * sum + (1f - t) * s;
    }

    /// <summary>The pooling of negatives that goes with <paramref name="positive"/>: max with max, smoothmax otherwise.</summary>
    public static MixturePooling NegativePooling(MixturePooling positive) =>
        positive == MixturePooling.Max ? MixturePooling.Max : MixturePooling.Smoothmax;
}
