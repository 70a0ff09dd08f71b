using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted spherical k-means. Appends each row's cluster key (1..k) and its cosine similarity to that cluster's
/// centroid. Items clustered at Fit keep their fitted cluster (the engine's final assignment); any other row
/// goes to the nearest centroid by cosine, ties to the lower cluster. Such a row with a zero embedding (an item without a
/// vector: key 0, an id unseen at Fit, GraphEmbedding's zero vector) has no direction: it gets the missing cluster key 0
/// and a NaN similarity, not a cluster it does not belong to (until 1.18.0 cluster key 1 with similarity 0; models saved
/// before then keep that). The cluster keys carry KeyValues "1".."k".
/// Saves with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class SphericalKMeansTransformer : MultiInterestTransformerBase
{
    private readonly string _featureColumn;
    private readonly string? _itemColumn;
    private readonly string _clusterColumn;
    private readonly string _similarityColumn;
    private readonly FittedItems _fitted;

    internal SphericalKMeansTransformer(string featureColumn, string? itemColumn, string clusterColumn, string similarityColumn,
        SphericalKMeansResult result, int[]? itemKeys, int itemCount)
    {
        _featureColumn = featureColumn;
        _itemColumn = itemColumn;
        _clusterColumn = clusterColumn;
        _similarityColumn = similarityColumn;
        Centroids = result.Centroids;
        Iterations = result.Iterations;
        Objective = result.Objective;
        // The clustered items only (their rows ascending, as read), not a table per item key.
        _fitted = itemKeys == null ? new FittedItems(itemCount, [], [], []) : new FittedItems(itemCount, itemKeys, result.Assignments, result.Similarities);
    }

    /// <summary>The unit-length centroids, one row per cluster (row = cluster key - 1). The transformer's own table: read it, never write it (Transform and Save read it).</summary>
    public EmbeddingMatrix Centroids { get; }

    /// <summary>Number of clusters k.</summary>
    public int NumberOfClusters => Centroids.Rows;

    /// <summary>Statistics of each Lloyd iteration.</summary>
    public IReadOnlyList<KMeansIterationStats> Iterations { get; }

    /// <summary>The final objective: mean cosine similarity of the clustered points to their centroids.</summary>
    public double Objective { get; }

    /// <summary>The fitted cluster index (0-based) of the item with key <paramref name="itemKey"/>, or -1 if it was not clustered at Fit.</summary>
    /// <param name="itemKey">The item's key (1-based); 0 or a key not clustered at Fit gives -1.</param>
    /// <returns>The cluster index, or -1.</returns>
    public int ClusterOfItem(uint itemKey) => _fitted.ClusterOf(itemKey);

    /// <summary>
    /// The keys of the items fitted into cluster <paramref name="cluster"/> (0-based, as <see cref="ClusterOfItem"/> gives it; the
    /// ItemCluster column's key is cluster + 1), most central first: by descending cosine to the centroid, ties to the lower key.
    /// The first few are the cluster's examples an explanation shows (docs/pipeline.md, "Explaining the candidates"). Scans
    /// the fitted items once per call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cluster"/> is not in [0, <see cref="NumberOfClusters"/>).</exception>
    /// <param name="cluster">The cluster index, in [0, <see cref="NumberOfClusters"/>).</param>
    /// <returns>A new array of the item keys, most central first; empty for a cluster no fitted item fell into.</returns>
    public uint[] ItemsOfCluster(int cluster) => _fitted.ItemsOfCluster(cluster, NumberOfClusters);

    /// <summary>The nearest centroid of <paramref name="embedding"/> by cosine (ties to the lower cluster) and the similarity.</summary>
    /// <param name="embedding">A vector of the centroids' dimension; need not be normalized.</param>
    /// <returns>The cluster (0-based) and the cosine similarity; cluster 0 with similarity 0 for an all-zero vector (the engine's
    /// rule, which its quotas use; Transform writes the missing key 0 and NaN for such a row, <see cref="NearestCluster.None"/>).</returns>
    /// <exception cref="ArgumentException">The vector's length is not the centroids' dimension.</exception>
    public NearestCluster Nearest(ReadOnlySpan<float> embedding) => NearestCentroid.Of(Centroids, embedding);

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema)
    {
        var feature = ColumnChecks.FloatVector(inputSchema, _featureColumn, "FeatureColumnName", out int size);
        ColumnChecks.SameSize(_featureColumn, "FeatureColumnName", Centroids.Dimension, size);
        DataViewSchema.Column? item = null;
        if (_itemColumn != null)
        {
            item = ColumnChecks.Key(inputSchema, _itemColumn, "ItemColumnName", out int items);
            ColumnChecks.SameCardinality(_itemColumn, "ItemColumnName", _fitted.KeyCount, items);
        }
        string[] inputs = item == null ? [_featureColumn] : [_featureColumn, _itemColumn!];
        // By item key: a fitted item's cluster is looked up, another's computed from its vector, so the cluster is one per item
        // when the vector is.
        var keyValues = KeyValuesAnnotation.Of(KeyValuesAnnotation.Numbers(NumberOfClusters));
        var clusterAnnotations = item is { } itemKey && PerKeyAnnotation.Holds(feature, itemKey) ? PerKeyAnnotation.With(itemKey, keyValues) : keyValues;
        return
        [
            AppendedColumn.Create<uint>(_clusterColumn, new KeyDataViewType(typeof(uint), NumberOfClusters), inputs, row =>
            {
                var assign = Assigner(row, feature, item);
                return (ref uint value) => value = (uint)assign().Cluster + 1;
            }, clusterAnnotations),
            AppendedColumn.Create<float>(_similarityColumn, NumberDataViewType.Single, inputs, row =>
            {
                var assign = Assigner(row, feature, item);
                return (ref float value) => value = assign().Similarity;
            }),
        ];
    }

    private protected override ITransformer CreateSavableModel() =>
        SphericalKMeansPersistence.CreateSavable(_featureColumn, _itemColumn, _clusterColumn, _similarityColumn, Centroids, _fitted);

    private Func<NearestCluster> Assigner(DataViewRow row, DataViewSchema.Column feature, DataViewSchema.Column? item)
    {
        var getFeature = row.GetGetter<VBuffer<float>>(feature);
        var getItem = item == null ? null : row.GetGetter<uint>(item.Value);
        var vector = default(VBuffer<float>);
        var dense = new float[Centroids.Dimension];
        uint key = 0;
        return () =>
        {
            if (getItem != null)
            {
                getItem(ref key);
                int index = _fitted.IndexOf(key);
                if (index >= 0) return new NearestCluster(_fitted.Clusters[index], _fitted.Similarities[index]);
            }
            getFeature(ref vector);
            // A short row (an id a MapValue lookup missed) is refused rather than assigned by the previous row's vector.
            if (getItem != null) VectorRows.Copy(in vector, dense, (_featureColumn, "FeatureColumnName"), "item", (item!.Value, _fitted.KeyCount, (int)key - 1));
            else VectorRows.Copy(in vector, dense, (_featureColumn, "FeatureColumnName"), row.Position);
            return VectorMath.Norm(dense) == 0 ? NearestCluster.None : Nearest(dense);
        };
    }
}

/// <summary>The nearest centroid of an embedding (<see cref="SphericalKMeansTransformer.Nearest"/>).</summary>
/// <param name="Cluster">The cluster index, 0-based; -1 for <see cref="None"/>.</param>
/// <param name="Similarity">The cosine similarity to its centroid (0 for a zero embedding given to
/// <see cref="SphericalKMeansTransformer.Nearest"/>; NaN for <see cref="None"/>).</param>
public readonly record struct NearestCluster(int Cluster, float Similarity)
{
    /// <summary>No cluster (-1, similarity NaN): what Transform gives a row without a direction, written as cluster key 0.</summary>
    public static NearestCluster None => new(-1, float.NaN);
}
