using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads the conditions each user follows (explicit topics it chose, whether or not its history has them) from a vector of
/// condition keys on the edge rows: the first row of each user (every later row must repeat it), keys 0 ignored, repeats kept once; a user whose vector holds
/// no key follows nothing (its history's conditions serve it).
/// </summary>
internal static class FollowedConditionsReader
{
    /// <summary>The followed conditions (key - 1, in the order given) by user row, for the users that follow any.</summary>
    /// <exception cref="ArgumentException">The column is missing, not a vector of UInt32 keys, or over another key type than the conditions'.</exception>
    public static Dictionary<int, int[]> Read(IDataView data, (string Name, string Option) user, (string Name, string Option) followed,
        (string Name, int Count) conditions)
    {
        var schema = data.Schema;
        var userColumn = ColumnChecks.Key(schema, user.Name, user.Option, out int userCount);
        var column = ColumnChecks.Find(schema, followed.Name, followed.Option);
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType key } || key.RawType != typeof(uint))
            throw new ArgumentException($"Input column '{followed.Name}' (option {followed.Option}) must be a vector of UInt32 keys (the conditions a user follows), not {column.Type}.");
        if (key.Count != (ulong)conditions.Count)
            throw new ArgumentException($"Input column '{followed.Name}' (option {followed.Option}) is a key over {key.Count} values, but the condition column "
                + $"'{conditions.Name}' over {conditions.Count}: map both with the same topic vocabulary (MapValueToKey with the same keyData).");
        var result = new Dictionary<int, int[]>();
        // Each user's first row's set of conditions, to compare its later rows with (as a set: order, repeats and key 0 do not count).
        var firstRows = new Dictionary<int, int[]>();
        var buffer = Array.Empty<uint>();
        using var cursor = data.GetRowCursor([userColumn, column]);
        var getUser = cursor.GetGetter<uint>(userColumn);
        var getFollowed = cursor.GetGetter<VBuffer<uint>>(column);
        uint userKey = 0;
        VBuffer<uint> keys = default;
        while (cursor.MoveNext())
        {
            getUser(ref userKey);
            if (userKey == 0) continue;
            getFollowed(ref keys);
            if (buffer.Length < keys.Length) buffer = new uint[Math.Max(keys.Length, 2 * buffer.Length)];
            var set = AsSet(keys, buffer);
            int u = (int)userKey - 1;
            if (firstRows.TryGetValue(u, out var first))
            {
                if (!SameSet(first, set))
                    throw EntityRows.Differ(followed, "user", (userColumn, userCount, u), "its first row follows other conditions than a later row", "list of followed conditions");
                continue;
            }
            var list = FirstSeen(keys);
            firstRows[u] = [.. set.ToArray().Select(k => (int)k - 1)];
            if (list.Length > 0) result[u] = list;
        }
        return result;
    }

    /// <summary>The row's non-missing keys (row - 1 not applied), sorted and distinct, in <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<uint> AsSet(in VBuffer<uint> keys, uint[] buffer)
    {
        // Densified into the buffer, then the missing keys squeezed out in place: no enumerator per row.
        keys.CopyTo(buffer);
        int n = 0;
        for (int j = 0; j < keys.Length; j++) if (buffer[j] != 0) buffer[n++] = buffer[j];
        var span = buffer.AsSpan(0, n);
        span.Sort();
        int distinct = 0;
        for (int j = 0; j < n; j++) if (distinct == 0 || span[j] != span[distinct - 1]) span[distinct++] = span[j];
        return span[..distinct];
    }

    private static bool SameSet(int[] first, ReadOnlySpan<uint> set)
    {
        if (first.Length != set.Length) return false;
        for (int j = 0; j < set.Length; j++) if (first[j] != (int)set[j] - 1) return false;
        return true;
    }

    /// <summary>The followed conditions (key - 1) in the order given, key 0 ignored, repeats kept once.</summary>
    private static int[] FirstSeen(in VBuffer<uint> keys) => keys.DenseValues().Where(k => k != 0).Select(k => (int)k - 1).Distinct().ToArray();
}
