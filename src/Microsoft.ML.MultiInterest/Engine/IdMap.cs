namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A bijection between raw string ids and dense row indices 0..Count-1, in first-seen order.
/// </summary>
public sealed class IdMap
{
    private readonly List<string> _ids = new();
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>Creates an empty map.</summary>
    public IdMap()
    {
    }

    /// <summary>Creates a map holding <paramref name="ids"/> in the given order.</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    /// <param name="ids">The ids, each once; index i is the i-th id.</param>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> or an id is null.</exception>
    public IdMap(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            if (_index.ContainsKey(id)) throw new ArgumentException($"The id '{id}' occurs more than once.", nameof(ids));
            GetOrAdd(id);
        }
    }

    /// <summary>Number of ids.</summary>
    public int Count => _ids.Count;

    /// <summary>The raw id of row <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a row of the map.</exception>
    public string this[int index] => (uint)index < (uint)_ids.Count
        ? _ids[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index,
            _ids.Count == 0 ? $"Row {index} is not in this map: it holds no ids." : $"Row {index} is not in this map of {_ids.Count} ids (rows 0..{_ids.Count - 1}).");

    /// <summary>All ids in row order.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>Returns the index of <paramref name="id"/>, adding it at the end when new.</summary>
    /// <param name="id">The id; not null.</param>
    /// <returns>The id's index (0-based).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public int GetOrAdd(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_index.TryGetValue(id, out int index)) return index;
        index = _ids.Count;
        _ids.Add(id);
        _index.Add(id, index);
        return index;
    }

    /// <summary>Looks up <paramref name="id"/>.</summary>
    /// <param name="id">The id; not null.</param>
    /// <param name="index">The id's index, or 0 when it is unknown.</param>
    /// <returns>True if the map holds the id.</returns>
    public bool TryGetIndex(string id, out int index) => _index.TryGetValue(id, out index);

    /// <summary>Returns the index of <paramref name="id"/> or throws a <see cref="KeyNotFoundException"/> naming <paramref name="what"/>.</summary>
    /// <param name="id">The id; not null.</param>
    /// <param name="what">What the id names ("user", "item"), for the message.</param>
    /// <returns>The id's index (0-based).</returns>
    /// <exception cref="KeyNotFoundException">The map does not hold the id.</exception>
    public int IndexOf(string id, string what)
    {
        if (_index.TryGetValue(id, out int index)) return index;
        throw new KeyNotFoundException($"Unknown {what} id '{id}': it is not in the fitted model.");
    }
}
