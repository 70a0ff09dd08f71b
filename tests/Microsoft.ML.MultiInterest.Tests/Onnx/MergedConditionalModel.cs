using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Conditional;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A saved conditional model merged with the kNN-Embed components under one quota policy (<c>ImplicitShare</c> 0.5), over the
/// planted topics graph (<see cref="PlantedTopics"/>; the topic of each edge as its item's condition): the model whose ONNX
/// export is a merged conditional directory.
/// </summary>
internal static class MergedConditionalModel
{
    /// <summary>
    /// Fits, saves to <paramref name="path"/> and loads the model; <paramref name="wideUsers"/> maps users over a wider key type
    /// (<see cref="WideUserKeys"/>); <paramref name="implicitShare"/> 0 gives the conditions alone (a conditional directory, not a merged one).
    /// </summary>
    public static MultiInterestModel Saved(MLContext ml, string path, bool wideUsers = false, double implicitShare = 0.5)
    {
        var planted = PlantedTopics.Create();
        var edges = new List<ConditionalMLNetTests.TopicEdge>();
        for (int u = 0; u < planted.Train.UserCount; u++)
            foreach (int i in planted.Train.ItemsOf(u))
                edges.Add(new ConditionalMLNetTests.TopicEdge { User = $"u{u}", Item = $"i{i}", Topic = $"topic{PlantedTopics.TopicOf(i)}" });
        var raw = ml.Data.LoadFromEnumerable(edges);
        var users = wideUsers ? WideUserKeys.UserKeys(ml, edges.Select(e => e.User)) : ml.Transforms.Conversion.MapValueToKey("User");
        var keys = users.Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic"))
            .Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = ml.MultiInterest();
        var vectors = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 12, Threads = 1, Seed = 3 }).Fit(keyed);
        var data = vectors.Transform(keyed);
        var kmeans = mi.SphericalKMeans(numberOfClusters: 8).Fit(data);
        var mixture = mi.KnnSmoothedMixture(components: 3, neighbors: 5).Fit(data = kmeans.Transform(data));
        var merged = mi.ConditionalRetriever(new ConditionalRetrieverEstimator.Options
            { Candidates = 10, MaxConditions = 3, Alpha = 0.5, ImplicitShare = implicitShare, Epochs = 3, Seed = 4, Threads = 1 }).Fit(mixture.Transform(data));
        ml.Model.Save(new TransformerChain<ITransformer>(keys, vectors, kmeans, mixture, merged), raw.Schema, path);
        return MultiInterestModel.Load(ml, path);
    }
}
