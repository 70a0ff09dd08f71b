namespace Microsoft.ML.MultiInterest;

/// <summary>The serving entry points of <see cref="MultiInterestCatalog"/>.</summary>
public sealed partial class MultiInterestCatalog
{
    /// <summary>A thread-safe recommender over the last retrieval stage of a fitted pipeline (or the stage itself).</summary>
    /// <param name="model">A fitted chain holding a <see cref="CandidateRetrievalTransformer"/>, e.g. <c>pipeline.Fit(train)</c>.</param>
    /// <exception cref="ArgumentException">The model has no retrieval stage, or fuses several (<see cref="RankFusionTransformer"/>); for a chain loaded with <c>mlContext.Model.Load</c> use the <see cref="MultiInterestModel"/> overload.</exception>
    public MultiInterestRecommender CreateRecommender(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (MultiInterestRecommender.FindFusion(model) is { } fusion)
            throw new ArgumentException($"The model fuses candidate lists (RankFusion over {string.Join(", ", fusion.SourceColumnNames)}): a recommender serves one retrieval "
                + "stage and would return one source's lists. Serve the fused lists with the model's Transform or a prediction engine.", nameof(model));
        var retriever = MultiInterestRecommender.FindRetriever(model) ?? throw new ArgumentException(
            "The model holds no candidate retrieval stage (ClusterQuotaRetriever, UnimodalRetriever, MmrRetriever or RoundRobinRetriever). "
            + "A model loaded with mlContext.Model.Load is ML.NET's own chain: load it with MultiInterestModel.Load and pass that.", nameof(model));
        return new MultiInterestRecommender(retriever.Columns.Live);
    }

    /// <summary>A thread-safe recommender over a loaded model's <see cref="MultiInterestModel.ServingStage"/>, with the same lists as the fitted pipeline it was saved from.</summary>
    /// <exception cref="InvalidOperationException">
    /// The model lacks a stage its retrieval needs, was saved without its training history, or fuses candidate lists
    /// (<see cref="MultiInterestModel.RankFusions"/>).
    /// </exception>
    public MultiInterestRecommender CreateRecommender(MultiInterestModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new MultiInterestRecommender(model.Live());
    }
}
