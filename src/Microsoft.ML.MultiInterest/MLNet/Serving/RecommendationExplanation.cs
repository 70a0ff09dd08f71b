namespace Microsoft.ML.MultiInterest;

/// <summary>
/// One interest of a user as a retrieval stage sees it (<see cref="CandidateRetrievalTransformer.GetCandidateInterests"/>,
/// <see cref="MultiInterestRecommender.Explain(string, IEnumerable{string}, int, IEnumerable{string})"/>): a component of its
/// kNN-Embed mixture, an interest of its own history (history-interest MMR) or a learned component (round robin).
/// </summary>
/// <param name="Stage">The retrieval stage it belongs to: 0 for a single stage; for a fusing recommender, the index of the
/// source in <see cref="RecommendationExplanation.Stages"/>.</param>
/// <param name="Index">Its place among the stage's interests of the user: the value <see cref="ExplainedRecommendation.Interest"/>
/// and <see cref="CandidateRetrievalTransformer.GetCandidateComponents"/> give an item it placed.</param>
/// <param name="Weight">Its weight in the user's representation (mixture weight, share of the history, learned weight).</param>
/// <param name="Cluster">Its item cluster, 0-based (cluster key - 1, as <see cref="SphericalKMeansTransformer.ClusterOfItem"/> numbers
/// them; <c>MixturesToDataFrame</c> shows the key's value, one more), or -1 when the interest is not a cluster.</param>
/// <param name="HistoryItemIds">The items of the history the user's representation was read from (the training history of a
/// trained user, the request's history of a new one) that the interest covers, in item key order: for a cluster, the items in it
/// (none for a component the kNN smoothing brought in from neighbours); for history-interest MMR, the group its vector was folded
/// in from; for a round robin, the items its component scores above the user's other components.</param>
public sealed record UserInterest(int Stage, int Index, double Weight, int Cluster, IReadOnlyList<string> HistoryItemIds)
{
    /// <summary>The interests of an explanation, as raw ids.</summary>
    internal static UserInterest[] Of(LiveExplanation explanation, ServingTables tables, int stage) =>
        explanation.Interests.Select((interest, c) => new UserInterest(stage, c, interest.Weight, interest.Cluster,
            interest.HistoryItems.Order().Select(j => tables.ItemNames[tables.ItemRowOf[j]]).ToArray())).ToArray();
}

/// <summary>One explained candidate (<see cref="MultiInterestRecommender.Explain(string, IEnumerable{string}, int, IEnumerable{string})"/>).</summary>
/// <param name="ItemId">The item's raw id.</param>
/// <param name="Score">Its score, as <see cref="Recommendation.Score"/> (for a fusing recommender the fused score).</param>
/// <param name="Rank">Its 1-based place in the list.</param>
/// <param name="Stage">The retrieval stage that placed it: 0 for a single stage; for a fusing recommender the source whose
/// <c>w_l / rank_l</c> gave the item its fused score (the first of equal ones), an index into <see cref="RecommendationExplanation.Stages"/>.</param>
/// <param name="StageRank">Its 1-based place in that stage's own list.</param>
/// <param name="Interest">The interest of that stage that placed it (<see cref="UserInterest.Index"/> of the stage's interests,
/// as <see cref="CandidateRetrievalTransformer.GetCandidateComponents"/> tells it), or -1: the unimodal head or fill of cluster
/// quotas, an MMR item of no interest's cluster, a popular fallback, or a stage of a fusion that names no interests.</param>
/// <param name="ClosestHistoryItemId">The item of the user's history (as <see cref="RecommendationExplanation.HistoryItemIds"/>)
/// closest to the candidate by the cosine of that stage's item vectors (the first in key order of equal ones); null without history.</param>
/// <param name="ClosestHistorySimilarity">That cosine; NaN without history.</param>
public sealed record ExplainedRecommendation(string ItemId, float Score, int Rank, int Stage, int StageRank, int Interest,
    string? ClosestHistoryItemId, float ClosestHistorySimilarity);

/// <summary>
/// A user's candidates with, for each, the interest that placed it and the history item it is closest to, and the user's interests
/// (<see cref="MultiInterestRecommender.Explain(string, IEnumerable{string}, int, IEnumerable{string})"/>). Its items are the ones
/// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int, IEnumerable{string})"/> returns for the same arguments, in the same order.
/// </summary>
/// <param name="UserId">The requested user id.</param>
/// <param name="Source">Where the list comes from, as <see cref="RecommendationList.Source"/>.</param>
/// <param name="Stages">The retrieval stages the list comes from, by their candidates column: one for a single stage; for a fusing
/// recommender its weighted source columns in order.</param>
/// <param name="Items">The candidates, best first.</param>
/// <param name="Interests">The user's interests, stage by stage, each stage's in the order its <see cref="UserInterest.Index"/> counts.</param>
/// <param name="HistoryItemIds">The history the representation was read from, in item key order: the training history of a trained
/// user (a request's fresh items are only excluded for it, as for every method), else the request's history items the model knows;
/// empty for a popular fallback.</param>
public sealed record RecommendationExplanation(string UserId, CandidateSource Source, IReadOnlyList<string> Stages,
    IReadOnlyList<ExplainedRecommendation> Items, IReadOnlyList<UserInterest> Interests, IReadOnlyList<string> HistoryItemIds);
