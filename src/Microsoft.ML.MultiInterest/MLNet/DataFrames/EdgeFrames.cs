using System.Globalization;
using Microsoft.Data.Analysis;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.MultiInterest;

/// <summary>The helpers behind the catalog's DataFrame methods.</summary>
internal static class EdgeFrames
{
    /// <summary>The separator <see cref="ReadText"/> reads <paramref name="path"/> with: the one given, else by the name (under a .gz): .tsv and .txt tab, else comma.</summary>
    public static char SeparatorFor(string path, char? separator)
    {
        if (separator is { } given) return given;
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return name.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
    }

    /// <summary>
    /// A CSV/TSV with a header, every column read as text, each field exactly as written (ids stay ids: nothing trimmed,
    /// bytes that are not UTF-8 refused, as the CLI's readers do); the weight column, if named, as Single. A name ending in
    /// .gz is decompressed (and checked against its gzip trailer); the separator follows the name under the compression.
    /// Blank lines (white space only) are skipped; a tab-separated file whose header names are all quoted is read with
    /// quotes as a CSV's are; a line the reader cannot split, or longer than the header, is an
    /// <see cref="InvalidDataException"/> naming the file and the line.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="separator">The field separator, or null to choose by the name.</param>
    /// <param name="weightColumn">The weight column to parse, or null.</param>
    /// <param name="lines">The file line (from 1, the header's) each row of the frame starts on, for messages.</param>
    public static DataFrame ReadText(string path, char? separator, string? weightColumn, out int[] lines)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException(Directory.Exists(path) ? $"Edge file '{path}' is a folder: give the edge file itself." : $"Edge file '{path}' does not exist.", path);
        char sep = SeparatorFor(path, separator);
        using var reader = IO.TextTables.OpenRead(path);
        string header = IO.TextTables.ReadLine(reader, path, 1)?.TrimEnd('\r') ?? throw new InvalidDataException($"Edge file '{path}' is empty: a header line was expected.");
        string separatorName = sep == '\t' ? "tab" : $"'{sep}'";
        string Where(int line) => $"Edge file '{path}' could not be read as {separatorName}-separated text under the header '{header}': line {line}";
        // A tab-separated file whose header names are all quoted (R's write.table) is quoted throughout: read as RFC 4180 says.
        bool quoted = sep != '\t' || IO.DelimitedRows.AllQuoted(header, sep);
        var names = Names(IO.DelimitedRows.Split(header, sep, Where(1), quoted), path, header);
        var columns = names.Select(_ => new List<string>()).ToArray();
        var rowLines = new List<int>();
        int lineNumber = 1;
        for (string? line; (line = IO.TextTables.ReadLine(reader, path, lineNumber + 1)) != null;)
        {
            lineNumber++;
            int start = lineNumber;
            line = line.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue; // blank, spaces or tabs only: no edge, as an empty line
            // A quoted field may hold line breaks (RFC 4180; Excel writes a cell's Alt+Enter so): the record runs on while a
            // quoted field is open, and is named by the line it starts on.
            while (quoted && IO.DelimitedRows.EndsInsideQuotes(line, sep) && IO.TextTables.ReadLine(reader, path, lineNumber + 1) is { } next)
            {
                lineNumber++;
                line += "\n" + next.TrimEnd('\r');
            }
            var fields = IO.DelimitedRows.Split(line, sep, Where(start), quoted);
            if (IO.TextTables.ExtraFields(fields, names.Length) != null)
                throw new InvalidDataException($"{Where(start)} has {fields.Length} fields where the header names {names.Length}. {IO.TextTables.LongRowHint(fields.Length, names.Length)}");
            // A short line's missing fields are empty, and said as such by the caller (an empty id or relation, a missing weight).
            for (int c = 0; c < names.Length; c++) columns[c].Add(c < fields.Length ? fields[c] : "");
            rowLines.Add(start);
        }
        if (columns[0].Count == 0) throw new InvalidDataException($"Edge file '{path}' has a header ('{header}') but no data lines: there are no edges to read.");
        lines = [.. rowLines];
        var frame = new DataFrame(names.Select((n, c) => (DataFrameColumn)new StringDataFrameColumn(n, columns[c])));
        if (weightColumn != null && frame.Columns.IndexOf(weightColumn) is var index and >= 0)
        {
            var weights = ParseWeights((StringDataFrameColumn)frame.Columns[index], path, lines);
            frame.Columns.RemoveAt(index);
            frame.Columns.Insert(index, weights);
        }
        return frame;
    }

    /// <summary>
    /// The header's column names, trimmed; trailing empty ones (a separator ending the line) dropped, other empty ones named
    /// Column1, Column2, ... by their place (pandas' index column and R's row names have no name); repeats refused.
    /// </summary>
    private static string[] Names(string[] fields, string path, string header)
    {
        var names = fields.Select(n => n.Trim()).ToList();
        while (names.Count > 1 && names[^1].Length == 0) names.RemoveAt(names.Count - 1);
        for (int c = 0; c < names.Count; c++)
            if (names[c].Length == 0) names[c] = $"Column{c + 1}";
        for (int c = 0; c < names.Count; c++)
        {
            if (names.IndexOf(names[c]) < c)
                throw new InvalidDataException($"Edge file '{path}': the header '{header}' names the column '{names[c]}' twice.");
        }
        return [.. names];
    }

    /// <summary>
    /// A weight column read as text, parsed as the CLI's edge files are (a float in the invariant culture, no thousands
    /// separators, an exponent allowed); an empty field stays null, for the caller's message on missing weights.
    /// </summary>
    /// <exception cref="InvalidDataException">A field is not a positive finite number; the message names the file, the line and the text.</exception>
    private static SingleDataFrameColumn ParseWeights(StringDataFrameColumn text, string path, int[] lines)
    {
        var weights = new SingleDataFrameColumn(text.Name, text.Length);
        for (long row = 0; row < text.Length; row++)
        {
            string? field = text[row];
            if (string.IsNullOrWhiteSpace(field))
            {
                weights[row] = null;
                continue;
            }
            if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float weight))
                throw new InvalidDataException($"Edge file '{path}', line {lines[row]}: the '{text.Name}' field "
                    + $"'{field}' is not a number (a weight is written like 1, 0.5 or 2e3, with '.' for the decimal point and no thousands separator).");
            // As the CLI's edge files: a weight scales an edge's loss, so it is positive and finite (NaN, 1e39 or -3 would
            // otherwise be refused only later, by a trainer that cannot name the line).
            if (!float.IsFinite(weight) || weight <= 0)
                throw new InvalidDataException($"Edge file '{path}', line {lines[row]}: the '{text.Name}' field "
                    + $"'{field}' is not a positive finite number.");
            weights[row] = weight;
        }
        return weights;
    }

    /// <summary><paramref name="data"/> with every key column mapped to its values (or to UInt32 numbers without KeyValues).</summary>
    public static IDataView WithoutKeys(MLContext ml, IDataView data)
    {
        IEstimator<ITransformer>? chain = null;
        foreach (var column in data.Schema)
        {
            if (column.IsHidden) continue;
            var itemType = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
            if (itemType is not KeyDataViewType) continue;
            bool hasValues = column.Annotations.Schema.GetColumnOrNull("KeyValues") != null;
            IEstimator<ITransformer> step = hasValues
                ? ml.Transforms.Conversion.MapKeyToValue(column.Name, column.Name)
                : ml.Transforms.Conversion.ConvertType(column.Name, column.Name, DataKind.UInt32);
            chain = chain == null ? step : chain.Append(step);
        }
        return chain == null ? data : chain.Fit(data).Transform(data);
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with the user id, the key vector, the value vector and the key names, for the first row of
    /// each user. Every later row of the user must repeat both vectors (compared by fingerprint) unless a stage marked them as
    /// looked up by the user key (<see cref="PerKeyAnnotation"/>); a difference is refused naming <paramref name="parameter"/>,
    /// with <paramref name="hint"/> (the likely cause) when given. A row whose user key is missing (0: an id the key mapping
    /// never saw, served from its History column or the popular list) is a user of its own, named by the raw id
    /// MapValueToKey left hidden in the view (rows of one raw id compared as above), or, without it, each such row one user
    /// with an empty id.
    /// </summary>
    public static void FirstRowPerUser<TKey, TValue>(IDataView data, string userColumn, (string Name, string Option) keysColumn, (string Name, string Option) valuesColumn,
        Action<string, TKey[], TValue[], IReadOnlyList<string>> visit, string parameter, string? hint = null)
        where TKey : unmanaged where TValue : unmanaged
    {
        var schema = data.Schema;
        var user = ColumnChecks.Find(schema, userColumn, "userColumnName");
        var keys = ColumnChecks.Find(schema, keysColumn.Name, keysColumn.Option);
        var values = ColumnChecks.Find(schema, valuesColumn.Name, valuesColumn.Option);
        if (keys.Type is not VectorDataViewType { ItemType: KeyDataViewType keyType } keyVector)
            throw new ArgumentException($"The column '{keysColumn.Name}' (option {keysColumn.Option}) must be a vector of keys, not {keys.Type}.", keysColumn.Option);
        // The values are read beside the keys, entry by entry: one of another item type failed in ML.NET's getter ("holds
        // VBuffer`1 values, not VBuffer`1", naming no option), a shorter one past the end of its array.
        if (keyType.RawType != typeof(TKey) || !keyVector.IsKnownSize)
            throw ColumnChecks.Mismatch(keysColumn.Name, keysColumn.Option, $"a known-size vector of {typeof(TKey).Name} keys", keys.Type);
        if (values.Type is not VectorDataViewType { IsKnownSize: true } valueVector || valueVector.ItemType.RawType != typeof(TValue) || valueVector.Size != keyVector.Size)
            throw ColumnChecks.Mismatch(valuesColumn.Name, valuesColumn.Option,
                $"a vector of {keyVector.Size} {typeof(TValue).Name} values, one per entry of '{keysColumn.Name}' (option {keysColumn.Option})", values.Type);
        var names = KeyNames.Of(keys, checked((int)keyType.Count));
        bool keyed = user.Type is KeyDataViewType;
        var raw = keyed ? RawIdColumn.HiddenBehind(schema, user) : null;
        using var cursor = data.GetRowCursor(raw == null ? [user, keys, values] : [user, keys, values, raw.Value]);
        var getUser = IdColumnReader.Getter(cursor, user, "userColumnName");
        var getRaw = RawIdColumn.Text(cursor, raw);
        var getKeys = cursor.GetGetter<VBuffer<TKey>>(keys);
        var getValues = cursor.GetGetter<VBuffer<TValue>>(values);
        bool compareRows = !(PerKeyAnnotation.Holds(keys, user) && PerKeyAnnotation.Holds(values, user));
        // Each user's first row's fingerprint (only its presence when later rows are not compared); users with a missing key
        // by their raw id, always compared (the mark covers the keys, and they all share key 0).
        var firstRows = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstUnkeyed = new Dictionary<string, int>(StringComparer.Ordinal);
        VBuffer<TKey> k = default;
        VBuffer<TValue> v = default;
        var keyScratch = new TKey[((VectorDataViewType)keys.Type).Size];
        var valueScratch = new TValue[((VectorDataViewType)values.Type).Size];
        while (cursor.MoveNext())
        {
            string id = getUser();
            bool unkeyed = id.Length == 0;
            if (unkeyed && !keyed) continue;
            if (unkeyed) id = getRaw?.Invoke() ?? "";
            var table = unkeyed ? firstUnkeyed : firstRows;
            bool once = !(unkeyed && id.Length == 0);
            int first = 0;
            bool seen = once && table.TryGetValue(id, out first);
            if (seen && !compareRows && !unkeyed) continue;
            getKeys(ref k);
            getValues(ref v);
            // Densified into scratch that is kept (a later row is only compared, the first is handed to visit as its own copy).
            VectorRows.Copy(in k, keyScratch, keysColumn, "user", id, parameter);
            VectorRows.Copy(in v, valueScratch, valuesColumn, "user", id, parameter);
            int fingerprint = compareRows || unkeyed ? EntityRows.Fingerprint<TKey, TValue>(keyScratch, valueScratch) : 0;
            if (seen)
            {
                if (fingerprint != first)
                    throw new ArgumentException($"The columns '{keysColumn.Name}' (option {keysColumn.Option}) and '{valuesColumn.Name}' (option {valuesColumn.Option}) "
                        + $"give user '{id}' two lists (its first row and a later one differ): they must hold one list per user, the same on all of the user's rows."
                        + (hint == null ? "" : " " + hint), parameter);
                continue;
            }
            if (once) table.Add(id, fingerprint);
            visit(id, keyScratch.ToArray(), valueScratch.ToArray(), names);
        }
    }
}
