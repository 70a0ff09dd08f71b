using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.MultiInterest.Tests.Robustness;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A saved stage's divide-and-conquer encoder tables with an edited number (bad-inputs row model-encoder-tables-not-finite):
/// refused at Load by name, rather than ranking a new user's clusters and items by NaN.
/// </summary>
public sealed class DivideConquerEncoderTableValueTests
{
    private static readonly Lazy<byte[]> Zip = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var chain = MLNetTestData.KeyPipeline(ml)
            .Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1,
                DivideConquer = new DivideConquerOptions { Clusters = 3, Encoder = DivideConquerEncoder.AttentionPooling },
            }))
            .Append(mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.Encoder }))
            .Fit(raw);
        var buffer = new MemoryStream();
        ml.Model.Save(chain, raw.Schema, buffer);
        return buffer.ToArray();
    });

    [Theory]
    [InlineData("encoder_cluster_prior", -0.5, "a cluster prior that is not finite and non-negative")]
    [InlineData("encoder_cluster_prior", double.PositiveInfinity, "a cluster prior that is not finite and non-negative")]
    public void AnEditedPrior_IsRefused(string table, double value, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(), new MemoryStream(BadInputFixtures.WithTableValue(Zip.Value, table, 0, value))));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("encoder_history_items", 5, "input vectors holding a value that is not finite")]
    [InlineData("encoder_prompts", 2, "prompts holding a value that is not finite")]
    [InlineData("encoder_attention_query", 1, "an attention query holding a value that is not finite")]
    public void ANonFiniteVectorEntry_IsRefused(string table, int index, string expected)
    {
        foreach (float value in new[] { float.NaN, float.NegativeInfinity })
        {
            var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(), new MemoryStream(BadInputFixtures.WithTableValue(Zip.Value, table, index, value))));
            Assert.Contains(expected, e.Message);
        }
    }

    [Theory]
    [InlineData("encoder_prompts")]
    [InlineData("encoder_history_items")]
    [InlineData("encoder_attention_query")]
    public void AHugeFiniteValue_WhoseQueryWouldOverflow_IsRefused(string table)
    {
        // Found by EncoderTableFuzzTests (CsCheck seed b-UqlY4jfto1): such a zip loaded, then Recommend with a history threw
        // an ArgumentException about "user embeddings" too long to take (ScorableLength).
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(), new MemoryStream(BadInputFixtures.WithTableValue(Zip.Value, table, 0, 1e30f))));
        Assert.Contains("values so large that a history's query would not score finitely", e.Message);
    }

    [Fact]
    public void TablesCutToOtherRowsThanTheServingItems_AreRefusedByName()
    {
        // The input vectors and clusters agree with each other, one row short of the serving items (docs/bad-inputs.md, model-encoder-tables-missing).
        var cut = BadInputFixtures.WithTensor(Zip.Value, "encoder_history_items", t =>
        {
            long d = t.Dims[1];
            t.Dims[0] -= 1;
            t.RawData = Google.Protobuf.ByteString.CopyFrom(t.RawData.Span[..(int)(t.Dims[0] * d * sizeof(float))]);
        });
        cut = BadInputFixtures.WithTensor(cut, "encoder_item_clusters", t =>
        {
            t.Dims[0] -= 1;
            t.RawData = Google.Protobuf.ByteString.CopyFrom(t.RawData.Span[..(int)(t.Dims[0] * sizeof(long))]);
        });
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(), new MemoryStream(cut)));
        Assert.Contains("Initializer 'encoder_history_items' has 23 rows for the 24 items of 'serving_items'", e.Message);
    }

    [Fact]
    public void AQuotaStagesEncoderClustersEditedAwayFromItsClustering_AreRefusedAtLoad()
    {
        // In range of the prior, so the tables agree with one another; but the model's mixtures would name clusters the
        // stage searches otherwise (Fit refuses such clusters: retriever-history-mixture-other-clusters).
        var edited = BadInputFixtures.WithTensor(BadInputFixtures.DivideConquerQuotaZip, "encoder_item_clusters", t =>
        {
            var raw = t.RawData.ToByteArray();
            long cluster = BitConverter.ToInt64(raw, 0);
            BitConverter.GetBytes((cluster + 1) % 3).CopyTo(raw, 0);
            t.RawData = Google.Protobuf.ByteString.CopyFrom(raw);
        });
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(), new MemoryStream(edited)));
        Assert.Contains("'encoder_item_clusters' puts item key 1 in cluster", e.Message);
    }

    [Fact]
    public void TheUneditedZip_Loads() => MultiInterestModel.Load(new MLContext(), new MemoryStream(Zip.Value)).Dispose();
}
