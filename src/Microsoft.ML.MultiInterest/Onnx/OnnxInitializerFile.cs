using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Reads a few named initializers out of an ONNX model file without parsing the rest: it walks the protobuf wire format
/// (ModelProto.graph, GraphProto.initializer, TensorProto's dims, data_type, name and raw_data) and seeks past every
/// other field, so a model's large tables are neither read into memory nor left as garbage; the wanted values are read
/// straight into their arrays. Handles the tensors this library writes: little-endian <c>raw_data</c>, or the same bytes in
/// the model's side file (ONNX external data, <see cref="OnnxExternalTable"/>).
/// </summary>
internal static class OnnxInitializerFile
{
    // Field numbers of onnx.proto (see OnnxSubset.proto).
    private const int ModelGraph = 7, GraphInitializer = 5, TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9,
        TensorExternalData = 13, TensorDataLocation = 14, EntryKey = 1, EntryValue = 2, ExternalLocation = 1;

    /// <summary>Where one initializer's values lie: in the file (<see cref="External"/> null), or in its side file.</summary>
    private sealed record Entry(long[] Dims, int DataType, long Offset, long Length, List<(string Key, string Value)>? External);

    /// <summary>
    /// The initializers <paramref name="wanted"/> of the model at <paramref name="path"/>, each with its shape and its values
    /// (<c>float[]</c> or <c>long[]</c>), checked to be of the element type asked for.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a complete ONNX model, or lacks one of the initializers, or one is of another type or size.</exception>
    public static Dictionary<string, (int[] Shape, Array Values)> Read(string path, params (string Name, TensorProto.Types.DataType Type)[] wanted) =>
        Read(path, optional: [], wanted);

    /// <summary>
    /// As <see cref="Read(string, ValueTuple{string, TensorProto.Types.DataType}[])"/>, except that the initializers named in
    /// <paramref name="optional"/> may be absent (a table only some exports hold): the result then has no entry for them.
    /// </summary>
    public static Dictionary<string, (int[] Shape, Array Values)> Read(string path, IReadOnlyCollection<string> optional,
        params (string Name, TensorProto.Types.DataType Type)[] wanted)
    {
        // The bytes the opening under way verified, when it records the file (OnnxVerifiedOpening); else the file as it is.
        using var file = OnnxVerifiedOpening.OpenRead(path);
        var names = wanted.Select(w => w.Name).ToHashSet();
        var found = Index(file, path, names.Contains);

        var result = new Dictionary<string, (int[] Shape, Array Values)>();
        var external = new List<(string Name, int[] Shape, OnnxExternalTable Table, Type Element)>();
        foreach (var (name, type) in wanted)
        {
            if (!found.TryGetValue(name, out var entry))
            {
                if (optional.Contains(name)) continue;
                throw new InvalidDataException($"'{path}' has no initializer '{name}' with raw data: the model was not written by this version of Microsoft.ML.MultiInterest.");
            }
            if (entry.DataType != (int)type)
                throw new InvalidDataException($"Initializer '{name}' of '{path}' has ONNX element type {entry.DataType}, expected {type}.");
            long size = type switch
            {
                TensorProto.Types.DataType.Float => sizeof(float),
                TensorProto.Types.DataType.Int64 => sizeof(long),
                _ => throw new NotSupportedException($"Reading initializers of element type {type} is not supported."),
            };
            // A damaged or edited shape (a dimension past an int, a product past a long or an array) is refused by name, not an OverflowException.
            if (entry.Dims.Any(d => d > int.MaxValue) || NeededBytes(entry.Dims, size) is not { } byteCount || byteCount / size > Array.MaxLength)
                throw OnnxExternalTable.Damaged(path, name, $"its shape [{string.Join(", ", entry.Dims)}] fits no array of its values");
            var shape = entry.Dims.Select(d => (int)d).ToArray();
            var element = type == TensorProto.Types.DataType.Float ? typeof(float) : typeof(long);
            if (entry.External != null)
            {
                external.Add((name, shape, OnnxExternalTable.Resolve(path, name, entry.External, byteCount), element));
                continue;
            }
            // Inline raw data lies within one protobuf message, under 2 GB, so one span of bytes holds it.
            if (byteCount != entry.Length)
                throw new InvalidDataException($"Initializer '{name}' of '{path}' of shape [{string.Join(", ", shape)}] holds {entry.Length} bytes instead of {byteCount}.");
            var values = OnnxElementTypes.New(element, byteCount / size);
            var bytes = OnnxElementTypes.Bytes(values, 0, values.Length);
            file.Position = entry.Offset;
            file.ReadExactly(bytes);
            if (!BitConverter.IsLittleEndian)
                for (int offset = 0; offset < bytes.Length; offset += (int)size) bytes.Slice(offset, (int)size).Reverse();
            result[name] = (shape, values);
        }
        foreach (var side in external.GroupBy(t => t.Table.SidePath))
        {
            var tables = side.ToList();
            var arrays = ReadExternal(side.Key, [.. tables.Select(t => (t.Table, t.Element))]);
            for (int i = 0; i < tables.Count; i++) result[tables[i].Name] = (tables[i].Shape, arrays[i]);
        }
        return result;
    }

