namespace Microsoft.ML.MultiInterest;

/// <summary>The serving entry points of <see cref="MultiInterestCatalog"/>.</summary>
public sealed partial class MultiInterestCatalog
{
    /// <summary>
    /// A thread-safe recommender over the last retrieval stage of a fitted pipeline (or the stage itself); for a pipeline with a
    /// <see cref="RankFusionTransformer"/>, over its last fusion: the retrieval stages that filled its source columns, fused with
    /// its weights into its M.
    /// </summary>
    /// <param name="model">A fitted chain holding a <see cref="CandidateRetrievalTransformer"/>, e.g. <c>pipeline.Fit(train)</c>.</param>
    /// <exception cref="ArgumentException">
    /// The model has no retrieval stage, or a fusion source column was not filled by a retrieval stage of the model; for a chain
    /// loaded with <c>mlContext.Model.Load</c> use the <see cref="MultiInterestModel"/> overload.
    /// </exception>
    public MultiInterestRecommender CreateRecommender(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (MultiInterestRecommender.FindFusion(model) is { } fusion)
        {
            var retrievers = MultiInterestRecommender.Retrievers(model).ToArray();
            var (sources, weights) = RankFusionTransformer.ServedSources(fusion.SourceColumnNames, fusion.SourceStageIds, fusion.Weights,
                id => retrievers.FirstOrDefault(r => r.Columns.StageId == id)?.Columns.Live, message => new ArgumentException(message, nameof(model)));
            return new MultiInterestRecommender(sources, weights, fusion.Candidates, WeightedSources(fusion.SourceColumnNames, fusion.Weights));
        }
        var retriever = MultiInterestRecommender.FindRetriever(model) ?? throw new ArgumentException(
            "The model holds no candidate retrieval stage (ClusterQuotaRetriever, UnimodalRetriever, MmrRetriever, RoundRobinRetriever or ConditionalRetriever). "
            + "Pass the fitted pipeline that ends in one; a model loaded with mlContext.Model.Load is ML.NET's own chain: load it with MultiInterestModel.Load "
            + "and pass that.", nameof(model));
        return new MultiInterestRecommender(retriever.Columns.Live, retriever.Columns.CandidatesColumn);
    }

    /// <summary>
    /// A thread-safe recommender over a loaded model's <see cref="MultiInterestModel.ServingStage"/>, or over its last rank fusion
    /// (<see cref="MultiInterestModel.RankFusions"/>), with the same lists as the fitted pipeline it was saved from.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The model lacks a stage its retrieval needs, was saved without its training history, or fuses a column no saved
    /// retrieval stage filled.
    /// </exception>
    public MultiInterestRecommender CreateRecommender(MultiInterestModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.RankFusions.Count > 0)
        {
            var (sources, weights) = model.FusionSources();
            var fusion = model.RankFusions[^1];
            return new MultiInterestRecommender(sources, weights, fusion.Candidates, WeightedSources(fusion.SourceColumnNames, fusion.Weights));
        }
        return new MultiInterestRecommender(model.Live(), model.ServingStage.CandidatesColumnName);
    }

    /// <summary>The source columns a fusion serves (weight above 0), in order: the stages a fusing recommender's lists come from.</summary>
    private static string[] WeightedSources(IReadOnlyList<string> columns, IReadOnlyList<double> weights) =>
        Enumerable.Range(0, columns.Count).Where(l => weights[l] > 0).Select(l => columns[l]).ToArray();
}
