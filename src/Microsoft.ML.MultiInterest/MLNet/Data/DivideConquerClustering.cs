using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The clusters <see cref="SphericalKMeansTrainer.Options.DivideConquerClusters"/> takes: the divide-and-conquer model's cluster
/// of each item the stage clusters, read from the encoder's tables its item vector column carries, so that the cluster keys
/// are the model's clusters + 1 (what a quota stage needs to serve the model's mixtures).
/// </summary>
internal static class DivideConquerClustering
{
    /// <summary>The model's cluster of each item row in <paramref name="itemRows"/> (ascending), over its K clusters.</summary>
    /// <exception cref="ArgumentException">The column carries no servable tables, K is not the option's, or an item has no cluster in the model.</exception>
    public static int[] Of(DataViewSchema.Column feature, int[] itemRows, SphericalKMeansTrainer.Options o)
    {
        var tables = DivideConquerAnnotations.ReadClusters(feature, nameof(o.FeatureColumnName));
        if (tables == null)
        {
            string why = DivideConquerAnnotations.Read(feature) is { } name
                ? $"comes from a divide-and-conquer GraphEmbedding with the {name} encoder, whose tables a stage does not carry (only MeanPooling and AttentionPooling)"
                : "does not come from a divide-and-conquer GraphEmbedding stage of this pipeline (fitted with this stage, not loaded from a zip)";
            throw new ArgumentException($"{nameof(o.DivideConquerClusters)}: the column '{feature.Name}' (option {nameof(o.FeatureColumnName)}) {why}. "
                + $"Leave {nameof(o.DivideConquerClusters)} false to fit k-means.", nameof(o.DivideConquerClusters));
        }
        if (o.NumberOfClusters != tables.ClusterCount)
            throw new ArgumentException($"{nameof(o.DivideConquerClusters)}: the divide-and-conquer model has {tables.ClusterCount} clusters, but {nameof(o.NumberOfClusters)} is "
                + $"{o.NumberOfClusters}: set {nameof(o.NumberOfClusters)} to {tables.ClusterCount}.", nameof(o.NumberOfClusters));
        var assignments = new int[itemRows.Length];
        for (int j = 0; j < itemRows.Length; j++)
        {
            int cluster = tables.ClusterOf(itemRows[j]);
            if (cluster < 0)
                throw new ArgumentException($"{nameof(o.DivideConquerClusters)}: item key {itemRows[j] + 1} has no cluster in the divide-and-conquer model (it had no edge "
                    + "when the model was fitted): fit the clustering on the data the GraphEmbedding stage was fitted on.", nameof(o.DivideConquerClusters));
            assignments[j] = cluster;
        }
        return assignments;
    }
}