    /// <summary>
    /// The tables kept in the side file <paramref name="sidePath"/>: when a verified opening records it, those the opening read
    /// already, or read in one pass that hashes the whole file (<see cref="OnnxVerifiedOpening.SideTables"/>), so that no
    /// swapped side file is read and a session given the same table holds the same array; else each from its place in the file.
    /// </summary>
    private static Array[] ReadExternal(string sidePath, IReadOnlyList<(OnnxExternalTable Table, Type Element)> tables)
    {
        if (OnnxVerifiedOpening.Current is { } opening && opening.Records(sidePath)) return opening.SideTables(sidePath, tables);
        var arrays = new Array[tables.Count];
        for (int i = 0; i < tables.Count; i++)
        {
            var (table, element) = tables[i];
            arrays[i] = OnnxElementTypes.New(element, table.Length / OnnxElementTypes.Size(element));
            table.ReadInto(arrays[i]);
        }
        return arrays;
    }

    /// <summary>
    /// Checks every table the model at <paramref name="path"/> keeps in ONNX external data against its side file (present, long
    /// enough, the reference inside it and the model's folder), reading no values: ONNX Runtime's own refusal names neither.
    /// </summary>
    /// <exception cref="InvalidDataException">A side file is missing or too short, or a reference is malformed or out of range.</exception>
    public static void CheckExternalData(string path)
    {
        using var file = OnnxVerifiedOpening.OpenRead(path);
        _ = ExternalTables(file, path);
    }

    /// <summary>
    /// The tables of the model <paramref name="model"/> (the bytes of the file <paramref name="path"/>, or a cut of them) kept in
    /// ONNX external data, each checked against its side file as <see cref="CheckExternalData"/> checks them: its name, ONNX
    /// element type, shape and place. None when the bytes are not a whole model (ONNX Runtime refuses it in its own words).
    /// </summary>
    /// <exception cref="InvalidDataException">A side file is missing or too short, or a reference is malformed or out of range.</exception>
    public static List<(string Name, int DataType, long[] Dims, OnnxExternalTable Table)> ExternalTables(byte[] model, string path)
    {
        using var file = new MemoryStream(model, writable: false);
        return ExternalTables(file, path);
    }

    private static List<(string Name, int DataType, long[] Dims, OnnxExternalTable Table)> ExternalTables(Stream file, string path)
    {
        Dictionary<string, Entry> tables;
        try
        {
            tables = Index(file, path, _ => true);
        }
        catch (InvalidDataException)
        {
            return []; // not a whole model: ONNX Runtime refuses it in its own words, which its callers name the file with
        }
        var external = new List<(string Name, int DataType, long[] Dims, OnnxExternalTable Table)>();
        foreach (var (name, entry) in tables)
        {
            if (entry.External == null) continue;
            long size = ElementBytes(entry.DataType);
            long? expected = null;
            if (size > 0 && entry.Dims.All(d => d >= 0))
                expected = NeededBytes(entry.Dims, size) ?? throw OnnxExternalTable.Damaged(path, name, $"its shape [{string.Join(", ", entry.Dims)}] needs more bytes than a file holds");
            external.Add((name, entry.DataType, entry.Dims, OnnxExternalTable.Resolve(path, name, entry.External, expected)));
        }
        return external;
    }

    /// <summary>The bytes of a tensor of shape <paramref name="dims"/> at <paramref name="size"/> bytes a value; null when a dimension is negative or the product passes a long.</summary>
    private static long? NeededBytes(long[] dims, long size)
    {
        long bytes = size;
        foreach (long d in dims)
        {
            if (d < 0 || (d > 0 && bytes > long.MaxValue / d)) return null;
            bytes *= d;
        }
        return bytes;
    }

    /// <summary>The bytes of one value of ONNX element type <paramref name="dataType"/>; 0 for types not stored by fixed size.</summary>
    private static long ElementBytes(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
        TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Uint64 => 8,
        TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Float16 => 2,
        TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
        _ => 0,
    };

