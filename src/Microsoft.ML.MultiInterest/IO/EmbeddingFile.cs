using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.IO;

/// <summary>An embedding table with the raw id of every row.</summary>
/// <param name="Ids">Row ids, in file order.</param>
/// <param name="Vectors">One row per id.</param>
public sealed record IdentifiedEmbeddings(IdMap Ids, EmbeddingMatrix Vectors);

/// <summary>
/// Reads and writes embeddings as TSV: header <c>id&lt;TAB&gt;v0&lt;TAB&gt;v1...</c>, one row per entity.
/// Values are written in round-trip form, so a file read back is bit-identical.
/// </summary>
public static class EmbeddingFile
{
    /// <summary>Reads an embedding file; the row order of the file is the row order of the table.</summary>
    /// <exception cref="InvalidDataException">Bad header, ragged rows, unparsable or non-finite values, a vector too long to take (<see cref="ScorableLength"/>), duplicate ids; the message names the file and line.</exception>
    /// <param name="path">A tab-separated file of an id and the vector's values per line, under a header (a .gz name is decompressed).</param>
    /// <returns>The ids and their vectors.</returns>
    public static IdentifiedEmbeddings Read(string path)
    {
        using var reader = TextTables.OpenRead(path);
        var header = TextTables.ReadHeader(reader, path, "id");
        int dim = header.Length - 1;
        if (dim < 1) throw new InvalidDataException($"The file '{path}' has no vector columns: the header must be 'id<TAB>v0<TAB>v1...'.");
        var ids = new IdMap();
        var values = new List<float>();
        foreach (var (lineNumber, line, parts) in TextTables.DataRows(reader, path))
        {
            if (parts.Length != dim + 1)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected {dim + 1} columns (id and {dim} values) but found {parts.Length}.");
            if (ids.TryGetIndex(parts[0], out _)) throw new InvalidDataException($"{path}, line {lineNumber}: the id '{parts[0]}' occurs twice.");
            ids.GetOrAdd(parts[0]);
            for (int d = 1; d <= dim; d++)
            {
                if (!float.TryParse(parts[d], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new InvalidDataException($"{path}, line {lineNumber}, column {d + 1}: '{parts[d]}' is not a finite number.");
                values.Add(v);
            }
            if (ScorableLength.TooLong(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values)[^dim..], out double squares))
                throw new InvalidDataException($"{path}, line {lineNumber}: the id '{parts[0]}' has {ScorableLength.Describe(squares)}.");
        }
        if (ids.Count == 0) throw new InvalidDataException($"The file '{path}' has a header but no rows.");
        return new IdentifiedEmbeddings(ids, new EmbeddingMatrix(ids.Count, dim, values.ToArray()));
    }

    /// <summary>Writes <paramref name="vectors"/> with the ids of <paramref name="ids"/> (same row order).</summary>
    /// <exception cref="ArgumentException">A value is not finite, a vector is too long to take, or an id is empty or holds a TAB or a line break (<see cref="TabSeparatedId"/>): Read would refuse the file or read other ids.</exception>
    /// <param name="path">The file to write (created or overwritten).</param>
    /// <param name="ids">The id of each row of <paramref name="vectors"/>.</param>
    /// <param name="vectors">The vectors, one row per id.</param>
    public static void Write(string path, IdMap ids, EmbeddingMatrix vectors)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(vectors);
        if (ids.Count != vectors.Rows) throw new ArgumentException($"There are {ids.Count} ids for {vectors.Rows} rows.", nameof(ids));
        // Refused before the file is opened: Read refuses what it could not read back (a NaN, an id that breaks the line).
        vectors.ThrowIfNotFinite("vectors");
        for (int r = 0; r < ids.Count; r++)
        {
            TextTables.RequireWritableId(path, "id", ids[r], $"of row {r}", nameof(ids));
            if (ScorableLength.TooLong(vectors.ReadRow(r), out double squares)) throw new ArgumentException($"The vectors hold {ScorableLength.Describe(squares)}, in row {r} ('{ids[r]}').", nameof(vectors));
        }
        using var writer = TextTables.OpenWrite(path);
        writer.Write("id");
        for (int d = 0; d < vectors.Dimension; d++) writer.Write($"\tv{d}");
        writer.WriteLine();
        // Millions of values: each is formatted in place (round-trip, "R"), not through a string of its own.
        Span<char> number = stackalloc char[32];
        for (int r = 0; r < vectors.Rows; r++)
        {
            writer.Write(ids[r]);
            foreach (float v in vectors.ReadRow(r))
            {
                writer.Write('\t');
                v.TryFormat(number, out int written, "R", CultureInfo.InvariantCulture);
                writer.Write(number[..written]);
            }
            writer.WriteLine();
        }
    }
}
