using System.Security.Cryptography;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// An earlier export's <c>manifest.json.sig</c> in a directory an export writes: it stays beside a manifest only when that
/// manifest is written again byte for byte (the same model exported again), whichever exporter writes it
/// (<see cref="OnnxServingDirectory"/>'s own exports too), and never after an export that did not finish.
/// </summary>
public sealed class OnnxSignatureLeftoverTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-signature-leftover-").FullName;
    private readonly ECDsa _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _signer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static EmbeddingMatrix Random(int rows, int seed)
    {
        var rng = new Random(seed);
        return new EmbeddingMatrix(rows, 4, [.. Enumerable.Range(0, rows * 4).Select(_ => (float)rng.NextDouble() - 0.5f)]);
    }

    private InvalidDataException Unverified(string directory) =>
        Assert.Throws<InvalidDataException>(() => OnnxDirectorySignature.Verify(directory, _signer));

    [Fact]
    public void AnEngineExportOfOtherTablesIntoASignedDirectory_RemovesItsSignature_TheSameTablesAgainKeepIt()
    {
        string onnx = Path.Combine(_directory, "unimodal");
        OnnxServingDirectory.ExportUnimodal(Random(6, 1), Random(10, 2), candidates: 3, onnx);
        OnnxDirectorySignature.Sign(onnx, _signer);
        string signature = Path.Combine(onnx, OnnxDirectorySignature.FileName);

        // The same tables write the same manifest: its signature stays and still verifies.
        OnnxServingDirectory.ExportUnimodal(Random(6, 1), Random(10, 2), candidates: 3, onnx);
        OnnxDirectorySignature.Verify(onnx, _signer);

        // Other tables: the directory is unsigned ("is not signed"), not "changed after it was signed".
        OnnxServingDirectory.ExportUnimodal(Random(6, 3), Random(10, 4), candidates: 3, onnx);
        Assert.False(File.Exists(signature));
        Assert.Contains("is not signed", Unverified(onnx).Message, StringComparison.Ordinal);

        // The first tables written back: no stale signature is left to verify them.
        OnnxServingDirectory.ExportUnimodal(Random(6, 1), Random(10, 2), candidates: 3, onnx);
        Assert.Contains("is not signed", Unverified(onnx).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEngineExportOverAModelsSignedExport_RemovesTheSignatureOfTheManifestItReplaces()
    {
        var (quota, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "quota");
        quota.Dispose();
        OnnxDirectorySignature.Sign(onnx, _signer);
        var manifest = OnnxServingManifest.Read(onnx);
        OnnxServingDirectory.ExportUnimodal(Random(manifest.Users, 5), Random(manifest.Items, 6), candidates: 3, onnx);
        Assert.False(File.Exists(Path.Combine(onnx, OnnxDirectorySignature.FileName)));
        Assert.Contains("is not signed", Unverified(onnx).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("quota")]
    public void AnExportThatDidNotFinish_ThenOneThatDid_LeavesNoSignature(string laterKind)
    {
        // An MMR directory: its pool part is signed too.
        var (mmr, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "mmr");
        var (later, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, laterKind);
        using (mmr)
        using (later)
        {
            OnnxDirectorySignature.Sign(onnx, _signer);
            // As an export killed partway leaves it: the mark written, the earlier manifest removed, the signatures where they were.
            File.WriteAllText(Path.Combine(onnx, OnnxServingManifest.UnfinishedMarkerFileName), "An export into this directory started and has not finished: export again.\n");
            File.Delete(Path.Combine(onnx, OnnxServingDirectory.ManifestFileName));

            later.ExportOnnx(onnx);
            // The pool folder this export does not write is gone, its signature with it: its own verified manifest proved it an
            // export's (OnnxUnfinishedLeftoverTests).
            Assert.False(Directory.Exists(Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName)));
            Assert.False(File.Exists(Path.Combine(onnx, OnnxDirectorySignature.FileName)));
            Assert.Contains("is not signed", Unverified(onnx).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheSameModelExportedAgainAfterAnExportThatDidNotFinish_IsUnsigned_ItsSignatureCouldNotBeToldToBeItsOwn()
    {
        var (quota, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "quota");
        using (quota)
        {
            OnnxDirectorySignature.Sign(onnx, _signer);
            File.WriteAllText(Path.Combine(onnx, OnnxServingManifest.UnfinishedMarkerFileName), "unfinished\n");
            File.Delete(Path.Combine(onnx, OnnxServingDirectory.ManifestFileName));
            quota.ExportOnnx(onnx);
            Assert.False(File.Exists(Path.Combine(onnx, OnnxDirectorySignature.FileName)));
        }
    }

    [Fact]
    public void AnOlderReleasesSignedManifest_IsNeverWrittenAgainByteForByte_SoItsSignatureGoes()
    {
        // A library before 1.11.0 kept every signature, so one there need not be its manifest's; but its manifest names the
        // version that wrote it, and this library never writes that manifest again byte for byte.
        var (quota, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), Directory.CreateDirectory(Path.Combine(_directory, "older")).FullName, "quota");
        using (quota)
        {
            string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            Assert.Equal(OnnxServingManifest.Read(onnx).LibraryVersion, json["library_version"]!.GetValue<string>());
            json["library_version"] = "1.10.0";
            File.WriteAllText(path, json.ToJsonString());
            ServingChecksums.Reseal(onnx);
            OnnxDirectorySignature.Sign(onnx, _signer);
            quota.ExportOnnx(onnx);
            Assert.False(File.Exists(Path.Combine(onnx, OnnxDirectorySignature.FileName)));
        }
    }

    [Fact]
    public void AStaleSignatureBesideAManifestWrittenAgainByteForByte_IsKept_VerifiesNothing_AndGoesWithTheNextOtherExport()
    {
        string onnx = Path.Combine(_directory, "stale");
        OnnxServingDirectory.ExportUnimodal(Random(6, 1), Random(10, 2), candidates: 3, onnx);
        OnnxDirectorySignature.Sign(onnx, _signer);
        string signature = Path.Combine(onnx, OnnxDirectorySignature.FileName);
        byte[] first = File.ReadAllBytes(signature);
        OnnxServingDirectory.ExportUnimodal(Random(6, 3), Random(10, 4), candidates: 3, onnx);
        // As a library before 1.11.0 left it: the first export's signature beside the second's manifest.
        File.WriteAllBytes(signature, first);

        // The same manifest written again byte for byte keeps it (an export cannot tell it from the manifest's own without the
        // key), and a trusting server refuses the directory, as it would refuse it unsigned: nothing is served on its word.
        OnnxServingDirectory.ExportUnimodal(Random(6, 3), Random(10, 4), candidates: 3, onnx);
        Assert.True(File.Exists(signature));
        Assert.Contains("does not verify the manifest", Unverified(onnx).Message, StringComparison.Ordinal);

        // The bytes it signed written back: an export of other bytes removed it first, so it never verifies them again.
        OnnxServingDirectory.ExportUnimodal(Random(6, 1), Random(10, 2), candidates: 3, onnx);
        Assert.Contains("is not signed", Unverified(onnx).Message, StringComparison.Ordinal);
    }
}
