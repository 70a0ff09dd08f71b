using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A side file (ONNX external data) swapped while ONNX Runtime creates a session over its graph, and put back right after:
/// only a session that reads its tables from the side file by path sees the swap, and the scorer's own later reads (hashed
/// in one pass against the manifest) find the verified file again. Every table of such a graph is given to its session from
/// the opening's verified pass, so the lists are the verified ones.
/// </summary>
public sealed class OnnxVerifiedSessionTablesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-verified-session-tables-").FullName;

    public void Dispose()
    {
        OnnxVerifiedOpening.BeforeSession.Value = null;
        OnnxVerifiedOpening.AfterSession.Value = null;
        Directory.Delete(_directory, recursive: true);
    }

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    /// <summary>The smallest table the test exports put in a side file: the small models' tables, not their scalars and axes.</summary>
    private const int MinTableBytes = 64;

    /// <summary>An export of model <paramref name="kind"/> (seed <paramref name="seed"/>) with its tables in side files.</summary>
    private string Exported(string kind, int seed)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, $"seed{seed}")).FullName;
        if (kind == "mmr-interests") return ExportedMmrWithInterests(new MLContext(seed: seed), directory);
        var (model, _) = ExcludeItemsModels.Exported(new MLContext(seed: seed), directory, kind);
        using (model) return ExportedWithSideFiles(model, Path.Combine(directory, kind + "-side"));
    }

    private static string ExportedWithSideFiles(MultiInterestModel model, string onnx)
    {
        // Every table out but the scalars and axes, which ONNX Runtime must read to infer shapes: the test model's are small.
        using (ExternalDataPolicy.LowerMinTableForTests(MinTableBytes)) model.ExportOnnx(onnx, externalData: OnnxExternalData.Always);
        return onnx;
    }

    /// <summary>MMR with its interest term (<c>interests.onnx</c>, a graph of its own beside the pool), over item clusters.</summary>
    private static string ExportedMmrWithInterests(MLContext ml, string directory)
    {
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedding.Transform(keyed));
        var clustered = kmeans.Transform(embedding.Transform(keyed));
        var mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var mmr = mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 8, Lambda = 0.5, PoolSize = 14, InterestWeight = 2 }).Fit(mixture.Transform(clustered));
        string path = Path.Combine(directory, "mmr-interests.zip");
        ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, kmeans, mixture, mmr), raw.Schema, path);
        using var model = MultiInterestModel.Load(ml, path);
        return ExportedWithSideFiles(model, Path.Combine(directory, "mmr-interests-side"));
    }

    private static int[][] Lists(string kind, string onnx)
    {
        var (trained, _, scorer) = ExcludeItemsModels.Open(kind, onnx, batch: 4);
        using (scorer)
        {
            var lists = trained(Users, null, null);
            return [.. Users.Select((_, q) => lists.IndicesOf(q).ToArray())];
        }
    }

    /// <summary>
    /// While ONNX Runtime creates each session over a graph (of the directory or of a part of it), its side file is
    /// <paramref name="forge"/>'s version of it, a file of its own; the verified one is moved back once the session exists.
    /// Moved, not written over: ONNX Runtime may map a side file into memory, and a mapping follows the file it opened.
    /// </summary>
    private static void SwapAroundSessions(Func<string, byte[]?> forge)
    {
        OnnxVerifiedOpening.BeforeSession.Value = graph =>
        {
            string side = OnnxModelFile.SideFileName(graph);
            if (!File.Exists(side) || forge(graph) is not { } forged) return;
            File.Move(side, side + ".verified");
            File.WriteAllBytes(side, forged);
        };
        OnnxVerifiedOpening.AfterSession.Value = graph =>
        {
            string side = OnnxModelFile.SideFileName(graph);
            if (File.Exists(side + ".verified")) File.Move(side + ".verified", side, overwrite: true);
        };
    }

    /// <summary>
    /// The kinds whose scorers' sessions read tables ONNX Runtime would otherwise read from side files itself: history-interest
    /// MMR (encoder and pool scorer), MMR (its interests graph, and its pool's graphs) and round robin (encoder and scorer).
    /// </summary>
    [Theory]
    [InlineData("history-mmr")]
    [InlineData("mmr-interests")]
    public void SideFilesSwappedWhileTheSessionsAreCreated_AreNotServed(string kind)
    {
        string onnx = Exported(kind, seed: 1), forged = Exported(kind, seed: 2);
        string scorer = kind == "mmr-interests" ? "mmr" : kind;
        var verified = Lists(scorer, onnx);
        // The forger's tables rank otherwise: serving them would show.
        Assert.NotEqual(verified, Lists(scorer, forged));

        SwapAroundSessions(graph =>
        {
            string twin = Path.Combine(forged, Path.GetRelativePath(onnx, graph));
            return File.Exists(OnnxModelFile.SideFileName(twin)) ? File.ReadAllBytes(OnnxModelFile.SideFileName(twin)) : null;
        });
        var served = Lists(scorer, onnx);
        OnnxVerifiedOpening.BeforeSession.Value = null;
        OnnxVerifiedOpening.AfterSession.Value = null;

        Assert.Equal(verified, served);
        // Nothing was left swapped: the directory opens as before.
        Assert.Equal(verified, Lists(scorer, onnx));
    }

    /// <summary>
    /// Every kind of directory, with every table in side files that hold zeros while each session is created (ONNX Runtime
    /// checks that a side file a graph names exists, even for tables given to it): no session reads one, and the lists are
    /// those of the same model's graphs written whole (whose sessions read nothing but the graph).
    /// </summary>
    [Theory]
    [InlineData("unimodal")]
    [InlineData("quota")]
    [InlineData("mmr")]
    [InlineData("mmr-interests")]
    [InlineData("history-mmr")]
    [InlineData("clustered-history-mmr")]
    [InlineData("dcm")]
    [InlineData("fusion")]
    public void NoSessionReadsASideFile_AndTheGivenTablesServeTheListsOfWholeGraphs(string kind)
    {
        string directory = Directory.CreateDirectory(Path.Combine(_directory, "whole")).FullName;
        string whole, side;
        if (kind == "mmr-interests")
        {
            side = Exported(kind, seed: 1);
            whole = Path.Combine(directory, "mmr-interests-whole");
            CopyWithoutSideFiles(side, whole);
        }
        else
        {
            var (model, exported) = ExcludeItemsModels.Exported(new MLContext(seed: 1), directory, kind);
            using (model) side = ExportedWithSideFiles(model, Path.Combine(directory, kind + "-side"));
            whole = exported;
        }
        Assert.NotEmpty(Directory.GetFiles(side, "*" + OnnxServingDefaults.ExternalDataSuffix, SearchOption.AllDirectories));
        string scorer = kind == "mmr-interests" ? "mmr" : kind;
        var expected = Lists(scorer, whole);

        int sessions = 0;
        // The side files the graph's tables name (a vector scorer's: the unimodal scorer's).
        static string[] SideFiles(string graph) =>
            [.. OnnxInitializerFile.ExternalTables(File.ReadAllBytes(graph), graph).Select(t => t.Table.SidePath).Distinct()];
        OnnxVerifiedOpening.BeforeSession.Value = graph =>
        {
            sessions++;
            foreach (string file in SideFiles(graph))
            {
                File.Move(file, file + ".away");
                File.WriteAllBytes(file, new byte[new FileInfo(file + ".away").Length]);
            }
        };
        OnnxVerifiedOpening.AfterSession.Value = graph =>
        {
            foreach (string file in SideFiles(graph))
                if (File.Exists(file + ".away")) File.Move(file + ".away", file, overwrite: true);
        };
        var served = Lists(scorer, side);
        OnnxVerifiedOpening.BeforeSession.Value = null;
        OnnxVerifiedOpening.AfterSession.Value = null;

        Assert.True(sessions > 0);
        Assert.Equal(expected, served);
    }

    /// <summary>
    /// <paramref name="side"/>'s directory rewritten at <paramref name="whole"/> with every graph whole: each graph's tables
    /// read back into it from its side file, and the checksums recorded again.
    /// </summary>
    private static void CopyWithoutSideFiles(string side, string whole)
    {
        foreach (string file in Directory.GetFiles(side, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(whole, Path.GetRelativePath(side, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (file.EndsWith(OnnxServingDefaults.ExternalDataSuffix, StringComparison.Ordinal)) continue;
            if (!file.EndsWith(".onnx", StringComparison.Ordinal))
            {
                File.Copy(file, target);
                continue;
            }
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(file));
            foreach (var tensor in model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
            {
                long Entry(string key) => long.Parse(tensor.ExternalData.First(e => e.Key == key).Value, System.Globalization.CultureInfo.InvariantCulture);
                // The side file the tensor names (a vector scorer's is the unimodal scorer's).
                using var data = File.OpenRead(Path.Combine(Path.GetDirectoryName(file)!, tensor.ExternalData.First(e => e.Key == OnnxExternalTable.LocationKey).Value));
                var bytes = new byte[Entry(OnnxExternalTable.LengthKey)];
                data.Position = Entry(OnnxExternalTable.OffsetKey);
                data.ReadExactly(bytes);
                tensor.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
                tensor.DataLocation = TensorProto.Types.DataLocation.Default;
                tensor.ExternalData.Clear();
            }
            File.WriteAllBytes(target, model.ToByteArray());
        }
        foreach (string manifest in Directory.GetFiles(whole, OnnxServingDirectory.ManifestFileName, SearchOption.AllDirectories).OrderByDescending(p => p.Length))
            ServingChecksums.Reseal(Path.GetDirectoryName(manifest)!);
    }

    /// <summary>
    /// A side file written over in place once the scorer is open (the same file, other bytes): a session that maps the file
    /// into memory would serve its new tables from the next call on; one given the verified arrays never reads it.
    /// </summary>
    [Fact]
    public void ASideFileWrittenOverInPlaceAfterOpening_IsNotServed()
    {
        const string Kind = "history-mmr";
        string onnx = Exported(Kind, seed: 1), forged = Exported(Kind, seed: 2);
        var (trained, _, scorer) = ExcludeItemsModels.Open(Kind, onnx, batch: 4);
        using (scorer)
        {
            var verified = trained(Users, null, null);
            foreach (string side in Directory.GetFiles(forged, "*" + OnnxServingDefaults.ExternalDataSuffix))
            {
                // In place: the same file (inode) gets the forger's bytes, of the same length and layout.
                using var file = new FileStream(Path.Combine(onnx, Path.GetFileName(side)), FileMode.Open, FileAccess.Write);
                file.Write(File.ReadAllBytes(side));
            }
            var served = trained(Users, null, null);
            for (int q = 0; q < Users.Length; q++) Assert.Equal(verified.IndicesOf(q).ToArray(), served.IndicesOf(q).ToArray());
        }
    }

    /// <summary>
    /// Round robin: the forger negates every float table of the encoder and the scorer graph (another seed exports the same
    /// lists for this model, so a whole other export would not show).
    /// </summary>
    [Fact]
    public void RoundRobinItemComponentsSwappedWhileTheSessionIsCreated_AreNotServed()
    {
        const string Kind = "dcm";
        string onnx = Exported(Kind, seed: 1);
        var verified = Lists(Kind, onnx);

        SwapAroundSessions(graph => Forged(graph, name: null, Negate));
        var served = Lists(Kind, onnx);
        OnnxVerifiedOpening.BeforeSession.Value = null;
        OnnxVerifiedOpening.AfterSession.Value = null;

        Assert.Equal(verified, served);
    }

    /// <summary>
    /// A unimodal directory over item keys without edges keeps the item-absence mask in its graphs: the forger's mask marks
    /// every user's first verified item absent, so ONNX Runtime would never offer it.
    /// </summary>
    [Fact]
    public void TheItemAbsenceMaskSwappedWhileTheSessionsAreCreated_IsNotServed()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = WideItemKeys.KeyPipeline(ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var unimodal = mi.UnimodalRetriever(candidates: 8).Fit(embedding.Transform(keyed));
        string path = Path.Combine(_directory, "wide.zip"), onnx = Path.Combine(_directory, "wide-side");
        ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, unimodal), raw.Schema, path);
        using (var model = MultiInterestModel.Load(ml, path))
        using (ExternalDataPolicy.LowerMinTableForTests(MinTableBytes))
            model.ExportOnnx(onnx, externalData: OnnxExternalData.Always);
        var verified = Lists("unimodal", onnx);
        Assert.Contains(ExternalFloatTables(Path.Combine(onnx, OnnxServingDirectory.UnimodalScorerFileName)), t => t.Name == ItemAbsence.InitializerName);

        var firsts = verified.Select(list => list[0]).ToHashSet();
        SwapAroundSessions(graph => Forged(graph, ItemAbsence.InitializerName, mask =>
        {
            foreach (int item in firsts) mask[item] = float.NegativeInfinity;
        }));
        var served = Lists("unimodal", onnx);
        OnnxVerifiedOpening.BeforeSession.Value = null;
        OnnxVerifiedOpening.AfterSession.Value = null;

        Assert.Equal(verified, served);
    }

    private static void Negate(float[] values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = -values[i];
    }

    /// <summary>
    /// The side file of <paramref name="graph"/> with its float table <paramref name="name"/> (every float table: null) changed
    /// by <paramref name="edit"/>; null when the graph keeps no such table there.
    /// </summary>
    private static byte[]? Forged(string graph, string? name, Action<float[]> edit)
    {
        var tables = ExternalFloatTables(graph).Where(t => name == null || t.Name == name).ToList();
        if (tables.Count == 0) return null;
        byte[] side = File.ReadAllBytes(OnnxModelFile.SideFileName(graph));
        foreach (var (_, offset, length) in tables)
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(side.AsSpan((int)offset, (int)length)).ToArray();
            edit(values);
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(side.AsSpan((int)offset));
        }
        return side;
    }

    /// <summary>Where the graph <paramref name="graph"/> keeps each float initializer in its side file.</summary>
    private static IEnumerable<(string Name, long Offset, long Length)> ExternalFloatTables(string graph)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph));
        foreach (var tensor in model.Graph.Initializer)
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External || tensor.DataType != (int)TensorProto.Types.DataType.Float) continue;
            long Entry(string key) => long.Parse(tensor.ExternalData.First(e => e.Key == key).Value, System.Globalization.CultureInfo.InvariantCulture);
            yield return (tensor.Name, Entry(OnnxExternalTable.OffsetKey), Entry(OnnxExternalTable.LengthKey));
        }
    }
}
