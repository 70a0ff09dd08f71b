using System.Numerics;
using System.Runtime.InteropServices;
using static Microsoft.ML.MultiInterest.Engine.ChunkKernels;

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

    /// <summary>
    /// Smoothmax of many one-column blocks at once, with its derivatives: block n is column n of <paramref name="rows"/>
    /// (<paramref name="rowCount"/> rows of <paramref name="columns"/> entries), so the maxima, exponentials and sums run
    /// in vectors across the blocks (a scalar tail for the last columns). Writes S_n to <paramref name="pooled"/> and
    /// dS_n/dM_an = p_an (1 + (M_an − S_n)/γ) to <paramref name="gradients"/> (same layout as the rows): the value and
    /// derivatives of <see cref="Pool"/> with <see cref="MixturePooling.Smoothmax"/>, up to rounding.
    /// </summary>
    public static void SmoothmaxColumns(ReadOnlySpan<float> rows, int rowCount, int columns, float gamma, Span<float> pooled, Span<float> gradients)
    {
        if (rows.Length < rowCount * columns || gradients.Length < rowCount * columns || pooled.Length < columns)
            throw new ArgumentException("Pooling buffers are too short.");
        int w = Vector<float>.Count, n = 0;
        float inverseGamma = 1f / gamma;
        ref float r = ref MemoryMarshal.GetReference(rows);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float s = ref MemoryMarshal.GetReference(pooled);
        var scale = new Vector<float>(inverseGamma);
        for (; n + w <= columns; n += w)
        {
            // Shifted by each column's largest entry, so no exponential overflows whatever γ.
            var max = V(ref r, n);
            for (int a = 1; a < rowCount; a++) max = Vector.Max(max, V(ref r, a * columns + n));
            Vector<float> z = Vector<float>.Zero, weighted = Vector<float>.Zero;
            for (int a = 0; a < rowCount; a++)
            {
                var m = V(ref r, a * columns + n);
                var e = Vector.Exp((m - max) * scale);
                V(ref g, a * columns + n) = e;
                z += e;
                weighted += m * e;
            }
            var pooledValue = weighted / z;
            V(ref s, n) = pooledValue;
            var inverseZ = Vector<float>.One / z;
            for (int a = 0; a < rowCount; a++)
            {
                ref var ga = ref V(ref g, a * columns + n);
                ga = ga * inverseZ * (Vector<float>.One + (V(ref r, a * columns + n) - pooledValue) * scale);
            }
        }
        for (; n < columns; n++)
        {
            float max = rows[n];
            for (int a = 1; a < rowCount; a++) max = MathF.Max(max, rows[a * columns + n]);
            float z = 0f, weighted = 0f;
            for (int a = 0; a < rowCount; a++)
            {
                float m = rows[a * columns + n], e = MathF.Exp((m - max) * inverseGamma);
                gradients[a * columns + n] = e;
                z += e;
                weighted += m * e;
            }
            float pooledValue = weighted / z;
            pooled[n] = pooledValue;
            for (int a = 0; a < rowCount; a++)
                gradients[a * columns + n] = gradients[a * columns + n] / z * (1f + (rows[a * columns + n] - pooledValue) * inverseGamma);
        }
    }

    /// <summary>The pooling of negatives that goes with <paramref name="positive"/>: max with max, smoothmax otherwise.</summary>
    public static MixturePooling NegativePooling(MixturePooling positive) =>
        positive == MixturePooling.Max ? MixturePooling.Max : MixturePooling.Smoothmax;
}
