using System.Collections;
using System.Globalization;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The raw id of every key of a key column (index = key - 1), as text: the column's own text or numeric KeyValues (kept as
/// the annotation gave them; a name's string is made when asked for), names read from a saved model, or, for a column
/// without KeyValues, the key numbers "1".."N", made when asked for and never stored, so a <c>KeyType(10_000_000)</c>
/// column of few ids in use costs nothing per key. <see cref="IndexOf"/> finds a raw id's index (a dictionary of the
/// names, built on first use; none for the key numbers).
/// </summary>
internal sealed class KeyNameList : IReadOnlyList<string>
{
    private readonly string[]? _names;
    private readonly ReadOnlyMemory<char>[]? _text;
    private readonly NumericKeyValues? _numbers;
    private readonly Lazy<Dictionary<string, int>>? _indexOfName;
    private readonly KeyNameList? _head;   // with _tail: another list's names, then these
    private readonly string[]? _tail;

    private KeyNameList(int count, string[]? names, ReadOnlyMemory<char>[]? text, NumericKeyValues? numbers)
    {
        Count = count;
        _names = names;
        _text = text;
        _numbers = numbers;
        if (names != null || text != null || numbers != null) _indexOfName = new(FirstIndexOfEach);
    }

    /// <summary>The names <paramref name="names"/> (not copied).</summary>
    public KeyNameList(string[] names)
        : this(names.Length, names, null, null)
    {
    }

    /// <summary>
    /// <paramref name="head"/>'s names, then <paramref name="tail"/>'s (not copied): the keys of items folded in between two
    /// fits, after the model's. Nothing is made per key of <paramref name="head"/>, whose names (even the key numbers of a
    /// <c>KeyType(10_000_000)</c> column) are read through it.
    /// </summary>
    private KeyNameList(KeyNameList head, string[] tail)
    {
        Count = head.Count + tail.Length;
        _head = head;
        _tail = tail;
        _indexOfName = new(() =>
        {
            var map = new Dictionary<string, int>(tail.Length, StringComparer.Ordinal);
            for (int i = 0; i < tail.Length; i++) map.TryAdd(tail[i], head.Count + i);
            return map;
        });
    }

    /// <summary>These names, then <paramref name="names"/> (not copied): the list of keys with keys appended after every existing one.</summary>
    public KeyNameList WithAppended(string[] names) => new(this, names);

    /// <summary>"1", "2", ... "<paramref name="count"/>": the names of keys without KeyValues, and of cluster keys.</summary>
    public static KeyNameList Numbers(int count) => new(count, null, null, null);

    /// <summary>Text KeyValues as the annotation gave them (not copied; a name's string is made when read).</summary>
    public static KeyNameList OfText(ReadOnlyMemory<char>[] text) => new(text.Length, null, text, null);

    /// <summary>Numeric KeyValues, named by their invariant text (integers exactly; made when read).</summary>
    public static KeyNameList OfNumbers(NumericKeyValues numbers) => new(numbers.Count, null, null, numbers);

    /// <summary>Whether the names are the key numbers (nothing stored per key).</summary>
    public bool AreNumbers => _names == null && _text == null && _numbers == null && _head == null;

    /// <summary>
    /// How many keys are named by their numbers "1".."N" (the names of a column without KeyValues, also with the items a fold-in
    /// appended after them), or 0 when the column names its keys.
    /// </summary>
    public int KeyNumberCount => AreNumbers ? Count : _head?.KeyNumberCount ?? 0;

    public int Count { get; }

    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {Count} keys.");
            if (_head != null) return index < _head.Count ? _head[index] : _tail![index - _head.Count];
            if (_names != null) return _names[index];
            if (_text != null) return _text[index].ToString();
            if (_numbers != null) return _numbers.Name(index);
            return (index + 1).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The index (key - 1) of the first key named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        if (_head != null)
        {
            int first = _head.IndexOf(name);
            return first >= 0 ? first : _indexOfName!.Value.TryGetValue(name, out int appended) ? appended : -1;
        }
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

    /// <summary>
    /// The first index whose name differs in <paramref name="other"/>, or -1 when none does within both lists, or when either
    /// holds only the key numbers (a column without KeyValues: there are no ids to compare).
    /// </summary>
    public int FirstDifference(KeyNameList other)
    {
        if (AreNumbers || other.AreNumbers) return -1;
        int count = Math.Min(Count, other.Count);
        for (int i = 0; i < count; i++)
        {
            bool same = _text != null && other._text != null ? _text[i].Span.SequenceEqual(other._text[i].Span)
                : _numbers != null && other._numbers != null ? _numbers.SameAt(i, other._numbers)
                : string.Equals(this[i], other[i], StringComparison.Ordinal);
            if (!same) return i;
        }
        return -1;
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private Dictionary<string, int> FirstIndexOfEach()
    {
        var map = new Dictionary<string, int>(Count, StringComparer.Ordinal);
        for (int i = 0; i < Count; i++) map.TryAdd(this[i], i);
        return map;
    }
}
