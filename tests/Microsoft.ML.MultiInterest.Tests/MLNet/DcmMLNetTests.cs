using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>DCM through the ML.NET face: the same estimator, interests on the transformer, save/load round trip.</summary>
public sealed class DcmMLNetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-dcm-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheCatalogShortcut_TrainsDcmInterests_OfTheGivenCountAndDimension()
    {
        var ml = new MLContext(seed: 1);
        MLNetTestData.Keyed(ml, out var raw);
        var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().DifferentiableClustering(interests: 3, dimension: 8, epochs: 2, seed: 5)).Fit(raw);
        var model = fitted.LastTransformer.Mixture!;
        Assert.Equal(3, model.SourceComponents);
        Assert.Equal(8, fitted.LastTransformer.ItemEmbeddings.Dimension);
        Assert.Equal(1, model.DestinationComponents);
    }

    [Fact]
    public void FitsInterestsAndRoundTripsThemThroughSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        MLNetTestData.Keyed(ml, out var raw);
        var options = new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 8, Epochs = 2, Threads = 1, UniformNegatives = 4,
            Dcm = new DcmOptions { Interests = 3, Iterations = 2 },
        };
        var chain = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(options)).Fit(raw);
        var fitted = chain.LastTransformer.Mixture!;
        Assert.Equal(3, fitted.SourceComponents);
        Assert.Equal(1, fitted.DestinationComponents);
        string path = Path.Combine(_directory, "dcm.zip");
        ml.Model.Save(chain, raw.Schema, path);
        var loaded = MultiInterestModel.Load(ml, path).GraphEmbedding!.Mixture!;
        Assert.Equal(fitted.UserComponents.Values, loaded.UserComponents.Values);
        Assert.Equal(fitted.ItemComponents.Values, loaded.ItemComponents.Values);
        Assert.Equal(fitted.UserWeights, loaded.UserWeights);
    }

    [Fact]
    public void WarmStartsFromASingleVectorModelsItemTable_InKeyOrder()
    {
        var ml = new MLContext(seed: 1);
        MLNetTestData.Keyed(ml, out var raw);
        var single = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 6, Threads = 1,
        })).Fit(raw).LastTransformer;
        var start = single.ItemEmbeddings.ToDense();
        var options = new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 6, Epochs = 1, LearningRate = 1e-6f, Threads = 1, UniformNegatives = 4,
            ValidationFraction = 0, Dcm = new DcmOptions { Interests = 2, InitialItems = start },
        };
        var dcm = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(options)).Fit(raw).LastTransformer;
        var items = dcm.ItemEmbeddings;
        Assert.Equal(start.Rows, items.KeyCount);
        int compared = 0;
        for (int key = 0; key < start.Rows; key++)
        {
            if (!items.TryGetVector(key, out var learned) || VectorMath.Norm(start.ReadRow(key)) == 0) continue;
            var unit = start.ReadRow(key).ToArray();
            VectorMath.NormalizeInPlace(unit);
            Assert.True(VectorMath.Dot(unit, learned) > 0.999f, $"item key {key} moved away from its start");
            compared++;
        }
        Assert.True(compared >= start.Rows / 2, $"only {compared} of {start.Rows} items compared");
    }

    [Fact]
    public void TheWarmStartShortcut_StartsFromTheStagesItemTable_WithTheWarmStartSettings()
    {
        var ml = new MLContext(seed: 1);
        MLNetTestData.Keyed(ml, out var raw);
        var mi = ml.MultiInterest();
        var single = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 6, Threads = 1,
        })).Fit(raw).LastTransformer;
        var trainer = mi.DifferentiableClustering(single, interests: 2, seed: 4);
        var o = trainer.EngineOptions;
        Assert.Equal(6, o.Dimension);
        Assert.Equal(DcmDefaults.WarmStartEpochs, o.Epochs);
        Assert.Equal(DcmDefaults.WarmStartLearningRate, o.LearningRate);
        Assert.Equal(0, o.ValidationFraction);
        Assert.Equal(DcmDefaults.WarmStartTemperature, o.Dcm.Temperature);
        Assert.Equal(DcmDefaults.WarmStartWeightExponent, o.Dcm.WeightExponent);
        Assert.Equal(single.ItemEmbeddings.ToDense().Values, o.Dcm.InitialItems!.Values);
        var dcm = MLNetTestData.KeyPipeline(ml).Append(trainer).Fit(raw).LastTransformer;
        Assert.Equal(2, dcm.Mixture!.SourceComponents);
        Assert.Equal(6, dcm.ItemEmbeddings.Dimension);
        var mixtureStart = MLNetTestData.KeyPipeline(ml).Append(mi.DifferentiableClustering(interests: 2, dimension: 4, epochs: 1)).Fit(raw).LastTransformer;
        Assert.Contains("multi-vector", Assert.Throws<ArgumentException>(() => mi.DifferentiableClustering(mixtureStart)).Message);
    }
}
