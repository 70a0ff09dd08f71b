using System.Runtime.CompilerServices;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The three output columns of a fitted retrieval stage, computed for the rows they are given: item keys (best first),
/// scores and the list's <see cref="CandidateSource"/>. A row whose user is trained and whose history column (if any) is
/// empty gets the list computed at Fit (the same engine code, kept as a cache); any other row is retrieved live by
/// <see cref="LiveRetriever"/>: fresh history excluded (and used to build a cold user's representation), the popular
/// fallback for a user with neither. Lists shorter than M (tiny catalogues) are padded with key 0 and a NaN score.
/// The item keys carry the item names captured at Fit as KeyValues.
/// </summary>
internal sealed class CandidateColumns
{
    private readonly int[] _users;
    private readonly RankedLists _lists;
    private readonly ConditionalWeakTable<DataViewRow, RowList> _rowLists = new();
    private readonly Lazy<Dictionary<string, int>> _compactOfName;
    private readonly Lazy<string> _stageId;

    public CandidateColumns(LiveRetriever live, int[] users, RankedLists lists, string userColumn, string historyColumn,
        string candidatesColumn, string scoresColumn, string sourceColumn)
    {
        Live = live;
        // The users with a fitted list, ascending: looked up by binary search, so the cost follows them, not the key range.
        _users = users;
        _lists = lists;
        UserColumn = userColumn;
        HistoryColumn = historyColumn;
        CandidatesColumn = candidatesColumn;
        ScoresColumn = scoresColumn;
        SourceColumn = sourceColumn;
        _stageId = new(() => CandidateStageId.Of(Method, Settings, Alpha, Candidates, _users, _lists));
        _compactOfName = new(() =>
        {
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            var rowOf = live.Tables.ItemRowOf;
            for (int j = 0; j < rowOf.Length; j++) map.TryAdd(live.Tables.ItemNames[rowOf[j]], j);
            return map;
        });
    }

    public LiveRetriever Live { get; }

    /// <summary>The user rows with a list computed at Fit (the trained users), ascending.</summary>
    public IReadOnlyList<int> FittedUsers => _users;

    public int UserCount => Live.Tables.UserCount;

    public int ItemCount => ItemNames.Count;

    public CandidateMethod Method => Live.Tables.Method;

    public double Alpha => Live.Tables.Alpha;

    public RetrievalSettings Settings => Live.Settings;

    public KeyNameList ItemNames => Live.Tables.ItemNames;

    public int Candidates => Live.Tables.Candidates;

    public string UserColumn { get; }

    public string HistoryColumn { get; }

    public string CandidatesColumn { get; }

    public string ScoresColumn { get; }

    public string SourceColumn { get; }

    /// <summary>The stage's fingerprint (<see cref="CandidateStageId"/>), annotated on the Candidates column and saved with the stage.</summary>
    public string StageId => _stageId.Value;

    /// <summary>The list of user row <paramref name="user"/> (-1 = unknown) with fresh history <paramref name="fresh"/> (compact items).</summary>
    public LiveList ListOf(int user, ReadOnlySpan<int> fresh)
    {
        int q = (uint)user < (uint)UserCount ? Array.BinarySearch(_users, user) : -1;
        if (q < 0 || !fresh.IsEmpty) return Live.Retrieve(user, fresh, Live.Tables.ListLength);
        return new LiveList(_lists.IndicesOf(q).ToArray(), _lists.ScoresOf(q).ToArray(), CandidateSource.Trained);
    }

    /// <summary>The candidate item keys, scores and source of the user with key <paramref name="userKey"/> (0 = unknown), without fresh history.</summary>
    public (uint[] Items, float[] Scores, CandidateSource Source) Get(uint userKey)
    {
        var list = ListOf(UserRowOf(userKey, UserCount, nameof(userKey)), []);
        return (KeysOf(list.Items), list.Scores, list.Source);
    }

    /// <summary>
    /// The user row of <paramref name="userKey"/> (key - 1; -1 for key 0, the missing key), refusing a key past the
    /// <paramref name="userCount"/> fitted users, which no key column of the fitted cardinality can hold: it comes from
    /// another key mapping, and serving it the popular list would hide the mistake.
    /// </summary>
    public static int UserRowOf(uint userKey, int userCount, string paramName)
    {
        if (userKey > (uint)userCount)
            throw new ArgumentOutOfRangeException(paramName, userKey, $"User key {userKey} is past the {userCount} user keys the stage was fitted on "
                + "(keys are 1-based; 0 is the missing key, served the popular list): map user ids with the MapValueToKey transformer "
                + "fitted with the model, or find a user's key in UserIds.");
        return (int)userKey - 1;
    }

