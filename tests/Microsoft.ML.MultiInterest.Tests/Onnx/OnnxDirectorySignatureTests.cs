using System.Security.Cryptography;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The checksums catch damage, not forgery: whoever can write a directory's files can record their checksums and seal the
/// manifest again, and every scorer served it. A directory signed with a private key is served by a factory that trusts
/// the public key only as signed: a forged file with resealed checksums, an unsigned directory and another signer's are refused.
/// </summary>
public sealed class OnnxDirectorySignatureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-signature-").FullName;
    private readonly ECDsa _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _signer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Every kind of directory a model exports, the ones with parts (fusion, MMR pool, merged conditional halves) included.</summary>
    public static TheoryData<string> Kinds => ["unimodal", "quota", "mmr", "history-mmr", "clustered-history-mmr", "dcm", "fusion", "conditional", "merged-conditional"];

    private string Exported(string kind)
    {
        if (!kind.EndsWith("conditional", StringComparison.Ordinal))
        {
            var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, kind);
            model.Dispose();
            return onnx;
        }
        using var conditional = MergedConditionalModel.Saved(new MLContext(seed: 1), Path.Combine(_directory, kind + ".zip"), implicitShare: kind == "conditional" ? 0 : 0.5);
        string directory = Path.Combine(_directory, kind + "-onnx");
        conditional.ExportOnnx(directory);
        return directory;
    }

    /// <summary>A factory trusting only <paramref name="key"/>'s public part, as a service holding the public key alone has it.</summary>
    private static OnnxSessionFactory Trusting(ECDsa key)
    {
        var trusted = ECDsa.Create();
        trusted.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());
        return new OnnxSessionFactory { TrustedSigningKey = trusted };
    }

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    private static int[][] Lists(string kind, string onnx, OnnxSessionFactory? sessions)
    {
        var (trained, _, scorer) = ExcludeItemsModels.Open(kind, onnx, batch: 4, sessions);
        using (scorer)
        {
            var lists = trained(Users, null, null);
            return [.. Users.Select((_, q) => lists.IndicesOf(q).ToArray())];
        }
    }

    private static InvalidDataException Refused(string kind, string onnx, OnnxSessionFactory sessions) =>
        Assert.Throws<InvalidDataException>(() => ExcludeItemsModels.Open(kind, onnx, batch: 4, sessions).Scorer.Dispose());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ASignedDirectoryIsServedAsBefore_AndRefusedUnsigned_ByAnotherSigner_OrWithAForgedFileWhoseChecksumsWereRecordedAgain(string kind)
    {
        string onnx = Exported(kind);
        var before = Lists(kind, onnx, sessions: null);
        var sessions = Trusting(_signer);

        var unsigned = Refused(kind, onnx, sessions);
        Assert.Contains($"'{onnx}' is not signed (it has no {OnnxDirectorySignature.FileName})", unsigned.Message, StringComparison.Ordinal);

        OnnxDirectorySignature.Sign(onnx, _signer);
        // The directory and each part a scorer opens on its own carry a signature.
        foreach (string manifest in Directory.GetFiles(onnx, OnnxServingDirectory.ManifestFileName, SearchOption.AllDirectories))
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(manifest)!, OnnxDirectorySignature.FileName)), manifest);
        Assert.Equal(before, Lists(kind, onnx, sessions));

        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var e = Refused(kind, onnx, Trusting(other));
            Assert.Contains("does not verify the manifest of", e.Message, StringComparison.Ordinal);
            Assert.Contains("signed with another key", e.Message, StringComparison.Ordinal);
        }

        // A forger without the key: one served file changed, its checksum recorded and every enclosing manifest sealed again.
        // The checksums alone take it; the signature does not.
        string graph = Directory.GetFiles(onnx, "*.onnx", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).Last();
        byte[] bytes = File.ReadAllBytes(graph);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(graph, bytes);
        ServingChecksums.Reseal(Path.GetDirectoryName(graph)!);
        OnnxServedFiles.Verify(onnx, sessions: null);
        var forged = Refused(kind, onnx, sessions);
        Assert.Contains("does not verify the manifest of", forged.Message, StringComparison.Ordinal);
        Assert.Contains("its manifest changed after it was signed", forged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherModelExportedIntoASignedDirectory_IsRefusedUntilItIsSignedAgain_TheSameModelAgainIsNot()
    {
        var (quota, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "quota");
        var (unimodal, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        using (quota)
        using (unimodal)
        {
            OnnxDirectorySignature.Sign(onnx, _signer);
            var sessions = Trusting(_signer);
            var before = Lists("quota", onnx, sessions);
            // The export is deterministic: the same model writes the same manifest, which the signature still verifies.
            quota.ExportOnnx(onnx);
            Assert.Equal(before, Lists("quota", onnx, sessions));
            // Its signature was the earlier export's, removed with it (until 2026-12-07 left there, refused as "changed after it was signed").
            unimodal.ExportOnnx(onnx);
            Assert.Contains("is not signed", Refused("unimodal", onnx, sessions).Message, StringComparison.Ordinal);
            OnnxDirectorySignature.Sign(onnx, _signer);
            Assert.Equal(Lists("unimodal", onnx, sessions: null), Lists("unimodal", onnx, sessions));
        }
    }

    [Fact]
    public void AnUnsignedReexportOfAnotherModel_RemovesTheEarlierExportsSignatures_SoItIsUnsigned_AndTheyNeverVerifyAgain()
    {
        // An MMR directory: its pool part is signed too.
        var (mmr, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "mmr");
        var (unimodal, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        using (mmr)
        using (unimodal)
        {
            OnnxDirectorySignature.Sign(onnx, _signer);
            string signature = Path.Combine(onnx, OnnxDirectorySignature.FileName);
            string poolSignature = Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName, OnnxDirectorySignature.FileName);
            Assert.True(File.Exists(signature) && File.Exists(poolSignature));
            // The same model again writes the same manifests: their signatures stay, and still verify.
            mmr.ExportOnnx(onnx);
            Assert.True(File.Exists(signature) && File.Exists(poolSignature));
            OnnxDirectorySignature.Verify(onnx, _signer);
            OnnxDirectorySignature.Verify(Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName), _signer);
            // Another model, not signed: the directory is unsigned (not "changed after it was signed"), the pool folder gone whole.
            unimodal.ExportOnnx(onnx);
            Assert.False(File.Exists(signature));
            Assert.False(Directory.Exists(Path.Combine(onnx, OnnxMmrScorer.PoolDirectoryName)));
            Assert.Contains("is not signed", Refused("unimodal", onnx, Trusting(_signer)).Message, StringComparison.Ordinal);
            // The first model exported back, still unsigned: no stale signature is left to verify it.
            mmr.ExportOnnx(onnx);
            Assert.False(File.Exists(signature) || File.Exists(poolSignature));
            Assert.Contains("is not signed", Refused("mmr", onnx, Trusting(_signer)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ASignatureBesideAManifestThatFailsItsChecksum_IsRemovedWhenTheExportWritesItsManifest()
    {
        var (quota, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "quota");
        var (unimodal, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        using (quota)
        using (unimodal)
        {
            OnnxDirectorySignature.Sign(onnx, _signer);
            // Edited by hand: the manifest fails its checksum, so the files it records are not taken for the export's to remove.
            // Its signature is another matter: the export writes a manifest of other bytes in its place, which it cannot sign
            // (until 2026-12-07 it stayed, and the unsigned export was refused as "changed after it was signed").
            string manifestPath = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
            File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"candidates\": 8", "\"candidates\": 7", StringComparison.Ordinal));
            unimodal.ExportOnnx(onnx);
            Assert.False(File.Exists(Path.Combine(onnx, OnnxDirectorySignature.FileName)));
            Assert.Contains("is not signed", Refused("unimodal", onnx, Trusting(_signer)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheOnnxPageSigningSnippet_CompilesRuns_AndIsOnThePage()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "quota");
        model.Dispose();
        string directory = onnx;
        string signingPemFile = PathOf("signing.pem"), trustedPemFile = PathOf("trusted.pem");
        File.WriteAllText(signingPemFile, _signer.ExportECPrivateKeyPem());
        File.WriteAllText(trustedPemFile, _signer.ExportSubjectPublicKeyInfoPem());
        int[] userRows = [0, 1, 2];

        #region SignedDirectory
        // Where models are exported: sign each export with the private key (after ExportOnnx).
        using (var signingKey = ECDsa.Create())
        {
            signingKey.ImportFromPem(File.ReadAllText(signingPemFile));   // openssl ecparam -name prime256v1 -genkey ...
            OnnxDirectorySignature.Sign(directory, signingKey);
        }
        // Where they are served: a factory that trusts the public key serves signed directories only.
        using var trustedKey = ECDsa.Create();
        trustedKey.ImportFromPem(File.ReadAllText(trustedPemFile));   // its public part: openssl ec -pubout ...
        var sessions = new OnnxSessionFactory { TrustedSigningKey = trustedKey };
        using var scorer = OnnxCandidateScorer.Open(directory, sessions);   // InvalidDataException if unsigned or not as signed
        // The scorers exclude exactly what they are given: the export's training history keeps seen items out, as the recommender does.
        BipartiteGraph seen = OnnxServingDirectory.ReadTrainingHistory(directory, sessions);
        RankedLists lists = scorer.RetrieveClusterQuota(userRows, seen);
        #endregion

        Assert.Equal(userRows.Length, lists.QueryCount);
        Assert.All(Enumerable.Range(0, userRows.Length), q => Assert.NotEmpty(lists.IndicesOf(q).ToArray()));
        // What the snippet served before it passed the history: training items in the lists (the review of 2026-12-06 found them).
        Assert.All(Enumerable.Range(0, userRows.Length), q => Assert.Empty(lists.IndicesOf(q).ToArray().Intersect(seen.ItemsOf(userRows[q]).ToArray())));
        var unexcluded = scorer.RetrieveClusterQuota(userRows);
        Assert.Contains(Enumerable.Range(0, userRows.Length), q => unexcluded.IndicesOf(q).ToArray().Intersect(seen.ItemsOf(userRows[q]).ToArray()).Any());
        Docs.DocSnippets.AssertOnPage(Path.Combine("Onnx", nameof(OnnxDirectorySignatureTests) + ".cs"), "SignedDirectory", "docs/onnx.md");
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void TheSignatureIsDerEcdsaOfTheManifestBytes_AsAnotherClientChecksIt()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        model.Dispose();
        OnnxDirectorySignature.Sign(onnx, _signer);
        byte[] manifest = File.ReadAllBytes(Path.Combine(onnx, OnnxServingDirectory.ManifestFileName));
        byte[] signature = File.ReadAllBytes(Path.Combine(onnx, OnnxDirectorySignature.FileName));
        using var client = ECDsa.Create();
        client.ImportFromPem(_signer.ExportSubjectPublicKeyInfoPem());
        Assert.True(client.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        manifest[^2] ^= 0x01;
        Assert.False(client.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void SigningRefusesADamagedDirectory_APublicKey_AndNoExport()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        model.Dispose();
        using (var publicOnly = ECDsa.Create())
        {
            publicOnly.ImportFromPem(_signer.ExportSubjectPublicKeyInfoPem());
            var e = Assert.Throws<ArgumentException>(() => OnnxDirectorySignature.Sign(onnx, publicOnly));
            Assert.Equal("signingKey", e.ParamName);
            Assert.Contains("holds no private key", e.Message, StringComparison.Ordinal);
        }
        string graph = Path.Combine(onnx, OnnxServingDirectory.UnimodalScorerFileName);
        byte[] bytes = File.ReadAllBytes(graph);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(graph, bytes);
        var damaged = Assert.Throws<InvalidDataException>(() => OnnxDirectorySignature.Sign(onnx, _signer));
        Assert.Contains("does not match the SHA-256", damaged.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(onnx, OnnxDirectorySignature.FileName)));
        Assert.Throws<FileNotFoundException>(() => OnnxDirectorySignature.Sign(Path.Combine(_directory, "nothing-here"), _signer));
    }

    /// <summary>A unimodal export whose manifest says the format before checksums, as that library wrote it (no checksums).</summary>
    private string UnimodalExportBeforeChecksums()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "unimodal");
        model.Dispose();
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["format_version"] = OnnxServingManifest.ChecksumFormatVersion - 1;
        File.WriteAllText(path, json.ToJsonString());
        ServingChecksums.Reseal(onnx);
        return onnx;
    }

    [Fact]
    public void ADirectoryOfAFormatBeforeChecksums_IsNotSigned()
    {
        string onnx = UnimodalExportBeforeChecksums();
        var e = Assert.Throws<InvalidDataException>(() => OnnxDirectorySignature.Sign(onnx, _signer));
        Assert.Contains("records no checksums of its files, so a signature of its manifest would not cover them", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A part of a directory (an MMR directory's pool, a merged conditional directory's halves) has no user id file of its own,
    /// and its manifest records none. A user id file written into it afterwards is covered by no checksum and no signature, so
    /// it must not be read: the part reads the enclosing directory's, as the export left it.
    /// </summary>
    [Theory]
    [InlineData("mmr")]
    [InlineData("merged-conditional")]
    public void AUserIdFileAddedToASignedPart_WhichItsManifestDoesNotRecord_IsNotRead(string kind)
    {
        string onnx = Exported(kind);
        OnnxDirectorySignature.Sign(onnx, _signer);
        var sessions = Trusting(_signer);
        var before = Lists(kind, onnx, sessions);
        int added = 0;
        foreach (string manifest in Directory.GetFiles(onnx, OnnxServingDirectory.ManifestFileName, SearchOption.AllDirectories))
        {
            string part = Path.GetDirectoryName(manifest)!, ids = Path.Combine(part, MultiInterestModel.UserIdsFileName);
            if (File.Exists(ids)) continue;
            Assert.DoesNotContain(MultiInterestModel.UserIdsFileName, OnnxServingManifest.Read(part).FileSha256!.Keys);
            File.WriteAllText(ids, "not\tan id file\n");
            added++;
        }
        Assert.True(added > 0, "every part has an id file of its own");
        OnnxDirectorySignature.Verify(onnx, sessions.TrustedSigningKey!);
        Assert.Equal(before, Lists(kind, onnx, sessions));
        Assert.Equal(before, Lists(kind, onnx, sessions: null));
    }

    /// <summary>
    /// A manifest of a format before checksums records no checksum of any file, so a signature of it covers none of them.
    /// Sign refuses such a directory, but a signature made another way (openssl dgst -sign over manifest.json, as the docs
    /// show the verification) verifies all the same: a factory that trusts a key must refuse it rather than serve its files
    /// unverified, or a graph swapped after signing would be served as signed.
    /// </summary>
    [Fact]
    public void ATrustedKeyRefusesASignedDirectoryOfAFormatBeforeChecksums_WhoseSignatureCoversNoFile()
    {
        string onnx = UnimodalExportBeforeChecksums();
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        // Signed as openssl dgst -sha256 -sign would: ECDSA over the manifest's bytes, DER.
        File.WriteAllBytes(Path.Combine(onnx, OnnxDirectorySignature.FileName),
            _signer.SignData(File.ReadAllBytes(path), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var sessions = Trusting(_signer);
        OnnxDirectorySignature.Verify(onnx, sessions.TrustedSigningKey!);
        // A graph changed after signing: no checksum records it.
        string graph = Path.Combine(onnx, OnnxServingDirectory.UnimodalScorerFileName);
        byte[] bytes = File.ReadAllBytes(graph);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(graph, bytes);
        var e = Refused("unimodal", onnx, sessions);
        Assert.Contains("records no checksums of its files", e.Message, StringComparison.Ordinal);
        Assert.Contains("its signature covers none of them", e.Message, StringComparison.Ordinal);
    }
}
