using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// What each pipeline promises before it sees data (<see cref="IEstimator{TTransformer}.GetOutputSchema"/>) is what its fitted
/// model appends: the same columns, each of the same kind and item type. ML.NET plans a pipeline from the promised shape,
/// so a column missing there (a retriever's CandidateSource once was) cannot be consumed by a later estimator. The fitted
/// model's own propagation (<see cref="ITransformer.GetOutputSchema"/>) matches its output too.
/// </summary>
public class OutputShapeTests
{
    public static TheoryData<string> Pipelines => ["unimodal", "mmr", "multi-interest mmr", "history mmr", "cluster quota", "dcm round robin", "fusion"];

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void The_promised_shape_is_the_fitted_models_schema(string name)
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var embedded = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()));
        var mixtures = embedded.Append(mi.SphericalKMeans(numberOfClusters: 4)).Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3));
        IEstimator<ITransformer> pipeline = name switch
        {
            "unimodal" => embedded.Append(mi.UnimodalRetriever(candidates: 5)),
            "mmr" => embedded.Append(mi.MmrRetriever(candidates: 5)),
            "multi-interest mmr" => mixtures.Append(mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, InterestWeight = 0.1 })),
            "history mmr" => embedded.Append(mi.HistoryInterestMmr(candidates: 5)),
            "cluster quota" => mixtures.Append(mi.ClusterQuotaRetriever(candidates: 5)),
            "dcm round robin" => MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(algorithm: Microsoft.ML.MultiInterest.Engine.EmbeddingAlgorithm.ImplicitAls, dimension: 8))
                .Append(mi.WarmStartedDifferentiableClustering(interests: 2)).Append(mi.RoundRobinRetriever(candidates: 5)),
            "fusion" => mixtures.Append(mi.ClusterQuotaRetriever(candidates: 5))
                .Append(ml.Transforms.CopyColumns("QuotaCandidates", MultiInterestColumnNames.Candidates))
                .Append(mi.UnimodalRetriever(candidates: 5))
                .Append(mi.RankFusion(["QuotaCandidates", MultiInterestColumnNames.Candidates], candidates: 5)),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var rawShape = MLNetTestData.RawShape<MLNetTestData.Edge>(ml);
        var promised = pipeline.GetOutputSchema(rawShape);
        var model = pipeline.Fit(raw);
        var schema = model.Transform(raw).Schema;
        // The fitted model's own schema propagation (ITransformer.GetOutputSchema) gives the same columns and types.
        var propagated = model.GetOutputSchema(raw.Schema);
        Assert.Equal(schema.Select(c => (c.Name, c.IsHidden, c.Type.ToString())), propagated.Select(c => (c.Name, c.IsHidden, c.Type.ToString())));

        var visible = schema.Where(c => !c.IsHidden).ToList();
        Assert.Equal(visible.Select(c => c.Name).Order(), promised.Select(c => c.Name).Order());
        Assert.Contains(MultiInterestColumnNames.CandidateSource, promised.Select(c => c.Name));
        foreach (var column in visible)
        {
            var shape = promised.Single(c => c.Name == column.Name);
            var kind = column.Type is VectorDataViewType vector
                ? vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector
                : SchemaShape.Column.VectorKind.Scalar;
            Assert.True(kind == shape.Kind, $"{column.Name}: {shape.Kind} promised, {kind} appended.");
            var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
            Assert.True(item.RawType == shape.ItemType.RawType && (item is KeyDataViewType) == shape.IsKey,
                $"{column.Name}: {shape.ItemType} promised, {item} appended.");
        }
    }

    /// <summary>
    /// The shape of a cluster key promises its KeyValues without building a value per cluster: a NumberOfClusters of
    /// int.MaxValue ran out of memory in the chain's shape check (before Fit), where Fit refuses it naming the option.
    /// </summary>
    [Fact]
    public void A_huge_cluster_count_is_refused_by_name_not_by_the_shape_check_running_out_of_memory()
    {
        var ml = new MLContext(seed: 1);
        var mi = ml.MultiInterest();
        var pipeline = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: int.MaxValue))
            .Append(ml.Transforms.Conversion.MapKeyToValue("ClusterName", MultiInterestColumnNames.ItemCluster));

        var promised = pipeline.GetOutputSchema(MLNetTestData.RawShape<MLNetTestData.Edge>(ml));
        Assert.True(promised.Single(c => c.Name == MultiInterestColumnNames.ItemCluster).IsKey);
        Assert.Contains(promised, c => c.Name == "ClusterName");
        var e = Assert.Throws<ArgumentException>(() => pipeline.Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges())));
        Assert.Contains("NumberOfClusters is 2147483647, but there are only", e.Message);
    }
}
