using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The options of the retrievers that read a kNN-Embed mixture over the item clusters (<see cref="ClusterQuotaRetrieverEstimator.Options"/>
/// always; <see cref="MmrRetrieverEstimator.Options"/> for multi-interest MMR; <see cref="ConditionalRetrieverEstimator.Options"/>
/// to merge it with the conditions): the item cluster column of <see cref="SphericalKMeansTrainer"/> and the mixture columns of
/// <see cref="KnnSmoothedMixtureEstimator"/>, named once here.
/// </summary>
public abstract class MixtureRetrieverOptions : RetrieverOptions
{
    /// <summary>The item cluster key column. Default <see cref="MultiInterestColumnNames.ItemCluster"/>.</summary>
    public string ItemClusterColumnName = MultiInterestColumnNames.ItemCluster;

    /// <summary>The mixture cluster keys column. Default <see cref="MultiInterestColumnNames.MixtureClusters"/>.</summary>
    public string MixtureClustersColumnName = MultiInterestColumnNames.MixtureClusters;

    /// <summary>The mixture weights column (Double vector). Default <see cref="MultiInterestColumnNames.MixtureWeights"/>.</summary>
    public string MixtureWeightsColumnName = MultiInterestColumnNames.MixtureWeights;

    /// <summary>The mixture embeddings column. Default <see cref="MultiInterestColumnNames.MixtureEmbeddings"/>.</summary>
    public string MixtureEmbeddingsColumnName = MultiInterestColumnNames.MixtureEmbeddings;

    /// <summary>Checks the shared columns, <see cref="RetrieverOptions.Threads"/> and the mixture columns' names, naming the first bad option.</summary>
    private protected void ValidateMixtureRetriever()
    {
        ValidateShared();
        OptionChecks.ColumnName(ItemClusterColumnName, nameof(ItemClusterColumnName));
        OptionChecks.ColumnName(MixtureClustersColumnName, nameof(MixtureClustersColumnName));
        OptionChecks.ColumnName(MixtureWeightsColumnName, nameof(MixtureWeightsColumnName));
        OptionChecks.ColumnName(MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName));
    }

    /// <inheritdoc/>
    private protected override IEnumerable<(string? Name, string Option)> InputColumns() =>
    [
        .. base.InputColumns(), (ItemClusterColumnName, nameof(ItemClusterColumnName)), (MixtureClustersColumnName, nameof(MixtureClustersColumnName)),
        (MixtureWeightsColumnName, nameof(MixtureWeightsColumnName)), (MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName)),
    ];

    /// <summary>Each user's mixture (its first row's; later rows must repeat it) from the mixture columns, over <paramref name="clusters"/> clusters of <paramref name="dimension"/>-vectors.</summary>
    internal MixtureTable ReadMixtures(IDataView input, int clusters, int dimension) =>
        MixtureReader.Read(input, (UserColumnName, nameof(UserColumnName)), (MixtureClustersColumnName, nameof(MixtureClustersColumnName)),
            (MixtureWeightsColumnName, nameof(MixtureWeightsColumnName)), (MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName)), clusters, dimension);

    /// <summary>Checks that <paramref name="inputSchema"/> has the cluster and mixture columns with their types.</summary>
    internal void CheckMixtureShape(SchemaShape inputSchema)
    {
        ShapeChecks.Key(inputSchema, ItemClusterColumnName, nameof(ItemClusterColumnName));
        ShapeChecks.KeyVector(inputSchema, MixtureClustersColumnName, nameof(MixtureClustersColumnName));
        ShapeChecks.Vector(inputSchema, MixtureWeightsColumnName, nameof(MixtureWeightsColumnName), Microsoft.ML.Data.NumberDataViewType.Double);
        ShapeChecks.Vector(inputSchema, MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName), Microsoft.ML.Data.NumberDataViewType.Single);
    }
}
