namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted candidate retrieval (by <see cref="ClusterQuotaRetrieverEstimator"/>, <see cref="UnimodalRetrieverEstimator"/>,
/// <see cref="MmrRetrieverEstimator"/> or <see cref="RoundRobinRetrieverEstimator"/>). Transform computes each row's list: a vector of M item keys, best first
/// (KeyValues = the item ids seen at Fit, so MapKeyToValue gives raw ids), their scores, and the list's
/// <see cref="CandidateSource"/> as text. A trained user's training items are excluded; an optional history column
/// (<see cref="HistoryColumnName"/>, item keys or raw ids) adds fresh items to exclude, and for a user without a trained
/// vector (new, or key 0) it is the source of the representation (<see cref="CandidateSource.History"/>); a user with
/// neither gets the most popular items (<see cref="CandidateSource.Popular"/>). Lists of trained users without fresh history
/// are computed once at Fit. Saves with <c>mlContext.Model.Save</c> (the lists, sources and training history become ONNX tables).
/// </summary>
/// <remarks>
/// Thread-safe: the fitted state is immutable; any number of cursors, prediction engines and
/// <see cref="MultiInterestRecommender"/>s may use one transformer at once (each cursor or engine on one thread, as ML.NET requires).
/// </remarks>
public sealed class CandidateRetrievalTransformer : MultiInterestTransformerBase
{
    private readonly CandidateColumns _columns;

    internal CandidateRetrievalTransformer(CandidateColumns columns)
    {
        _columns = columns;
    }

    /// <summary>M, the length of every candidate list.</summary>
    public int Candidates => _columns.Candidates;

    /// <summary>The cardinality of the user keys the transformer was fitted on.</summary>
    public int UserCount => _columns.UserCount;

    /// <summary>The cardinality of the item keys the candidates are drawn from.</summary>
    public int ItemCount => _columns.ItemCount;

    /// <summary>The fresh-history column Transform reads when the input has it.</summary>
    public string HistoryColumnName => _columns.HistoryColumn;

    /// <summary>
    /// The candidate item keys (best first) and their scores for the user with key <paramref name="userKey"/>, without fresh
    /// history: its list for a trained user, the popular fallback otherwise (see <see cref="GetCandidateSource"/>).
    /// </summary>
    public (uint[] ItemKeys, float[] Scores) GetCandidates(uint userKey)
    {
        var (items, scores, _) = _columns.Get(userKey);
        return (items, scores);
    }

    /// <summary>Where <see cref="GetCandidates"/>'s list for <paramref name="userKey"/> comes from.</summary>
    public CandidateSource GetCandidateSource(uint userKey) => _columns.Get(userKey).Source;

    /// <summary>How the lists are retrieved.</summary>
    public CandidateMethod Method => _columns.Method;

    /// <summary>The quota exponent of a cluster-quota retrieval; NaN for the other methods.</summary>
    public double Alpha => _columns.Alpha;

    /// <summary>
    /// The stage's other retrieval settings, as resolved at Fit and saved with the model (quota query, beta, head share; MMR
    /// lambda, pool, interest weight and interests; for history-interest MMR the fold-in objective it uses).
    /// </summary>
    public RetrievalSettings Settings => _columns.Settings;

    /// <summary>The raw id of each item key (key - 1), as text.</summary>
    public IReadOnlyList<string> ItemIds => _columns.ItemNames;

    internal CandidateColumns Columns => _columns;

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema) => _columns.Make(inputSchema);

    private protected override ITransformer CreateSavableModel() => CandidatePersistence.CreateSavable(_columns);
}
