using System.Diagnostics;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Benchmarks;

/// <summary>
/// The inputs of the <c>knn</c> command: the split, and the embeddings and item clusters either read from the files
/// <c>reproduce --out DIR --export</c> writes (<c>user_embeddings.tsv</c>, <c>item_embeddings.tsv</c>,
/// <c>item_clusters.tsv</c>) or fitted from the training edges as reproduce does.
/// </summary>
/// <param name="Train">Training graph.</param>
/// <param name="Test">Held-out graph over the same rows.</param>
/// <param name="Users">User embeddings.</param>
/// <param name="Items">Item embeddings.</param>
/// <param name="Clustering">Item clusters.</param>
/// <param name="Source">Where the embeddings and clusters came from.</param>
/// <param name="Seconds">Load and fit seconds (not part of the measured stages).</param>
internal sealed record KnnInputs(BipartiteGraph Train, BipartiteGraph Test, EmbeddingMatrix Users, EmbeddingMatrix Items, ItemClustering Clustering,
    string Source, IReadOnlyDictionary<string, double> Seconds)
{
    /// <summary>Loads (or fits) the inputs <paramref name="sources"/> names.</summary>
    public static KnnInputs Load(KnnSources sources)
    {
        var (train, test, userPath, itemPath, clusterPath, embedding, kmeansOptions) = sources;
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        IdMap userIds = new(), itemIds = new();
        EmbeddingMatrix? users = null, items = null;
        if (userPath != null)
        {
            var u = EmbeddingFile.Read(userPath);
            var i = EmbeddingFile.Read(itemPath!);
            if (u.Vectors.Dimension != i.Vectors.Dimension)
                throw new InvalidDataException($"User embeddings have {u.Vectors.Dimension} dimensions, item embeddings {i.Vectors.Dimension}.");
            (userIds, itemIds, users, items) = (u.Ids, i.Ids, u.Vectors, i.Vectors);
        }
        var trainGraph = GraphData.Build(EdgeFile.Read(train), userIds, itemIds, extendIds: users == null, train);
        var testGraph = GraphData.Build(EdgeFile.Read(test), userIds, itemIds, extendIds: false, test);
        seconds["load"] = JsonReport.Round(clock.Elapsed.TotalSeconds);

        string source = "files";
        if (users == null)
        {
            var (fit, s, _) = ModelFitting.Embed(trainGraph, embedding);
            (users, items) = (fit.UserEmbeddings, fit.ItemEmbeddings);
            seconds["embedding"] = JsonReport.Round(s);
            source = $"trained ({ModelFitting.Fitted(embedding, fit)}, d={fit.ItemEmbeddings.Dimension}"
                + (embedding.Algorithm == EmbeddingAlgorithm.NegativeSampling ? $", {embedding.Epochs} epochs)" : ")");
        }
        ItemClustering clustering;
        if (clusterPath != null)
        {
            var (assignments, count) = ClusterFile.Read(clusterPath, itemIds);
            clustering = ItemClustering.Create(assignments, count, items!);
        }
        else
        {
            var (c, s, _) = ModelFitting.Cluster(items!, kmeansOptions);
            clustering = c;
            seconds["clustering"] = JsonReport.Round(s);
            source += $", k-means ({kmeansOptions.Clusters} clusters)";
        }
        return new KnnInputs(trainGraph, testGraph, users, items!, clustering, source, seconds);
    }
}
