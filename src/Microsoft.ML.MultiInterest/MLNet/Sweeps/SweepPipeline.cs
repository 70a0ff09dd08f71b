using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The ML.NET estimator chain of one sweep configuration, over text <c>User</c>/<c>Item</c> columns.</summary>
internal static class SweepPipeline
{
    public static IEstimator<ITransformer> Create(MLContext ml, SweepSettings settings, int candidates, int threads, bool weighted = false)
    {
        var mi = ml.MultiInterest();
        var embedding = GraphEmbeddingTrainer.Options.FromEngine(settings.Embedding);
        embedding.Threads = threads;
        embedding.WeightColumnName = weighted ? MultiInterestColumnNames.Weight : null;
        var keyed = ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.User)
            .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.Item))
            .Append(mi.GraphEmbedding(embedding));
        if (settings.Method == SweepRetrievalMethod.Unimodal)
            return keyed.Append(mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = candidates, Threads = threads }));
        if (settings.Method == SweepRetrievalMethod.Mmr)
            return keyed.Append(mi.MmrRetriever(new MmrRetrieverEstimator.Options
            {
                Candidates = candidates, Lambda = settings.ResolvedMmrLambda, PoolSize = settings.MmrPool, Threads = threads,
            }));
        if (settings.Method == SweepRetrievalMethod.HistoryMmr)
        {
            return keyed.Append(mi.MmrRetriever(new MmrRetrieverEstimator.Options
            {
                Candidates = candidates, Interests = MmrInterests.History, Lambda = settings.ResolvedMmrLambda, PoolSize = settings.MmrPool, InterestWeight = settings.InterestWeight,
                ItemsPerInterest = settings.ItemsPerInterest, MaxInterests = settings.MaxInterests, Threads = threads,
            }));
        }
        var c = settings.Clustering;
        return keyed
            .Append(mi.SphericalKMeans(new SphericalKMeansTrainer.Options
            {
                NumberOfClusters = c.Clusters, MaxIterations = c.MaxIterations, Tolerance = c.Tolerance, Seed = c.Seed, Threads = threads,
            }))
            .Append(mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options
            {
                Components = settings.Components, Neighbors = settings.Neighbors, Lambda = settings.Lambda, Threads = threads,
            }))
            .Append(mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = candidates, Alpha = settings.Alpha, Threads = threads }));
    }

    /// <summary>The row type the refitted pipeline is trained on (and a saved model expects): text ids.</summary>
    public sealed class EdgeRow
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public float Weight { get; set; } = 1f;
    }

    /// <summary>The edges as rows of <see cref="EdgeRow"/>, with the Weight column only when <paramref name="weighted"/>.</summary>
    public static IDataView Rows(MLContext ml, IEnumerable<RawEdge> edges, bool weighted)
    {
        var schema = SchemaDefinition.Create(typeof(EdgeRow));
        if (!weighted) schema.Remove(schema[nameof(EdgeRow.Weight)]);
        return ml.Data.LoadFromEnumerable(edges.Select(e => new EdgeRow { User = e.User, Item = e.Item, Weight = e.Weight }), schema);
    }
}
