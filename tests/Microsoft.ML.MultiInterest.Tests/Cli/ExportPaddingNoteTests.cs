using Microsoft.ML.MultiInterest.Onnx;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>export-onnx</c>'s note on the quota scorer's clusters padded to the largest.</summary>
public class ExportPaddingNoteTests
{
    private static OnnxServingManifest Quota(int items, int clusters, int largest, int dimension = 64) => new()
    {
        Items = items, Clusters = clusters, LargestCluster = largest, Dimension = dimension, Components = 5,
        QuotaScorer = new OnnxServingGraph { File = OnnxServingDirectory.QuotaScorerFileName },
    };

    [Fact]
    public void ASkewedClusteringIsReportedWithTheTablesSizeAndRatio()
    {
        // Epinions-like: 2,000 clusters, the largest 1,500 items, over 120,000 items: 25x the item table.
        string? note = ExportOnnxCommand.PaddingNote(Quota(items: 120_000, clusters: 2_000, largest: 1_500));
        Assert.NotNull(note);
        Assert.Contains("2,000 clusters to the largest (1,500 items, 25.0x the mean)", note, StringComparison.Ordinal);
        // A batch of 64 users x 5 components x 1,500 slots x 64 dimensions of floats.
        Assert.Contains($"gathers {64.0 * 5 * 1_500 * 64 * 4 / 1e6:F0} MB of item vectors", note, StringComparison.Ordinal);
    }

    [Fact]
    public void EvenClustersAndDirectoriesWithoutAQuotaScorerSayNothing()
    {
        // Just under the ratio: quiet.
        int items = 10_000, clusters = 100;
        int largest = (int)(ExportOnnxCommand.PaddingNoteRatio * items / clusters) - 1;
        Assert.Null(ExportOnnxCommand.PaddingNote(Quota(items, clusters, largest)));
        Assert.NotNull(ExportOnnxCommand.PaddingNote(Quota(items, clusters, largest + 1)));
        // An MMR or unimodal directory has no grouped table.
        Assert.Null(ExportOnnxCommand.PaddingNote(new OnnxServingManifest { Items = 100, Clusters = 50, LargestCluster = 100, Dimension = 8 }));
    }
}
