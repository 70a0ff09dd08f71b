using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// The encoder tables a divide-and-conquer item column carries are read only where they are served: taking the model's
/// clusters (<see cref="SphericalKMeansTrainer.Options.DivideConquerClusters"/>) and a quota stage's Auto that finds other
/// clusters read the item rows and clusters, never the n × d input vectors.
/// </summary>
public sealed class DivideConquerAnnotationReadTests
{
    private const string Column = "ItemEmbedding";

    /// <summary>An item column of 3 item rows (0, 1, 2) in the model's clusters 1, 0, 1 of 2, whose input vectors throw when read.</summary>
    private static DataViewSchema Schema()
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        var encoder = nameof(DivideConquerEncoder.MeanPooling).AsMemory();
        annotations.Add(DivideConquerAnnotations.Encoder, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = encoder);
        annotations.Add(DivideConquerAnnotations.ItemRows, new VectorDataViewType(NumberDataViewType.Int32, 3), (ref VBuffer<int> v) => v = new VBuffer<int>(3, [0, 1, 2]));
        annotations.Add(DivideConquerAnnotations.HistoryItems, new VectorDataViewType(NumberDataViewType.Single, 3, 2),
            (ref VBuffer<float> v) => throw new InvalidOperationException("the input vectors were read"));
        annotations.Add(DivideConquerAnnotations.Clusters, new VectorDataViewType(NumberDataViewType.Int32, 3), (ref VBuffer<int> v) => v = new VBuffer<int>(3, [1, 0, 1]));
        annotations.Add(DivideConquerAnnotations.Prior, new VectorDataViewType(NumberDataViewType.Double, 2), (ref VBuffer<double> v) => v = new VBuffer<double>(2, [0.5, 0.5]));
        annotations.Add(DivideConquerAnnotations.IntentSmoothing, NumberDataViewType.Double, (ref double v) => v = 1);
        annotations.Add(DivideConquerAnnotations.Components, NumberDataViewType.Int32, (ref int v) => v = 2);
        var schema = new DataViewSchema.Builder();
        schema.AddColumn(Column, new VectorDataViewType(NumberDataViewType.Single, 2), annotations.ToAnnotations());
        return schema.ToSchema();
    }

    [Fact]
    public void TakingTheModelsClusters_ReadsNoInputVector()
    {
        var options = new SphericalKMeansTrainer.Options { FeatureColumnName = Column, NumberOfClusters = 2, DivideConquerClusters = true };
        Assert.Equal([0, 1], DivideConquerClustering.Of(Schema()[Column], [1, 2], options));
    }

    [Fact]
    public void AutoOverOtherClusters_CountsAndWarns_ReadingNoInputVector()
    {
        var options = new ClusterQuotaRetrieverEstimator.Options { ItemEmbeddingColumnName = Column, UserEmbeddingColumnName = null };
        var items = new EmbeddingMatrix(3, 2);
        var stage = ItemClustering.Create([0, 0, 1], 2, items);
        var warnings = new List<string>();
        var (settings, encoder) = HistoryMixtureChoice.Resolve(options, CandidateMethod.ClusterQuota, new RetrievalSettings { HistoryMixture = HistoryMixture.Auto },
            Schema(), stage, [0, 1, 2], new KeyNameList(["a", "b", "c"]), null, warnings.Add);
        Assert.Equal(HistoryMixture.Counts, settings.HistoryMixture);
        Assert.Null(encoder);
        Assert.Contains(warnings, w => w.Contains("item 'a' (key 1) is in the model's cluster 2"));
    }
}
