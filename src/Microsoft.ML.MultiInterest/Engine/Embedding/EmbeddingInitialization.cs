namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Where negative-sampling SGD (<see cref="EmbeddingAlgorithm.NegativeSampling"/>) starts from.</summary>
public enum EmbeddingInitialization
{
    /// <summary>Every coordinate drawn from N(0, <see cref="GraphEmbeddingOptions.InitScale"/>²), as PyTorch-BigGraph does.</summary>
    Random = 0,

    /// <summary>
    /// The truncated SVD of <see cref="GraphEmbeddingOptions.Svd"/> at <see cref="GraphEmbeddingOptions.Dimension"/>
    /// (one randomized factorisation): SGD then refines closed-form vectors instead of learning them from noise.
    /// </summary>
    TruncatedSvd = 1,
}
