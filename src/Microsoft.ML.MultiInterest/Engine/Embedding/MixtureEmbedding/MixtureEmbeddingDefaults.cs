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
}
