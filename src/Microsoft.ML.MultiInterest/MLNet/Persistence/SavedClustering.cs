using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The spherical k-means state read back from a saved model (see <see cref="MultiInterestModel"/>).</summary>
public sealed class SavedClustering
{
    private readonly FittedItems _fitted;

    internal SavedClustering(string featureColumn, string? itemColumn, string clusterColumn, string similarityColumn,
        EmbeddingMatrix centroids, FittedItems fitted)
    {
        FeatureColumnName = featureColumn;
        ItemColumnName = itemColumn;
        ClusterColumnName = clusterColumn;
        SimilarityColumnName = similarityColumn;
        Centroids = centroids;
        _fitted = fitted;
    }

    /// <summary>The embedding column the stage clusters.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The item key column whose fitted items keep their cluster, or null.</summary>
    public string? ItemColumnName { get; }

    /// <summary>The cluster key column the stage appends.</summary>
    public string ClusterColumnName { get; }

    /// <summary>The similarity column the stage appends.</summary>
    public string SimilarityColumnName { get; }

    /// <summary>The unit-length centroids, one row per cluster (row = cluster key - 1).</summary>
    public EmbeddingMatrix Centroids { get; }

    /// <summary>The item key range of the fitted cluster table (0 without an item column).</summary>
    public int ItemCount => _fitted.KeyCount;

    /// <summary>The fitted cluster index (0-based) of the item with key <paramref name="itemKey"/>, or -1 if it was not clustered at Fit.</summary>
    /// <param name="itemKey">The item's key (1-based); 0 or a key not clustered at Fit gives -1.</param>
    /// <returns>The cluster index, or -1.</returns>
    public int ClusterOfItem(uint itemKey) => _fitted.ClusterOf(itemKey);

    /// <summary>
    /// The keys of the items fitted into cluster <paramref name="cluster"/> (0-based), most central first: by descending cosine
    /// to the centroid, ties to the lower key (<see cref="SphericalKMeansTransformer.ItemsOfCluster"/> of the fitted stage).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cluster"/> is not in [0, number of clusters).</exception>
    /// <param name="cluster">The cluster index, in [0, number of clusters).</param>
    /// <returns>A new array of the item keys, most central first; empty for a cluster no fitted item fell into.</returns>
    public uint[] ItemsOfCluster(int cluster) => _fitted.ItemsOfCluster(cluster, Centroids.Rows);

    /// <summary>
    /// The cluster the stage's Transform gives the item with key <paramref name="itemKey"/> and vector
    /// <paramref name="vector"/>: its fitted cluster, or when it was not clustered at Fit (every item, without an item
    /// column) the nearest centroid of its vector; for an all-zero vector cluster 0, the engine's rule (Transform's column
    /// gives such a row the missing key 0 instead, <see cref="NearestCluster.None"/>).
    /// </summary>
    /// <param name="itemKey">The item's key (1-based).</param>
    /// <param name="vector">The item's embedding, read only when the item was not clustered at Fit; then of the centroids' dimension.</param>
    /// <returns>The cluster index (0-based); cluster 0 for an all-zero <paramref name="vector"/> of an item not clustered at Fit.</returns>
    /// <exception cref="ArgumentException">The vector is read and its length is not the centroids' dimension.</exception>
    public int ClusterOf(uint itemKey, ReadOnlySpan<float> vector)
    {
        int fitted = _fitted.ClusterOf(itemKey);
        return fitted >= 0 ? fitted : NearestCentroid.Of(Centroids, vector).Cluster;
    }
}
