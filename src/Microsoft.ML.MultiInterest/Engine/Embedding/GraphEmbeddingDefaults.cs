namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of graph embedding training, in one place: <see cref="GraphEmbeddingOptions"/>,
/// <see cref="GraphEmbeddingTrainer.Options"/>, the catalog's <c>GraphEmbedding</c> parameters and the command-line
/// tools all start from these values (as ML.NET's <c>KMeansTrainer.Defaults</c>). See <see cref="GraphEmbeddingOptions"/>
/// for what each setting does and why these values were chosen.
/// </summary>
public static class GraphEmbeddingDefaults
{
    /// <summary>Embedding dimension: 100.</summary>
    public const int Dimension = 100;

    /// <summary>
    /// The largest <see cref="GraphEmbeddingOptions.Dimension"/> accepted: far above any useful embedding, and low enough
    /// that a mistyped value fails as an option error rather than as an overflow or an allocation of gigabytes per row.
    /// </summary>
    public const int MaxDimension = 65_536;

    /// <summary>Passes over the edges: 20.</summary>
    public const int Epochs = 20;

    /// <summary>Training objective: <see cref="EmbeddingLoss.Logistic"/>.</summary>
    public const EmbeddingLoss Loss = EmbeddingLoss.Logistic;

    /// <summary>Margin of the ranking loss: 0.1.</summary>
    public const float Margin = 0.1f;

    /// <summary>Update rule: <see cref="EmbeddingOptimizer.Adagrad"/>.</summary>
    public const EmbeddingOptimizer Optimizer = EmbeddingOptimizer.Adagrad;

    /// <summary>Learning rate: 0.05.</summary>
    public const float LearningRate = 0.05f;

    /// <summary>Edges sharing one set of sampled negatives: 50.</summary>
    public const int ChunkSize = 50;

    /// <summary>Uniform negatives per chunk and side: 25.</summary>
    public const int UniformNegatives = 25;

    /// <summary>Degree-proportional negatives per chunk and side: 0.</summary>
    public const int DegreeNegatives = 0;

    /// <summary>Exponent of the degree-proportional sampler: 0.75.</summary>
    public const float DegreeExponent = 0.75f;

    /// <summary>In-batch negatives per edge and side: 25.</summary>
    public const int BatchNegatives = 25;

    /// <summary>Standard deviation of the initial coordinates: 0.001.</summary>
    public const float InitScale = 1e-3f;

    /// <summary>Weight of the negatives' mean in <see cref="EmbeddingLoss.CosineContrastive"/>: 1.</summary>
    public const float NegativeWeight = 1f;

    /// <summary>L2 regularisation of negative-sampling SGD: 0 (off, as PyTorch-BigGraph).</summary>
    public const float L2Regularization = 0f;

    /// <summary>ν of the degree-scaled L2 penalty ½λ·deg^ν·|x|² per epoch: 1, the frequency-scaled regularisation of iALS.</summary>
    public const float L2DegreeExponent = 1f;

    /// <summary>Share of the user vector replaced by the mean of its history's item vectors after SGD: 0 (off).</summary>
    public const float HistoryBlend = 0f;

    /// <summary>Sampling-bias (log q) correction of the logits: off.</summary>
    public const bool PopularityCorrection = false;

    /// <summary>Start of negative-sampling SGD: <see cref="EmbeddingInitialization.Random"/>.</summary>
    public const EmbeddingInitialization Initialization = EmbeddingInitialization.Random;

    /// <summary>Seed of every random choice: 1.</summary>
    public const int Seed = 1;

    /// <summary>Algorithm: <see cref="EmbeddingAlgorithm.Auto"/>.</summary>
    public const EmbeddingAlgorithm Algorithm = EmbeddingAlgorithm.Auto;

    /// <summary>Share of each user's training edges held out for validation when validation is on (the protocol's 20%).</summary>
    public const double ValidationFraction = 0.2;

    /// <summary>Validation users scored per measurement (a seeded sample; 0 = all).</summary>
    public const int ValidationUsers = 2000;

    /// <summary>K of the validation Recall@K that choices are made on.</summary>
    public const int ValidationCutoff = 20;

    /// <summary>Epochs without a validation gain before negative-sampling training stops.</summary>
    public const int EarlyStoppingPatience = 3;

    /// <summary>
    /// Largest dimension <see cref="EmbeddingAlgorithm.Auto"/> tries for the truncated SVD: 768. Ranks above 384 are
    /// factorised only on graphs whose validation Recall still gains at 384 while the SVD leads (Gowalla); the others
    /// never pay for them. Every later stage costs in proportion to the dimension.
    /// </summary>
    public const int AutoMaxDimension = 768;

    /// <summary>The dimension of Auto's implicit-ALS trials (128), unless <see cref="AutoMaxDimension"/> or the graph's size is smaller.</summary>
    public const int AutoAlsDimension = 128;

    /// <summary>Auto prefers smaller vectors whose validation Recall is within 1% (relative) of the best.</summary>
    public const double AutoTolerance = 0.01;
}
