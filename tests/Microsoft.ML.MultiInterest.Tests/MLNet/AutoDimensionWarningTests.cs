using System.Text;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// <c>GraphEmbedding(dimension: d)</c> under the default Auto does not train at d (Auto chooses its own dimension): Fit warns
/// of it (bad-inputs.md, <c>option-dimension-under-auto</c>), but not when the dimension is left at its default or read by
/// Auto's negative-sampling trial, nor when an algorithm is named.
/// </summary>
public sealed class AutoDimensionWarningTests
{
    [Fact]
    public void AutoWithTheDefaultDimension_DoesNotWarnOfIt() =>
        Assert.DoesNotContain("but Algorithm is Auto", Warnings(ml => ml.MultiInterest().GraphEmbedding()));

    [Fact]
    public void ANamedAlgorithm_ReadsTheDimension_AndDoesNotWarnOfIt() =>
        Assert.DoesNotContain("but Algorithm is Auto", Warnings(ml => ml.MultiInterest().GraphEmbedding(dimension: 6, algorithm: EmbeddingAlgorithm.TruncatedSvd)));

    [Fact]
    public void AutoWithItsNegativeSamplingTrial_ReadsTheDimension_AndDoesNotWarnOfIt() =>
        Assert.DoesNotContain("but Algorithm is Auto", Warnings(ml => ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Dimension = 6, Epochs = 2, AutoIncludesNegativeSampling = true, Threads = 1,
        })));

    private static string Warnings(Func<MLContext, GraphEmbeddingTrainer> estimator)
    {
        var ml = new MLContext(seed: 1);
        var warnings = new StringBuilder();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.AppendLine(e.Message);
        };
        estimator(ml).Fit(MLNetTestData.Keyed(ml, out _));
        return warnings.ToString();
    }
}
