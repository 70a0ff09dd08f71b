using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The normalisation step of the cosine: unit copies of raw rows, and the chain rule back through it,
/// <c>d/da of f(a/|a|) = (g − ⟨g, â⟩ â) / |a|</c> for g the gradient with respect to the unit vector â.
/// </summary>
internal static class UnitRows
{
    /// <summary>Rows shorter than this are treated as having this length (never reached by trained rows, which stay unit).</summary>
    public const float MinimumNorm = 1e-12f;

    /// <summary>Writes unit copies of <paramref name="count"/> padded rows and their lengths.</summary>
    public static void Normalize(ReadOnlySpan<float> raw, Span<float> unit, Span<float> norms, int count, int stride)
    {
        for (int r = 0; r < count; r++)
        {
            var row = raw.Slice(r * stride, stride);
            float norm = MathF.Max(TensorPrimitives.Norm(row), MinimumNorm);
            norms[r] = norm;
            TensorPrimitives.Multiply(row, 1f / norm, unit.Slice(r * stride, stride));
        }
    }

    /// <summary>Turns gradients with respect to unit rows into gradients with respect to the raw rows, in place.</summary>
    public static void ChainRule(Span<float> gradients, ReadOnlySpan<float> unit, ReadOnlySpan<float> norms, int count, int stride)
    {
        for (int r = 0; r < count; r++)
        {
            var g = gradients.Slice(r * stride, stride);
            var u = unit.Slice(r * stride, stride);
            float along = TensorPrimitives.Dot(g, u);
            if (along == 0f && TensorPrimitives.Dot(g, g) == 0f) continue;
            // g ← (g − along · u) / norm
            TensorPrimitives.MultiplyAdd(u, -along, g, g);
            TensorPrimitives.Multiply(g, 1f / norms[r], g);
        }
    }

    /// <summary>Scales one padded row of a shared table to unit length (a zero row is left alone).</summary>
    public static void Project(Span<float> row)
    {
        float norm = TensorPrimitives.Norm(row);
        if (norm > MinimumNorm) TensorPrimitives.Multiply(row, 1f / norm, row);
    }
}
