using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>Where the <c>knn</c> command's inputs come from: the split, and exported files or the settings to fit them.</summary>
/// <param name="Train">Training edge file.</param>
/// <param name="Test">Held-out edge file.</param>
/// <param name="UserEmbeddings">User embedding file, or null to train.</param>
/// <param name="ItemEmbeddings">Item embedding file, or null to train.</param>
/// <param name="ItemClusters">Item cluster file, or null to run k-means.</param>
/// <param name="Embedding">Training settings when no embedding files are given.</param>
/// <param name="Clustering">k-means settings when no cluster file is given.</param>
internal sealed record KnnSources(string Train, string Test, string? UserEmbeddings, string? ItemEmbeddings, string? ItemClusters,
    GraphEmbeddingOptions Embedding, SphericalKMeansOptions Clustering)
{
    /// <summary>
    /// Reads <c>--train --test</c>, then <c>--artifacts DIR</c> (its user_embeddings.tsv, item_embeddings.tsv and
    /// item_clusters.tsv) or <c>--user-embeddings --item-embeddings [--item-clusters]</c>, and the fit settings.
    /// </summary>
    public static KnnSources Read(OptionList o, int threads)
    {
        string train = o.String("train") ?? throw new ArgumentException("knn needs --train FILE and --test FILE.");
        string test = o.String("test") ?? throw new ArgumentException("knn needs --train FILE and --test FILE.");
        string? dir = o.String("artifacts");
        string? users = o.String("user-embeddings") ?? (dir == null ? null : Path.Combine(dir, "user_embeddings.tsv"));
        string? items = o.String("item-embeddings") ?? (dir == null ? null : Path.Combine(dir, "item_embeddings.tsv"));
        string? clusters = o.String("item-clusters") ?? (dir == null ? null : Path.Combine(dir, "item_clusters.tsv"));
        if ((users == null) != (items == null)) throw new ArgumentException("--user-embeddings and --item-embeddings go together.");
        if (clusters != null && items == null) throw new ArgumentException("--item-clusters needs the embeddings it refers to.");
        return new KnnSources(train, test, users, items, clusters,
            ModelFitting.EmbeddingOptions(o, defaultEpochs: GraphEmbeddingDefaults.Epochs, threads), ModelFitting.ClusteringOptions(o, threads));
    }
}
