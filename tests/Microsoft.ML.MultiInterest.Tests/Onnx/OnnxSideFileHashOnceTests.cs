using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Each side file (ONNX external data) a serving directory records is hashed once per opening: by the pass that reads its
/// tables when one does, else once before the opening ends, never both. Still every one is verified, and a damaged one,
/// read or not, refuses the opening by name.
/// </summary>
public sealed class OnnxSideFileHashOnceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-side-hash-once-").FullName;

    public void Dispose()
    {
        OnnxServedFiles.Hashing.Value = null;
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The smallest table the exports put in a side file: the small models' tables, not their scalars and axes.</summary>
    private const int MinTableBytes = 64;

    /// <summary>
    /// Model <paramref name="kind"/> exported with its tables in side files; <paramref name="separate"/>: each graph in its own,
    /// as before 2026-12-07, when a unimodal directory's vector scorer kept the item table again in <c>vector_scorer.onnx.data</c>.
    /// </summary>
    private string Exported(string kind, bool separate = false)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, kind)).FullName;
        var (model, _) = ExcludeItemsModels.Exported(new MLContext(seed: 1), directory, kind);
        string onnx = Path.Combine(directory, kind + "-side");
        using (model)
        using (ExternalDataPolicy.LowerMinTableForTests(MinTableBytes))
        using (separate ? ExternalDataPolicy.SeparateSideFilesForTests() : default)
            model.ExportOnnx(onnx, externalData: OnnxExternalData.Always);
        return onnx;
    }

    private static string[] SideFiles(string onnx) =>
        Directory.GetFiles(onnx, "*" + OnnxServingDefaults.ExternalDataSuffix, SearchOption.AllDirectories).Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToArray();

    /// <summary>How often opening <paramref name="onnx"/> as <paramref name="kind"/> hashed each file, by full path.</summary>
    private static Dictionary<string, int> HashesPerOpening(string kind, string onnx)
    {
        var hashed = new Dictionary<string, int>(StringComparer.Ordinal);
        OnnxServedFiles.Hashing.Value = path =>
        {
            string full = Path.GetFullPath(path);
            hashed[full] = hashed.GetValueOrDefault(full) + 1;
        };
        try
        {
            var (_, _, scorer) = ExcludeItemsModels.Open(kind, onnx, batch: 4);
            scorer.Dispose();
        }
        finally
        {
            OnnxServedFiles.Hashing.Value = null;
        }
        return hashed;
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("quota")]
    [InlineData("mmr")]
    [InlineData("history-mmr")]
    [InlineData("clustered-history-mmr")]
    [InlineData("dcm")]
    [InlineData("fusion")]
    public void EverySideFile_IsHashedOncePerOpening(string kind)
    {
        string onnx = Exported(kind);
        string[] sides = SideFiles(onnx);
        Assert.NotEmpty(sides);
        var hashed = HashesPerOpening(kind, onnx);
        string found = string.Join(", ", sides.Select(s => $"{Path.GetRelativePath(onnx, s)} {hashed.GetValueOrDefault(s)}"));
        Assert.True(sides.All(s => hashed.GetValueOrDefault(s) == 1), $"Hashes per side file in one opening: {found}");
    }

    /// <summary>
    /// A side file damaged (one byte changed) or removed is refused by name, the scorer not returned: one whose tables a pass
    /// reads (the unimodal scorer's, which a vector scorer shares; a history-MMR encoder's), and one no pass reads (a vector
    /// scorer's own, in a directory exported before 2026-12-07, whose only table is the item table served from the unimodal
    /// scorer's arrays; also in a fusion's part), verified before the opening ends.
    /// </summary>
    [Theory]
    [InlineData("unimodal", "unimodal_scorer.onnx.data", false)]
    [InlineData("unimodal", "unimodal_scorer.onnx.data", true)]
    [InlineData("history-mmr", "encoder.onnx.data", false)]
    [InlineData("mmr", "pool/unimodal_scorer.onnx.data", false)]
    [InlineData("fusion", "source0/unimodal_scorer.onnx.data", false)]
    [InlineData("fusion", "source0/unimodal_scorer.onnx.data", true)]
    [InlineData("unimodal", "vector_scorer.onnx.data", false, true)]
    [InlineData("unimodal", "vector_scorer.onnx.data", true, true)]
    [InlineData("mmr", "pool/vector_scorer.onnx.data", false, true)]
    [InlineData("fusion", "source0/vector_scorer.onnx.data", false, true)]
    public void ADamagedSideFile_ReadOrNot_IsRefusedByName(string kind, string side, bool removed, bool separate = false)
    {
        string onnx = Exported(kind, separate), path = Path.Combine(onnx, side);
        Assert.True(File.Exists(path));
        if (removed) File.Delete(path);
        else Flip(path);
        var e = Assert.Throws<InvalidDataException>(() => ExcludeItemsModels.Open(kind, onnx, batch: 4).Scorer.Dispose());
        Assert.Contains(Path.GetFileName(side) + "' of the ONNX serving directory", e.Message);
        Assert.Contains(removed ? "is missing, though manifest.json records it" : "does not match the SHA-256", e.Message);
    }

    /// <summary>
    /// A side file no pass reads (a vector scorer's own, exported before 2026-12-07), changed after the checksum pass and before the scorer reads its files: the opening hashes
    /// it once, before it ends, so the change is refused (hashed before, it would have been missed, though nothing served it).
    /// </summary>
    [Fact]
    public void AnUnreadSideFileChangedWhileTheScorerOpens_IsRefused()
    {
        string onnx = Exported("unimodal", separate: true), path = Path.Combine(onnx, "vector_scorer.onnx.data");
        OnnxDirectoryOpening.AfterVerifying.Value = directory =>
        {
            if (Path.GetFullPath(directory) == Path.GetFullPath(onnx)) Flip(path);
        };
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ExcludeItemsModels.Open("unimodal", onnx, batch: 4).Scorer.Dispose());
            Assert.Contains("vector_scorer.onnx.data' of the ONNX serving directory", e.Message);
            Assert.Contains("does not match the SHA-256", e.Message);
        }
        finally
        {
            OnnxDirectoryOpening.AfterVerifying.Value = null;
        }
    }

    private static void Flip(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);
    }
}
