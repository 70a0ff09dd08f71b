namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One point of a recall-diversity frontier: a knob value and the figures it gives.</summary>
/// <param name="Value">The knob's value.</param>
/// <param name="Recall">Mean Recall@<see cref="FrontierResult.RecallCutoff"/>.</param>
/// <param name="Diversity">Mean Diversity@<see cref="FrontierResult.DiversityCutoff"/>: how varied the head is.</param>
/// <param name="SetDiversity">
/// Mean Diversity@<see cref="FrontierResult.RecallCutoff"/>: how varied the whole list is, the set a retrieval stage hands
/// on, which no re-ordering changes (NaN where not measured).
/// </param>
public readonly record struct FrontierPoint(double Value, double Recall, double Diversity, double SetDiversity = double.NaN);

/// <summary>A method's (Recall, Diversity) points as one knob moves, in ascending knob order.</summary>
/// <param name="Method">The method's name (e.g. "mmr", "knn_embed_tuned").</param>
/// <param name="Knob">The knob's name (e.g. "lambda", "head_share", "alpha").</param>
/// <param name="RecallCutoff">K of the recall figures.</param>
/// <param name="DiversityCutoff">K of the diversity figures.</param>
/// <param name="Points">One point per knob value, ascending.</param>
/// <param name="Pool">
/// For a re-ranking (MMR and its variants), the pool it re-ranks: each list's first <c>Pool</c> items by relevance; null
/// for knobs without one. A pool as long as the recall cutoff only re-orders that many items, so every point then has
/// the pool's Recall@<see cref="RecallCutoff"/> and only the diversity of the head moves.
/// </param>
public sealed record FrontierResult(string Method, string Knob, int RecallCutoff, int DiversityCutoff, IReadOnlyList<FrontierPoint> Points, int? Pool = null)
{
    /// <summary>
    /// For a multi-interest re-ranking's lambda frontier (multi-interest and history-interest MMR), each point against MMR's
    /// point at the same lambda and pool, user by user (this point minus MMR's; Recall and Diversity at
    /// <see cref="RecallCutoff"/> and <see cref="DiversityCutoff"/>, with standard errors), aligned with
    /// <see cref="Points"/>: whether a small gap between the two frontiers is more than noise. Empty for other frontiers.
    /// </summary>
    public IReadOnlyList<PairedComparison> VersusMmr { get; init; } = [];
}
