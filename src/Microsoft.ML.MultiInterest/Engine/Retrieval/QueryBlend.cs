namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The <see cref="QuotaQuery.Blend"/> query <c>unit(u^c + beta * unit(u))</c>, computed without allocation.</summary>
internal static class QueryBlend
{
    /// <summary>Writes <c>unit(component + beta * unit(user))</c> into <paramref name="destination"/>.</summary>
    /// <param name="component">The component embedding u^c.</param>
    /// <param name="user">The user's own vector u (scaled to unit length here; a zero vector adds nothing).</param>
    /// <param name="beta">Weight of the user vector, finite and non-negative.</param>
    /// <param name="destination">Receives the query; as long as the vectors. Zero if the sum is zero.</param>
    public static void Write(ReadOnlySpan<float> component, ReadOnlySpan<float> user, double beta, Span<float> destination)
    {
        if (component.Length != user.Length || destination.Length < user.Length)
            throw new ArgumentException("The component, user and destination vectors must have the same length.", nameof(destination));
        float userNorm = MathF.Sqrt(VectorMath.Dot(user, user));
        float scale = userNorm > 0 ? (float)(beta / userNorm) : 0f;
        double norm = 0;
        for (int d = 0; d < user.Length; d++)
        {
            float v = component[d] + scale * user[d];
            destination[d] = v;
            norm += (double)v * v;
        }
        if (!double.IsFinite(norm))
        {
            // beta * unit(u) overflowed a float (beta near 1e38 and beyond): the same direction as u^c / beta + unit(u), which does not.
            norm = 0;
            for (int d = 0; d < user.Length; d++)
            {
                float v = (float)(component[d] / beta + user[d] / (double)userNorm);
                destination[d] = v;
                norm += (double)v * v;
            }
        }
        if (norm <= 0) return;
        float inverse = (float)(1 / Math.Sqrt(norm));
        for (int d = 0; d < user.Length; d++) destination[d] *= inverse;
    }
}
