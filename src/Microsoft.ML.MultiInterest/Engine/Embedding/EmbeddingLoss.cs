namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The training objective of <see cref="GraphEmbeddingTrainerEngine"/>.</summary>
public enum EmbeddingLoss
{
    /// <summary>
    /// Logistic loss as in kNN-Embed: minimise −log σ(f(e)) − (1/N) Σ log σ(−f(e')) over each edge e and its N negatives
    /// e' (averaged over the negatives, as PyTorch-BigGraph does, so that the positive is not outvoted).
    /// </summary>
    Logistic = 0,

    /// <summary>
    /// Margin ranking loss as in PyTorch-BigGraph and Instagram: Σ max(0, margin − f(e) + f(e')).
    /// Only negatives scoring within the margin of the positive produce gradients, which keeps updates sparse.
    /// </summary>
    Ranking = 1,

    /// <summary>
    /// PyTorch-BigGraph's softmax loss: −f(e) + log(exp f(e) + Σ exp f(e')), i.e. cross-entropy of the positive
    /// against its negatives.
    /// </summary>
    Softmax = 2,

    /// <summary>
    /// SimpleX's cosine contrastive loss (Mao et al., CIKM 2021) on cosine scores: (1 − cos(e)) + (w/N) Σ max(0, cos(e') − m)
    /// with margin m = <see cref="GraphEmbeddingOptions.Margin"/> and negative weight w =
    /// <see cref="GraphEmbeddingOptions.NegativeWeight"/>. Rows are normalised inside the loss and the learned vectors
    /// are returned unit-length, so that a dot-product index serves the cosine.
    /// </summary>
    CosineContrastive = 3,
}
