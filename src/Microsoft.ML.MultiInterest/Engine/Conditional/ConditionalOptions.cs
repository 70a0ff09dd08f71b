namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Training settings of the conditional user representation (Pinterest's conditional retrieval; docs: concepts.md,
/// "Conditional retrieval"): <c>e_u^c = (u + β_c h_u^c) ⊙ (1 + t_c)</c> over fixed user and item vectors, with
/// h_u^c the mean of u's training items in condition c, and a learned vector t_c and weight β_c per condition, trained by
/// a sampled softmax so that each edge's target item scores highest under its own condition against negatives from the
/// same condition (hard) and from all items (global). Single-threaded: deterministic for a seed.
/// </summary>
public sealed class ConditionalOptions
{
    /// <summary>Epochs over the shuffled edges, at least 1. Default <see cref="ConditionalDefaults.Epochs"/>.</summary>
    public int Epochs { get; set; } = ConditionalDefaults.Epochs;

    /// <summary>Adagrad learning rate, positive. Default <see cref="ConditionalDefaults.LearningRate"/>.</summary>
    public float LearningRate { get; set; } = ConditionalDefaults.LearningRate;

    /// <summary>Negatives from the target's own condition per edge, 0..1000. Default <see cref="ConditionalDefaults.HardNegatives"/>.</summary>
    public int HardNegatives { get; set; } = ConditionalDefaults.HardNegatives;

    /// <summary>Negatives from all items per edge, 0..1000. Default <see cref="ConditionalDefaults.GlobalNegatives"/>.</summary>
    public int GlobalNegatives { get; set; } = ConditionalDefaults.GlobalNegatives;

    /// <summary>τ &gt; 0, the softmax temperature as a fraction of the mean training score. Default <see cref="ConditionalDefaults.Temperature"/>.</summary>
    public float Temperature { get; set; } = ConditionalDefaults.Temperature;

    /// <summary>λ ≥ 0, the L2 penalty on t_c. Default <see cref="ConditionalDefaults.L2"/>.</summary>
    public float L2 { get; set; } = ConditionalDefaults.L2;

    /// <summary>Seed of the shuffles and negative draws. Default <see cref="ConditionalDefaults.Seed"/>.</summary>
    public int Seed { get; set; } = ConditionalDefaults.Seed;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Epochs < 1 || Epochs > 10_000) throw Bad(nameof(Epochs), Epochs, "must be within 1..10000");
        if (!float.IsFinite(LearningRate) || LearningRate <= 0 || LearningRate > 100) throw Bad(nameof(LearningRate), LearningRate, "must be positive and at most 100");
        if (HardNegatives < 0 || HardNegatives > 1000) throw Bad(nameof(HardNegatives), HardNegatives, "must be within 0..1000");
        if (GlobalNegatives < 0 || GlobalNegatives > 1000) throw Bad(nameof(GlobalNegatives), GlobalNegatives, "must be within 0..1000");
        if (HardNegatives + GlobalNegatives == 0) throw Bad(nameof(GlobalNegatives), GlobalNegatives, "and HardNegatives cannot both be 0 (the softmax needs a negative)");
        if (!float.IsFinite(Temperature) || Temperature < 1e-3f || Temperature > 1e3f) throw Bad(nameof(Temperature), Temperature, "must be within 0.001..1000");
        if (!float.IsFinite(L2) || L2 < 0 || L2 > 1e3f) throw Bad(nameof(L2), L2, "must be within 0..1000");
    }

    /// <summary>A copy.</summary>
    /// <returns>A new shallow copy.</returns>
    public ConditionalOptions Clone() => (ConditionalOptions)MemberwiseClone();

    private static ArgumentOutOfRangeException Bad(string name, object value, string rule) => new(name, value, $"Conditional.{name} {rule}.");
}
