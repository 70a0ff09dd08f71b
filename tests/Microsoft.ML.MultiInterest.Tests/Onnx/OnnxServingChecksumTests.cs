using System.Text.Json.Nodes;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Regression (a service-safety review): a serving directory had no integrity check. 64 random bytes written into the item
/// table of <c>unimodal_scorer.onnx</c> still parsed and the scorer served other lists; an in-range edit of a manifest
/// setting (alpha, a fold-in's regularization) changed lists without a word. Exports now record every served file's SHA-256
/// and seal the manifest; every scorer verifies both at opening and refuses a mismatch naming the file.
/// </summary>
public sealed class OnnxServingChecksumTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-checksums-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Every kind of directory a model exports, by the scorer that serves it.</summary>
    public static TheoryData<string> Kinds => ["unimodal", "quota", "mmr", "history-mmr", "clustered-history-mmr", "dcm", "fusion", "conditional", "merged-conditional"];

    /// <summary>The small integer world's quota serving directory (M = 6, alpha 1) exported into <paramref name="name"/>.</summary>
    private (MixtureWorld World, string Onnx) QuotaDirectory(string name)
    {
        var w = MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
        string onnx = Path.Combine(_directory, name);
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 6, 1.0, onnx);
        return (w, onnx);
    }

    /// <summary>
    /// The model of <paramref name="kind"/> exported: <see cref="ExcludeItemsModels"/>' kinds, and the conditions alone
    /// ("conditional", <c>ImplicitShare</c> 0) or merged with the clusters' components ("merged-conditional": the directory's
    /// explicit and implicit parts, each a serving directory with its own manifest) over <see cref="MergedConditionalModel"/>'s graph.
    /// </summary>
    private (MultiInterestModel Model, string Onnx) Exported(string kind)
    {
        if (!kind.EndsWith("conditional", StringComparison.Ordinal)) return ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, kind);
        var model = MergedConditionalModel.Saved(new MLContext(seed: 1), Path.Combine(_directory, kind + ".zip"), implicitShare: kind == "conditional" ? 0 : 0.5);
        string onnx = Path.Combine(_directory, kind + "-onnx");
        var manifest = model.ExportOnnx(onnx);
        Assert.Equal(kind == "conditional" ? OnnxServingManifest.ConditionalRetrieval : OnnxServingManifest.ConditionalMergedRetrieval, manifest.Retrieval);
        Assert.Equal(kind == "conditional", manifest.IsConditional);
        return (model, onnx);
    }

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    private static (int[][] Rows, float[][] Scores) Lists(string kind, string onnx)
    {
        var (trained, _, scorer) = ExcludeItemsModels.Open(kind, onnx, batch: 4);
        using (scorer)
        {
            var lists = trained(Users, null, null);
            return ([.. Users.Select((_, q) => lists.IndicesOf(q).ToArray())], [.. Users.Select((_, q) => lists.ScoresOf(q).ToArray())]);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryScorerRefusesAServedFileChangedByOneByte_NamingIt_AndServesTheUneditedDirectoryAsBefore(string kind)
    {
        var (model, onnx) = Exported(kind);
        model.Dispose();
        var before = Lists(kind, onnx);
        // The graphs and tables, and the manifests of a directory's parts (the fusion's sources, the MMR pool, the merged
        // conditional directory's explicit and implicit halves), which the enclosing manifest records.
        string[] served = [.. Directory.GetFiles(onnx, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".onnx", StringComparison.Ordinal) || f.EndsWith(".tsv", StringComparison.Ordinal)
            || (Path.GetFileName(f) == OnnxServingDirectory.ManifestFileName && Path.GetDirectoryName(f) != onnx))];
        Assert.Contains(served, f => f.EndsWith(".tsv", StringComparison.Ordinal));
        if (kind == "merged-conditional")
            foreach (string part in new[] { OnnxConditionalMergeScorer.ExplicitDirectoryName, OnnxConditionalMergeScorer.ImplicitDirectoryName })
                Assert.Contains(Path.Combine(onnx, part, OnnxServingDirectory.ManifestFileName), served);
        foreach (string file in served)
        {
            byte[] bytes = File.ReadAllBytes(file);
            int at = bytes.Length / 2;
            bytes[at] ^= 0x01;
            File.WriteAllBytes(file, bytes);
            var e = Assert.Throws<InvalidDataException>(() => ExcludeItemsModels.Open(kind, onnx, batch: 4).Scorer.Dispose());
            Assert.Contains($"'{file}'", e.Message, StringComparison.Ordinal);
            Assert.Contains("does not match the SHA-256", e.Message, StringComparison.Ordinal);
            Assert.Contains("Export the directory again", e.Message, StringComparison.Ordinal);
            bytes[at] ^= 0x01;
            File.WriteAllBytes(file, bytes);
        }
        var after = Lists(kind, onnx);
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.Scores, after.Scores);
    }

    [Fact]
    public void SixtyFourBytesWrittenIntoTheUnimodalScorersItemTableAreRefused()
    {
        // The review's case: the table still parses, so ONNX Runtime took it and the lists changed.
        var (w, onnx) = QuotaDirectory("quota");
        string graph = Path.Combine(onnx, OnnxServingDirectory.UnimodalScorerFileName);
        byte[] bytes = File.ReadAllBytes(graph);
        byte[] table = [.. w.Items.Values.Take(w.Items.Dimension * 8).SelectMany(BitConverter.GetBytes)];
        int at = bytes.AsSpan().IndexOf(table);
        Assert.True(at > 0);
        new Random(7).NextBytes(bytes.AsSpan(at, 64));
        File.WriteAllBytes(graph, bytes);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains($"'{graph}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the SHA-256 manifest.json records for it", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alpha", 0.5)]
    [InlineData("head_share", 0.25)]
    [InlineData("beta", 2.0)]
    public void AManifestSettingEditedWithinRangeIsRefused(string field, double value)
    {
        var (w, onnx) = QuotaDirectory("quota");
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json[field] = value;
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not match its manifest_sha256", e.Message, StringComparison.Ordinal);
        Assert.Contains("Export the directory again", e.Message, StringComparison.Ordinal);
        // The same refusal wherever the manifest is read: the model's check of a directory too.
        Assert.Throws<InvalidDataException>(() => OnnxServingManifest.Read(onnx));
    }

    [Fact]
    public void TheFoldInsRegularizationEditedInAModelsExportIsRefused()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "clustered-history-mmr");
        model.Dispose();
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string text = File.ReadAllText(path);
        var json = JsonNode.Parse(text)!.AsObject();
        var options = json["history_options"]!.AsObject();
        options["regularization"] = options["regularization"]!.GetValue<double>() * 2;
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => OnnxHistoryMmrScorer.Open(onnx).Dispose());
        Assert.Contains("does not match its manifest_sha256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRecordedChecksumsAreEachFilesSha256AndTheManifestsTextWithItsValueZeroed()
    {
        var (model, onnx) = ExcludeItemsModels.Exported(new MLContext(seed: 1), _directory, "fusion");
        model.Dispose();
        foreach (string directory in new[] { onnx, Path.Combine(onnx, "source0"), Path.Combine(onnx, "source1") })
        {
            string text = File.ReadAllText(Path.Combine(directory, OnnxServingDirectory.ManifestFileName));
            Assert.Equal(ServingChecksums.OfManifest(text), ServingChecksums.RecordedSeal(text));
            var manifest = OnnxServingManifest.Read(directory);
            Assert.Equal(OnnxServingManifest.WrittenFormatVersion, manifest.FormatVersion);
            Assert.NotNull(manifest.FileSha256);
            Assert.NotEmpty(manifest.FileSha256);
            foreach (var (name, sha) in manifest.FileSha256)
                Assert.Equal(ServingChecksums.OfFile(Path.Combine(directory, name)), sha);
        }
        // The fusion's manifest covers its sources' manifests, which cover their files.
        var fused = OnnxServingManifest.Read(onnx).FileSha256!;
        Assert.Contains("source0/manifest.json", fused.Keys);
        Assert.Contains(MultiInterestModel.UserIdsFileName, fused.Keys);
    }

    [Fact]
    public void ADirectoryOfAnOlderFormatOpensUnverified_WithOneWarningPerFactory()
    {
        var (w, onnx) = QuotaDirectory("old");
        int[] users = [.. Enumerable.Range(0, w.Users.Rows)];
        RankedLists expected;
        using (var current = OnnxCandidateScorer.Open(onnx)) expected = current.RetrieveClusterQuota(users);
        // As library 1.2.0 wrote it: format version 3, no checksums.
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["format_version"] = 3;
        json["library_version"] = "1.2.0";
        json.Remove("file_sha256");
        json.Remove("manifest_sha256");
        File.WriteAllText(path, json.ToJsonString());
        var warnings = new List<string>();
        var sessions = new OnnxSessionFactory(log: warnings.Add);
        for (int open = 0; open < 2; open++)
        {
            using var scorer = OnnxCandidateScorer.Open(onnx, sessions);
            var lists = scorer.RetrieveClusterQuota(users);
            for (int q = 0; q < users.Length; q++) Assert.Equal(expected.IndicesOf(q).ToArray(), lists.IndicesOf(q).ToArray());
        }
        string warning = Assert.Single(warnings);
        Assert.Contains($"'{onnx}'", warning, StringComparison.Ordinal);
        Assert.Contains("format version 3, written by Microsoft.ML.MultiInterest 1.2.0", warning, StringComparison.Ordinal);
        Assert.Contains("records no checksums", warning, StringComparison.Ordinal);
        Assert.Contains("export it again", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void AManifestOfTheCurrentFormatWithoutItsChecksumsIsRefused()
    {
        var (w, onnx) = QuotaDirectory("stripped");
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json.Remove("file_sha256");
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains("lacks 'file_sha256'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AManifestOfTheWrittenFormatEditedToSayAnOlderOneIsRefused_ItsSealKept()
    {
        // A version-3 manifest records no checksums and is served unverified; one that records a seal is checked against it
        // whatever its format_version says, so lowering the version is an edit like any other (docs/onnx.md, "Checksums").
        var (w, onnx) = QuotaDirectory("downgraded");
        string path = Path.Combine(onnx, OnnxServingDirectory.ManifestFileName);
        string text = File.ReadAllText(path);
        Assert.Contains($"\"format_version\": {OnnxServingManifest.WrittenFormatVersion},", text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace($"\"format_version\": {OnnxServingManifest.WrittenFormatVersion},", "\"format_version\": 3,", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not match its manifest_sha256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AListedFileThatIsMissingIsRefusedNamingIt()
    {
        var (w, onnx) = QuotaDirectory("missing");
        string graph = Path.Combine(onnx, OnnxServingDirectory.EncoderFileName);
        File.Delete(graph);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains($"'{graph}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("is missing", e.Message, StringComparison.Ordinal);
    }
}
