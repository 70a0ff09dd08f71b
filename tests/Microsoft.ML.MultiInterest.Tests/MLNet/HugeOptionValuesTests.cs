using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Options at the top of their type's range: each is either honoured (as "as many as there are" or "until early stopping")
/// or refused when the estimator is made, naming the option, never an overflow or an out-of-memory from inside Fit.
/// </summary>
public class HugeOptionValuesTests
{
    /// <summary>
    /// Epochs = int.MaxValue with a hold-out and early stopping means "train until the validation recall stops rising"; the
    /// per-epoch statistics list once reserved room for every epoch up front and ran out of memory before the first one.
    /// </summary>
    [Theory]
    [InlineData(EmbeddingAlgorithm.NegativeSampling)]
    [InlineData(EmbeddingAlgorithm.MixtureEmbedding)]
    public void Unbounded_epochs_with_early_stopping_train_until_it_stops(EmbeddingAlgorithm algorithm)
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        var options = MLNetTestData.SmallEmbedding();
        options.Algorithm = algorithm;
        options.Epochs = int.MaxValue;
        options.ValidationFraction = 0.2;
        options.EarlyStoppingPatience = 1;
        var model = ml.MultiInterest().GraphEmbedding(options).Fit(keyed);
        Assert.InRange(model.Epochs.Count, 1, 1000);
    }

    /// <summary>
    /// ValidationUsers above the users (here int.MaxValue) scores them all, as 0 does; Auto's confirmation sample (four times
    /// the setting) overflowed to a negative count and failed with "Non-negative number required", naming no option.
    /// </summary>
    [Fact]
    public void Auto_with_more_validation_users_than_users_scores_them_all()
    {
        var ml = new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        float[] ItemVectors(int validationUsers) => ml.MultiInterest()
            .GraphEmbedding(new GraphEmbeddingTrainer.Options { Threads = 1, Seed = 7, AutoMaxDimension = 8, ValidationUsers = validationUsers })
            .Fit(keyed).ItemEmbeddings.Vectors.Values.ToArray();
        Assert.Equal(ItemVectors(0), ItemVectors(int.MaxValue));
    }

    /// <summary>Threads above <c>1,024</c> are refused when the estimator is made; these three stages once ran out of memory at Fit.</summary>
    [Theory]
    [InlineData("GraphEmbedding")]
    [InlineData("SphericalKMeans")]
    [InlineData("HistoryInterestMmr")]
    public void Threads_past_the_limit_are_refused_by_name_when_the_estimator_is_made(string stage)
    {
        var mi = new MLContext(seed: 1).MultiInterest();
        Action make = stage switch
        {
            "GraphEmbedding" => () => mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Threads = int.MaxValue }),
            "SphericalKMeans" => () => mi.SphericalKMeans(new SphericalKMeansTrainer.Options { Threads = int.MaxValue }),
            _ => () => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Interests = MmrInterests.History, Threads = int.MaxValue }),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(make);
        Assert.Equal("Threads", e.ParamName);
        Assert.Contains("Threads must be at most 1,024 (0 = all cores)", e.Message);
        // The limit itself is accepted.
        Assert.NotNull(mi.SphericalKMeans(new SphericalKMeansTrainer.Options { Threads = 1024 }));
    }
}
