using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// The test figures of a sweep's refitted best model: its own embeddings and clusters, scored by the protocol as evaluate
/// scores them (test edges of unseen users or items count as misses unless <see cref="UnseenHeldOut.Drop"/>).
/// </summary>
internal static class SweepTestFigures
{
    /// <summary>
    /// The best setting's kNN-Embed settings in words: "m=5, k=10, lambda=0.8, alpha=1", or at lambda 0, whose neighbours are
    /// not used, "m=5, lambda=0 (the unsmoothed Mixture: no neighbours), alpha=1", as the leaderboard shows k as "-".
    /// </summary>
    public static string Describe(SweepSettings best) => best.Lambda == 0
        ? FormattableString.Invariant($"m={best.Components}, lambda=0 (the unsmoothed Mixture: no neighbours), alpha={best.Alpha}")
        : FormattableString.Invariant($"m={best.Components}, k={best.Neighbors}, lambda={best.Lambda}, alpha={best.Alpha}");

    /// <returns>The protocol's rows, and the training and held-out edges they were scored on (for the long-tail pairs, <see cref="UnimodalPairs.Of"/>).</returns>
    public static (ProtocolResult Result, BipartiteGraph Train, BipartiteGraph HeldOut) Evaluate(ITransformer model, IReadOnlyList<RawEdge> trainEdges, IReadOnlyList<RawEdge> testEdges, SweepSettings best, int threads,
        string testPath, UnseenHeldOut unseen)
    {
        var stages = ((IEnumerable<ITransformer>)model).ToList();
        var embedding = stages.OfType<GraphEmbeddingTransformer>().Single();
        var kmeans = stages.OfType<SphericalKMeansTransformer>().Single();
        var users = new IdMap(embedding.UserIds);
        var items = new IdMap(embedding.ItemIds);
        var assignments = new int[items.Count];
        for (int i = 0; i < assignments.Length; i++) assignments[i] = kmeans.ClusterOfItem((uint)(i + 1));
        // The engine's protocol reads tables of one row per key (dense here: the keys come from MapValueToKey on the edges).
        var (userVectors, itemVectors) = (embedding.UserEmbeddings.ToDense(), embedding.ItemEmbeddings.ToDense());
        var clustering = ItemClustering.Create(assignments, kmeans.NumberOfClusters, itemVectors, kmeans.Centroids);
        var train = GraphData.Build(trainEdges, users, items, extendIds: false, "train");
        var heldOut = GraphData.BuildHeldOut(testEdges, users, items, testPath);
        var settings = new ProtocolSettings { Components = best.Components, Neighbors = best.Neighbors, Lambda = best.Lambda, Alpha = best.Alpha, Threads = threads };
        var result = ProtocolEvaluator.Run(train, heldOut.Graph, userVectors, itemVectors, clustering, settings,
            misses: unseen == UnseenHeldOut.Miss ? heldOut.Misses : null);
        return (result, train, heldOut.Graph);
    }
}
