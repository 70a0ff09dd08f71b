using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Reads the values of the initializers this library writes (little-endian <c>raw_data</c>, or
/// <c>string_data</c> for strings) back into arrays, checking the element type and the shape. A tensor stored as ONNX
/// external data is read from its side file, found beside <c>modelPath</c>: the model's file, which a reader of a model
/// parsed from a file passes (one parsed from elsewhere, such as a saved zip's entry, has no side file to read).
/// </summary>
internal static class OnnxTensorReader
{
    /// <summary>The initializer called <paramref name="name"/>; a clear error when the model has none.</summary>
    public static TensorProto Find(ModelProto model, string name) =>
        model.Graph.Initializer.FirstOrDefault(t => t.Name == name)
        ?? throw new InvalidDataException($"The ONNX graph '{model.Graph.Name}' has no initializer '{name}': the model was not written by this version of Microsoft.ML.MultiInterest.");

    /// <summary>The shape of <paramref name="tensor"/>, each dimension as an int.</summary>
    public static int[] Shape(TensorProto tensor) => tensor.Dims.Select(d => checked((int)d)).ToArray();

    public static float[] Floats(TensorProto tensor, string? modelPath = null) => Decode<float>(tensor, TensorProto.Types.DataType.Float, modelPath);

    public static double[] Doubles(TensorProto tensor, string? modelPath = null) => Decode<double>(tensor, TensorProto.Types.DataType.Double, modelPath);

    public static long[] Int64s(TensorProto tensor, string? modelPath = null) => Decode<long>(tensor, TensorProto.Types.DataType.Int64, modelPath);

    public static uint[] UInt32s(TensorProto tensor, string? modelPath = null) => Decode<uint>(tensor, TensorProto.Types.DataType.Uint32, modelPath);

    public static string[] Strings(TensorProto tensor)
    {
        CheckType(tensor, TensorProto.Types.DataType.String);
        var values = tensor.StringData.Select(s => s.ToStringUtf8()).ToArray();
        CheckCount(tensor, values.Length);
        return values;
    }

    /// <summary>The little-endian <c>raw_data</c> (or external data) as values, reversing each value's bytes on big-endian hosts.</summary>
    private static T[] Decode<T>(TensorProto tensor, TensorProto.Types.DataType type, string? modelPath) where T : unmanaged
    {
        CheckType(tensor, type);
        int size = Unsafe.SizeOf<T>();
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External) return External<T>(tensor, modelPath);
        var bytes = tensor.RawData.ToByteArray();
        if (bytes.Length % size != 0)
            throw new InvalidDataException($"Initializer '{tensor.Name}' holds {bytes.Length} bytes, not a whole number of {size}-byte values.");
        if (!BitConverter.IsLittleEndian)
            for (int offset = 0; offset < bytes.Length; offset += size) bytes.AsSpan(offset, size).Reverse();
        var values = MemoryMarshal.Cast<byte, T>(bytes).ToArray();
        CheckCount(tensor, values.Length);
        return values;
    }

    /// <summary>The values of an external <paramref name="tensor"/>, read from the side file of <paramref name="modelPath"/> straight into their array.</summary>
    private static T[] External<T>(TensorProto tensor, string? modelPath) where T : unmanaged
    {
        if (modelPath == null)
            throw new InvalidDataException($"Initializer '{tensor.Name}' keeps its values in ONNX external data (a side file), but its model was not read from a file "
                + "whose folder holds one: the model was edited or damaged.");
        long count = 1;
        foreach (long d in tensor.Dims)
        {
            if (d < 0 || (d > 0 && count > Array.MaxLength / d))
                throw new InvalidDataException($"Initializer '{tensor.Name}' of '{modelPath}' has shape [{string.Join(", ", tensor.Dims)}], which no array holds: the model was edited or damaged.");
            count *= d;
        }
        var table = OnnxExternalTable.Resolve(modelPath, tensor, count * Unsafe.SizeOf<T>());
        // During a verified opening, from a pass that hashes the whole recorded side file (no swapped file is read), or the
        // array that opening read already (a session given the same table holds the same one).
        if (OnnxVerifiedOpening.Current is { } opening && opening.Records(table.SidePath)) return (T[])opening.SideTables(table.SidePath, [(table, typeof(T))])[0];
        var values = new T[count];
        table.ReadInto(values);
        return values;
    }

    private static void CheckType(TensorProto tensor, TensorProto.Types.DataType type)
    {
        if (tensor.DataType != (int)type)
            throw new InvalidDataException($"Initializer '{tensor.Name}' has ONNX element type {tensor.DataType}, expected {type}.");
    }

    private static void CheckCount(TensorProto tensor, int count)
    {
        long expected = 1;
        foreach (long d in tensor.Dims) expected *= d;
        if (expected != count)
            throw new InvalidDataException($"Initializer '{tensor.Name}' of shape [{string.Join(", ", tensor.Dims)}] holds {count} values instead of {expected}.");
    }
}
