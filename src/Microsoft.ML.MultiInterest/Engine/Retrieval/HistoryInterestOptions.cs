namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How <see cref="HistoryInterests"/> splits each user's history into interests and fits one vector to each. The fold-in
/// settings are those of the implicit-ALS objective (<see cref="ImplicitAlsOptions"/>); set them to the values the
/// embeddings were trained with (<see cref="FromAls"/>), so that an interest's vector is the user vector ALS would give a
/// user whose history were that interest alone.
/// </summary>
public sealed class HistoryInterestOptions
{
    /// <summary>History items per interest, at least 1. Default <see cref="HistoryInterestDefaults.ItemsPerInterest"/>.</summary>
    public int ItemsPerInterest { get; set; } = HistoryInterestDefaults.ItemsPerInterest;

    /// <summary>Most interests per user, at least 1. Default <see cref="HistoryInterestDefaults.MaxInterests"/>.</summary>
    public int MaxInterests { get; set; } = HistoryInterestDefaults.MaxInterests;

    /// <summary>Spherical k-means iterations per history, at least 1. Default <see cref="HistoryInterestDefaults.Iterations"/>.</summary>
    public int Iterations { get; set; } = HistoryInterestDefaults.Iterations;

    /// <summary>λ ≥ 0 of the fold-in. Default <see cref="HistoryInterestDefaults.Regularization"/>.</summary>
    public double Regularization { get; set; } = HistoryInterestDefaults.Regularization;

    /// <summary>ν ≥ 0 of the fold-in. Default <see cref="HistoryInterestDefaults.RegularizationExponent"/>.</summary>
    public double RegularizationExponent { get; set; } = HistoryInterestDefaults.RegularizationExponent;

    /// <summary>α0 ≥ 0 of the fold-in. Default <see cref="HistoryInterestDefaults.UnobservedWeight"/>.</summary>
    public double UnobservedWeight { get; set; } = HistoryInterestDefaults.UnobservedWeight;

    /// <summary>
    /// Whether to fit the fold-in to the users' own vectors instead of taking α0 and λ as given: for embeddings not trained
    /// by implicit ALS (a truncated SVD, negative sampling), whose user vectors no ALS objective produced. α0 and λ are then
    /// chosen from a grid by how well a whole history's fold-in reproduces the direction of the user's own vector, and each
    /// user's interests are scaled by the factor that maps its whole-history fold-in onto that vector. Needs the user
    /// vectors (<see cref="HistoryInterests.Build"/>'s <c>userEmbeddings</c>). Default false.
    /// </summary>
    public bool MatchUserVectors { get; set; }

    /// <summary>Options whose fold-in uses the objective of <paramref name="als"/> (λ, ν, α0); the rest are defaults.</summary>
    /// <param name="als">The implicit-ALS options whose objective to copy; not null.</param>
    /// <returns>New options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="als"/> is null.</exception>
    public static HistoryInterestOptions FromAls(ImplicitAlsOptions als)
    {
        ArgumentNullException.ThrowIfNull(als);
        return new HistoryInterestOptions
        {
            Regularization = als.Regularization,
            RegularizationExponent = als.RegularizationExponent,
            UnobservedWeight = als.UnobservedWeight,
        };
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (ItemsPerInterest < 1) throw new ArgumentOutOfRangeException(nameof(ItemsPerInterest), ItemsPerInterest, "ItemsPerInterest must be at least 1.");
        if (MaxInterests < 1 || MaxInterests > 64) throw new ArgumentOutOfRangeException(nameof(MaxInterests), MaxInterests, "MaxInterests must be within 1..64.");
        if (Iterations < 1 || Iterations > 1000) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be within 1..1000.");
        Check(Regularization, nameof(Regularization));
        Check(RegularizationExponent, nameof(RegularizationExponent));
        Check(UnobservedWeight, nameof(UnobservedWeight));
        if (Regularization == 0 && UnobservedWeight == 0)
            throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "Regularization and UnobservedWeight cannot both be 0: the fold-in would be singular.");
    }

    /// <summary>A copy.</summary>
    /// <returns>A new shallow copy.</returns>
    public HistoryInterestOptions Clone() => (HistoryInterestOptions)MemberwiseClone();

    private static void Check(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1e6)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and within 0..1e6.");
    }
}
