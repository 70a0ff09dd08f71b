using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// <c>ExportOnnx</c> into a directory an earlier export wrote replaces that export: the files its verified manifest recorded
/// and the new export does not write (another retriever's graphs) are removed, so the directory holds one export, never
/// a served one beside the graphs of the last. Files the earlier manifest did not record, or a manifest that fails its
/// checksum, are left alone.
/// </summary>
public sealed class OnnxReexportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-reexport-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MultiInterestModel Model(Func<MultiInterestCatalog, IEstimator<ITransformer>> retriever)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(retriever(ml.MultiInterest())).Fit(raw);
        var zip = new MemoryStream();
        ml.Model.Save(fitted, raw.Schema, zip);
        return MultiInterestModel.Load(ml, new MemoryStream(zip.ToArray()));
    }

    /// <summary>Every file under the directory, relative, with '/' between folders.</summary>
    private static string[] Files(string directory) => Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The files an export's manifest records, with the manifest itself.</summary>
    private static string[] Recorded(OnnxServingManifest manifest) =>
        manifest.FileSha256!.Keys.Append(OnnxServingDirectory.ManifestFileName).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void AnotherModelsExport_RemovesTheFilesOnlyTheEarlierExportRecorded()
    {
        string directory = Path.Combine(_directory, "export");
        using (var unimodal = Model(mi => mi.UnimodalRetriever(candidates: 4)))
            unimodal.ExportOnnx(directory);
        Assert.Contains("unimodal_scorer.onnx", Files(directory));
        using var mmr = Model(mi => mi.HistoryInterestMmr(candidates: 4));
        var manifest = mmr.ExportOnnx(directory);
        Assert.Equal(Recorded(manifest), Files(directory));
        Assert.DoesNotContain("unimodal_scorer.onnx", Files(directory));
        using var scorer = OnnxHistoryMmrScorer.Open(directory);
        mmr.CheckOnnxDirectory(directory);
    }

    [Fact]
    public void AnExportWithParts_ReplacedByOneWithout_LeavesNoPartFolder()
    {
        // An MMR export has its pool in a part folder (pool/manifest.json and its graphs), which a unimodal export does not write.
        string directory = Path.Combine(_directory, "parts");
        using (var mmr = Model(mi => mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 4 })))
            mmr.ExportOnnx(directory);
        Assert.Contains(Files(directory), f => f.Contains('/'));
        using var unimodal = Model(mi => mi.UnimodalRetriever(candidates: 4));
        var manifest = unimodal.ExportOnnx(directory);
        Assert.Equal(Recorded(manifest), Files(directory));
        Assert.Empty(Directory.GetDirectories(directory));
    }

    [Fact]
    public void AFileTheEarlierManifestDidNotRecord_OrAnEditedManifest_IsLeftAlone()
    {
        string directory = Path.Combine(_directory, "kept");
        using (var unimodal = Model(mi => mi.UnimodalRetriever(candidates: 4)))
            unimodal.ExportOnnx(directory);
        // A manifest edited by hand fails its checksum: what it records is not trusted, so nothing is removed by it.
        string manifestPath = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"candidates\": 4", "\"candidates\": 3"));
        using var mmr = Model(mi => mi.HistoryInterestMmr(candidates: 4));
        mmr.ExportOnnx(directory);
        Assert.Contains("unimodal_scorer.onnx", Files(directory));
        // Exported again over a verified manifest: the unimodal graphs were not its files, and stay.
        mmr.ExportOnnx(directory);
        Assert.Contains("unimodal_scorer.onnx", Files(directory));
    }
}
