namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted candidate retrieval (by <see cref="ClusterQuotaRetrieverEstimator"/> or <see cref="UnimodalRetrieverEstimator"/>).
/// The lists are computed at Fit for every user with training edges; Transform appends to each row the
/// list of its user: a vector of M item keys, best first (KeyValues = the item ids seen at Fit, so
/// MapKeyToValue gives raw ids), and their scores. A user without training edges (or key 0) gets an empty
/// list: M keys 0 with NaN scores. Saves with <c>mlContext.Model.Save</c> (the lists become an ONNX table).
/// </summary>
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

    /// <summary>The candidate item keys (best first) and their scores for the user with key <paramref name="userKey"/>; empty when it had no training edges.</summary>
    public (uint[] ItemKeys, float[] Scores) GetCandidates(uint userKey) => _columns.Get(userKey);

    /// <summary>How the lists were retrieved.</summary>
    public CandidateMethod Method => _columns.Method;

    /// <summary>The quota exponent of a cluster-quota retrieval; NaN for unimodal retrieval.</summary>
    public double Alpha => _columns.Alpha;

    /// <summary>The raw id of each item key (key - 1), as text.</summary>
    public IReadOnlyList<string> ItemIds => _columns.ItemNames;

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema) => _columns.Make(inputSchema);

    private protected override ITransformer CreateSavableModel() => CandidatePersistence.CreateSavable(_columns);
}
