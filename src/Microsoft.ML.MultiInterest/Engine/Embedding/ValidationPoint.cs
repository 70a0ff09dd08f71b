namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One validation measurement taken while choosing or training embeddings.</summary>
/// <param name="Candidate">What was measured, e.g. "negative-sampling epoch 7" or "truncated-svd rank 256 γ 1 c 0.5".</param>
/// <param name="Step">The epoch (1-based) for iterative training, else the position of the trial.</param>
/// <param name="Recall">Validation Recall@K.</param>
/// <param name="Ndcg">Validation NDCG@K.</param>
public sealed record ValidationPoint(string Candidate, int Step, double Recall, double Ndcg);
