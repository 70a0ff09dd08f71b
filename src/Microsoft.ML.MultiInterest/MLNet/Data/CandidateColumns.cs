using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Candidate lists computed at Fit for every user with training edges, and the two output columns that
/// look them up by the row's user key: item keys (best first) and their scores. Lists shorter than M
/// (tiny catalogues) are padded with key 0 and a NaN score.
/// </summary>
internal sealed class CandidateColumns
{
    private readonly int[] _queryOfUser;
    private readonly RankedLists _lists;
    private readonly int[] _itemRowOf;

    public CandidateColumns(int userCount, int[] users, RankedLists lists, int[] itemRowOf, int itemCount, string userColumn,
        string candidatesColumn, string scoresColumn)
    {
        _queryOfUser = Enumerable.Repeat(-1, userCount).ToArray();
        for (int q = 0; q < users.Length; q++) _queryOfUser[users[q]] = q;
        _lists = lists;
        _itemRowOf = itemRowOf;
        ItemCount = itemCount;
        UserColumn = userColumn;
        CandidatesColumn = candidatesColumn;
        ScoresColumn = scoresColumn;
    }

    public int UserCount => _queryOfUser.Length;

    public int ItemCount { get; }

    public int Candidates => _lists.Capacity;

    public string UserColumn { get; }

    public string CandidatesColumn { get; }

    public string ScoresColumn { get; }

    /// <summary>The candidate item keys and scores of the user with key <paramref name="userKey"/>; empty if it had no edges.</summary>
    public (uint[] Items, float[] Scores) Get(uint userKey)
    {
        int q = userKey == 0 || userKey > UserCount ? -1 : _queryOfUser[userKey - 1];
        if (q < 0) return ([], []);
        var rows = _lists.IndicesOf(q);
        var keys = new uint[rows.Length];
        for (int r = 0; r < rows.Length; r++) keys[r] = (uint)_itemRowOf[rows[r]] + 1;
        return (keys, _lists.ScoresOf(q).ToArray());
    }

    /// <summary>Validates the input schema and declares the Candidates and CandidateScores columns.</summary>
    /// <param name="inputSchema">The input schema.</param>
    /// <param name="itemColumn">The item key column whose KeyValues annotation the candidates inherit, when present.</param>
    public AppendedColumn[] Make(DataViewSchema inputSchema, string itemColumn)
    {
        var user = ColumnChecks.Key(inputSchema, UserColumn, "UserColumnName", out int users);
        ColumnChecks.SameCardinality(UserColumn, "UserColumnName", UserCount, users);
        DataViewSchema.Annotations? annotations = null;
        var item = inputSchema.GetColumnOrNull(itemColumn);
        if (item is { Type: KeyDataViewType itemKey } && itemKey.Count == (ulong)ItemCount && item.Value.Annotations.Schema.GetColumnOrNull("KeyValues") != null)
        {
            // Inheriting the item names lets MapKeyToValue turn candidates back into raw ids.
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(item.Value.Annotations, name => name == "KeyValues");
            annotations = builder.ToAnnotations();
        }
        int m = Candidates;
        var keyType = new VectorDataViewType(new KeyDataViewType(typeof(uint), ItemCount), m);
        return
        [
            AppendedColumn.Create<VBuffer<uint>>(CandidatesColumn, keyType, [UserColumn], row =>
            {
                var lookup = Lookup(row, user);
                return (ref VBuffer<uint> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Clear();
                    lookup().Rows.Span.CopyTo(editor.Values);
                    value = editor.Commit();
                };
            }, annotations),
            AppendedColumn.Create<VBuffer<float>>(ScoresColumn, new VectorDataViewType(NumberDataViewType.Single, m), [UserColumn], row =>
            {
                var lookup = Lookup(row, user);
                return (ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Fill(float.NaN);
                    lookup().Scores.Span.CopyTo(editor.Values);
                    value = editor.Commit();
                };
            }),
        ];
    }

    /// <summary>A per-row lookup returning item keys (as a span over a per-getter buffer) and scores.</summary>
    private Func<(ReadOnlyMemory<uint> Rows, ReadOnlyMemory<float> Scores)> Lookup(DataViewRow row, DataViewSchema.Column user)
    {
        var getUser = row.GetGetter<uint>(user);
        uint key = 0;
        var keys = new uint[Candidates];
        return () =>
        {
            getUser(ref key);
            int q = key == 0 || key > UserCount ? -1 : _queryOfUser[key - 1];
            if (q < 0)
                throw new InvalidOperationException($"Row {row.Position}: user key {key} in column '{UserColumn}' has no candidates: "
                    + "candidates are computed at Fit for the users with training edges (key 0 means the user was unseen when the key mapping was fitted).");
            var rows = _lists.IndicesOf(q);
            for (int r = 0; r < rows.Length; r++) keys[r] = (uint)_itemRowOf[rows[r]] + 1;
            return (keys.AsMemory(0, rows.Length), _lists.Scores.AsMemory(q * _lists.Capacity, _lists.Counts[q]));
        };
    }
}
