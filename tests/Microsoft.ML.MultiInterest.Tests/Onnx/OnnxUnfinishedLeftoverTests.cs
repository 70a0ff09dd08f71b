using System.Security.Cryptography;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// An export after one that did not finish (the directory still holds <c>EXPORT-UNFINISHED</c>, the finished export's
/// manifest gone or half replaced): what a manifest still there proves an export wrote (the directory's, each part
/// folder's, each passing its own checksum) and the new export does not write is removed, a part folder's signature with
/// its manifest; a file no verified manifest records is kept.
/// </summary>
public sealed class OnnxUnfinishedLeftoverTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-unfinished-leftover-").FullName;
    private readonly ECDsa _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _signer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>As an export killed partway leaves the directory: the mark written, the earlier manifest removed, the rest where it was.</summary>
    private static void Interrupt(string onnx)
    {
        File.WriteAllText(Path.Combine(onnx, OnnxServingManifest.UnfinishedMarkerFileName), "An export into this directory started and has not finished: export again.\n");
        File.Delete(Path.Combine(onnx, OnnxServingDirectory.ManifestFileName));
    }

    private static EmbeddingMatrix Random(int rows, int seed)
    {
        var rng = new Random(seed);
        return new EmbeddingMatrix(rows, 4, [.. Enumerable.Range(0, rows * 4).Select(_ => (float)rng.NextDouble() - 0.5f)]);
    }

    [Theory]
    [InlineData("mmr")]
    [InlineData("fusion")]
    public void APartFolderTheNextExportDoesNotWrite_IsRemoved_WithItsSignature(string earlierKind)
    {
        var (earlier, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, earlierKind);
        var (later, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        using (earlier)
        using (later)
        {
            OnnxDirectorySignature.Sign(onnx, _signer);
            Assert.NotEmpty(Directory.GetDirectories(onnx));
            Interrupt(onnx);

            later.ExportOnnx(onnx);
            // Every part folder (an MMR directory's pool, a fusion's sources and their pools) was proved an export's by its own
            // verified manifest: gone, its signature with it.
            Assert.Empty(Directory.GetDirectories(onnx));
            Assert.False(File.Exists(Path.Combine(onnx, OnnxDirectorySignature.FileName)));
            later.CheckOnnxDirectory(onnx);
            using var scorer = OnnxCandidateScorer.Open(onnx);
        }
    }

    [Fact]
    public void AFileNoVerifiedManifestRecords_StaysInItsPartFolder()
    {
        var (mmr, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "mmr");
        var (later, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        using (mmr)
        using (later)
        {
            string pool = Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName);
            File.WriteAllText(Path.Combine(pool, "notes.txt"), "mine");
            Interrupt(onnx);
            later.ExportOnnx(onnx);
            Assert.Equal(["notes.txt"], Directory.GetFiles(pool).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void APartFolderWhoseManifestFailsItsChecksum_IsKeptWhole()
    {
        var (mmr, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "mmr");
        var (later, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        using (mmr)
        using (later)
        {
            string pool = Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName);
            string poolManifest = Path.Combine(pool, OnnxServingDirectory.ManifestFileName);
            // Edited by hand (a space added): it no longer matches its manifest_sha256, so it proves nothing.
            File.WriteAllText(poolManifest, " " + File.ReadAllText(poolManifest));
            var kept = Directory.GetFiles(pool).Order(StringComparer.Ordinal).ToArray();
            Interrupt(onnx);
            later.ExportOnnx(onnx);
            Assert.Equal(kept, Directory.GetFiles(pool).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void AnEngineExportAfterAnExportThatDidNotFinish_RemovesThePartFolderItDoesNotWrite()
    {
        string onnx = Path.Combine(_directory, "engine");
        OnnxServingDirectory.ExportMmr(Random(6, 1), Random(10, 2), candidates: 3, poolSize: 5, lambda: 0.5, interestWeight: 0, mixtures: null, clustering: null, onnx);
        OnnxDirectorySignature.Sign(onnx, _signer);
        Interrupt(onnx);
        OnnxServingDirectory.ExportUnimodal(Random(6, 1), Random(10, 2), candidates: 3, onnx);
        Assert.False(Directory.Exists(Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName)));
    }
}
