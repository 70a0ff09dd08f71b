namespace Microsoft.ML.MultiInterest;

/// <summary>One recommended item: its raw id, its score and its rank (1 = best).</summary>
/// <param name="ItemId">The item's raw id, as seen at Fit.</param>
/// <param name="Score">
/// Dot product with the query that found it (cosine for <see cref="MultiInterestRecommender.SimilarItems"/>); for round
/// robin the merge rule's w_c / rank_c, for rank fusion the fused max_l w_l / rank_l, the training degree for
/// <see cref="CandidateSource.Popular"/> (docs/pipeline.md, "What a score is"). Read the order from the rank.
/// </param>
/// <param name="Rank">1-based position in the list.</param>
public sealed record Recommendation(string ItemId, float Score, int Rank);

/// <summary>A user's recommendations and where they came from.</summary>
/// <param name="UserId">The requested user id.</param>
/// <param name="Items">
/// The items, best first: shorter than asked when the user's unseen items run out, or for a trained user of a quota
/// retrieval fitted without a user vector to fill with (its clusters ran dry; Fit warns of it).
/// </param>
/// <param name="Source">Trained, built from the request's history, or the popular fallback.</param>
public sealed record RecommendationList(string UserId, IReadOnlyList<Recommendation> Items, CandidateSource Source);
