using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Every table of every exported graph is read by a node or is an output: ONNX Runtime removes an initializer no node reads
/// and logs a warning each time a service opens the graph ("Removing initializer ... It is not used by any node"). Until
/// 2026-12-07 a quota scorer exported without the exclusion mask held two reshape targets only the masks read, and a
/// round-robin scorer one.
/// </summary>
public sealed class OnnxUnreadInitializerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-unread-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, bool> Kinds()
    {
        var kinds = new TheoryData<string, bool>();
        foreach (string kind in new[] { "unimodal", "quota", "mmr", "history-mmr", "clustered-history-mmr", "dcm", "fusion", "conditional", "merged-conditional", "divide-conquer" })
            foreach (bool mask in new[] { true, false }) kinds.Add(kind, mask);
        return kinds;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryTableOfEveryGraph_IsReadByTheGraph(string kind, bool exclusionMask)
    {
        using var model = ExcludeItemsModels.Saved(new MLContext(seed: 1), _directory, kind);
        string onnx = Path.Combine(_directory, "onnx");
        model.ExportOnnx(onnx, exclusionMask);
        var graphs = Directory.GetFiles(onnx, "*.onnx", SearchOption.AllDirectories);
        Assert.NotEmpty(graphs);
        foreach (string graph in graphs)
        {
            var parsed = ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph)).Graph;
            var read = parsed.Node.SelectMany(n => n.Input).Concat(parsed.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
            Assert.Empty(parsed.Initializer.Select(t => t.Name).Where(name => !read.Contains(name)).Select(name => $"{Path.GetRelativePath(onnx, graph)}: {name}"));
        }
    }
}
