using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using static Microsoft.ML.MultiInterest.Tests.Onnx.EngineLists;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// One copy of the served tables (<see cref="OnnxSharedTables"/>; docs/performance.md, "One copy of the served tables"): an
/// opened <see cref="OnnxCandidateScorer"/> gives every session whose graph holds the user or item table the same tensor,
/// over the very array the exact re-ranking reads; the lists stay the engine's, with ONNX Runtime's prepacking on (small
/// tables) or off (large ones), inline or in side files; the tables are released only after the sessions.
/// </summary>
public sealed class OnnxSharedTablesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-shared-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A factory whose sessions never prepack a shared table (the path of tables past 256 MiB).</summary>
    private static OnnxSessionFactory Unpacked() => new() { PrepackTablesBelowBytes = 0 };

    /// <summary>Whether <paramref name="tensor"/>'s values lie in <paramref name="array"/> itself (no copy).</summary>
    private static bool Over(Microsoft.ML.OnnxRuntime.OrtValue tensor, float[] array) =>
        Unsafe.AreSame(ref MemoryMarshal.GetReference(tensor.GetTensorDataAsSpan<float>()), ref array[0])
        && tensor.GetTensorDataAsSpan<float>().Length == array.Length;

    [Fact]
    public void AQuotaDirectorysSessions_AreEachGivenTheReRankingsOwnTables_OneTensorPerTable()
    {
        var w = MixtureWorld.Create(seed: 5);
        // Head share 0: the quota scorer's components-only cut is opened too, and holds the item table as well.
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 8, 1.0, _directory, exclusionMask: true);
        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 4);

        var shared = scorer.SharedTables!;
        Assert.NotNull(shared);
        Assert.Same(scorer.ItemTable.Values, shared.Buffer(users: false));
        Assert.Same(scorer.UserTable.Values, shared.Buffer(users: true));
        Assert.True(Over(shared.Tensor(users: false), scorer.ItemTable.Values));
        Assert.True(Over(shared.Tensor(users: true), scorer.UserTable.Values));

        var given = shared.Given;
        var m = scorer.Manifest;
        // The unimodal scorer both tables, the quota scorer and its cut the item table, the encoder the user table.
        Assert.Equal(
            [(m.Encoder.File, MixtureEncoderGraph.UserTableName), (m.QuotaScorer.File, UnimodalOnnxExporter.ItemTableName),
             (m.UnimodalScorer.File, UnimodalOnnxExporter.UserTableName), (m.UnimodalScorer.File, UnimodalOnnxExporter.ItemTableName),
             (m.QuotaScorer.File, UnimodalOnnxExporter.ItemTableName)],
            given.Select(g => (g.Graph, g.Name)));
        foreach (var (_, name, value) in given)
            Assert.Same(name == UnimodalOnnxExporter.ItemTableName ? shared.Tensor(users: false) : shared.Tensor(users: true), value);
        // A small table: the sessions keep prepacking, into the one container they share.
        Assert.NotNull(shared.PrePacked);
    }

    [Fact]
    public void AUnimodalDirectorysTwoScorers_ShareTheItemTable()
    {
        var w = MixtureWorld.Create(seed: 6);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 8, _directory, exclusionMask: true);
        using var scorer = OnnxCandidateScorer.Open(_directory, Unpacked());

        var shared = scorer.SharedTables!;
        var items = shared.Given.Where(g => g.Name == UnimodalOnnxExporter.ItemTableName).ToArray();
        Assert.Equal([OnnxServingDirectory.UnimodalScorerFileName, OnnxServingDirectory.VectorScorerFileName], items.Select(g => g.Graph));
        Assert.All(items, g => Assert.Same(shared.Tensor(users: false), g.Value));
        Assert.True(Over(shared.Tensor(users: false), scorer.ItemTable.Values));
        Assert.Null(shared.PrePacked); // prepacking off: no packed copy at all
    }

    [Fact]
    public void WithPrepackingOff_OnnxRuntimeReadsTheSharedArrayItself_NotACopy()
    {
        var w = MixtureWorld.Create(seed: 10);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, _directory, externalData: OnnxExternalData.Always);
        using var scorer = OnnxCandidateScorer.Open(_directory, Unpacked());
        int item = Array.IndexOf(scorer.RetrieveUnimodal([0]).IndicesOf(0).ToArray(), 0) < 0 ? 0 : w.Items.Rows - 1;
        Assert.DoesNotContain(item, scorer.RetrieveUnimodal([0]).IndicesOf(0).ToArray());

        // Written into the array after opening: a session holding its own copy would not see it (with prepacking on, this
        // fails: ONNX Runtime serves its packed copy).
        var row = scorer.ItemTable.Row(item);
        var user = scorer.UserTable.ReadRow(0);
        for (int c = 0; c < row.Length; c++) row[c] = 1000 * user[c];
        Assert.Equal(item, scorer.RetrieveUnimodal([0]).IndicesOf(0)[0]);
    }

    public static TheoryData<bool, bool> PackingAndPlacement => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(PackingAndPlacement))]
    public void TheListsStayTheEnginesWithPrepackingOnOrOff_InlineOrInSideFiles(bool unpacked, bool sideFiles)
    {
        var w = MixtureWorld.Create(seed: 7, dimension: 6);
        const int m = 9;
        var placement = sideFiles ? OnnxExternalData.Always : OnnxExternalData.Automatic;
        string quota = Path.Combine(_directory, "quota"), unimodal = Path.Combine(_directory, "unimodal");
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, m, 1.0, quota, exclusionMask: true, externalData: placement);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, m, unimodal, exclusionMask: true, externalData: placement);
        Assert.Equal(sideFiles, Directory.GetFiles(quota, "*.onnx.data").Length > 0);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        var fallback = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        var expected = new ClusterQuotaRetriever(w.Items, w.Clustering).Retrieve(w.Mixtures, served, w.Seen, [m], 1.0, fallback, threads: 1)[0];
        // A history of one item reads as that item's vector: the vector scorer ranks the item table by itself.
        int[] itemRows = [0, 3, 17, w.Items.Rows - 1];
        var byItems = new UnimodalRetriever(w.Items).Retrieve(w.Items, itemRows, null, m, threads: 1);

        using (var scorer = OnnxCandidateScorer.Open(quota, unpacked ? Unpacked() : null, batchSize: 5))
        {
            Assert.Equal(unpacked, scorer.SharedTables!.PrePacked == null);
            AssertIdentical(expected, scorer.RetrieveClusterQuota(served, w.Seen));
            AssertIdentical(fallback, scorer.RetrieveUnimodal(served, w.Seen));
        }
        using (var scorer = OnnxCandidateScorer.Open(unimodal, unpacked ? Unpacked() : null, batchSize: 5))
        {
            AssertIdentical(fallback, scorer.RetrieveUnimodal(served, w.Seen));
            AssertIdentical(byItems, scorer.RetrieveUnimodalFromHistories([.. itemRows.Select(i => (IReadOnlyList<int>)[i])], excludeHistory: false));
        }
    }

    [Fact]
    public void DisposeAfter_DisposesEverySessionBeforeReleasingTheTables()
    {
        var w = MixtureWorld.Create(seed: 8);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 8, _directory);
        using var scorer = OnnxCandidateScorer.Open(_directory);
        var shared = scorer.SharedTables!;
        var seen = new List<(string Session, bool TablesReleased)>();
        shared.DisposeAfter(new Probe("a", shared, seen), null, new Probe("b", shared, seen));
        Assert.Equal([("a", false), ("b", false)], seen);
        Assert.True(shared.IsDisposed);
    }

    [Fact]
    public void DisposingTheScorer_ReleasesTheTablesLast_AndAScorerThatFailsToOpenReleasesThemToo()
    {
        var w = MixtureWorld.Create(seed: 9);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 8, _directory);
        var scorer = OnnxCandidateScorer.Open(_directory);
        var shared = scorer.SharedTables!;
        Assert.False(shared.IsDisposed);
        scorer.Dispose();
        Assert.True(shared.IsDisposed);
        scorer.Dispose(); // twice: nothing more
    }

    [Fact]
    public void AGivenTableTheGraphDoesNotHold_IsIgnoredByOnnxRuntime()
    {
        // A directory of another export version might lack one of the names given by file: ONNX Runtime must not refuse it.
        var w = MixtureWorld.Create(seed: 11);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, _directory);
        using var table = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[6], [2, 3]);
        using var session = new OnnxSessionFactory().CreateSession(File.ReadAllBytes(Path.Combine(_directory, OnnxServingDirectory.VectorScorerFileName)),
            _directory, options => options.AddInitializer("no_such_table", table));
        Assert.Contains(UnimodalOnnxExporter.ItemRowsOutput, session.OutputMetadata.Keys);
    }

    /// <summary>Records, when disposed, whether the tables were already released.</summary>
    private sealed class Probe(string name, OnnxSharedTables shared, List<(string, bool)> seen) : IDisposable
    {
        public void Dispose() => seen.Add((name, shared.IsDisposed));
    }
}
