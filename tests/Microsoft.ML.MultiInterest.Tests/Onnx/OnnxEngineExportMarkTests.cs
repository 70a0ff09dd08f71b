using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// <see cref="OnnxServingDirectory"/>'s own exports (on engine objects) mark the directory unfinished while they write, as
/// <c>ExportOnnx</c> does (<see cref="Persistence.ServingTests"/>): the next export after one that did not finish writes over
/// it and leaves a directory the scorers open, a second export into a directory whose mark another export holds is
/// refused, and an export refused by its arguments leaves no mark (nor a directory it created).
/// </summary>
public sealed class OnnxEngineExportMarkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-engine-mark-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static EmbeddingMatrix Random(int rows, int seed)
    {
        var rng = new Random(seed);
        return new EmbeddingMatrix(rows, 4, [.. Enumerable.Range(0, rows * 4).Select(_ => (float)rng.NextDouble() - 0.5f)]);
    }

    private static OnnxServingManifest Unimodal(string directory, int seed = 1) =>
        OnnxServingDirectory.ExportUnimodal(Random(6, seed), Random(10, seed + 1), candidates: 3, directory);

    private static OnnxServingManifest Mmr(string directory, double lambda = 0.5) =>
        OnnxServingDirectory.ExportMmr(Random(6, 1), Random(10, 2), candidates: 3, poolSize: 5, lambda, interestWeight: 0, mixtures: null, clustering: null, directory);

    private static OnnxServingManifest Export(string kind, string directory) => kind == "mmr" ? Mmr(directory) : Unimodal(directory);

    private static void Open(string kind, string directory)
    {
        if (kind == "mmr") OnnxMmrScorer.Open(directory).Dispose();
        else OnnxCandidateScorer.Open(directory).Dispose();
    }

    /// <summary>Every mark under the directory, relative.</summary>
    private static string[] Marks(string directory) => [.. Directory.EnumerateFiles(directory, OnnxServingManifest.UnfinishedMarkerFileName, SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(directory, f))];

    /// <summary>As an export killed partway leaves the directory: the mark written, the earlier manifest removed, the rest where it was.</summary>
    private static void Interrupt(string onnx)
    {
        File.WriteAllText(Path.Combine(onnx, OnnxServingManifest.UnfinishedMarkerFileName), "An export into this directory started and has not finished: export again.\n");
        File.Delete(Path.Combine(onnx, OnnxServingDirectory.ManifestFileName));
    }

    [Theory]
    [InlineData("unimodal", "unimodal")]
    [InlineData("unimodal", "mmr")]
    [InlineData("mmr", "unimodal")]
    public void AnEngineExportAfterOneThatDidNotFinish_LeavesADirectoryTheScorersOpen(string earlierKind, string kind)
    {
        string onnx = Path.Combine(_directory, $"{earlierKind}-then-{kind}");
        Export(earlierKind, onnx);
        Interrupt(onnx);
        Assert.Contains("did not finish", Assert.Throws<InvalidDataException>(() => Open(earlierKind, onnx)).Message, StringComparison.Ordinal);

        Export(kind, onnx);
        // Before, the mark stayed: the scorers refused a directory exported again.
        Assert.Empty(Marks(onnx));
        Open(kind, onnx);
    }

    [Fact]
    public void AFinishedEngineExport_LeavesNoMark_InTheDirectoryOrItsParts()
    {
        string onnx = Path.Combine(_directory, "finished");
        Mmr(onnx);
        Assert.True(Directory.Exists(Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName)));
        Assert.Empty(Marks(onnx));
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("mmr")]
    public void WhileAnotherExportHoldsTheMark_AnEngineExportIsRefused(string kind)
    {
        string onnx = Path.Combine(_directory, $"busy-{kind}");
        Export(kind, onnx);
        string marker = Path.Combine(onnx, OnnxServingManifest.UnfinishedMarkerFileName);
        // As an export under way holds it: open, unshared.
        using (new FileStream(marker, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var busy = Assert.Throws<IOException>(() => Export(kind, onnx));
            Assert.Contains($"Another export is writing into '{onnx}'", busy.Message, StringComparison.Ordinal);
        }
        // The mark the other export left stays: the scorers refuse the directory until an export finishes there.
        Assert.True(File.Exists(marker));
        Assert.Throws<InvalidDataException>(() => Open(kind, onnx));
        Export(kind, onnx);
        Assert.False(File.Exists(marker));
        Open(kind, onnx);
    }

    [Fact]
    public void AnEngineExportRefusedByItsArguments_LeavesNoMark_NorADirectoryItCreated()
    {
        string fresh = Path.Combine(_directory, "new", "deeper");
        Assert.Throws<ArgumentOutOfRangeException>(() => Mmr(fresh, lambda: 2));
        Assert.False(Directory.Exists(Path.Combine(_directory, "new")));

        string earlier = Path.Combine(_directory, "earlier");
        Unimodal(earlier);
        string manifest = File.ReadAllText(Path.Combine(earlier, OnnxServingDirectory.ManifestFileName));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mmr(earlier, lambda: 2));
        Assert.Empty(Marks(earlier));
        Assert.Equal(manifest, File.ReadAllText(Path.Combine(earlier, OnnxServingDirectory.ManifestFileName)));
        OnnxCandidateScorer.Open(earlier).Dispose();

        // After an export that did not finish, a refused one leaves the mark it found: the directory may still mix two exports.
        Interrupt(earlier);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mmr(earlier, lambda: 2));
        Assert.Equal([OnnxServingManifest.UnfinishedMarkerFileName], Marks(earlier));
        Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(earlier));
    }

    [Fact]
    public void AnEngineExportThatFailsAfterWriting_LeavesTheMark_SoTheScorersRefuseTheDirectory()
    {
        // An MMR export, then a unimodal one over it that writes unimodal_scorer.onnx and fails at vector_scorer.onnx: a
        // folder of that name, which the MMR export's manifest does not record (its vector scorer is in pool/), stands there.
        string onnx = Path.Combine(_directory, "fails-midway");
        Mmr(onnx);
        Directory.CreateDirectory(Path.Combine(onnx, OnnxServingDirectory.VectorScorerFileName));
        Assert.ThrowsAny<Exception>(() => Unimodal(onnx));
        Assert.True(File.Exists(Path.Combine(onnx, OnnxServingDirectory.UnimodalScorerFileName)));
        Assert.Equal([OnnxServingManifest.UnfinishedMarkerFileName], Marks(onnx));
        Assert.Contains("did not finish", Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx)).Message, StringComparison.Ordinal);
        Assert.Contains("did not finish", Assert.Throws<InvalidDataException>(() => OnnxMmrScorer.Open(onnx)).Message, StringComparison.Ordinal);

        // Once the obstacle is gone, the next export finishes and is served.
        Directory.Delete(Path.Combine(onnx, OnnxServingDirectory.VectorScorerFileName));
        Unimodal(onnx);
        Assert.Empty(Marks(onnx));
        OnnxCandidateScorer.Open(onnx).Dispose();
    }
}
