using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Writes a model to its file, whole or with its large tables in ONNX external data (docs/onnx.md, "Size limit: 2 GB and
/// external data"). Whole when it fits under <see cref="ExternalDataPolicy.InlineLimit"/> and the export does not force
/// external data: then the file is the model's own protobuf bytes, as before external data existed. Otherwise every table of
/// <see cref="ExternalDataPolicy.MinTableBytes"/> or more goes, in graph order and aligned, into one side file
/// beside the model (<see cref="SideFileName"/>), each tensor naming it by <c>location</c>, <c>offset</c> and <c>length</c>.
/// </summary>
internal static class OnnxModelFile
{
    /// <summary>The side file of the model file <paramref name="modelFileName"/>: <c>model.onnx</c> keeps its tables in <c>model.onnx.data</c>.</summary>
    public static string SideFileName(string modelFileName) => modelFileName + OnnxServingDefaults.ExternalDataSuffix;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> (created or overwritten) and, when its tables go external,
    /// its side file; a side file an earlier export left beside a model now written whole is removed. <paramref name="model"/>
    /// itself is left unchanged.
    /// </summary>
    /// <returns>True when the tables went into the side file.</returns>
    public static bool Write(ModelProto model, string path) => Write(model, path, stored: null) != null;

    /// <summary>
    /// As <see cref="Write(ModelProto, string)"/>, except that the initializers <paramref name="stored"/> names, already in
    /// another model's side file in the same folder (<see cref="OnnxStoredTables"/>, the same values by construction), are
    /// referred to there rather than written again; then the model keeps its tables in external data whatever its size, and
    /// has a side file of its own only for the tables left (none: an earlier one is removed).
    /// </summary>
    /// <returns>Where each table written to a side file lies (null when the model was written whole), for a later model to refer to.</returns>
    public static OnnxStoredTables? Write(ModelProto model, string path, OnnxStoredTables? stored)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string sidePath = SideFileName(path);
        bool refers = stored != null && model.Graph.Initializer.Any(stored.Holds);
        bool external = refers || ExternalDataPolicy.ForcesExternal || HasStreamedTables(model) || EncodedBytes(model) > ExternalDataPolicy.InlineLimit;
        if (!external)
        {
            File.Delete(sidePath);
            using var whole = File.Create(path);
            model.WriteTo(whole);
            return null;
        }
        var written = model.Clone();
        var tables = new OnnxStoredTables(Path.GetFileName(sidePath));
        // A model that refers to another's tables has a side file only for tables of its own; any other has one, as before.
        FileStream? side = refers ? null : CreateSide(sidePath);
        try
        {
            var original = model.Graph.Initializer;
            for (int i = 0; i < original.Count; i++)
            {
                long length = DataBytes(original[i]);
                if (stored != null && stored.Holds(original[i]))
                {
                    var (offset, _) = stored.Place(original[i].Name);
                    Refer(written.Graph.Initializer[i], stored.Location, offset, length);
                    continue;
                }
                if (length < ExternalDataPolicy.MinTableBytes && !StreamedTables.IsStreamed(original[i])) continue;
                side ??= CreateSide(sidePath);
                long at = Align(side);
                if (StreamedTables.IsStreamed(original[i])) StreamedTables.WriteTo(original[i], side);
                else side.Write(original[i].RawData.Span);
                Refer(written.Graph.Initializer[i], tables.Location, at, length);
                tables.Add(original[i].Name, at, length);
            }
        }
        finally
        {
            side?.Dispose();
        }
        // Every table is in another model's side file: an earlier export's own side file would only be recorded and hashed.
        if (side == null) File.Delete(sidePath);
        if (EncodedBytes(written) > int.MaxValue)
            throw new NotSupportedException($"The ONNX model '{path}' is over the 2 GB limit of a protobuf message even with its tables in external data "
                + "(its graph, or its tables under 1 KiB, take the room).");
        using (var file = File.Create(path)) written.WriteTo(file);
        return tables;
    }

    private static FileStream CreateSide(string sidePath) => new(sidePath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);

    /// <summary>
    /// Writes <paramref name="model"/> whole to <paramref name="output"/>: a stream has no directory for a side file, so a model
    /// over the limit is refused, naming the way to a file export.
    /// </summary>
    public static void WriteWhole(ModelProto model, Stream output, string what)
    {
        long bytes = EncodedBytes(model);
        if (HasStreamedTables(model) || bytes > ExternalDataPolicy.InlineLimit)
            throw new NotSupportedException($"The {what} takes {bytes:N0} bytes, over the 2 GB limit of a single protobuf ONNX model, and a stream cannot carry "
                + "ONNX external data (a side file beside the model): export it to a file path or a serving directory instead, where its large tables go to external data.");
        model.WriteTo(output);
    }

    /// <summary>
    /// The protobuf size of <paramref name="model"/> written whole, in 64 bits: protobuf's own count is an int, which a model
    /// over 2 GB overflows, so the tables' bytes are summed apart from the rest.
    /// </summary>
    public static long EncodedBytes(ModelProto model)
    {
        var frame = model.Clone();
        long tables = 0;
        foreach (var tensor in frame.Graph.Initializer)
        {
            long length = StreamedTables.IsStreamed(tensor) ? 0 : tensor.RawData.Length;
            tables += length + 16; // the bytes, and at most 16 for raw_data's tag and length
            tensor.RawData = ByteString.Empty;
        }
        foreach (var tensor in model.Graph.Initializer)
            if (StreamedTables.IsStreamed(tensor)) tables += StreamedTables.ByteLength(tensor);
        return frame.CalculateSize() + tables;
    }

    private static bool HasStreamedTables(ModelProto model) => model.Graph.Initializer.Any(StreamedTables.IsStreamed);

    /// <summary>The bytes of a tensor's values: its raw data, or a streamed table's.</summary>
    internal static long DataBytes(TensorProto tensor) => StreamedTables.IsStreamed(tensor) ? StreamedTables.ByteLength(tensor) : tensor.RawData.Length;

    /// <summary>Pads <paramref name="side"/> with zeros to the next <see cref="OnnxServingDefaults.ExternalDataAlignment"/>; returns that offset.</summary>
    private static long Align(Stream side)
    {
        long offset = (side.Position + OnnxServingDefaults.ExternalDataAlignment - 1) / OnnxServingDefaults.ExternalDataAlignment * OnnxServingDefaults.ExternalDataAlignment;
        Span<byte> zeros = stackalloc byte[4096];
        zeros.Clear();
        while (side.Position < offset) side.Write(zeros[..(int)Math.Min(zeros.Length, offset - side.Position)]);
        return offset;
    }

    /// <summary>Points <paramref name="tensor"/> at its bytes in the side file, as the ONNX specification spells it.</summary>
    private static void Refer(TensorProto tensor, string location, long offset, long length)
    {
        tensor.RawData = ByteString.Empty;
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Clear();
        tensor.ExternalData.Add(new StringStringEntryProto { Key = OnnxExternalTable.LocationKey, Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = OnnxExternalTable.OffsetKey, Value = offset.ToString(CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = OnnxExternalTable.LengthKey, Value = length.ToString(CultureInfo.InvariantCulture) });
    }
}
