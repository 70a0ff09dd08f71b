using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// <see cref="OnnxServingDirectory"/>'s own exports (on engine objects) into a directory an earlier export wrote replace that
/// export as <c>ExportOnnx</c> does (<see cref="OnnxReexportTests"/>): the files its verified manifest recorded that the new
/// export does not write are removed once it has finished, a user's own files never, and a directory holding other files
/// and no earlier export is refused.
/// </summary>
public sealed class OnnxEngineReexportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-engine-reexport-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static EmbeddingMatrix Random(int rows, int seed)
    {
        var rng = new Random(seed);
        return new EmbeddingMatrix(rows, 4, [.. Enumerable.Range(0, rows * 4).Select(_ => (float)rng.NextDouble() - 0.5f)]);
    }

    /// <summary>Every file under the directory, relative, with '/' between folders.</summary>
    private static string[] Files(string directory) => Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The files an export's manifest records, its parts' too, with the manifests themselves.</summary>
    private static string[] Recorded(string directory, OnnxServingManifest manifest) =>
        [.. manifest.FileSha256!.Keys.SelectMany(f => f.EndsWith("/" + OnnxServingDirectory.ManifestFileName, StringComparison.Ordinal)
                ? Recorded(Path.Combine(directory, Path.GetDirectoryName(f)!), OnnxServingManifest.Read(Path.Combine(directory, Path.GetDirectoryName(f)!)))
                    .Select(p => Path.GetDirectoryName(f)!.Replace('\\', '/') + "/" + p)
                : [f])
            .Append(OnnxServingDirectory.ManifestFileName).Distinct().Order(StringComparer.Ordinal)];

    private static OnnxServingManifest Unimodal(string directory, int seed = 1) =>
        OnnxServingDirectory.ExportUnimodal(Random(6, seed), Random(10, seed + 1), candidates: 3, directory);

    private static OnnxServingManifest Mmr(string directory, double lambda = 0.5) =>
        OnnxServingDirectory.ExportMmr(Random(6, 1), Random(10, 2), candidates: 3, poolSize: 5, lambda, interestWeight: 0, mixtures: null, clustering: null, directory);

    [Fact]
    public void AnMmrExportOverAUnimodalOne_RemovesTheUnimodalScorers()
    {
        string directory = Path.Combine(_directory, "mmr-over-unimodal");
        Unimodal(directory);
        var manifest = Mmr(directory);
        Assert.DoesNotContain(OnnxServingDirectory.UnimodalScorerFileName, Files(directory));
        Assert.DoesNotContain(OnnxServingDirectory.VectorScorerFileName, Files(directory));
        Assert.Equal(Recorded(directory, manifest), Files(directory));
        using var scorer = OnnxMmrScorer.Open(directory);
    }

    [Fact]
    public void AUnimodalExportOverAnMmrOne_LeavesNoPartFolder()
    {
        string directory = Path.Combine(_directory, "unimodal-over-mmr");
        Mmr(directory);
        Assert.True(Directory.Exists(Path.Combine(directory, OnnxMmrScorer.PoolDirectoryName)));
        var manifest = Unimodal(directory);
        Assert.Equal(Recorded(directory, manifest), Files(directory));
        Assert.Empty(Directory.GetDirectories(directory));
    }

    [Fact]
    public void TheUsersOwnFiles_AndAnEditedManifestsFiles_AreLeftAlone()
    {
        string directory = Path.Combine(_directory, "kept");
        Mmr(directory);
        // A file of the user's in the pool folder: no manifest records it, so it and its folder stay.
        File.WriteAllText(Path.Combine(directory, OnnxMmrScorer.PoolDirectoryName, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(directory, "readme.txt"), "mine");
        Unimodal(directory);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(directory, OnnxMmrScorer.PoolDirectoryName, "notes.txt")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(directory, "readme.txt")));
        Assert.Equal(["notes.txt"], Files(Path.Combine(directory, OnnxMmrScorer.PoolDirectoryName)));

        // A manifest edited by hand fails its checksum: what it records is not trusted, so nothing is removed by it.
        string edited = Path.Combine(_directory, "edited");
        Unimodal(edited);
        string manifestPath = Path.Combine(edited, OnnxServingDirectory.ManifestFileName);
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"candidates\": 3", "\"candidates\": 2", StringComparison.Ordinal));
        Mmr(edited);
        Assert.Contains(OnnxServingDirectory.UnimodalScorerFileName, Files(edited));
    }

    [Fact]
    public void AnExportRefusedByItsArguments_RemovesNothing()
    {
        string directory = Path.Combine(_directory, "refused");
        Unimodal(directory);
        var before = Files(directory);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mmr(directory, lambda: 2));
        Assert.Equal(before, Files(directory));
        using var scorer = OnnxCandidateScorer.Open(directory);
    }

    [Fact]
    public void ADirectoryOfOtherFiles_IsRefused_AndLeftAsItWas()
    {
        string directory = Path.Combine(_directory, "mine");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "data.tsv"), "precious");
        var e = Assert.Throws<IOException>(() => Unimodal(directory));
        Assert.Contains("holds files and is not an earlier ONNX export", e.Message, StringComparison.Ordinal);
        Assert.Contains(directory, e.Message, StringComparison.Ordinal);
        Assert.Equal(["data.tsv"], Files(directory));

        // A new or empty directory, and one an earlier export wrote, are written.
        string empty = Path.Combine(_directory, "empty");
        Directory.CreateDirectory(empty);
        Unimodal(empty);
        Unimodal(empty, seed: 3);
    }
}
