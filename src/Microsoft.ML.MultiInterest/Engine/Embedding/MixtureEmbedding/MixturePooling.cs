namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How mixture embeddings pool the cosine matrix <c>M[c, l] = cos(U_s[c], U_d[l])</c> of a (source, destination) pair
/// into one score (docs: methods.md, section 1). The chosen pooling scores positive edges; negatives are pooled by its
/// unregularised counterpart (<see cref="Max"/> for <see cref="Max"/>, smoothmax otherwise), as in the paper's loss.
/// </summary>
public enum MixturePooling
{
    /// <summary>The largest entry of M (ties: the first in row-major order).</summary>
    Max,

    /// <summary><c>Σ M[c,l] e^{M[c,l]/γ} / Σ e^{M/γ}</c>: a softmax-weighted mean of M; γ → 0 gives the max.</summary>
    Smoothmax,

    /// <summary>
    /// <c>Σ M[c,l] (θ + (1 − θ) e^{M[c,l]/γ} / Σ e^{M/γ})</c>: smoothmax plus θ times the sum of all entries, which pulls
    /// every component towards the positives (the paper's regulariser that lets random initialisation converge).
    /// θ = 0 is smoothmax. The default.
    /// </summary>
    RegularizedSmoothmax,
}
