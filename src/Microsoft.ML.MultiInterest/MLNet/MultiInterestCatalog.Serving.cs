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
    /// <returns>A recommender serving by raw user and item ids.</returns>
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
    /// <param name="model">A model loaded with <see cref="MultiInterestModel.Load(MLContext, string)"/> from a zip saved with its training history; not null.</param>
    /// <returns>A recommender serving by raw user and item ids.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
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

    /// <summary>
    /// A recommender over one stage of a fitted pipeline with several: the stage whose list is column
    /// <paramref name="candidatesColumnName"/> of the pipeline's output (a retrieval stage's <c>CandidatesColumnName</c> or a
    /// <see cref="RankFusionTransformer"/>'s; of several stages writing that name, the last), else the retrieval stage that filled
    /// a fusion's source column of that name (a column copied for the fusion, as the RankFusion page does). <see cref="CreateRecommender(ITransformer)"/>
    /// serves the last stage; the <see cref="MultiInterestModel"/> overloads pick the same stage by the same name from the saved zip.
    /// </summary>
    /// <param name="model">A fitted chain, e.g. <c>pipeline.Fit(train)</c>.</param>
    /// <param name="candidatesColumnName">The candidates column of the stage to serve.</param>
    /// <exception cref="ArgumentException">No stage's list is in that column (the message lists the columns that can be served).</exception>
    /// <returns>A recommender over that stage (a fusing one for a <see cref="RankFusionTransformer"/>).</returns>
    public MultiInterestRecommender CreateRecommender(ITransformer model, string candidatesColumnName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(candidatesColumnName);
        var stages = MultiInterestRecommender.Stages(model).ToArray();
        var retrievers = stages.OfType<CandidateRetrievalTransformer>().ToArray();
        var writer = stages.LastOrDefault(s => s switch
        {
            CandidateRetrievalTransformer r => r.Columns.CandidatesColumn == candidatesColumnName,
            RankFusionTransformer f => f.CandidatesColumnName == candidatesColumnName,
            _ => false,
        });
        if (writer is RankFusionTransformer fusion) return CreateRecommender(fusion, retrievers);
        if (writer is CandidateRetrievalTransformer retriever) return new MultiInterestRecommender(retriever.Columns.Live, candidatesColumnName);
        // A fusion's source column (e.g. copied before the next retriever wrote Candidates again): the stage that filled it.
        foreach (var f in stages.OfType<RankFusionTransformer>().Reverse())
        {
            int l = f.SourceColumnNames.ToList().IndexOf(candidatesColumnName);
            if (l >= 0 && l < f.SourceStageIds.Count && retrievers.FirstOrDefault(r => r.Columns.StageId == f.SourceStageIds[l]) is { } source)
                return new MultiInterestRecommender(source.Columns.Live, candidatesColumnName);
        }
        var served = stages.Select(s => s is CandidateRetrievalTransformer r ? r.Columns.CandidatesColumn : ((RankFusionTransformer)s).CandidatesColumnName)
            .Concat(stages.OfType<RankFusionTransformer>().SelectMany(f => f.SourceColumnNames)).Distinct();
        throw new ArgumentException($"No stage of the model holds its candidates in column '{candidatesColumnName}': the columns it can serve are "
            + $"{string.Join(", ", served.Select(c => $"'{c}'"))}.", nameof(candidatesColumnName));
    }

    /// <summary>
    /// A recommender over one stage of a loaded model with several, picked by the same name as
    /// <see cref="CreateRecommender(ITransformer, string)"/> picks it from the fitted pipeline: a saved <see cref="RankFusionTransformer"/>
    /// writing <paramref name="candidatesColumnName"/> (the last), else the last retrieval stage writing it, else the retrieval stage that
    /// filled a fusion's source column of that name. <see cref="CreateRecommender(MultiInterestModel)"/> serves the
    /// <see cref="MultiInterestModel.ServingStage"/> (the last retrieval stage) or the last fusion.
    /// </summary>
    /// <param name="model">A model loaded with <see cref="MultiInterestModel.Load(MLContext, string)"/>.</param>
    /// <param name="candidatesColumnName">The candidates column of the stage to serve.</param>
    /// <exception cref="ArgumentException">No saved stage's list is in that column (the message lists the columns that can be served).</exception>
    /// <exception cref="InvalidOperationException">The stage cannot be served live (as for <see cref="CreateRecommender(MultiInterestModel)"/>).</exception>
    /// <returns>A recommender over that stage (a fusing one for a saved fusion).</returns>
    public MultiInterestRecommender CreateRecommender(MultiInterestModel model, string candidatesColumnName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(candidatesColumnName);
        if (model.RankFusions.LastOrDefault(f => f.CandidatesColumnName == candidatesColumnName) is { } fusion)
        {
            var (sources, weights) = model.FusionSources(fusion);
            return new MultiInterestRecommender(sources, weights, fusion.Candidates, WeightedSources(fusion.SourceColumnNames, fusion.Weights));
        }
        var stage = model.CandidateLists.LastOrDefault(c => c.CandidatesColumnName == candidatesColumnName);
        if (stage == null)
        {
            foreach (var f in model.RankFusions.Reverse())
            {
                int l = f.SourceColumnNames.ToList().IndexOf(candidatesColumnName);
                if (l >= 0 && l < f.SourceStageIds.Count && model.CandidateLists.FirstOrDefault(c => c.StageId != null && c.StageId == f.SourceStageIds[l]) is { } source)
                {
                    stage = source;
                    break;
                }
            }
        }
        if (stage == null)
        {
            var served = model.CandidateLists.Select(c => c.CandidatesColumnName).Concat(model.RankFusions.Select(f => f.CandidatesColumnName))
                .Concat(model.RankFusions.SelectMany(f => f.SourceColumnNames)).Distinct();
            throw new ArgumentException($"No stage of the model holds its candidates in column '{candidatesColumnName}': the columns it can serve are "
                + $"{string.Join(", ", served.Select(c => $"'{c}'"))}.", nameof(candidatesColumnName));
        }
        return new MultiInterestRecommender(model.LiveOf(stage), candidatesColumnName);
    }

    /// <summary>A fusing recommender over <paramref name="fusion"/>, its sources found among <paramref name="retrievers"/> by their stage ids.</summary>
    private static MultiInterestRecommender CreateRecommender(RankFusionTransformer fusion, CandidateRetrievalTransformer[] retrievers)
    {
        var (sources, weights) = RankFusionTransformer.ServedSources(fusion.SourceColumnNames, fusion.SourceStageIds, fusion.Weights,
            id => retrievers.FirstOrDefault(r => r.Columns.StageId == id)?.Columns.Live, message => new ArgumentException(message, "model"));
        return new MultiInterestRecommender(sources, weights, fusion.Candidates, WeightedSources(fusion.SourceColumnNames, fusion.Weights));
    }

    /// <summary>The source columns a fusion serves (weight above 0), in order: the stages a fusing recommender's lists come from.</summary>
    private static string[] WeightedSources(IReadOnlyList<string> columns, IReadOnlyList<double> weights) =>
        Enumerable.Range(0, columns.Count).Where(l => weights[l] > 0).Select(l => columns[l]).ToArray();
}
