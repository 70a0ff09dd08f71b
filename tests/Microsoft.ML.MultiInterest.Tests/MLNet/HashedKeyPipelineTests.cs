using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The single-vector pipeline over key columns as wide as a hashed id (2,000,000,000 values, 40 users and 30 items in use):
/// every stage costs what the ids in use cost, and saving, which cannot, is refused with the way out.
/// </summary>
public sealed class HashedKeyPipelineTests
{
    [Fact]
    public void EveryStage_CostsWhatTheIdsInUseCost_AndSavingIsRefusedNamingTheColumn()
    {
        // Each stage once allocated a flag per key of both columns while reading its edges (4 GB), which the collector zeroed
        // again on reuse (the MMR stage: 4 s and a 4 GB working set).
        var ml = new MLContext(seed: 1);
        var data = PerKeyComponentTablesTests.Hashed(ml);
        var mi = ml.MultiInterest();
        T Stage<T>(string name, Func<T> fit)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = fit();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 32_000_000, $"{name} allocated {allocated:N0} bytes");
            return result;
        }
        var embedding = Stage("embedding", () => mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 4, Seed = 1, Threads = 1,
        }).Fit(data));
        var embedded = embedding.Transform(data);
        var kmeans = Stage("kmeans", () => mi.SphericalKMeans(numberOfClusters: 3).Fit(embedded));
        var clustered = kmeans.Transform(embedded);
        var mixture = Stage("mixture", () => mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered));
        var quota = Stage("quota", () => mi.ClusterQuotaRetriever(candidates: 5).Fit(mixture.Transform(clustered)));
        Stage("unimodal", () => mi.UnimodalRetriever(candidates: 5).Fit(embedded));
        var mmr = Stage("mmr", () => mi.MmrRetriever(candidates: 5).Fit(embedded));
        string user = embedding.UserIds[embedding.UserEmbeddings.Rows[0]]; // a trained user's raw id
        foreach (var (name, served) in new[] { ("quota request", Stage("quota request", () => mi.CreateRecommender(quota).Recommend(user))),
            ("mmr request", Stage("mmr request", () => mi.CreateRecommender(mmr).Recommend(user))) })
        {
            Assert.True(served.Source == CandidateSource.Trained, $"{name}: {served.Source}");
            Assert.Equal(5, served.Items.Count);
        }

        var chain = new TransformerChain<ITransformer>(embedding, kmeans, mixture, quota);
        var written = new MemoryStream();
        var e = Assert.Throws<InvalidOperationException>(() => ml.Model.Save(chain, data.Schema, written));
        // ML.NET had written the entries before the refused stage: what it left is refused as damaged, never read as a model.
        written.Position = 0;
        Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(ml, written));
        Assert.Contains("Column 'Candidates' is a key over 2,000,000,000 values", e.Message, StringComparison.Ordinal);
        Assert.Contains("Map the raw ids to a compact key range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyColumnPastTheSaveLimit_IsRefusedWhenSparse_AndSavedWhenDense()
    {
        var keys = KeyValuesAnnotation.Numbers(SavedChainBuilder.MaxSavedKeys + 2);
        var builder = new SavedChainBuilder("test-stage");
        foreach (string tensor in new[] { "ids", "ids2" }) builder.Graph.AddInitializer(Microsoft.ML.MultiInterest.Onnx.OnnxTensors.String(tensor, [5], ["1", "2", "3", "4", "5"]));
        var e = Assert.Throws<InvalidOperationException>(() => builder.KeyOutput("Candidates", "ids", 5, keys, keysInUse: 30));
        Assert.Contains("of which 30 are in use", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => builder.KeyOutput("Candidates", "ids", 5, keys)); // density unknown
        builder.KeyOutput("Candidates", "ids", 5, keys, keysInUse: keys.Count); // a catalogue this large and dense saves, at its cost
        builder.KeyOutput("Candidates", "ids2", 5, KeyValuesAnnotation.Numbers(SavedChainBuilder.MaxSavedKeys), keysInUse: 30);
    }
}
