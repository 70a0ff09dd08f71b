namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted candidate retrieval (by <see cref="ClusterQuotaRetrieverEstimator"/> or <see cref="UnimodalRetrieverEstimator"/>).
/// The lists are computed at Fit for every user with training edges; Transform appends to each row the
/// list of its user: a vector of M item keys, best first (it inherits the item column's KeyValues, so
/// MapKeyToValue gives raw ids), and their scores. A user without training edges has no list: its rows fail.
/// </summary>
public sealed class CandidateRetrievalTransformer : MultiInterestTransformerBase
{
    private readonly CandidateColumns _columns;
    private readonly string _itemColumn;

    internal CandidateRetrievalTransformer(CandidateColumns columns, string itemColumn)
    {
        _columns = columns;
        _itemColumn = itemColumn;
    }

    /// <summary>M, the length of every candidate list.</summary>
    public int Candidates => _columns.Candidates;

    /// <summary>The cardinality of the user keys the transformer was fitted on.</summary>
    public int UserCount => _columns.UserCount;

    /// <summary>The cardinality of the item keys the candidates are drawn from.</summary>
    public int ItemCount => _columns.ItemCount;

    /// <summary>The candidate item keys (best first) and their scores for the user with key <paramref name="userKey"/>; empty when it had no training edges.</summary>
    public (uint[] ItemKeys, float[] Scores) GetCandidates(uint userKey) => _columns.Get(userKey);

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema) => _columns.Make(inputSchema, _itemColumn);
}
