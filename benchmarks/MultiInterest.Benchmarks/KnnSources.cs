using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

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
    /// <c>--train --test</c>, then <c>--artifacts DIR</c> (its user_embeddings.tsv, item_embeddings.tsv and
    /// item_clusters.tsv) or <c>--user-embeddings --item-embeddings [--item-clusters]</c>; the fit settings come from <see cref="ModelFitting.Flags"/>.
    /// </summary>
    internal sealed class Flags
    {
        public CliOption<string?> Train { get; } = Opt.Path("--train", "Training edges (user<TAB>item, header line, .gz allowed).", required: true);

        public CliOption<string?> Test { get; } = Opt.Path("--test", "Held-out edges.", required: true);

        public CliOption<string?> Artifacts { get; } = Opt.Path("--artifacts", "Directory with user_embeddings.tsv, item_embeddings.tsv, item_clusters.tsv (what `reproduce --out DIR --export` writes).", "DIR");

        public CliOption<string?> UserEmbeddings { get; } = Opt.Path("--user-embeddings", "User vectors (instead of training).");

        public CliOption<string?> ItemEmbeddings { get; } = Opt.Path("--item-embeddings", "Item vectors (instead of training).");

        public CliOption<string?> ItemClusters { get; } = Opt.Path("--item-clusters", "Item clusters (instead of k-means).");

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All => [Train, Test, Artifacts, UserEmbeddings, ItemEmbeddings, ItemClusters];

        /// <summary>The sources as given, with the fit settings for whatever is not read from files.</summary>
        public KnnSources Read(ParseResult r, GraphEmbeddingOptions embedding, SphericalKMeansOptions clustering)
        {
            string? dir = r.Value(Artifacts);
            string? users = r.Value(UserEmbeddings) ?? (dir == null ? null : Path.Combine(dir, "user_embeddings.tsv"));
            string? items = r.Value(ItemEmbeddings) ?? (dir == null ? null : Path.Combine(dir, "item_embeddings.tsv"));
            string? clusters = r.Value(ItemClusters) ?? (dir == null ? null : Path.Combine(dir, "item_clusters.tsv"));
            if ((users == null) != (items == null)) throw new UsageException("--user-embeddings and --item-embeddings go together.");
            if (clusters != null && items == null) throw new UsageException("--item-clusters needs the embeddings it refers to.");
            return new KnnSources(r.Value(Train)!, r.Value(Test)!, users, items, clusters, embedding, clustering);
        }
    }
}
