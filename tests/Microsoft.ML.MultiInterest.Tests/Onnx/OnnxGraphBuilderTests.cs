using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public class OnnxGraphBuilderTests
{
    [Fact]
    public void ExportedModelsDeclareOpset17AndADynamicBatchAndParseBack()
    {
        var model = UnimodalOnnxExporter.BuildModel(TestGraphs.RandomMatrix(3, 2, 1), TestGraphs.RandomMatrix(4, 2, 2), 2, exclusionMask: true);
        var parsed = ModelProto.Parser.ParseFrom(OnnxGraphBuilder.ToBytes(model));

        Assert.Equal(8, parsed.IrVersion);
        Assert.Equal(17, Assert.Single(parsed.OpsetImport).Version);
        Assert.Equal(["Gather", "Gemm", "Add", "TopK", "Slice", "Slice"], parsed.Graph.Node.Select(n => n.OpType));
        // The list (M = 2) and the candidates the scorer re-ranks: M + slack, at most the 4 items.
        Assert.Equal([UnimodalOnnxExporter.ItemRowsOutput, UnimodalOnnxExporter.ScoresOutput, UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput],
            parsed.Graph.Output.Select(o => o.Name));
        Assert.Equal([2L, 4L], parsed.Graph.Output.Select(o => o.Type.TensorType.Shape.Dim[1].DimValue).Distinct());
        var rows = parsed.Graph.Input.Single(i => i.Name == UnimodalOnnxExporter.UserRowsInput);
        Assert.Equal("batch", Assert.Single(rows.Type.TensorType.Shape.Dim).DimParam);
        var mask = parsed.Graph.Input.Single(i => i.Name == UnimodalOnnxExporter.ExclusionMaskInput).Type.TensorType.Shape.Dim;
        Assert.Equal(4, mask[1].DimValue);
    }

    [Fact]
    public void FloatInitializersAreLittleEndianRawData()
    {
        var tensor = OnnxTensors.Float("t", [2, 2], [1f, -2.5f, 0f, 3f]);
        Assert.Equal((int)TensorProto.Types.DataType.Float, tensor.DataType);
        Assert.Equal([2L, 2L], tensor.Dims);
        byte[] raw = tensor.RawData.ToByteArray();
        Assert.Equal(16, raw.Length);
        Assert.Equal(-2.5f, System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4)));
    }

    [Fact]
    public void MistakesInTheGraphAreNamed()
    {
        var b = new OnnxGraphBuilder("g").AddInput("x", TensorProto.Types.DataType.Float, null, 3);
        Assert.Contains("'y'", Assert.Throws<InvalidOperationException>(() => b.AddNode("Relu", ["y"], ["z"])).Message);
        Assert.Contains("'x' is already used", Assert.Throws<InvalidOperationException>(() => b.AddNode("Relu", ["x"], ["x"])).Message);
        Assert.Contains("'w'", Assert.Throws<InvalidOperationException>(() => b.AddOutput("w", TensorProto.Types.DataType.Float, [null])).Message);
        Assert.Contains("needs 6 values but got 5", Assert.Throws<ArgumentException>(() => OnnxTensors.Float("t", [2, 3], new float[5])).Message);
    }
}
