using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>The planted edges split by the protocol, with the upstream stages fitted on the training part.</summary>
internal sealed class EvaluationPipeline
{
    public EvaluationPipeline()
    {
        Ml = new MLContext(seed: 1);
        var split = HoldOutSplitter.Split(MLNetTestData.Edges().Select(e => new RawEdge(e.User, e.Item, 1)));
        TrainRaw = Load(split.Train);
        TestRaw = Load(split.Test);
        var mi = Ml.MultiInterest();
        Keys = MLNetTestData.KeyPipeline(Ml).Fit(TrainRaw);
        Upstream = MLNetTestData.KeyPipeline(Ml)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Fit(TrainRaw);
        Train = Upstream.Transform(TrainRaw);
        HeldOut = Upstream.Transform(TestRaw);
    }

    public MLContext Ml { get; }

    public IDataView TrainRaw { get; }

    public IDataView TestRaw { get; }

    /// <summary>A key mapping fitted separately on the same training edges (same keys as the one inside <see cref="Upstream"/>).</summary>
    public ITransformer Keys { get; }

    public ITransformer Upstream { get; }

    /// <summary>The training edges with embeddings, clusters and mixtures.</summary>
    public IDataView Train { get; }

    /// <summary>The held-out edges through the same upstream stages.</summary>
    public IDataView HeldOut { get; }

    private IDataView Load(IEnumerable<RawEdge> edges) =>
        Ml.Data.LoadFromEnumerable(edges.Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }).ToList());
}
