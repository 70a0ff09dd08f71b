namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A reusable per-thread mask of the items one user must not be recommended (its training items), set
/// and cleared in time proportional to the user's degree.
/// </summary>
internal sealed class ItemExclusion
{
    private readonly bool[] _mask;
    private int[] _set = [];
    private int _setCount;

    /// <summary>A mask over <paramref name="itemCount"/> items, none excluded.</summary>
    public ItemExclusion(int itemCount) => _mask = new bool[itemCount];

    /// <summary>
    /// A mask over <paramref name="itemCount"/> items that always excludes <paramref name="always"/> (rows that hold no item):
    /// every user's set is loaded over them and <see cref="Clear"/> keeps them, so they cost nothing per user.
    /// </summary>
    public ItemExclusion(int itemCount, ReadOnlySpan<int> always) : this(itemCount)
    {
        foreach (int item in always) _mask[item] = true;
    }

    public bool this[int item] => _mask[item];

    /// <summary>Excludes <paramref name="items"/>, replacing the previous user's set.</summary>
    public void Load(ReadOnlySpan<int> items)
    {
        Clear();
        if (_set.Length < items.Length) _set = new int[Math.Max(items.Length, 2 * _set.Length)];
        foreach (int item in items)
        {
            // Already excluded (always, or listed twice): recorded once, so Clear leaves the always-excluded items alone.
            if (_mask[item]) continue;
            _mask[item] = true;
            _set[_setCount++] = item;
        }
    }

    /// <summary>Marks one more item as excluded (already picked candidates).</summary>
    public void Add(int item)
    {
        if (_mask[item]) return;
        if (_setCount == _set.Length) Array.Resize(ref _set, Math.Max(8, 2 * _set.Length));
        _mask[item] = true;
        _set[_setCount++] = item;
    }

    public void Clear()
    {
        for (int j = 0; j < _setCount; j++) _mask[_set[j]] = false;
        _setCount = 0;
    }
}