    /// <summary>Item keys of compact items.</summary>
    public uint[] KeysOf(int[] items)
    {
        var rowOf = Live.Tables.ItemRowOf;
        var keys = new uint[items.Length];
        for (int r = 0; r < items.Length; r++) keys[r] = (uint)rowOf[items[r]] + 1;
        return keys;
    }

    /// <summary>Validates the input schema and declares the Candidates, CandidateScores and CandidateSource columns.</summary>
    public AppendedColumn[] Make(DataViewSchema inputSchema)
    {
        var user = ColumnChecks.Key(inputSchema, UserColumn, "UserColumnName", out int users);
        ColumnChecks.SameCardinality(UserColumn, "UserColumnName", UserCount, users);
        ColumnChecks.SameKeys(user, "UserColumnName", Live.Tables.UserNames);
        var history = HistoryColumnReader.Find(inputSchema, HistoryColumn, ItemNames);
        string[] inputs = history == null ? [UserColumn] : [UserColumn, HistoryColumn];
        // Without a history column a row's list follows its user key alone: marked so the evaluator reads each user once.
        DataViewSchema.Annotations? PerUser(DataViewSchema.Annotations? others = null) => history == null ? PerKeyAnnotation.With(user, others) : others;
        var annotations = PerUser(KeyValuesAnnotation.Of(ItemNames, StageId));
        int m = Candidates;
        var keyType = new VectorDataViewType(new KeyDataViewType(typeof(uint), ItemCount), m);
        return
        [
            AppendedColumn.Create<VBuffer<uint>>(CandidatesColumn, keyType, inputs, row =>
            {
                var lookup = Lookup(row, user, history);
                return (ref VBuffer<uint> value) =>
                {
                    var list = lookup();
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Clear();
                    var rowOf = Live.Tables.ItemRowOf;
                    for (int r = 0; r < list.Items.Length; r++) editor.Values[r] = (uint)rowOf[list.Items[r]] + 1;
                    value = editor.Commit();
                };
            }, annotations),
            AppendedColumn.Create<VBuffer<float>>(ScoresColumn, new VectorDataViewType(NumberDataViewType.Single, m), inputs, row =>
            {
                var lookup = Lookup(row, user, history);
                return (ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Fill(float.NaN);
                    lookup().Scores.CopyTo(editor.Values);
                    value = editor.Commit();
                };
            }, PerUser()),
            AppendedColumn.Create<ReadOnlyMemory<char>>(SourceColumn, TextDataViewType.Instance, inputs, row =>
            {
                var lookup = Lookup(row, user, history);
                return (ref ReadOnlyMemory<char> value) => value = lookup().Source.ToString().AsMemory();
            }, PerUser()),
        ];
    }

    /// <summary>
    /// A per-row lookup shared by the three getters of one cursor, so a row costs one retrieval however many of the
    /// columns are read: the last list is kept with the user key and history it was computed for (equal inputs give
    /// equal lists, so the cache needs no row position, which prediction engines do not advance).
    /// </summary>
    private Func<LiveList> Lookup(DataViewRow row, DataViewSchema.Column user, DataViewSchema.Column? history)
    {
        var getUser = row.GetGetter<uint>(user);
        var readHistory = history == null ? null : new HistoryColumnReader(row, history.Value, _compactOfName, Live.Tables.CompactOf);
        var cache = _rowLists.GetValue(row, _ => new RowList());
        uint key = 0;
        return () =>
        {
            getUser(ref key);
            int[] fresh = readHistory == null ? [] : readHistory.Read();
            if (cache.List is { } cached && cache.Key == key && cache.Fresh.AsSpan().SequenceEqual(fresh)) return cached;
            var list = ListOf((int)key - 1, fresh);
            cache.Key = key;
            cache.Fresh = fresh;
            cache.List = list;
            return list;
        };
    }

    /// <summary>The list last computed on one cursor row, with its inputs.</summary>
    private sealed class RowList
    {
        public uint Key;
        public int[] Fresh = [];
        public LiveList? List;
    }
}
