namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The user encoder f of <see cref="EmbeddingAlgorithm.DivideConquer"/> (methods.md section 2).</summary>
public enum DivideConquerEncoder
{
    /// <summary>Matrix factorisation: one free vector per user (the paper's MF row); a prompt multiplies that vector.</summary>
    UserVector,

    /// <summary>The mean of the history's (prompted) item input vectors: <c>e_u^k = t_k ⊙ mean(s_i)</c>.</summary>
    MeanPooling,

    /// <summary>Attention pooling with one learned query q: <c>a_i = softmax_i ⟨q, s_i ⊙ t_k⟩</c>, <c>e_u^k = Σ a_i s_i ⊙ t_k</c> (q starts at zero, i.e. at the mean).</summary>
    AttentionPooling,
}
