using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>Every stage fitted one after another on the planted edges, as a user would, plus the data between them.</summary>
internal sealed class FittedStages
{
    public FittedStages()
    {
        Ml = new MLContext(seed: 1);
        var mi = Ml.MultiInterest();
        Edges = MLNetTestData.Edges();
        Raw = Ml.Data.LoadFromEnumerable(Edges);
        Keys = MLNetTestData.KeyPipeline(Ml).Fit(Raw);
        Keyed = Keys.Transform(Raw);
        Embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(Keyed);
        Embedded = Embedding.Transform(Keyed);
        KMeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(Embedded);
        Clustered = KMeans.Transform(Embedded);
        Mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(Clustered);
        Mixed = Mixture.Transform(Clustered);
        Quota = mi.ClusterQuotaRetriever(candidates: 5).Fit(Mixed);
        Unimodal = mi.UnimodalRetriever(candidates: 5).Fit(Embedded);
    }

    public MLContext Ml { get; }

    public List<MLNetTestData.Edge> Edges { get; }

    public IDataView Raw { get; }

    public ITransformer Keys { get; }

    public IDataView Keyed { get; }

    public GraphEmbeddingTransformer Embedding { get; }

    public IDataView Embedded { get; }

    public SphericalKMeansTransformer KMeans { get; }

    public IDataView Clustered { get; }

    public KnnSmoothedMixtureTransformer Mixture { get; }

    public IDataView Mixed { get; }

    public CandidateRetrievalTransformer Quota { get; }

    public CandidateRetrievalTransformer Unimodal { get; }

    /// <summary>The whole pipeline as one estimator chain, fitted on the raw edges.</summary>
    public ITransformer FitWholePipeline()
    {
        var mi = Ml.MultiInterest();
        return MLNetTestData.KeyPipeline(Ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(candidates: 5))
            .Fit(Raw);
    }
}
