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

    [Fact]
    public void A_start_from_an_input_column_equals_the_start_from_the_stages_table_in_one_pipeline()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var svd = new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 6, Threads = 1, Seed = 2 };
        GraphEmbeddingTrainer.Options Dcm() => new()
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 32, Epochs = 2, Threads = 1, UniformNegatives = 4, ValidationFraction = 0, Seed = 3,
            Dcm = new DcmOptions { Interests = 2 },
        };
        // Two fits: the single vector, then DCM from its table.
        var single = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(svd)).Fit(raw);
        var fromTable = Dcm();
        fromTable.Dimension = 6;
        fromTable.Dcm.InitialItems = single.LastTransformer.ItemEmbeddings.ToDense();
        var twoFits = mi.GraphEmbedding(fromTable).Fit(single.Transform(raw));
        // One fit: DCM reads the single vector's ItemEmbedding column (its Dimension of 32 is not used).
        var fromColumn = Dcm();
        fromColumn.InitialItemsColumnName = MultiInterestColumnNames.ItemEmbedding;
        var oneFit = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(svd)).Append(mi.GraphEmbedding(fromColumn)).Fit(raw).LastTransformer;
        Assert.Equal(6, oneFit.ItemEmbeddings.Dimension);
        Assert.Equal(twoFits.Mixture!.ItemComponents.Values, oneFit.Mixture!.ItemComponents.Values);
        Assert.Equal(twoFits.Mixture.UserComponents.Values, oneFit.Mixture.UserComponents.Values);
        // The catalog shortcut: the warm-start settings, the column as the start.
        var shortcut = mi.WarmStartedDifferentiableClustering(interests: 2);
        Assert.Equal(DcmDefaults.WarmStartEpochs, shortcut.EngineOptions.Epochs);
        Assert.Equal(DcmDefaults.WarmStartTemperature, shortcut.EngineOptions.Dcm.Temperature);

        // Misuse is named: an algorithm that takes no start, both starts at once, a missing or mistyped column.
        var wrongAlgorithm = new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.ImplicitAls, InitialItemsColumnName = "ItemEmbedding" };
        Assert.Contains("InitialItemsColumnName is set, but only", Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(wrongAlgorithm)).Message);
        Assert.Contains("both set", Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, InitialItemsColumnName = "ItemEmbedding", Dcm = new DcmOptions { InitialItems = fromTable.Dcm.InitialItems },
        })).Message);
        var keyed = MLNetTestData.Keyed(ml, out _);
        Assert.Contains("'ItemEmbedding' (option InitialItemsColumnName) was not found", Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(fromColumn).Fit(keyed)).Message);
        var noVectors = Dcm();
        noVectors.InitialItemsColumnName = "User";
        Assert.Contains("(option InitialItemsColumnName)", Assert.Throws<ArgumentException>(() => mi.GraphEmbedding(noVectors).Fit(keyed)).Message);
    }
}
