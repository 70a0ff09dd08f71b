using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Options at the top of their type's range: each is either honoured (as "as many as there are" or "until early stopping")
/// or refused when the estimator is made, naming the option, never an overflow or an out-of-memory from inside Fit.
/// </summary>
public class HugeOptionValuesTests
{
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
