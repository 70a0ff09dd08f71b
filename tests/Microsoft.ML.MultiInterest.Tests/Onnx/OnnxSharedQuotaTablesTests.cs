using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.Serving;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A quota directory written with external data (also a conditional directory, both parts of a merged one, and a
/// divide-and-conquer one with its fresh histories' own quota scorer) stores its user and item tables once: the encoder's
/// user table and every quota scorer's item table refer to the unimodal scorer's side file. Its lists are those of the
/// whole graphs and of the layout before (each graph its own side file), ONNX Runtime opens its graphs by path, the shared
/// side file is hashed once per opening, and damaged or removed it is refused by name.
/// </summary>
public sealed class OnnxSharedQuotaTablesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-shared-quota-").FullName;

    public void Dispose()
    {
        OnnxServedFiles.Hashing.Value = null;
        Directory.Delete(_directory, recursive: true);
    }

    private const string Shared = "unimodal_scorer.onnx.data";

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    private static readonly int[][] Histories = [[0, 1, 2], [5], [3, 7, 11, 13]];

    /// <summary>Each kind with one of its quota directories ("." for the directory itself).</summary>
    public static TheoryData<string, string> Kinds => new()
    {
        { "quota", "." }, { "conditional", "." }, { "merged-conditional", "explicit" }, { "merged-conditional", "implicit" }, { "divide-conquer", "." },
    };

    /// <summary>
    /// The model of <paramref name="kind"/> exported whole, with external data forced (small tables included), and so in the
    /// layout before version 1.14.0 (each graph its own side file: the item table in every quota scorer's, the user table in
    /// the encoder's).
    /// </summary>
    private (string Whole, string External, string Separate) Exported(string kind)
    {
        string root = Directory.CreateDirectory(Path.Combine(_directory, kind)).FullName;
        string whole = Path.Combine(root, kind + "-whole"), external = Path.Combine(root, kind + "-side"), separate = Path.Combine(root, kind + "-separate");
        using var model = ExcludeItemsModels.Saved(new MLContext(seed: 1), root, kind);
        model.ExportOnnx(whole);
        SharedSideFileLayouts.Export(model, external, separate);
        return (whole, external, separate);
    }

    private static Dictionary<string, OnnxExternalTable> ExternalTables(string graph) => SharedSideFileLayouts.ExternalTables(graph);

    /// <summary>The quota scorers of the directory: the trained users', and a divide-and-conquer directory's fresh histories' own.</summary>
    private static string[] QuotaScorers(string directory) =>
        [.. new[] { "quota_scorer.onnx", OnnxServingDirectory.HistoryQuotaScorerFileName }.Select(f => Path.Combine(directory, f)).Where(File.Exists)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheEncoderAndQuotaScorers_ReferToTheUnimodalScorersTables_WhichTheDirectoryStoresOnce(string kind, string part)
    {
        var (_, external, separate) = Exported(kind);
        string directory = Path.GetFullPath(Path.Combine(external, part)), shared = Path.Combine(directory, Shared);
        var unimodal = ExternalTables(Path.Combine(directory, "unimodal_scorer.onnx"));
        var users = unimodal[UnimodalOnnxExporter.UserTableName];
        var items = unimodal[UnimodalOnnxExporter.ItemTableName];

        var userTable = ExternalTables(Path.Combine(directory, "encoder.onnx"))[MixtureEncoderGraph.UserTableName];
        Assert.Equal((shared, users.Offset, users.Length), (userTable.SidePath, userTable.Offset, userTable.Length));
        string[] scorers = QuotaScorers(directory);
        Assert.Equal(kind == "divide-conquer" ? 2 : 1, scorers.Length);
        foreach (string scorer in scorers)
        {
            var itemTable = ExternalTables(scorer)[QuotaScorerGraph.ItemTableName];
            Assert.Equal((shared, items.Offset, items.Length), (itemTable.SidePath, itemTable.Offset, itemTable.Length));
        }
        // The layout before kept both tables again in the encoder's and each quota scorer's side file.
        string before = Path.GetFullPath(Path.Combine(separate, part));
        long Sides(string d) => Directory.GetFiles(d, "*.onnx.data").Sum(f => new FileInfo(f).Length);
        Assert.True(Sides(before) - Sides(directory) >= users.Length + scorers.Length * items.Length,
            $"side files {Sides(directory)} bytes against {Sides(before)} before; user table {users.Length}, item table {items.Length}");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TrainedAndHistoryLists_AreThoseOfTheWholeGraphs_AndTheSharedFileIsHashedOnce(string kind, string part)
    {
        var (whole, external, separate) = Exported(kind);
        string directory = Path.GetFullPath(Path.Combine(external, part));
        var hashed = new List<string>();
        OnnxServedFiles.Hashing.Value = path =>
        {
            string full = Path.GetFullPath(path);
            if (full == Path.Combine(directory, Shared)) hashed.Add(Path.GetFileName(full));
        };
        var actual = Lists(kind, external);
        OnnxServedFiles.Hashing.Value = null;
        Assert.Equal([Shared], hashed);
        foreach (string other in new[] { whole, separate })
        {
            var expected = Lists(kind, other);
            Assert.Equal(expected.Rows, actual.Rows);
            Assert.Equal(expected.Scores, actual.Scores);
        }
    }

    private static (int[][] Rows, float[][] Scores) Lists(string kind, string onnx) => kind == "divide-conquer"
        ? ExcludeItemsModels.Lists("quota", onnx, Users, DivideConquerWorld.Histories)
        : ExcludeItemsModels.Lists(kind, onnx, Users, Histories);

    /// <summary>ONNX Runtime itself, given a quota scorer's or the encoder's path, reads the tables from the unimodal scorer's side file.</summary>
    [Theory]
    [InlineData("encoder.onnx")]
    [InlineData("quota_scorer.onnx")]
    [InlineData(OnnxServingDirectory.HistoryQuotaScorerFileName)]
    public void OnnxRuntime_OpensEachGraphByPath(string file)
    {
        var (_, external, _) = Exported("divide-conquer");
        using var session = new InferenceSession(Path.Combine(external, file));
        Assert.NotEmpty(session.OutputMetadata);
    }

    [Theory]
    [InlineData("quota", ".", "damaged")]
    [InlineData("quota", ".", "removed")]
    [InlineData("divide-conquer", ".", "damaged")]
    [InlineData("merged-conditional", "implicit", "removed")]
    public void TheSharedSideFile_DamagedOrRemoved_IsRefusedByName(string kind, string part, string harm)
    {
        var (_, external, _) = Exported(kind);
        SharedSideFileLayouts.Harm(Path.Combine(external, part, Shared), harm);
        string opened = kind == "divide-conquer" ? "quota" : kind;
        var e = Assert.Throws<InvalidDataException>(() => ExcludeItemsModels.Open(opened, external, batch: 4).Scorer.Dispose());
        Assert.Contains(Shared + "' of the ONNX serving directory", e.Message);
        Assert.Contains(harm == "removed" ? "is missing, though manifest.json records it" : "does not match the SHA-256", e.Message);
    }
}
