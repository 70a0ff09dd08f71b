namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Settings of the truncated-SVD embedding algorithm: a randomized truncated SVD of the degree-normalised
/// interaction matrix R̃ = D_U^(-a) R D_I^(-a) (D = degree + smoothing), with user vectors U Σ^(γ/2) and item vectors
/// D_I^c V Σ^(γ/2), so that dot(user, item) = D_I^c · (U Σ^γ Vᵀ). a = 0, γ = 1, c = 0 is PureSVD (Cremonesi et al.
/// 2010); a = ½ with c = ½ and γ = 0 is the "ideal low-pass filter" of GF-CF (Shen et al. 2021) and SVD-GCN.
/// </summary>
public sealed class TruncatedSvdOptions
{
    /// <summary>a ≥ 0: entries scaled by (deg_u + s)^-a (deg_i + s)^-a. 0 factors the raw matrix. Default <see cref="TruncatedSvdDefaults.DegreeNormalization"/>.</summary>
    public double DegreeNormalization { get; set; } = TruncatedSvdDefaults.DegreeNormalization;

    /// <summary>s ≥ 0, added to degrees. Default <see cref="TruncatedSvdDefaults.DegreeSmoothing"/>.</summary>
    public double DegreeSmoothing { get; set; } = TruncatedSvdDefaults.DegreeSmoothing;

    /// <summary>γ: weight σ^γ per component (split evenly between the user and the item side). Default <see cref="TruncatedSvdDefaults.SpectralExponent"/>.</summary>
    public double SpectralExponent { get; set; } = TruncatedSvdDefaults.SpectralExponent;

    /// <summary>c: item vectors scaled by (deg_i + s)^c. Default <see cref="TruncatedSvdDefaults.ItemDegreeExponent"/>.</summary>
    public double ItemDegreeExponent { get; set; } = TruncatedSvdDefaults.ItemDegreeExponent;

    /// <summary>The largest <see cref="Oversampling"/>.</summary>
    public const int MaxOversampling = 1024;

    /// <summary>
    /// p ≥ 0: extra columns of the random sketch. Default <see cref="TruncatedSvdDefaults.Oversampling"/>; Auto's choice sets it so
    /// that the final fit sketches as many columns as the factorisation the chosen rank was measured on.
    /// </summary>
    public int Oversampling { get; set; } = TruncatedSvdDefaults.Oversampling;

    /// <summary>q ≥ 0: subspace iterations. Default <see cref="TruncatedSvdDefaults.PowerIterations"/>.</summary>
    public int PowerIterations { get; set; } = TruncatedSvdDefaults.PowerIterations;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Check(DegreeNormalization, nameof(DegreeNormalization), 0, 2);
        Check(DegreeSmoothing, nameof(DegreeSmoothing), 0, 1e6);
        Check(SpectralExponent, nameof(SpectralExponent), -4, 8);
        Check(ItemDegreeExponent, nameof(ItemDegreeExponent), -2, 2);
        if (Oversampling < 0 || Oversampling > MaxOversampling)
            throw new ArgumentOutOfRangeException(nameof(Oversampling), Oversampling, $"Oversampling must be within 0..{MaxOversampling}.");
        if (PowerIterations < 0 || PowerIterations > 32) throw new ArgumentOutOfRangeException(nameof(PowerIterations), PowerIterations, "PowerIterations must be within 0..32.");
    }

    /// <summary>A copy.</summary>
    /// <returns>A new shallow copy.</returns>
    public TruncatedSvdOptions Clone() => (TruncatedSvdOptions)MemberwiseClone();

    private static void Check(double value, string name, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and within {min}..{max}.");
    }
}

/// <summary>The defaults of <see cref="TruncatedSvdOptions"/>, in one place.</summary>
public static class TruncatedSvdDefaults
{
    /// <summary>a: symmetric degree normalisation, as GF-CF and LightGCN normalise the graph.</summary>
    public const double DegreeNormalization = 0.5;

    /// <summary>
    /// Added to every degree before normalising (SVD-GCN's renormalisation): it damps low-degree users and items, each
    /// tiny component of which would otherwise own a singular value of 1. 10 beat 1 on the validation hold-outs of
    /// cit-HepPh, Gowalla, lastfm-2k and ml-100k.
    /// </summary>
    public const double DegreeSmoothing = 10;

    /// <summary>γ: each component weighted by σ^γ in the score.</summary>
    public const double SpectralExponent = 1;

    /// <summary>c: item vectors scaled by (degree + smoothing)^c, undoing part of the normalisation's penalty on popular items.</summary>
    public const double ItemDegreeExponent = 0.5;

    /// <summary>Extra sketch columns of the randomized SVD.</summary>
    public const int Oversampling = 16;

    /// <summary>Power (subspace) iterations of the randomized SVD.</summary>
    public const int PowerIterations = 3;
}
