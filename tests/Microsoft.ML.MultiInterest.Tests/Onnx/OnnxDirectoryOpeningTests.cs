using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Regression (a daily-retrain walkthrough): a scorer opening a directory while a re-export rewrote it in place died with
/// an unhandled ONNX Runtime "InvalidProtobuf" (exit 134 in the CLI), and could pair the old manifest with new graphs.
/// An export that changes the directory during the opening, or a graph ONNX Runtime cannot read, is now an
/// <see cref="InvalidDataException"/> that says which.
/// </summary>
public sealed class OnnxDirectoryOpeningTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-opening-{Guid.NewGuid():N}");

    public OnnxDirectoryOpeningTests()
    {
        var w = MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 6, 1.0, _directory);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string Manifest => Path.Combine(_directory, OnnxServingDirectory.ManifestFileName);

    [Fact]
    public void AnExportThatRewritesTheManifestDuringTheOpeningIsRefused()
    {
        using (OnnxCandidateScorer.Open(_directory)) { } // the directory opens when nothing writes into it

        // The export finished while the scorer was reading: the same manifest text, written again.
        var e = Assert.Throws<InvalidDataException>(() => OnnxDirectoryOpening.Consistent(_directory, () =>
        {
            var scorer = OnnxCandidateScorer.Open(_directory);
            File.WriteAllText(Manifest, File.ReadAllText(Manifest));
            File.SetLastWriteTimeUtc(Manifest, DateTime.UtcNow.AddSeconds(5));
            return scorer;
        }));
        Assert.Contains("changed while it was being opened", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailureWhileAnExportIsUnderWaySaysSo()
    {
        string mark = Path.Combine(_directory, OnnxServingManifest.UnfinishedMarkerFileName);
        var e = Assert.Throws<InvalidDataException>(() => OnnxDirectoryOpening.Consistent<OnnxCandidateScorer>(_directory, () =>
        {
            // An export starts: its mark, then a graph half written, which the scorer reads.
            File.WriteAllText(mark, "");
            throw new IOException("Load model from encoder.onnx failed: Protobuf parsing failed.");
        }));
        Assert.Contains("changed while it was being opened", e.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(e.InnerException);
    }

    [Fact]
    public void AGraphOnnxRuntimeCannotReadIsNamed()
    {
        string graph = Directory.GetFiles(_directory, "*.onnx").OrderBy(f => f, StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(graph);
        File.WriteAllBytes(graph, bytes[..(bytes.Length / 3)]);
        ServingChecksums.Reseal(Path.GetDirectoryName(graph)!); // damaged on purpose, to reach the check behind the checksums
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(_directory));
        Assert.Contains(Path.GetFileName(graph), e.Message, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime could not create a session", e.Message, StringComparison.Ordinal);
    }
}
