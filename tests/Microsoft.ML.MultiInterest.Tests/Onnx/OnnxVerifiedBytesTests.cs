using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// An opening verifies a directory's signature and checksums, then a scorer reads its files. Someone who can write the
/// directory meanwhile could swap a graph, the user id file or the manifest for a forged one between the check and the use
/// (and put the manifest and its write time back afterwards, which the opening's before-and-after look cannot tell): the
/// scorer must serve the bytes it verified, never the forged ones. A part opened on its own reads its enclosing directory's
/// manifest, which a trusted key must vouch for too.
/// </summary>
public sealed class OnnxVerifiedBytesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-verified-bytes-").FullName;
    private readonly ECDsa _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _signer.Dispose();
        OnnxDirectoryOpening.AfterVerifying.Value = null;
        OnnxDirectoryOpening.BeforeLastLook.Value = null;
        Directory.Delete(_directory, recursive: true);
    }

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    private OnnxSessionFactory Trusting()
    {
        var trusted = ECDsa.Create();
        trusted.ImportFromPem(_signer.ExportSubjectPublicKeyInfoPem());
        return new OnnxSessionFactory { TrustedSigningKey = trusted };
    }

    private static int[][] Lists(string kind, string onnx, OnnxSessionFactory? sessions)
    {
        var (trained, _, scorer) = ExcludeItemsModels.Open(kind, onnx, batch: 4, sessions);
        using (scorer)
        {
            var lists = trained(Users, null, null);
            return [.. Users.Select((_, q) => lists.IndicesOf(q).ToArray())];
        }
    }

    /// <summary>An export of model <paramref name="kind"/> fitted with seed <paramref name="seed"/>, in a directory of its own.</summary>
    private string Exported(string kind, int seed)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, $"seed{seed}")).FullName;
        if (!kind.EndsWith("conditional", StringComparison.Ordinal))
        {
            var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: seed), directory, kind);
            model.Dispose();
            return onnx;
        }
        using var conditional = MergedConditionalModel.Saved(new MLContext(seed: seed), Path.Combine(directory, kind + ".zip"), implicitShare: kind == "conditional" ? 0 : 0.5);
        string exported = Path.Combine(directory, kind + "-onnx");
        conditional.ExportOnnx(exported);
        return exported;
    }

    /// <summary>
    /// Swaps, once the opening of each directory under <paramref name="onnx"/> (the directory and each part it opens) has
    /// verified it, <paramref name="swapped"/> for the forger's (from the same place under <paramref name="forged"/>, another
    /// model's export of the same users and items), records the forged checksums and seals the manifests again; once the
    /// directory's scorer has opened, puts every verified manifest and its write time back, so that no stamp changes.
    /// </summary>
    private static void SwapAfterVerifying(string onnx, string forged, string swapped)
    {
        var manifests = Directory.GetFiles(onnx, OnnxServingDirectory.ManifestFileName, SearchOption.AllDirectories)
            .Select(path => (Path: path, Bytes: File.ReadAllBytes(path), Written: File.GetLastWriteTimeUtc(path))).ToList();
        OnnxDirectoryOpening.AfterVerifying.Value = directory =>
        {
            string relative = Path.GetRelativePath(onnx, directory), forgedDirectory = Path.Combine(forged, relative);
            if (relative.StartsWith("..", StringComparison.Ordinal)) return;
            string manifest = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
            if (swapped == "graphs")
            {
                foreach (string graph in Directory.GetFiles(forgedDirectory, "*.onnx"))
                    if (File.Exists(Path.Combine(directory, Path.GetFileName(graph)))) File.Copy(graph, Path.Combine(directory, Path.GetFileName(graph)), overwrite: true);
            }
            else if (swapped == "user_ids")
            {
                // The forger's id file leaves out user row 0, which holds a user.
                string ids = Path.Combine(directory, MultiInterestModel.UserIdsFileName);
                if (!File.Exists(ids)) return;
                File.WriteAllLines(ids, File.ReadAllLines(ids).Where(line => !line.StartsWith("0\t", StringComparison.Ordinal)));
            }
            else
            {
                // The forger's manifest names graphs of its own, beside the verified ones.
                string text = File.ReadAllText(manifest);
                foreach (string graph in Directory.GetFiles(forgedDirectory, "*.onnx"))
                {
                    string name = Path.GetFileName(graph);
                    File.Copy(graph, Path.Combine(directory, "forged_" + name), overwrite: true);
                    text = text.Replace($"\"{name}\"", $"\"forged_{name}\"", StringComparison.Ordinal);
                }
                File.WriteAllText(manifest, text);
            }
            ServingChecksums.Reseal(directory);
        };
        OnnxDirectoryOpening.BeforeLastLook.Value = directory =>
        {
            if (Path.GetRelativePath(onnx, directory).StartsWith("..", StringComparison.Ordinal)) return;
            foreach (var (path, bytes, written) in manifests)
            {
                File.WriteAllBytes(path, bytes);
                File.SetLastWriteTimeUtc(path, written);
            }
        };
    }

    /// <summary>
    /// The kinds of directory whose graphs are swapped: each scorer, and the parts opened through a directory (MMR pool, fusion
    /// sources, merged conditional halves). Not "dcm" nor "conditional": another model seed exports the same lists (dcm's test
    /// embedding has a seed of its own), so a swap would not show.
    /// </summary>
    public static TheoryData<string> Kinds => ["unimodal", "quota", "mmr", "history-mmr", "clustered-history-mmr", "fusion", "merged-conditional"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GraphsSwappedBetweenTheCheckAndTheUse_AreNotServed_TheVerifiedOnesAre(string kind) => AssertVerifiedServed(kind, "graphs");

    [Theory]
    [InlineData("user_ids")]
    [InlineData("manifest")]
    public void AFileSwappedBetweenTheCheckAndTheUse_IsNotServed_TheVerifiedBytesAre(string swapped) => AssertVerifiedServed("quota", swapped);

    private void AssertVerifiedServed(string kind, string swapped)
    {
        string onnx = Exported(kind, seed: 1), forged = Exported(kind, seed: 2);
        OnnxDirectorySignature.Sign(onnx, _signer);
        var sessions = Trusting();
        var verified = Lists(kind, onnx, sessions);
        // The forger's graphs rank otherwise: serving them would show.
        Assert.NotEqual(verified, Lists(kind, forged, sessions: null));

        SwapAfterVerifying(onnx, forged, swapped);
        var served = Lists(kind, onnx, sessions);
        OnnxDirectoryOpening.AfterVerifying.Value = null;
        OnnxDirectoryOpening.BeforeLastLook.Value = null;

        Assert.Equal(verified, served);
        // The opening's bytes went with it: the scorer holds none of them.
        Assert.Null(OnnxVerifiedOpening.Current);
        // The swap did happen: the directory on disk is the forger's now, which the signature no longer vouches for.
        if (swapped != "manifest")
        {
            var refused = Assert.Throws<InvalidDataException>(() => Lists(kind, onnx, sessions));
            Assert.Contains("does not match the SHA-256", refused.Message, StringComparison.Ordinal);
            Assert.Null(OnnxVerifiedOpening.Current);
        }
    }

    /// <summary>An MMR directory signed, its pool opened on its own through a factory trusting the signer.</summary>
    private (string Onnx, string Pool) SignedMmr()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "mmr");
        model.Dispose();
        OnnxDirectorySignature.Sign(onnx, _signer);
        return (onnx, Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName));
    }

    [Fact]
    public void APartOpenedOnItsOwn_WithATrustedKey_IsRefusedWhenItsEnclosingManifestIsUnsigned()
    {
        var (onnx, pool) = SignedMmr();
        var sessions = Trusting();
        // Signed throughout: the pool opens on its own, its enclosing manifest verified.
        OnnxCandidateScorer.Open(pool, sessions).Dispose();

        File.Delete(Path.Combine(onnx, OnnxDirectorySignature.FileName));
        var refused = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(pool, sessions).Dispose());
        Assert.Contains($"'{onnx}' is not signed (it has no {OnnxDirectorySignature.FileName})", refused.Message, StringComparison.Ordinal);
        // A factory without a key opens it as before.
        OnnxCandidateScorer.Open(pool).Dispose();
    }

    [Fact]
    public void APartOpenedOnItsOwn_WithATrustedKey_IsRefusedWhenItsEnclosingManifestWasForged()
    {
        var (onnx, pool) = SignedMmr();
        var sessions = Trusting();
        // The forger edits a setting of the enclosing manifest within range, and records and seals it again.
        string manifest = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        json["mmr_lambda"] = json["mmr_lambda"]!.GetValue<double>() == 0.5 ? 0.25 : 0.5;
        File.WriteAllText(manifest, json.ToJsonString());
        ServingChecksums.Reseal(onnx);
        OnnxServingManifest.Read(onnx);

        var refused = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(pool, sessions).Dispose());
        Assert.Contains($"does not verify the manifest of '{onnx}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("its manifest changed after it was signed", refused.Message, StringComparison.Ordinal);
        OnnxCandidateScorer.Open(pool).Dispose();
    }

    [Fact]
    public void APartOpenedOnItsOwn_IsRefusedWhenItIsNotThePartItsEnclosingManifestRecords()
    {
        var (onnx, pool) = SignedMmr();
        // Another export's pool, signed by the same signer (an earlier export, say), copied over this one's: each manifest
        // verifies, but the enclosing one, whose user id file the pool reads, records another pool.
        var (model, other) = ExcludeItemsModels.Exported(new MLContext(seed: 2), Directory.CreateDirectory(Path.Combine(_directory, "other")).FullName, "mmr");
        model.Dispose();
        OnnxDirectorySignature.Sign(other, _signer);
        foreach (string file in Directory.GetFiles(Path.Combine(other, OnnxMmrScorer.PoolDirectoryName)))
            File.Copy(file, Path.Combine(pool, Path.GetFileName(file)), overwrite: true);
        var sessions = Trusting();
        string mismatch = $"'{Path.Combine(pool, OnnxServingDirectory.ManifestFileName)}' of the ONNX serving directory '{onnx}' does not match the SHA-256";
        // Opened whole, the directory refuses its pool; so does the pool opened on its own, which reads that directory.
        Assert.Contains(mismatch, Assert.Throws<InvalidDataException>(() => OnnxMmrScorer.Open(onnx, sessions).Dispose()).Message, StringComparison.Ordinal);
        Assert.Contains(mismatch, Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(pool, sessions).Dispose()).Message, StringComparison.Ordinal);
        Assert.Contains(mismatch, Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(pool).Dispose()).Message, StringComparison.Ordinal);
        Assert.Null(OnnxVerifiedOpening.Current);
    }

    [Fact]
    public void APartOpenedOnItsOwn_ReadsItsEnclosingUserIdFile_AsItsManifestRecordsIt()
    {
        var (onnx, pool) = SignedMmr();
        // The enclosing directory's id file, changed after the export: the part that reads it refuses it by name.
        string ids = Path.Combine(onnx, MultiInterestModel.UserIdsFileName);
        File.WriteAllLines(ids, File.ReadAllLines(ids).Where(line => !line.StartsWith("0\t", StringComparison.Ordinal)));
        var refused = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(pool).Dispose());
        Assert.Contains($"'{ids}' of the ONNX serving directory '{onnx}' does not match the SHA-256", refused.Message, StringComparison.Ordinal);
    }
}
