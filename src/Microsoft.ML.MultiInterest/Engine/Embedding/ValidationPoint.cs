namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One validation measurement taken while choosing or training embeddings.</summary>
/// <param name="Candidate">What was measured, e.g. "negative-sampling epoch 7" or "truncated-svd rank 256 γ 1 c 0.5".</param>
/// <param name="Step">The epoch (1-based) for iterative training, else the position of the trial.</param>
/// <param name="Recall">Validation Recall@K.</param>
/// <param name="Ndcg">Validation NDCG@K.</param>
public sealed record ValidationPoint(string Candidate, int Step, double Recall, double Ndcg)
{
    /// <summary>
    /// Whether this is <see cref="EmbeddingAlgorithm.Auto"/>'s second measurement of a leading trial, on a larger sample of the
    /// hold-out's users (its <see cref="Candidate"/> starts with "confirm "). Auto chooses on these figures; they are not
    /// comparable with the screening sample's, so the best of the whole curve need not be the setting chosen.
    /// </summary>
    public bool Confirmation { get; init; }

    /// <summary>
    /// The dimension of the vectors measured: a truncated SVD trial's rank, an implicit-ALS or a trainer's d (for the
    /// learned multi-vector models, a component's). 0 for a point recorded without one (before 1.19.0, every point).
    /// </summary>
    public int Dimension { get; init; }
}
