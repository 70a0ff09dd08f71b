namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The defaults of <see cref="MixtureEmbeddingOptions"/>, in one place.</summary>
public static class MixtureEmbeddingDefaults
{
    /// <summary>C_s: 5 components per user (the paper's production setting for consumers).</summary>
    public const int SourceComponents = 5;

    /// <summary>C_d: 1 component per item (the paper's production setting for creators).</summary>
    public const int DestinationComponents = 1;

    /// <summary>Pooling of positives: <see cref="MixturePooling.RegularizedSmoothmax"/>, the paper's.</summary>
    public const MixturePooling Pooling = MixturePooling.RegularizedSmoothmax;

    /// <summary>γ: 0.1 (cosines lie in [−1, 1], so the softmax over component pairs is sharp but not a hard max).</summary>
    public const float Gamma = 0.1f;

    /// <summary>θ: 0.1.</summary>
    public const float Theta = 0.1f;

    /// <summary>One-sided negatives (destination side only): true, as in the paper.</summary>
    public const bool OneSidedNegatives = true;

    /// <summary>γ_T of the post-hoc mixture weights: 0.1.</summary>
    public const float WeightGamma = 0.1f;

    /// <summary>Per-component dimension d: 32, the setting of the validation runs (docs/results.md; five components = 160 numbers per user).</summary>
    public const int Dimension = 32;

    /// <summary>Epochs at most: 20 (with a validation hold-out the best epoch is kept, then the model refitted).</summary>
    public const int Epochs = 20;

    /// <summary>Learning rate: 0.2 (row-wise Adagrad).</summary>
    public const float LearningRate = 0.2f;

    /// <summary>
    /// Margin of the ranking loss: 1.0, chosen on a validation split of cit-HepPh's training edges (docs/results.md). The
    /// regularised pooling adds θ Σ M to the positives only, which eats into a small margin (at the single-vector trainer's
    /// 0.1 the mixture collapses).
    /// </summary>
    public const float Margin = 1.0f;

    /// <summary>
    /// Spread of a warm start (<see cref="MixtureEmbeddingOptions.InitialUsers"/>): a component starts at
    /// unit(unit(start) + 0.5 · random unit direction), about 27 degrees from its start, so a user's components begin near its single vector yet apart.
    /// </summary>
    public const float WarmStartSpread = 0.5f;
}
