using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The candidate lists of a retrieval stage read back from a saved model (see <see cref="MultiInterestModel"/>).</summary>
public sealed class SavedCandidates
{
    private readonly (uint[] ItemKeys, float[] Scores)[] _lists;
    private readonly int[]? _userRows;


    internal SavedCandidates(string userColumn, string candidatesColumn, string scoresColumn, int candidates, KeyNameList itemIds,
        int userCount, int[]? userRows, (uint[] ItemKeys, float[] Scores)[] lists, CandidateMethod method, double alpha, RetrievalSettings? settings = null)
    {
        UserCount = userCount;
        _userRows = userRows;
        Settings = settings ?? new RetrievalSettings();
        Method = method;
        Alpha = alpha;
        UserColumnName = userColumn;
        CandidatesColumnName = candidatesColumn;
        CandidateScoresColumnName = scoresColumn;
        Candidates = candidates;
        ItemNames = itemIds;
        _lists = lists;
    }

    /// <summary>The user key column the stage reads.</summary>
    public string UserColumnName { get; }

    /// <summary>The candidate key column the stage appends.</summary>
    public string CandidatesColumnName { get; }

    /// <summary>The candidate score column the stage appends.</summary>
    public string CandidateScoresColumnName { get; }

    /// <summary>How the lists were retrieved.</summary>
    public CandidateMethod Method { get; }

    /// <summary>The quota exponent of a cluster-quota retrieval; NaN for the other methods.</summary>
    public double Alpha { get; }

    /// <summary>The stage's other retrieval settings (quota query, beta, head share; MMR lambda and pool).</summary>
    public RetrievalSettings Settings { get; }

    /// <summary>M, the length of every list.</summary>
    public int Candidates { get; }

    /// <summary>The cardinality of the user keys.</summary>
    public int UserCount { get; }

    /// <summary>The raw id of each item key (key - 1).</summary>
    public IReadOnlyList<string> ItemIds => ItemNames;

    internal KeyNameList ItemNames { get; }

    /// <summary>The training history and serving items saved with the stage; null for models saved before they were.</summary>
    internal SavedServingTables? Serving { get; set; }

    /// <summary>The soft k-means settings of a round-robin stage over a differentiable-clustering model; null otherwise.</summary>
    internal DcmClustering? Dcm { get; set; }

    /// <summary>The divide-and-conquer encoder's tables over the serving items of a stage that reads histories by it; null otherwise.</summary>
    internal HistoryEncoderTables? Encoder { get; set; }

    /// <summary>A round-robin stage fitted over the kNN-Embed mixture stage's components (each user's mixture, the item embeddings as item components).</summary>
    internal bool ComponentsFromMixtureStage { get; set; }

    /// <summary>The condition parameters of a conditional-retrieval stage, over its serving items; null for the other methods.</summary>
    internal ConditionalModel? Conditional { get; set; }

    /// <summary>The conditions the trained users of a conditional stage follow, by user row; null when none were given.</summary>
    internal IReadOnlyDictionary<int, int[]>? Followed { get; set; }

    /// <summary>The fingerprint of the fitted stage (<see cref="CandidateStageId"/>); null in models saved before 2026-12-01.</summary>
    internal string? StageId { get; set; }

    /// <summary>The GraphEmbedding stage before this one in the pipeline, whose vectors it retrieves with; null when there is none.</summary>
    internal SavedGraphEmbedding? Embedding { get; set; }

    /// <summary>
    /// The text column the stage appends with each list's <see cref="CandidateSource"/> (Trained, History or Popular), so a
    /// reader of its output can tell a fallback from a personal list; null for models saved before 2026-11-30, which kept no
    /// serving tables.
    /// </summary>
    public string? CandidateSourceColumnName => Serving?.SourceColumn;

    /// <summary>Whether the model stores its training history (models saved before 2026-11-30 do not: their fresh lists exclude nothing by default).</summary>
    public bool HasTrainingHistory => Serving != null;

    /// <summary>
    /// Whether user row <paramref name="userRow"/> (key - 1) has a list of its own, fitted from its training edges; any other row
    /// is served the popular fallback. In a version-1 model every row of the table counts as fitted.
    /// </summary>
    internal bool HasFittedList(int userRow) =>
        (uint)userRow < (uint)UserCount && (_userRows == null || Array.BinarySearch(_userRows, userRow) >= 0);

    /// <summary>
    /// Where <see cref="GetCandidates"/>'s list for <paramref name="userKey"/> comes from: <see cref="CandidateSource.Trained"/> for a
    /// user with a saved list, <see cref="CandidateSource.Popular"/> for key 0 and a user without one (whose scores are training
    /// degrees, not affinities), as the fitted stage's <see cref="CandidateRetrievalTransformer.GetCandidateSource"/> says.
    /// </summary>
    /// <param name="userKey">The user's key (1-based), as for <see cref="GetCandidates"/>.</param>
    /// <returns>The list's source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="userKey"/> is past <see cref="UserCount"/>.</exception>
    public CandidateSource GetCandidateSource(uint userKey) =>
        HasFittedList(CandidateColumns.UserRowOf(userKey, UserCount, nameof(userKey))) ? CandidateSource.Trained : CandidateSource.Popular;

    /// <summary>
    /// The saved candidate item keys (best first) and scores of the user with key <paramref name="userKey"/>: its list for a trained
    /// user, the popular fallback for key 0 and a user without a saved list (empty in models saved before 2026-11-30).
    /// </summary>
    /// <param name="userKey">The user's key (1-based); 0 or a user with no saved list gets the popular list.</param>
    /// <returns>Two arrays of the same length: new copies of the keys and their scores.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="userKey"/> is past <see cref="UserCount"/>.</exception>
    public (uint[] ItemKeys, float[] Scores) GetCandidates(uint userKey)
    {
        int index = CandidateColumns.UserRowOf(userKey, UserCount, nameof(userKey)) < 0 ? 0
            : _userRows == null ? (int)userKey : Math.Max(Array.BinarySearch(_userRows, (int)userKey - 1) + 1, 0);
        var list = _lists[index];
        return (list.ItemKeys.ToArray(), list.Scores.ToArray());
    }
}
