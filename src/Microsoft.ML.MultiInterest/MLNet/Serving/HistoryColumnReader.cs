using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads a row's fresh history: a vector (of any length, variable allowed) of item keys from the model's item key
/// mapping, or of raw item ids as text. Key 0, unknown ids and items that cannot be recommended are skipped;
/// the result is the distinct compact items, ascending.
/// </summary>
internal sealed class HistoryColumnReader
{
    private readonly ValueGetter<VBuffer<uint>>? _getKeys;
    private readonly ValueGetter<VBuffer<ReadOnlyMemory<char>>>? _getNames;
    private readonly Lazy<Dictionary<string, int>> _compactOfName;
    private readonly Func<int, int> _compactOf;
    private VBuffer<uint> _keys;
    private VBuffer<ReadOnlyMemory<char>> _names;

    public HistoryColumnReader(DataViewRow row, DataViewSchema.Column column, Lazy<Dictionary<string, int>> compactOfName, Func<int, int> compactOf)
    {
        _compactOfName = compactOfName;
        _compactOf = compactOf;
        if (column.Type is VectorDataViewType { ItemType: KeyDataViewType }) _getKeys = row.GetGetter<VBuffer<uint>>(column);
        else _getNames = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
    }

    /// <summary>
    /// The history column <paramref name="name"/> of <paramref name="schema"/>, or null when the schema has none. It must be a
    /// vector of keys of the model's item mapping (<paramref name="itemNames"/>: the same cardinality and, where both name
    /// their keys, the same ids) or a vector of text.
    /// </summary>
    /// <exception cref="ArgumentException">The column has another type, or its keys another mapping.</exception>
    public static DataViewSchema.Column? Find(DataViewSchema schema, string name, KeyNameList itemNames)
    {
        if (schema.GetColumnOrNull(name) is not { } column) return null;
        if (column.Type is VectorDataViewType { ItemType: KeyDataViewType key })
        {
            // Keys are read as UInt32 (MapValueToKey's); keys over Byte (a [KeyType] byte[] property) passed here and failed at
            // the first row in ML.NET's getter ("Invalid TValue ..."), naming no column.
            if (key.RawType != typeof(uint))
                throw new ArgumentException($"History column '{name}' (option HistoryColumnName) holds keys over {key.RawType.Name}, not UInt32: map the history with "
                    + "the item key mapping the model was fitted with (MapValueToKey makes UInt32 keys), or give raw item ids as text.", nameof(schema));
            if (key.Count != (ulong)itemNames.Count)
                throw new ArgumentException($"History column '{name}' (option HistoryColumnName) holds keys over {key.Count} values, the model's items {itemNames.Count}: "
                    + "map the history with the item key mapping the model was fitted with, or give raw item ids as text.", nameof(schema));
            // A mapping of the same size fitted on other data (or in another order) would read other items as the history.
            ColumnChecks.SameKeys(column, "HistoryColumnName", itemNames);
            return column;
        }
        if (column.Type is VectorDataViewType { ItemType: TextDataViewType }) return column;
        throw new ArgumentException($"History column '{name}' (option HistoryColumnName) must be a vector of item keys or of item ids (text), not {column.Type}.", nameof(schema));
    }

    public int[] Read()
    {
        var items = new List<int>();
        if (_getKeys != null)
        {
            _getKeys(ref _keys);
            foreach (uint key in _keys.DenseValues())
            {
                int j = key == 0 ? -1 : _compactOf((int)key - 1);
                if (j >= 0) items.Add(j);
            }
        }
        else
        {
            _getNames!(ref _names);
            // Looked up by the id's characters (the map is ordinal): no string per id of every request's history.
            var byChars = _compactOfName.Value.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var name in _names.DenseValues())
                if (byChars.TryGetValue(name.Span, out int j)) items.Add(j);
        }
        // Ascending and once each, as the set this was read into until 2026-12-07 gave them.
        items.Sort();
        int kept = 0;
        for (int i = 0; i < items.Count; i++)
            if (kept == 0 || items[i] != items[kept - 1]) items[kept++] = items[i];
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items)[..kept].ToArray();
    }
}
