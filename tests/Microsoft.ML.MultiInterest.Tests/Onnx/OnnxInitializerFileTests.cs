using Google.Protobuf;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

public sealed class OnnxInitializerFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"initializers-{Guid.NewGuid():N}.onnx");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void ReadsTheNamedTablesAsTheFullParserDoes()
    {
        var model = UnimodalOnnxExporter.BuildModel(TestGraphs.RandomMatrix(7, 3, 1), TestGraphs.RandomMatrix(9, 3, 2), 4, exclusionMask: true);
        File.WriteAllBytes(_path, model.ToByteArray());
        var read = OnnxInitializerFile.Read(_path, ("item_embeddings", TensorProto.Types.DataType.Float), ("k", TensorProto.Types.DataType.Int64));
        Assert.Equal([9, 3], read["item_embeddings"].Shape);
        Assert.Equal(OnnxTensorReader.Floats(OnnxTensorReader.Find(model, "item_embeddings")), (float[])read["item_embeddings"].Values);
        Assert.Equal(OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, "k")), (long[])read["k"].Values);
    }

    [Fact]
    public void AMissingOrMistypedTableOrACutFileIsNamed()
    {
        var model = UnimodalOnnxExporter.BuildModel(TestGraphs.RandomMatrix(7, 3, 1), TestGraphs.RandomMatrix(9, 3, 2), 4, exclusionMask: false);
        var bytes = model.ToByteArray();
        File.WriteAllBytes(_path, bytes);
        Assert.Contains("no initializer 'cluster_item_rows'", Assert.Throws<InvalidDataException>(() => OnnxInitializerFile.Read(_path, ("cluster_item_rows", TensorProto.Types.DataType.Int64))).Message);
        Assert.Contains("expected Int64", Assert.Throws<InvalidDataException>(() => OnnxInitializerFile.Read(_path, ("user_embeddings", TensorProto.Types.DataType.Int64))).Message);
        File.WriteAllBytes(_path, bytes[..(bytes.Length / 2)]);
        Assert.Contains(_path, Assert.Throws<InvalidDataException>(() => OnnxInitializerFile.Read(_path, ("user_embeddings", TensorProto.Types.DataType.Float))).Message);
    }
}
