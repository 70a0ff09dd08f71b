using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>The recipe of docs/pipeline.md for embeddings trained elsewhere: MapValue from raw ids to vectors, then the later stages.</summary>
public class ExternalEmbeddingsTests
{
    [Fact]
    public void EmbeddingsMappedFromRawIds_GiveTheSameCandidates()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var embedding = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding())).Fit(raw);
        var trained = embedding.LastTransformer;
        var later = mi.SphericalKMeans(numberOfClusters: 4)
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(candidates: 5));
        var inPipeline = later.Fit(embedding.Transform(raw)).Transform(embedding.Transform(raw));

        // "Elsewhere": the same vectors as id -> float[] tables, mapped onto the raw id columns before MapValueToKey.
        var users = trained.UserIds.Select((id, r) => new KeyValuePair<string, float[]>(id, trained.UserEmbeddings.ToDense().ReadRow(r).ToArray()));
        var items = trained.ItemIds.Select((id, r) => new KeyValuePair<string, float[]>(id, trained.ItemEmbeddings.ToDense().ReadRow(r).ToArray()));
        var external = ml.Transforms.Conversion.MapValue("UserEmbedding", users, "User")
            .Append(ml.Transforms.Conversion.MapValue("ItemEmbedding", items, "Item"))
            .Append(MLNetTestData.KeyPipeline(ml))
            .Fit(raw);
        Assert.Equal(8, ((VectorDataViewType)external.Transform(raw).Schema["ItemEmbedding"].Type).Size);
        var mapped = later.Fit(external.Transform(raw)).Transform(external.Transform(raw));

        Assert.Equal(Candidates(inPipeline), Candidates(mapped));
    }

    private static uint[][] Candidates(IDataView data) =>
        data.GetColumn<VBuffer<uint>>("Candidates").Select(v => v.DenseValues().ToArray()).ToArray();
}
