using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Tables too large to be one protobuf byte string (over <see cref="ExternalDataPolicy.InlineLimit"/>): their
/// <see cref="TensorProto"/> holds the name, type and shape only, marked external, and the values stay in the caller's
/// array until <see cref="OnnxModelFile"/> streams them into the model's side file. No copy of such a table is ever made.
/// </summary>
internal static class StreamedTables
{
    // Keyed by the tensor object itself: a table lives exactly as long as the model that holds its placeholder.
    private static readonly ConditionalWeakTable<TensorProto, Array> Values = new();

    /// <summary>A placeholder for <paramref name="values"/> (float or int64, row-major) of shape <paramref name="dims"/>.</summary>
    public static TensorProto Create<T>(string name, TensorProto.Types.DataType type, long[] dims, T[] values) where T : unmanaged
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.AddRange(dims);
        Values.Add(tensor, values);
        return tensor;
    }

    /// <summary>True when <paramref name="tensor"/> is a placeholder whose values are still in memory.</summary>
    public static bool IsStreamed(TensorProto tensor) => Values.TryGetValue(tensor, out _);

    /// <summary>The byte length of a placeholder's values.</summary>
    public static long ByteLength(TensorProto tensor) => Values.TryGetValue(tensor, out var values)
        ? (long)values.Length * ElementSize(values)
        : throw new InvalidOperationException($"Tensor '{tensor.Name}' is not a streamed table.");

    /// <summary>Writes a placeholder's values to <paramref name="output"/> as little-endian bytes, a block at a time.</summary>
    public static void WriteTo(TensorProto tensor, Stream output)
    {
        if (!Values.TryGetValue(tensor, out var values)) throw new InvalidOperationException($"Tensor '{tensor.Name}' is not a streamed table.");
        switch (values)
        {
            case float[] floats: WriteLittleEndian<float>(floats, output); break;
            case long[] longs: WriteLittleEndian<long>(longs, output); break;
            default: throw new InvalidOperationException($"Tensor '{tensor.Name}' holds {values.GetType().Name}, which is not streamed.");
        }
    }

    private static int ElementSize(Array values) => values switch
    {
        float[] => sizeof(float),
        long[] => sizeof(long),
        _ => throw new InvalidOperationException($"A streamed table holds {values.GetType().Name}."),
    };

    /// <summary>Blocks of whole values: each written as it is on little-endian hosts, byte-reversed through one buffer otherwise.</summary>
    private static void WriteLittleEndian<T>(T[] values, Stream output) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        int block = (1 << 20) / size;
        byte[]? swapped = BitConverter.IsLittleEndian ? null : new byte[block * size];
        for (long start = 0; start < values.LongLength; start += block)
        {
            int count = (int)Math.Min(block, values.LongLength - start);
            var bytes = MemoryMarshal.AsBytes(values.AsSpan((int)start, count));
            if (swapped != null)
            {
                bytes.CopyTo(swapped);
                for (int offset = 0; offset < bytes.Length; offset += size) swapped.AsSpan(offset, size).Reverse();
                bytes = swapped.AsSpan(0, bytes.Length);
            }
            output.Write(bytes);
        }
    }
}