    /// <summary>The initializers of the model <paramref name="file"/> whose names <paramref name="wanted"/> takes, by name, with where their data lies.</summary>
    private static Dictionary<string, Entry> Index(Stream file, string path, Func<string, bool> wanted)
    {
        var found = new Dictionary<string, Entry>();
        try
        {
            Walk(file, file.Length, (field, wire, end) =>
            {
                if (field != ModelGraph || wire != 2) return false;
                Walk(file, end, (graphField, graphWire, tensorEnd) =>
                {
                    if (graphField != GraphInitializer || graphWire != 2) return false;
                    var entry = Tensor(file, tensorEnd, out string name);
                    if (entry != null && wanted(name)) found[name] = entry;
                    file.Position = tensorEnd;
                    return true;
                });
                return true;
            });
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or OverflowException)
        {
            throw new InvalidDataException($"'{path}' is not a complete ONNX model: {e.Message}", e);
        }
        return found;
    }

    /// <summary>
    /// Visits the fields of the message that ends at <paramref name="end"/>: <paramref name="visit"/>(field, wire type,
    /// end of a length-delimited field) returns true when it consumed the field; anything else is skipped.
    /// </summary>
    private static void Walk(Stream file, long end, Func<int, int, long, bool> visit)
    {
        while (file.Position < end)
        {
            ulong tag = Varint(file);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            long fieldEnd = -1;
            if (wire == 2)
            {
                long length = checked((long)Varint(file)); // read before the position it is added to
                fieldEnd = checked(file.Position + length);
            }
            if (fieldEnd > end) throw new InvalidDataException("A protobuf field runs past the end of its message.");
            if (visit(field, wire, fieldEnd)) continue;
            Skip(file, wire, fieldEnd);
        }
    }

    /// <summary>Reads a TensorProto's dims, type and name, and where its data lies: raw data, or external data (null without either).</summary>
    private static Entry? Tensor(Stream file, long end, out string name)
    {
        var dims = new List<long>();
        int dataType = 0;
        long offset = -1, length = 0;
        string tensorName = "";
        var external = new List<(string Key, string Value)>();
        bool isExternal = false;
        Walk(file, end, (field, wire, fieldEnd) =>
        {
            switch (field)
            {
                case TensorDims when wire == 0:
                    dims.Add((long)Varint(file));
                    return true;
                case TensorDims when wire == 2:
                    while (file.Position < fieldEnd) dims.Add((long)Varint(file));
                    return true;
                case TensorDataType when wire == 0:
                    dataType = (int)Varint(file);
                    return true;
                case TensorName when wire == 2:
                    tensorName = Text(file, fieldEnd);
                    return true;
                case TensorExternalData when wire == 2:
                    external.Add(KeyValue(file, fieldEnd));
                    return true;
                case TensorDataLocation when wire == 0:
                    isExternal = Varint(file) == ExternalLocation;
                    return true;
                case TensorRawData when wire == 2:
                    offset = file.Position;
                    length = fieldEnd - offset;
                    file.Position = fieldEnd;
                    return true;
                default:
                    return false;
            }
        });
        name = tensorName;
        if (isExternal) return new Entry(dims.ToArray(), dataType, -1, 0, external);
        return offset < 0 ? null : new Entry(dims.ToArray(), dataType, offset, length, null);
    }

    /// <summary>A StringStringEntryProto (an external_data entry) ending at <paramref name="end"/>.</summary>
    private static (string Key, string Value) KeyValue(Stream file, long end)
    {
        string key = "", value = "";
        Walk(file, end, (field, wire, fieldEnd) =>
        {
            if (wire != 2) return false;
            if (field == EntryKey) key = Text(file, fieldEnd);
            else if (field == EntryValue) value = Text(file, fieldEnd);
            else return false;
            return true;
        });
        return (key, value);
    }

    private static string Text(Stream file, long end)
    {
        var text = new byte[end - file.Position];
        file.ReadExactly(text);
        return System.Text.Encoding.UTF8.GetString(text);
    }

    private static void Skip(Stream file, int wire, long fieldEnd)
    {
        switch (wire)
        {
            case 0: Varint(file); break;
            case 1: file.Position += 8; break;
            case 2: file.Position = fieldEnd; break;
            case 5: file.Position += 4; break;
            default: throw new InvalidDataException($"Unknown protobuf wire type {wire}.");
        }
    }

    private static ulong Varint(Stream file)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = file.ReadByte();
            if (b < 0) throw new EndOfStreamException("The file ends inside a protobuf varint.");
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("A protobuf varint is longer than 10 bytes.");
    }
}
