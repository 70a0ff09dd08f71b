using System.Collections;
using System.Globalization;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The raw id of every key of a key column (index = key - 1), as text: either the column's own KeyValues, or, for a
/// column without them, the key numbers "1".."N", which are produced when asked for and never stored, so a
/// <c>KeyType(10_000_000)</c> column of few ids in use costs nothing per key. <see cref="IndexOf"/> finds a raw id's
/// index without building a dictionary of the whole range for the numbers.
/// </summary>
internal sealed class KeyNameList : IReadOnlyList<string>
{
    private readonly string[]? _names;
    private readonly Lazy<Dictionary<string, int>>? _indexOfName;

    private KeyNameList(int count, string[]? names)
    {
        Count = count;
        _names = names;
        if (names != null) _indexOfName = new(() => FirstIndexOfEach(names));
    }

    /// <summary>The names <paramref name="names"/> (not copied).</summary>
    public KeyNameList(string[] names)
        : this(names.Length, names)
    {
    }

    /// <summary>"1", "2", ... "<paramref name="count"/>": the names of keys without KeyValues, and of cluster keys.</summary>
    public static KeyNameList Numbers(int count) => new(count, null);

    /// <summary>Whether the names are the key numbers (nothing stored per key).</summary>
    public bool AreNumbers => _names == null;

    public int Count { get; }

    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {Count} keys.");
            return _names?[index] ?? (index + 1).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The index (key - 1) of the first key named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        if (_indexOfName != null) return _indexOfName.Value.TryGetValue(name, out int index) ? index : -1;
        // Only the canonical text of a number names a key ("7", not "07" or "+7"), as with a table of the numbers.
        return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int key) && key >= 1 && key <= Count
            && key.ToString(CultureInfo.InvariantCulture) == name ? key - 1 : -1;
    }

    /// <summary>The names of the indices <paramref name="indices"/>, in that order.</summary>
    public string[] Select(IReadOnlyList<int> indices)
    {
        var names = new string[indices.Count];
        for (int j = 0; j < names.Length; j++) names[j] = this[indices[j]];
        return names;
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static Dictionary<string, int> FirstIndexOfEach(string[] names)
    {
        var map = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) map.TryAdd(names[i], i);
        return map;
    }
}
