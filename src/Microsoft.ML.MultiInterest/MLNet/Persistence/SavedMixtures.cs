using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The kNN-Embed mixtures read back from a saved model (see <see cref="MultiInterestModel"/>).</summary>
public sealed class SavedMixtures
{
    internal SavedMixtures(string userColumn, string clustersColumn, string weightsColumn, string embeddingsColumn, MixtureTable mixtures, int clusterCount)
    {
        UserColumnName = userColumn;
        ClustersColumnName = clustersColumn;
        WeightsColumnName = weightsColumn;
        EmbeddingsColumnName = embeddingsColumn;
        Mixtures = mixtures;
        ClusterCount = clusterCount;
    }

    /// <summary>The user key column the stage reads.</summary>
    public string UserColumnName { get; }

    /// <summary>The mixture cluster key column the stage appends.</summary>
    public string ClustersColumnName { get; }

    /// <summary>The mixture weight column the stage appends.</summary>
    public string WeightsColumnName { get; }

    /// <summary>The component embedding column the stage appends.</summary>
    public string EmbeddingsColumnName { get; }

    /// <summary>The mixtures, one row per user key (row = key - 1).</summary>
    public MixtureTable Mixtures { get; }

    /// <summary>Number of item clusters (the cardinality of the cluster keys).</summary>
    public int ClusterCount { get; }
}
