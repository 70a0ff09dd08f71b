using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Candidate lists computed at Fit for every user with training edges, and the two output columns that
/// look them up by the row's user key: item keys (best first) and their scores. Lists shorter than M
/// (tiny catalogues) are padded with key 0 and a NaN score; a user without a list (no training edges, or
/// key 0) gets M padding entries. The item keys carry the item names captured at Fit as KeyValues.
/// </summary>
internal sealed class CandidateColumns
{
    private readonly int[] _queryOfUser;
    private readonly RankedLists _lists;
    private readonly int[] _itemRowOf;

    public CandidateColumns(int userCount, int[] users, RankedLists lists, int[] itemRowOf, string[] itemNames, string userColumn,
        string candidatesColumn, string scoresColumn, CandidateMethod method, double alpha, RetrievalSettings? settings = null)
    {
        Method = method;
        Alpha = alpha;
        Settings = settings ?? new RetrievalSettings();
        ItemNames = itemNames;
        _queryOfUser = Enumerable.Repeat(-1, userCount).ToArray();
        for (int q = 0; q < users.Length; q++) _queryOfUser[users[q]] = q;
        _lists = lists;
        _itemRowOf = itemRowOf;
        UserColumn = userColumn;
        CandidatesColumn = candidatesColumn;
        ScoresColumn = scoresColumn;
    }

    public int UserCount => _queryOfUser.Length;

    public int ItemCount => ItemNames.Length;

    /// <summary>How the lists were retrieved.</summary>
    public CandidateMethod Method { get; }

    /// <summary>The quota exponent of a cluster-quota retrieval; NaN for unimodal retrieval.</summary>
    public double Alpha { get; }

    /// <summary>The retrieval's other settings (quota query, beta, head share; MMR lambda and pool).</summary>
    public RetrievalSettings Settings { get; }

    /// <summary>The raw id of each item key (key - 1), as text: the KeyValues of the candidates column.</summary>
    public string[] ItemNames { get; }

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
    public AppendedColumn[] Make(DataViewSchema inputSchema)
    {
        var user = ColumnChecks.Key(inputSchema, UserColumn, "UserColumnName", out int users);
        ColumnChecks.SameCardinality(UserColumn, "UserColumnName", UserCount, users);
        var annotations = KeyValuesAnnotation.Of(ItemNames);
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
            if (q < 0) return (ReadOnlyMemory<uint>.Empty, ReadOnlyMemory<float>.Empty);
            var rows = _lists.IndicesOf(q);
            for (int r = 0; r < rows.Length; r++) keys[r] = (uint)_itemRowOf[rows[r]] + 1;
            return (keys.AsMemory(0, rows.Length), _lists.Scores.AsMemory(q * _lists.Capacity, _lists.Counts[q]));
        };
    }
}
