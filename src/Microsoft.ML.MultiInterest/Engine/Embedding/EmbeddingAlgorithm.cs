namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>How <see cref="GraphEmbeddingTrainerEngine"/> learns the user and item vectors.</summary>
public enum EmbeddingAlgorithm
{
    /// <summary>
    /// Decides from the graph: carves a validation hold-out from the training edges, tries the truncated SVD (over
    /// ranks, spectral and popularity exponents) and implicit ALS (negative-sampling SGD too when asked), keeps the
    /// setting with the best validation Recall@K and refits it on all edges; on a graph where the hold-out comes out empty
    /// (no user has the 3 edges it needs, or every edge drawn was its item's last), implicit ALS at its defaults (said in
    /// the settings, with the reason). The default.
    /// </summary>
    Auto,

    /// <summary>Negative-sampling link prediction trained by SGD/Adagrad (PyTorch-BigGraph style); see <see cref="EmbeddingLoss"/>.</summary>
    NegativeSampling,

    /// <summary>Randomized truncated SVD of the degree-normalised interaction matrix (closed form); see <see cref="TruncatedSvdOptions"/>.</summary>
    TruncatedSvd,

    /// <summary>
    /// Implicit alternating least squares (Hu, Koren and Volinsky 2008) with Rendle et al.'s (2022) frequency-scaled
    /// regularisation: exact row solves with the Gramian trick; see <see cref="ImplicitAlsOptions"/>.
    /// </summary>
    ImplicitAls,

    /// <summary>
    /// Instagram's multitask mixture embeddings: several unit-length components per user (and item), pair scores pooled
    /// over the component cosines, margin ranking loss; see <see cref="MixtureEmbeddingOptions"/>. The result carries the
    /// components in <see cref="GraphEmbeddingResult.Mixture"/>.
    /// </summary>
    MixtureEmbedding,

    /// <summary>
    /// Pinterest's differentiable clustering module: K interest vectors per user computed from its history by a soft k-means
    /// of its items' vectors, trained end to end with the item vectors; see <see cref="DcmOptions"/>. The result carries the
    /// interests in <see cref="GraphEmbeddingResult.Mixture"/> (served by round robin).
    /// </summary>
    DifferentiableClustering,

    /// <summary>
    /// Kuaishou's divide-and-conquer retrieval: a history encoder with per-cluster prompts, trained with negatives from the
    /// positive's own item cluster, served by cluster quotas from a user-intent distribution; see
    /// <see cref="DivideConquerOptions"/>. The result carries the model in <see cref="GraphEmbeddingResult.DivideConquer"/>.
    /// </summary>
    DivideConquer,
}
