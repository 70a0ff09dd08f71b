using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

public sealed partial class MultiInterestModel
{
    /// <summary>
    /// A saved quota stage that builds a new user's mixture by the divide-and-conquer model keeps that model's clusters of its
    /// items (<c>encoder_item_clusters</c>), which Fit checked are the clustering stage's: the model's mixtures name clusters the
    /// stage searches by the saved SphericalKMeans stage. Checked again at Load, item by item, so an edited table is refused
    /// here rather than fill a new user's quotas from the wrong clusters.
    /// </summary>
    /// <exception cref="InvalidDataException">The cluster counts differ, or an item's cluster does.</exception>
    private static void CheckEncoderClusters(SavedCandidates saved, SavedClustering? clustering)
    {
        if (saved.Encoder is not { } encoder || saved.Settings.HistoryMixture != HistoryMixture.DivideConquer || saved.Serving is not { } serving
            || clustering == null) return; // a quota stage without a clustering stage is refused when served
        if (clustering.Centroids.Rows != encoder.ClusterCount)
            throw new InvalidDataException($"Initializer 'encoder_cluster_prior' holds {encoder.ClusterCount} clusters, the saved SphericalKMeans stage {clustering.Centroids.Rows}.");
        var keys = serving.ServingItemKeys;
        for (int j = 0; j < keys.Length; j++)
        {
            // Items the clustering stage did not fit take the nearest centroid when served, which Fit compared too; a fitted one is checked here.
            int cluster = clustering.ClusterOfItem((uint)keys[j]);
            if (cluster >= 0 && cluster != encoder.Clusters[j])
                throw new InvalidDataException($"Initializer 'encoder_item_clusters' puts item key {keys[j]} in cluster {encoder.Clusters[j] + 1}, "
                    + $"the saved SphericalKMeans stage in cluster {cluster + 1}.");
        }
    }
}
