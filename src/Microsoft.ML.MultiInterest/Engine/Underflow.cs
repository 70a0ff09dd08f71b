namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Where a sum of exponentials or powers is taken as underflowed. Below 2^-1022 a term is subnormal and has lost bits; past
/// 1e-270 any subnormal term is under 1e-38 of the sum, nothing. A sum below this is recomputed relative to its largest term.
/// </summary>
internal static class Underflow
{
    /// <summary>The smallest sum whose plain terms are trusted (quota powers, post-hoc mixture weights).</summary>
    public const double PlainSumFloor = 1e-270;
}
