using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>A graph cut to some of its outputs keeps what they need and nothing else, and computes them as the whole graph does.</summary>
public sealed class OnnxGraphPruningTests
{
    private static byte[] TwoBranches()
    {
        // a = x + w (w an initializer); b = MatMul(y, v) + a: b needs both branches, a only the first; c = Neg(y) needs y alone.
        var builder = new OnnxGraphBuilder("two-branches")
            .AddInput("x", TensorProto.Types.DataType.Float, null, 2)
            .AddInput("y", TensorProto.Types.DataType.Float, null, 3)
            .AddInitializer("w", [2], [1f, 2f])
            .AddInitializer("v", [3, 2], [1f, 0f, 0f, 1f, 1f, 1f])
            .AddNode("Add", ["x", "w"], ["a"])
            .AddNode("MatMul", ["y", "v"], ["yv"])
            .AddNode("Add", ["yv", "a"], ["b"])
            .AddNode("Neg", ["y"], ["c"])
            .AddOutput("a", TensorProto.Types.DataType.Float, null, 2)
            .AddOutput("b", TensorProto.Types.DataType.Float, null, 2)
            .AddOutput("c", TensorProto.Types.DataType.Float, null, 3);
        return OnnxGraphBuilder.ToBytes(builder.Build("test"));
    }

    [Fact]
    public void ACutGraph_KeepsOnlyWhatItsOutputsNeed_AndComputesThemAsTheWholeGraph()
    {
        byte[] whole = TwoBranches();
        var cut = ModelProto.Parser.ParseFrom(OnnxGraphPruning.KeepOutputs(whole, ["a"]));
        Assert.Equal(["Add"], cut.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["w"], cut.Graph.Initializer.Select(t => t.Name));
        Assert.Equal(["x"], cut.Graph.Input.Select(i => i.Name));
        Assert.Equal(["a"], cut.Graph.Output.Select(o => o.Name));

        var both = ModelProto.Parser.ParseFrom(OnnxGraphPruning.KeepOutputs(whole, ["b", "c"]));
        Assert.Equal(["Add", "MatMul", "Add", "Neg"], both.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["x", "y"], both.Graph.Input.Select(i => i.Name));

        // The cut graph runs with the inputs it kept and gives the whole graph's values.
        float[] x = [0.5f, -1f], y = [1f, 2f, 3f];
        using var wholeSession = new InferenceSession(whole);
        using var cutSession = new InferenceSession(OnnxGraphPruning.KeepOutputs(whole, ["b"]));
        using var xValue = OrtValue.CreateTensorValueFromMemory(x, [1, 2]);
        using var yValue = OrtValue.CreateTensorValueFromMemory(y, [1, 3]);
        using var expected = wholeSession.Run(new RunOptions(), ["x", "y"], [xValue, yValue], ["b"]);
        using var actual = cutSession.Run(new RunOptions(), ["x", "y"], [xValue, yValue], ["b"]);
        Assert.Equal(expected[0].GetTensorDataAsSpan<float>().ToArray(), actual[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([5.5f, 6f], actual[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void AnOutputTheGraphDoesNotHave_IsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => OnnxGraphPruning.KeepOutputs(TwoBranches(), ["a", "d"]));
        Assert.Contains("'d'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The quota scorer cut to its component candidates no longer ranks the catalogue: its fallback's TopK over every item
    /// and the user-vector input are gone, and the scorer's lists stay the engine's (OnnxExactListsTests).
    /// </summary>
    [Fact]
    public void TheQuotaScorerCutToItsComponents_DropsTheCatalogueRanking()
    {
        var w = NearTieWorld.Create(seed: 43);
        string directory = Path.Combine(Path.GetTempPath(), $"onnx-prune-{Guid.NewGuid():N}");
        try
        {
            OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 10, 1.0, directory, exclusionMask: true);
            byte[] whole = File.ReadAllBytes(Path.Combine(directory, OnnxServingDirectory.QuotaScorerFileName));
            var cut = ModelProto.Parser.ParseFrom(OnnxGraphPruning.KeepOutputs(whole,
                [MixtureOnnxExporter.ComponentCandidateRowsOutput, MixtureOnnxExporter.ComponentCandidateScoresOutput]));
            var full = ModelProto.Parser.ParseFrom(whole);
            Assert.True(cut.Graph.Node.Count < full.Graph.Node.Count);
            Assert.Equal(full.Graph.Node.Count(n => n.OpType == "TopK") - 2, cut.Graph.Node.Count(n => n.OpType == "TopK"));
            Assert.DoesNotContain(cut.Graph.Input, i => i.Name == MixtureOnnxExporter.UserEmbeddingName);
            Assert.DoesNotContain(cut.Graph.Output, o => o.Name == MixtureOnnxExporter.FallbackCandidateRowsOutput);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
