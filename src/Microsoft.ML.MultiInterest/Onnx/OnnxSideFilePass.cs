using System.Buffers;
using System.Security.Cryptography;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Reads the tables of one side file (ONNX external data) in a single pass over the whole file that also hashes it, so the
/// values kept are bytes whose file matches a recorded SHA-256 (<see cref="OnnxVerifiedOpening"/>): a side file may pass
/// 2 GB, too large to keep as bytes beside its tables, and hashing it apart from the read would leave a moment to swap it.
/// </summary>
internal static class OnnxSideFilePass
{
    private const int BlockBytes = 1 << 20;

    /// <summary>
    /// Fills each table's values (an array of one of <see cref="OnnxElementTypes"/>' types, of exactly its <see cref="OnnxExternalTable.Length"/> bytes)
    /// from <paramref name="sidePath"/> and returns the lower-case hex SHA-256 of the whole file as read.
    /// </summary>
    /// <exception cref="InvalidDataException">The file ends inside a table.</exception>
    public static string Read(string sidePath, IReadOnlyList<(OnnxExternalTable Table, Array Values)> tables)
    {
        foreach (var (table, values) in tables)
        {
            if (values.LongLength * OnnxElementTypes.Size(values) != table.Length)
                throw new ArgumentException($"{table.Length} bytes are read into {values.LongLength} values of {OnnxElementTypes.Size(values)} bytes.", nameof(tables));
        }
        OnnxServedFiles.Hashing.Value?.Invoke(sidePath);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BlockBytes);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var side = new FileStream(sidePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            long position = 0;
            int read;
            while ((read = side.Read(buffer, 0, BlockBytes)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                foreach (var (table, values) in tables) CopyOverlap(buffer.AsSpan(0, read), position, table, values);
                position += read;
            }
            foreach (var (table, _) in tables)
            {
                if (table.Offset + table.Length > position)
                    throw new InvalidDataException($"The side file '{sidePath}' of the ONNX model '{table.ModelPath}' ended inside initializer '{table.TensorName}' "
                        + $"({table.Length:N0} bytes from offset {table.Offset:N0}): it was cut short while being read. Copy the model's folder whole again, or export it again.");
            }
            foreach (var (_, values) in tables) ToHostOrder(values);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies the part of <paramref name="block"/> (the file's bytes from <paramref name="position"/>) that lies in the table into its values.</summary>
    private static void CopyOverlap(ReadOnlySpan<byte> block, long position, OnnxExternalTable table, Array values)
    {
        long start = Math.Max(position, table.Offset), end = Math.Min(position + block.Length, table.Offset + table.Length);
        if (start >= end) return;
        int size = OnnxElementTypes.Size(values);
        // Bytes into the table; the span covers the elements touched, addressed by element so that a table past 2 GB works.
        long into = start - table.Offset, first = into / size;
        int skip = (int)(into % size), count = (int)(end - start);
        int elements = (skip + count + size - 1) / size;
        Span<byte> target = OnnxElementTypes.Bytes(values, first, elements);
        block.Slice((int)(start - position), count).CopyTo(target.Slice(skip, count));
    }

    /// <summary>The side file holds little-endian values; a big-endian host reverses each, a block of elements at a time.</summary>
    private static void ToHostOrder(Array values)
    {
        if (BitConverter.IsLittleEndian) return;
        int size = OnnxElementTypes.Size(values), block = BlockBytes / size;
        if (size == 1) return;
        for (long start = 0; start < values.LongLength; start += block)
        {
            int count = (int)Math.Min(block, values.LongLength - start);
            var bytes = OnnxElementTypes.Bytes(values, start, count);
            for (int offset = 0; offset < bytes.Length; offset += size) bytes.Slice(offset, size).Reverse();
        }
    }
}
