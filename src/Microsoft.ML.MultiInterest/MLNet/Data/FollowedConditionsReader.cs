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
        var column = schema.GetColumnOrNull(followed.Name)
            ?? throw new ArgumentException($"Input column '{followed.Name}' (option {followed.Option}) was not found in the data.");
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType key } || key.RawType != typeof(uint))
            throw new ArgumentException($"Input column '{followed.Name}' (option {followed.Option}) must be a vector of UInt32 keys (the conditions a user follows), not {column.Type}.");
        if (key.Count != (ulong)conditions.Count)
            throw new ArgumentException($"Input column '{followed.Name}' (option {followed.Option}) is a key over {key.Count} values, but the condition column "
                + $"'{conditions.Name}' over {conditions.Count}: map both with the same topic vocabulary (MapValueToKey with the same keyData).");
        var result = new Dictionary<int, int[]>();
        // Each user's first row's fingerprint, to compare its later rows with.
        var firstRows = new Dictionary<int, int>();
        var raw = Array.Empty<uint>();
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
            if (keys.Length != raw.Length) raw = new uint[keys.Length];
            keys.CopyTo(raw);
            int fingerprint = EntityRows.Fingerprint<uint, uint>(raw, []);
            if (firstRows.TryGetValue((int)userKey - 1, out int first))
            {
                if (first != fingerprint)
                    throw EntityRows.Differ(followed, "user", userKey, "its first row's condition keys differ from a later row's", "list of followed conditions");
                continue;
            }
            firstRows[(int)userKey - 1] = fingerprint;
            var list = keys.DenseValues().Where(k => k != 0).Select(k => (int)k - 1).Distinct().ToArray();
            if (list.Length > 0) result[(int)userKey - 1] = list;
        }
        return result;
    }
}
