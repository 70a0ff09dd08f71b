namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Where a candidate list came from (the <see cref="MultiInterestColumnNames.CandidateSource"/> column and
/// <see cref="RecommendationList.Source"/>), so a fallback is never mistaken for a personal list.
/// </summary>
public enum CandidateSource
{
    /// <summary>The user's trained vector and mixture (its training items and any fresh history excluded).</summary>
    Trained,

    /// <summary>
    /// Cold start from the request's history: a mixture built from it (the unsmoothed Mixture) and, as the unimodal query, the mean
    /// of its item vectors (round robin: a DCM model's interests of the history, or for mixture embeddings one component, that
    /// mean); the history is excluded.
    /// </summary>
    History,

    /// <summary>
    /// The fallback for a user with neither a trained vector nor history: the most popular items (training degree,
    /// ties to the lower item key); the scores are the items' training degrees, not affinities.
    /// </summary>
    Popular,

    /// <summary>
    /// Cold start from the topics a user follows, given at request time to a conditional stage
    /// (<see cref="MultiInterestRecommender.RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int)"/>) with no trained vector and no history: each topic's most
    /// popular items under equal quotas, then the popular items; the scores are training degrees, not affinities. A list
    /// whose topics hold no item the user may get (no item of theirs has training edges) is the popular list, and says
    /// <see cref="Popular"/>.
    /// </summary>
    FollowedTopics,
}
