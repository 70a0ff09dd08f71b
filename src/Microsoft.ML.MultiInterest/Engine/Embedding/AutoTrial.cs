namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One candidate measured by <see cref="AutoEmbedding"/>: its validation figure, how to rebuild its validation
/// vectors, and how to configure its final fit on all training edges.</summary>
internal sealed record AutoTrial(string Name, int Dimension, double Recall, Func<(EmbeddingMatrix Users, EmbeddingMatrix Items)> Vectors,
    Action<GraphEmbeddingOptions> Configure)
{
    /// <summary>
    /// For a truncated-SVD trial, the factorisation, rank and spectral exponent its vectors come from and its popularity
    /// exponent: trials that share the first three differ only by a factor per item and are measured in one scan.
    /// </summary>
    public SpectralTrialVectors? Spectral { get; init; }
}

/// <summary>Where a truncated-SVD trial's vectors come from (<see cref="SpectralFactors.Embed"/>).</summary>
/// <param name="Factors">The factorisation.</param>
/// <param name="Rank">The rank read off it.</param>
/// <param name="SpectralExponent">γ.</param>
/// <param name="ItemDegreeExponent">c: the items' popularity factor, the one thing trials of one family differ by.</param>
internal sealed record SpectralTrialVectors(SpectralFactors Factors, int Rank, double SpectralExponent, double ItemDegreeExponent)
{
    /// <summary>What trials measured in one scan share: the factorisation (by reference), the rank and γ.</summary>
    public (SpectralFactors, int, double) Family => (Factors, Rank, SpectralExponent);
}
