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

    /// <summary>
    /// A small self-attention encoder over the time-ordered history (needs <see cref="DivideConquerOptions.Sequences"/>),
    /// read out at the most recent item: tokens <c>x_j = s_j + p_r</c> with a learned position vector p_r per recency rank r
    /// (0 = the most recent), one attention head whose query is <c>v = q + W h</c> from the prompted last token
    /// <c>h = x_last ⊙ t_k</c> (W a learned d × d matrix), <c>a = softmax_j ⟨v, x_j ⊙ t_k⟩</c>, <c>e_u^k = Σ a_j x_j ⊙ t_k</c>.
    /// q, W and the positions start at zero, i.e. at the mean.
    /// </summary>
    SelfAttention,
}
