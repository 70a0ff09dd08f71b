namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The held-out edges grouped by user: the test users (users with at least one held-out edge) in ascending
/// key order, each with its held-out item rows (key - 1) sorted and distinct, as the engine's metrics expect.
/// </summary>
internal sealed class HeldOutEdges
{
    private HeldOutEdges(DataViewSchema.Column user, DataViewSchema.Column item, int userCount, int itemCount, int[] users, int[][] items)
    {
        UserColumn = user;
        ItemColumn = item;
        UserCount = userCount;
        ItemCount = itemCount;
        Users = users;
        Items = items;
    }

    public DataViewSchema.Column UserColumn { get; }

    public DataViewSchema.Column ItemColumn { get; }

    public int UserCount { get; }

    public int ItemCount { get; }

    /// <summary>The test users' rows (key - 1), ascending.</summary>
    public int[] Users { get; }

    /// <summary>The held-out item rows of each of <see cref="Users"/>, ascending and distinct.</summary>
    public int[][] Items { get; }

    /// <summary>The user of test-user index <paramref name="q"/> for messages: its key and raw id.</summary>
    public string DescribeUser(int q) => KeyNames.Describe(UserColumn, UserCount, Users[q]);

    /// <summary>Reads the User and Item key columns of <paramref name="heldOut"/>; a missing key (0) throws.</summary>
    public static HeldOutEdges Read(IDataView heldOut, MultiInterestEvaluatorOptions o)
    {
        var schema = heldOut.Schema;
        var user = ColumnChecks.Key(schema, o.UserColumnName, nameof(o.UserColumnName), out int userCount);
        var item = ColumnChecks.Key(schema, o.ItemColumnName, nameof(o.ItemColumnName), out int itemCount);
        var byUser = new List<int>?[userCount];
        using (var cursor = heldOut.GetRowCursor([user, item]))
        {
            var getUser = cursor.GetGetter<uint>(user);
            var getItem = cursor.GetGetter<uint>(item);
            uint u = 0, i = 0;
            while (cursor.MoveNext())
            {
                getUser(ref u);
                getItem(ref i);
                if (u == 0) throw MissingKey(cursor.Position, o.UserColumnName, nameof(o.UserColumnName));
                if (i == 0) throw MissingKey(cursor.Position, o.ItemColumnName, nameof(o.ItemColumnName));
                (byUser[u - 1] ??= new List<int>()).Add((int)i - 1);
            }
        }

        var users = new List<int>();
        var items = new List<int[]>();
        for (int u = 0; u < userCount; u++)
        {
            if (byUser[u] is not { } list) continue;
            users.Add(u);
            items.Add(list.Distinct().Order().ToArray());
        }
        if (users.Count == 0) throw new ArgumentException("The held-out edges have no rows: there is no test user to evaluate.", nameof(heldOut));
        return new HeldOutEdges(user, item, userCount, itemCount, users.ToArray(), items.ToArray());
    }

    private static ArgumentException MissingKey(long row, string column, string option) =>
        new($"Row {row} of the held-out edges has the missing key (0) in column '{column}' (option {option}): its value was unseen when the key "
            + "mapping was fitted on the training edges. Drop such rows before evaluating (the protocol's split moves a held-out edge whose item "
            + "is not in training back to training, and a user without training edges cannot be retrieved for).", "heldOut");
}
