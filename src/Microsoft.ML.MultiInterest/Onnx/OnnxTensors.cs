using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Builds ONNX <see cref="TensorProto"/> constants. Values go into <c>raw_data</c> as little-endian bytes,
/// as the ONNX specification requires, whatever the byte order of the machine.
/// </summary>
internal static class OnnxTensors
{
    /// <summary>A float tensor named <paramref name="name"/> of shape <paramref name="dims"/> holding <paramref name="values"/> (row-major).</summary>
    public static TensorProto Float(string name, long[] dims, ReadOnlySpan<float> values) =>
        LittleEndian(name, TensorProto.Types.DataType.Float, dims, values);

    /// <summary>An int64 tensor named <paramref name="name"/> of shape <paramref name="dims"/> holding <paramref name="values"/>.</summary>
    public static TensorProto Int64(string name, long[] dims, ReadOnlySpan<long> values) =>
        LittleEndian(name, TensorProto.Types.DataType.Int64, dims, values);

    /// <summary>
    /// As <see cref="Float(string, long[], ReadOnlySpan{float})"/>, but a table over <see cref="ExternalDataPolicy.InlineLimit"/>
    /// is not copied: it becomes a <see cref="StreamedTables"/> placeholder, written from <paramref name="values"/> into the side file.
    /// </summary>
    public static TensorProto Float(string name, long[] dims, float[] values) =>
        Table(name, TensorProto.Types.DataType.Float, dims, values);

    /// <summary>As <see cref="Float(string, long[], float[])"/> for an int64 table.</summary>
    public static TensorProto Int64(string name, long[] dims, long[] values) =>
        Table(name, TensorProto.Types.DataType.Int64, dims, values);

    private static TensorProto Table<T>(string name, TensorProto.Types.DataType type, long[] dims, T[] values) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        if ((long)values.Length * Unsafe.SizeOf<T>() <= ExternalDataPolicy.InlineLimit) return LittleEndian<T>(name, type, dims, values);
        CheckCount(name, dims, values.Length);
        return StreamedTables.Create(name, type, dims, values);
    }

    /// <summary>A double tensor named <paramref name="name"/> of shape <paramref name="dims"/> holding <paramref name="values"/>.</summary>
    public static TensorProto Double(string name, long[] dims, ReadOnlySpan<double> values) =>
        LittleEndian(name, TensorProto.Types.DataType.Double, dims, values);

    /// <summary>A uint32 tensor named <paramref name="name"/> of shape <paramref name="dims"/> holding <paramref name="values"/>.</summary>
    public static TensorProto UInt32(string name, long[] dims, ReadOnlySpan<uint> values) =>
        LittleEndian(name, TensorProto.Types.DataType.Uint32, dims, values);

    /// <summary>A string tensor named <paramref name="name"/> of shape <paramref name="dims"/> holding <paramref name="values"/> as UTF-8.</summary>
    public static TensorProto String(string name, long[] dims, IReadOnlyList<string> values)
    {
        CheckCount(name, dims, values.Count);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.String };
        tensor.Dims.AddRange(dims);
        foreach (string value in values) tensor.StringData.Add(ByteString.CopyFromUtf8(value));
        return tensor;
    }

    /// <summary>Copies <paramref name="values"/> into <c>raw_data</c>, reversing each value's bytes on big-endian hosts.</summary>
    private static TensorProto LittleEndian<T>(string name, TensorProto.Types.DataType type, long[] dims, ReadOnlySpan<T> values) where T : unmanaged
    {
        CheckCount(name, dims, values.Length);
        if ((long)values.Length * Unsafe.SizeOf<T>() > Array.MaxLength)
            throw new NotSupportedException($"Tensor '{name}' takes {(long)values.Length * Unsafe.SizeOf<T>():N0} bytes, more than one array holds (2 GB): "
                + "this table is not written from an array that can be streamed into external data.");
        byte[] bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            int size = Unsafe.SizeOf<T>();
            for (int offset = 0; offset < bytes.Length; offset += size) bytes.AsSpan(offset, size).Reverse();
        }
        return Create(name, type, dims, bytes);
    }

    private static TensorProto Create(string name, TensorProto.Types.DataType type, long[] dims, byte[] bytes)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = UnsafeByteOperations.UnsafeWrap(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static void CheckCount(string name, long[] dims, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);
        long expected = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}' has a negative dimension ({d}) in shape [{string.Join(", ", dims)}].", nameof(dims));
            expected *= d;
        }
        if (expected != count)
            throw new ArgumentException($"Tensor '{name}' of shape [{string.Join(", ", dims)}] needs {expected} values but got {count}.", nameof(dims));
    }
}
