using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// ScatterElements without a reduction must not receive repeated indices (ONNX opset 16-17: "indices should not have duplicate
/// entries"). The quota scorer's taken-item table writes every untaken candidate into one spare column, so it adds its marks
/// (reduction "add"), which the specification defines for repeated indices; before, it relied on ONNX Runtime accepting them.
/// </summary>
public class ScatterDuplicatesTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheQuotaScorersTakenTable_AddsItsMarks(bool mask)
    {
        var w = MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
        using var stream = new MemoryStream();
        MixtureOnnxExporter.ExportQuotaScorer(w.Items, w.Clustering, w.Mixtures, 4, stream, mask);
        var model = ModelProto.Parser.ParseFrom(stream.ToArray());
        var taken = Assert.Single(model.Graph.Node, n => n.OpType == "ScatterElements" && n.Output[0] == "chosen");
        var reduction = Assert.Single(taken.Attribute, a => a.Name == "reduction");
        Assert.Equal("add", reduction.S.ToStringUtf8());
    }
}
