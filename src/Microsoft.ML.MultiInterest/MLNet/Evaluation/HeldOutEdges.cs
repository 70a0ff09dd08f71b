using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The held-out edges grouped by user: the test users (users with at least one held-out edge of a seen item) in ascending
/// key order, each with its held-out item rows (key - 1) sorted and distinct, as the engine's metrics expect; and what
/// cannot be retrieved: rows whose user or item key is missing (0: the value was unseen when the key mapping was
/// fitted, as after <c>TrainTestSplit</c>) and, after <see cref="Restrict"/>, users and items unseen in training.
/// </summary>
internal sealed class HeldOutEdges
{
    private HeldOutEdges(DataViewSchema.Column user, DataViewSchema.Column item, int userCount, int itemCount, int[] users, int[][] items,
        int[] unseenItems, int missedUsers, long unseenEdges)
    {
        UserColumn = user;
        ItemColumn = item;
        UserCount = userCount;
        ItemCount = itemCount;
        Users = users;
        Items = items;
        UnseenItems = unseenItems;
        MissedUsers = missedUsers;
        UnseenEdges = unseenEdges;
    }

    public DataViewSchema.Column UserColumn { get; }

    public DataViewSchema.Column ItemColumn { get; }

    public int UserCount { get; }

    public int ItemCount { get; }

    /// <summary>The test users' rows (key - 1), ascending.</summary>
    public int[] Users { get; }

    /// <summary>The held-out item rows of each of <see cref="Users"/>, ascending and distinct.</summary>
    public int[][] Items { get; }

    /// <summary>Per test user of <see cref="Users"/>: distinct held-out items unseen in training (misses).</summary>
    public int[] UnseenItems { get; }

    /// <summary>Test users not in <see cref="Users"/> because they, or all their held-out items, are unseen in training.</summary>
    public int MissedUsers { get; }

    /// <summary>Held-out rows whose user or item is unseen in training.</summary>
    public long UnseenEdges { get; }

    /// <summary>The user of test-user index <paramref name="q"/> for messages: its key and raw id.</summary>
    public string DescribeUser(int q) => KeyNames.Describe(UserColumn, UserCount, Users[q]);

    // Read's intermediate state: per user row, the seen item rows and the distinct unseen item names; unseen user names.
    private List<int>?[] _byUser = [];
    private HashSet<string>?[] _unseenByUser = [];
    private HashSet<string> _unseenUsers = [];

    /// <summary>
    /// Reads the User and Item key columns of <paramref name="heldOut"/>. A row with a missing key (0) is an edge of an
    /// unseen user or item; such users and items are told apart by the raw values MapValueToKey left in the hidden
    /// column of the same name, when there is one (else each row counts as its own user or item).
    /// </summary>
    public static HeldOutEdges Read(IDataView heldOut, MultiInterestEvaluatorOptions o)
    {
        var schema = heldOut.Schema;
        var user = ColumnChecks.Key(schema, o.UserColumnName, nameof(o.UserColumnName), out int userCount);
        var item = ColumnChecks.Key(schema, o.ItemColumnName, nameof(o.ItemColumnName), out int itemCount);
        var rawUser = RawIdColumn.HiddenBehind(schema, user);
        var rawItem = RawIdColumn.HiddenBehind(schema, item);
        var byUser = new List<int>?[userCount];
        var unseenByUser = new HashSet<string>?[userCount];
        var unseenUsers = new HashSet<string>(StringComparer.Ordinal);
        long unseenEdges = 0, rows = 0;
        var active = new List<DataViewSchema.Column> { user, item };
        if (rawUser != null) active.Add(rawUser.Value);
        if (rawItem != null) active.Add(rawItem.Value);
        using (var cursor = heldOut.GetRowCursor(active))
        {
            var getUser = cursor.GetGetter<uint>(user);
            var getItem = cursor.GetGetter<uint>(item);
            var getRawUser = RawIdColumn.Text(cursor, rawUser);
            var getRawItem = RawIdColumn.Text(cursor, rawItem);
            uint u = 0, i = 0;
            while (cursor.MoveNext())
            {
                rows++;
                getUser(ref u);
                getItem(ref i);
                if (u == 0)
                {
                    unseenEdges++;
                    unseenUsers.Add(getRawUser?.Invoke() ?? "row " + cursor.Position);
                    continue;
                }
                byUser[u - 1] ??= new List<int>();
                if (i == 0)
                {
                    unseenEdges++;
                    (unseenByUser[u - 1] ??= new HashSet<string>(StringComparer.Ordinal)).Add(getRawItem?.Invoke() ?? "row " + cursor.Position);
                    continue;
                }
                byUser[u - 1]!.Add((int)i - 1);
            }
        }
        if (rows == 0) throw new ArgumentException("The held-out edges have no rows: there is no test user to evaluate.", nameof(heldOut));
        var edges = new HeldOutEdges(user, item, userCount, itemCount, [], [], [], 0, unseenEdges)
        {
            _byUser = byUser,
            _unseenByUser = unseenByUser,
            _unseenUsers = unseenUsers,
        };
        return edges;
    }

    /// <summary>
    /// The test users and items seen in training: user rows for which <paramref name="seenUser"/> and item rows for which
    /// <paramref name="seenItem"/> hold; the others are counted (<see cref="UnseenItems"/>, <see cref="MissedUsers"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No held-out edge has a seen user and a seen item.</exception>
    public HeldOutEdges Restrict(Func<int, bool> seenUser, Func<int, bool> seenItem, MultiInterestEvaluatorOptions o)
    {
        var users = new List<int>();
        var items = new List<int[]>();
        var unseenItems = new List<int>();
        int missed = _unseenUsers.Count;
        long unseenEdges = UnseenEdges;
        for (int u = 0; u < UserCount; u++)
        {
            if (_byUser[u] is not { } list) continue;
            if (!seenUser(u))
            {
                missed++;
                unseenEdges += list.Count;
                continue;
            }
            var seen = list.Where(seenItem).Distinct().Order().ToArray();
            int unseen = (_unseenByUser[u]?.Count ?? 0) + list.Where(i => !seenItem(i)).Distinct().Count();
            unseenEdges += list.Count(i => !seenItem(i));
            if (seen.Length == 0)
            {
                missed++;
                continue;
            }
            users.Add(u);
            items.Add(seen);
            unseenItems.Add(unseen);
        }
        if (users.Count == 0)
            throw new ArgumentException($"None of the {UnseenEdges + _byUser.Sum(l => l?.Count ?? 0)} held-out edges has a user and an item seen in training "
                + $"(columns '{o.UserColumnName}' and '{o.ItemColumnName}'): there is nothing to evaluate. Key the held-out edges with the MapValueToKey "
                + "transformers fitted on the training edges, and hold out edges of users and items that occur in training.", "heldOut");
        return new HeldOutEdges(UserColumn, ItemColumn, UserCount, ItemCount, users.ToArray(), items.ToArray(), unseenItems.ToArray(), missed, unseenEdges);
    }
}
