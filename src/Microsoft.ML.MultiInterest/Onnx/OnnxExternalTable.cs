using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Where a tensor stored as ONNX external data keeps its bytes: a file beside the model (<c>location</c>), from
/// <c>offset</c>, <c>length</c> bytes. <see cref="Resolve(string, string, IEnumerable{ValueTuple{string, string}}, long?)"/> checks the reference against the side file before anything is
/// read, so a missing or cut side file, or a reference past its end, is refused by name: never a partial read, never padding.
/// </summary>
internal sealed record OnnxExternalTable(string ModelPath, string TensorName, string SidePath, long Offset, long Length)
{
    /// <summary>The <c>external_data</c> keys of the ONNX specification.</summary>
    public const string LocationKey = "location", OffsetKey = "offset", LengthKey = "length";

    /// <summary>
    /// The checked reference of tensor <paramref name="tensorName"/> of the model at <paramref name="modelPath"/>, from its
    /// <c>external_data</c> entries; <paramref name="expectedBytes"/> is what its shape and type need (null: the entries' length is taken).
    /// </summary>
    /// <exception cref="InvalidDataException">The entries are malformed, name a file outside the model's folder, or the side file is missing or too short.</exception>
    public static OnnxExternalTable Resolve(string modelPath, string tensorName, IEnumerable<(string Key, string Value)> entries, long? expectedBytes)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var (key, value) in entries)
        {
            switch (key)
            {
                case LocationKey: location = value; break;
                case OffsetKey: offset = Number(modelPath, tensorName, key, value); break;
                case LengthKey: length = Number(modelPath, tensorName, key, value); break;
            }
        }
        if (string.IsNullOrEmpty(location))
            throw Damaged(modelPath, tensorName, "its external data names no location (side file)");
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            throw Damaged(modelPath, tensorName, $"its external data location '{location}' lies outside the model's folder");
        if (length < 0)
        {
            if (expectedBytes == null) throw Damaged(modelPath, tensorName, "its external data gives no length, nor does its element type");
            length = expectedBytes.Value;
        }
        if (expectedBytes != null && length != expectedBytes)
            throw Damaged(modelPath, tensorName, $"its external data length is {length:N0} bytes, but its shape and type need {expectedBytes:N0}");
        string sidePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", location);
        if (!File.Exists(sidePath))
            throw new InvalidDataException($"The side file '{sidePath}' of the ONNX model '{modelPath}' is missing: initializer '{tensorName}' keeps its values there "
                + "(ONNX external data). Copy the model's folder whole (the .onnx with its .onnx.data), or export it again.");
        long available = new FileInfo(sidePath).Length;
        if (offset > available || length > available - offset)
            throw new InvalidDataException($"The side file '{sidePath}' of the ONNX model '{modelPath}' holds {available:N0} bytes, but initializer '{tensorName}' "
                + $"reads {length:N0} bytes from offset {offset:N0}, past its end: the side file is cut short or belongs to another export. Copy the model's folder "
                + "whole again, or export it again.");
        return new OnnxExternalTable(modelPath, tensorName, sidePath, offset, length);
    }

    /// <summary>The reference of an in-memory <paramref name="tensor"/> read from the model file <paramref name="modelPath"/>.</summary>
    public static OnnxExternalTable Resolve(string modelPath, TensorProto tensor, long expectedBytes) =>
        Resolve(modelPath, tensor.Name, tensor.ExternalData.Select(e => (e.Key, e.Value)), expectedBytes);

    /// <summary>
    /// Reads the table into <paramref name="values"/> (exactly <see cref="Length"/> bytes of little-endian values), a block at a
    /// time: a table may pass 2 GB, more than one span of bytes can address.
    /// </summary>
    public void ReadInto<T>(T[] values) where T : unmanaged => ReadInto((Array)values);

    /// <summary>As <see cref="ReadInto{T}(T[])"/>, into an array of one of <see cref="OnnxElementTypes"/>' types.</summary>
    public void ReadInto(Array values)
    {
        int size = OnnxElementTypes.Size(values);
        if (values.LongLength * size != Length) throw new ArgumentException($"{Length} bytes are read into {values.LongLength} values of {size} bytes.", nameof(values));
        const int BlockBytes = 1 << 20;
        int block = BlockBytes / size;
        using var side = new FileStream(SidePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        side.Position = Offset;
        try
        {
            for (long start = 0; start < values.LongLength; start += block)
            {
                var bytes = OnnxElementTypes.Bytes(values, start, (int)Math.Min(block, values.LongLength - start));
                side.ReadExactly(bytes);
                if (!BitConverter.IsLittleEndian)
                    for (int offset = 0; offset < bytes.Length; offset += size) bytes.Slice(offset, size).Reverse();
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The side file '{SidePath}' of the ONNX model '{ModelPath}' ended inside initializer '{TensorName}' "
                + $"({Length:N0} bytes from offset {Offset:N0}): it was cut short while being read. Copy the model's folder whole again, or export it again.", e);
        }
    }

    private static long Number(string modelPath, string tensorName, string key, string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number)
            ? number
            : throw Damaged(modelPath, tensorName, $"its external data {key} '{value}' is not a non-negative whole number");

    internal static InvalidDataException Damaged(string modelPath, string tensorName, string what) =>
        new($"Initializer '{tensorName}' of the ONNX model '{modelPath}' cannot be read: {what}. The model was edited or damaged; export it again.");
}
