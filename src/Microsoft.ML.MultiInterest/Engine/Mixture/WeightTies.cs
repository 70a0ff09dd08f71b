namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Comparisons of mixture weights and quota remainders. The protocol's tie rules (equal smoothed weights
/// to the lower cluster id; equal remainders to the higher weight) are stated for exact arithmetic, but
/// doubles turn exact ties such as 1/3 against 1/3 into last-bit differences (and 1 - 0.8 is not 0.2), so
/// values closer than <see cref="Tolerance"/> are treated as equal. Weights are rationals with small
/// denominators, so genuine differences are far larger than the tolerance.
/// </summary>
internal static class WeightTies
{
    public const double Tolerance = 1e-9;

    /// <summary>-1 when a is clearly smaller, 1 when clearly larger, 0 when tied.</summary>
    public static int Compare(double a, double b) => a < b - Tolerance ? -1 : a > b + Tolerance ? 1 : 0;
}
