using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The arrays a table kept in a side file (ONNX external data) is read into, by ONNX element type: every fixed-size type
/// ONNX Runtime's .NET tensors hold as a primitive array (float, double, the integers, bool). A session is given such a table
/// (<see cref="OnnxGivenTables"/>) as a tensor over the array itself.
/// </summary>
internal static class OnnxElementTypes
{
    /// <summary>The array element type of ONNX element type <paramref name="dataType"/>, or null when no table of it is read.</summary>
    public static Type? ClrType(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float => typeof(float),
        TensorProto.Types.DataType.Double => typeof(double),
        TensorProto.Types.DataType.Int64 => typeof(long),
        TensorProto.Types.DataType.Uint64 => typeof(ulong),
        TensorProto.Types.DataType.Int32 => typeof(int),
        TensorProto.Types.DataType.Uint32 => typeof(uint),
        TensorProto.Types.DataType.Int16 => typeof(short),
        TensorProto.Types.DataType.Uint16 => typeof(ushort),
        TensorProto.Types.DataType.Int8 => typeof(sbyte),
        TensorProto.Types.DataType.Uint8 => typeof(byte),
        TensorProto.Types.DataType.Bool => typeof(bool),
        _ => null,
    };

    /// <summary>The bytes of one element of <paramref name="element"/>, one of <see cref="ClrType"/>'s types.</summary>
    public static int Size(Type element) =>
        element == typeof(float) || element == typeof(int) || element == typeof(uint) ? 4
        : element == typeof(double) || element == typeof(long) || element == typeof(ulong) ? 8
        : element == typeof(short) || element == typeof(ushort) ? 2
        : element == typeof(sbyte) || element == typeof(byte) || element == typeof(bool) ? 1
        : throw Unsupported(element);

    /// <summary>The bytes of one element of <paramref name="values"/>.</summary>
    public static int Size(Array values) => Size(values.GetType().GetElementType()!);

    /// <summary>A new array of <paramref name="count"/> elements of <paramref name="element"/>, one of <see cref="ClrType"/>'s types.</summary>
    public static Array New(Type element, long count) =>
        element == typeof(float) ? new float[count]
        : element == typeof(double) ? new double[count]
        : element == typeof(long) ? new long[count]
        : element == typeof(ulong) ? new ulong[count]
        : element == typeof(int) ? new int[count]
        : element == typeof(uint) ? new uint[count]
        : element == typeof(short) ? new short[count]
        : element == typeof(ushort) ? new ushort[count]
        : element == typeof(sbyte) ? new sbyte[count]
        : element == typeof(byte) ? new byte[count]
        : element == typeof(bool) ? new bool[count]
        : throw Unsupported(element);

    /// <summary>
    /// The bytes of <paramref name="count"/> elements of <paramref name="values"/> from element <paramref name="first"/>: a
    /// span addressed by element, so that a table past 2 GB is read a block at a time.
    /// </summary>
    public static Span<byte> Bytes(Array values, long first, int count)
    {
        int size = Size(values);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first + count, values.LongLength);
        ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(values), (nint)(first * size));
        return MemoryMarshal.CreateSpan(ref start, checked(count * size));
    }

    /// <summary>A tensor of shape <paramref name="shape"/> over <paramref name="values"/> itself (pinned while it lives), no copy.</summary>
    public static OrtValue Tensor(Array values, long[] shape) => values switch
    {
        float[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        double[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        long[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        ulong[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        int[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        uint[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        short[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        ushort[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        sbyte[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        byte[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        bool[] v => OrtValue.CreateTensorValueFromMemory(v, shape),
        _ => throw Unsupported(values.GetType().GetElementType()!),
    };

    private static NotSupportedException Unsupported(Type element) => new($"Side-file tables of {element.Name} are not read.");
}
