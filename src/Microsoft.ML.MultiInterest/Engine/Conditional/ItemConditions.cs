namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The explicit interests ("conditions", e.g. topics or tags) of the items for conditional retrieval: each item belongs to
/// at most one condition (the simplest case: an item with several tags is given its main one), or to none
/// (<see cref="None"/>: such an item is never retrieved by a condition, only by implicit components or the fill). The
/// conditions may also be the item clusters (<see cref="FromClustering"/>), so no extra data is needed.
/// </summary>
public sealed class ItemConditions
{
    /// <summary>The condition of an item without one.</summary>
    public const int None = -1;

    private readonly int[] _conditionOf;
    private readonly int[] _offsets;
    private readonly int[] _members;
    private readonly string[] _names;

    private ItemConditions(int[] conditionOf, int count, string[] names)
    {
        _conditionOf = conditionOf;
        _names = names;
        Count = count;
        _offsets = new int[count + 1];
        foreach (int c in conditionOf)
            if (c != None) _offsets[c + 1]++;
        for (int c = 0; c < count; c++) _offsets[c + 1] += _offsets[c];
        _members = new int[_offsets[count]];
        var cursor = (int[])_offsets.Clone();
        for (int i = 0; i < conditionOf.Length; i++)
            if (conditionOf[i] != None) _members[cursor[conditionOf[i]]++] = i;
    }

    /// <summary>Number of conditions (some may have no item).</summary>
    public int Count { get; }

    /// <summary>Number of items.</summary>
    public int ItemCount => _conditionOf.Length;

    /// <summary>The condition of every item (<see cref="None"/> for an item without one).</summary>
    public ReadOnlySpan<int> Assignments => _conditionOf;

    /// <summary>The name of each condition (its topic or tag; "c0", "c1", ... when none was given).</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The condition of <paramref name="item"/>, or <see cref="None"/>.</summary>
    /// <param name="item">An item index, 0 to the item count - 1.</param>
    /// <returns>The condition index, or <see cref="None"/>.</returns>
    public int ConditionOf(int item) => _conditionOf[item];

    /// <summary>The items of <paramref name="condition"/>, ascending.</summary>
    /// <param name="condition">A condition index, 0 to the condition count - 1.</param>
    /// <returns>A view of the member item indices, no copy.</returns>
    public ReadOnlySpan<int> MembersOf(int condition) => _members.AsSpan(_offsets[condition], _offsets[condition + 1] - _offsets[condition]);

    /// <summary>Where <paramref name="condition"/>'s members start in the concatenation of all conditions' member lists.</summary>
    internal int MembersStart(int condition) => _offsets[condition];

    /// <summary>Number of items with a condition.</summary>
    internal int AssignedItems => _members.Length;

    /// <summary>The index of the condition called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No condition has that name.</exception>
    /// <param name="name">The condition's name, matched exactly; not null.</param>
    /// <returns>The condition index.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int at = Array.IndexOf(_names, name);
        if (at < 0) throw new ArgumentException($"Unknown condition '{name}': the items' conditions are {Preview(_names)}.", nameof(name));
        return at;
    }

    /// <summary>Conditions from a per-item assignment.</summary>
    /// <param name="conditionOfItem">The condition of every item, in 0..<paramref name="count"/>-1, or <see cref="None"/>.</param>
    /// <param name="count">Number of conditions.</param>
    /// <param name="names">Optional names, one per condition (distinct).</param>
    /// <returns>The conditions.</returns>
    public static ItemConditions Create(int[] conditionOfItem, int count, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(conditionOfItem);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "There must be at least one condition.");
        for (int i = 0; i < conditionOfItem.Length; i++)
        {
            int c = conditionOfItem[i];
            if (c != None && (uint)c >= (uint)count)
                throw new ArgumentOutOfRangeException(nameof(conditionOfItem), $"Item {i} has condition {c}, outside 0..{count - 1} (or {None} for none).");
        }
        string[] named;
        if (names == null)
        {
            named = Enumerable.Range(0, count).Select(c => "c" + c).ToArray();
        }
        else
        {
            if (names.Count != count) throw new ArgumentException($"There are {names.Count} condition names for {count} conditions.", nameof(names));
            named = names.ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in named)
                if (name == null || !seen.Add(name)) throw new ArgumentException($"Condition names must be distinct and not null ('{name}').", nameof(names));
        }
        return new ItemConditions((int[])conditionOfItem.Clone(), count, named);
    }

    /// <summary>The item clusters as conditions (no extra data needed): condition c = cluster c.</summary>
    /// <param name="clustering">The item clusters; not null.</param>
    /// <returns>Conditions with one condition per cluster, every clustered item in its cluster's.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="clustering"/> is null.</exception>
    public static ItemConditions FromClustering(ItemClustering clustering)
    {
        ArgumentNullException.ThrowIfNull(clustering);
        return Create(clustering.Assignments.ToArray(), clustering.ClusterCount);
    }

    /// <summary>
    /// Conditions from a per-edge condition (e.g. the tag of each engagement): each item takes the condition most of its
    /// edges carry (ties to the lower condition index); an item without a conditioned edge has <see cref="None"/>.
    /// </summary>
    /// <param name="itemCount">Number of items.</param>
    /// <param name="edgeItems">The item of each edge.</param>
    /// <param name="edgeConditions">The condition of each edge, in 0..<paramref name="count"/>-1, or <see cref="None"/>.</param>
    /// <param name="count">Number of conditions.</param>
    /// <param name="names">Optional names, one per condition.</param>
    /// <returns>The conditions.</returns>
    public static ItemConditions FromEdges(int itemCount, ReadOnlySpan<int> edgeItems, ReadOnlySpan<int> edgeConditions, int count, IReadOnlyList<string>? names = null)
    {
        if (edgeItems.Length != edgeConditions.Length)
            throw new ArgumentException($"There are {edgeConditions.Length} edge conditions for {edgeItems.Length} edges.", nameof(edgeConditions));
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "There must be at least one condition.");
        var votes = new Dictionary<long, int>();
        for (int e = 0; e < edgeItems.Length; e++)
        {
            int i = edgeItems[e], c = edgeConditions[e];
            if ((uint)i >= (uint)itemCount) throw new ArgumentOutOfRangeException(nameof(edgeItems), $"Edge {e} has item {i}, outside 0..{itemCount - 1}.");
            if (c == None) continue;
            if ((uint)c >= (uint)count) throw new ArgumentOutOfRangeException(nameof(edgeConditions), $"Edge {e} has condition {c}, outside 0..{count - 1} (or {None} for none).");
            long key = (long)i * count + c;
            votes[key] = votes.GetValueOrDefault(key) + 1;
        }
        var best = new int[itemCount];
        var bestVotes = new int[itemCount];
        Array.Fill(best, None);
        foreach (var (key, n) in votes)
        {
            int i = (int)(key / count), c = (int)(key % count);
            if (n > bestVotes[i] || (n == bestVotes[i] && c < best[i])) (best[i], bestVotes[i]) = (c, n);
        }
        return Create(best, count, names);
    }

    private static string Preview(string[] names) =>
        names.Length <= 8 ? string.Join(", ", names.Select(n => $"'{n}'")) : string.Join(", ", names.Take(8).Select(n => $"'{n}'")) + $", ... ({names.Length} in all)";
}
