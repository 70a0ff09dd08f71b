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

    /// <summary>
    /// For a cluster-quota stage (<see cref="CandidateMethod.ClusterQuota"/>), which component of the user's mixture placed
    /// each candidate of <see cref="GetCandidates"/>'s list for <paramref name="userKey"/>, position by position: its index in
    /// the user's mixture as the stage read it (0-based, by descending weight: the component's place in row userKey - 1 of
    /// <see cref="KnnSmoothedMixtureTransformer.Mixtures"/> and in the MixtureClusters and MixtureWeights columns the mixture
    /// stage writes; columns made by hand with padding between entries are read compacted), or -1 for an item of the unimodal head
    /// (<see cref="RetrievalSettings.HeadShare"/>) or of the unimodal fill of a list its clusters could not complete. Such an
    /// item's score is Unimodal's dot product; a component's item's is its query's (<see cref="RetrievalSettings.Query"/>).
    /// A list that is not <see cref="CandidateSource.Trained"/> (the popular fallback) is all -1.
    /// </summary>
    /// <remarks>
    /// A ranker's feature: the quota list is ordered by component, not by score, and at a long M the clusters of a few
    /// components run out, so a share of the list is the unimodal fill (on cit-HepPh, 2,000 clusters, m = 5, M = 100: 18%).
    /// Each component searches only its own cluster, so after the head an item's cluster tells its component; the head is
    /// told by its position.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The stage is not a cluster-quota retrieval.</exception>
    public int[] GetCandidateComponents(uint userKey)
    {
        var tables = _columns.Live.Tables;
        if (tables.Method != CandidateMethod.ClusterQuota)
            throw new InvalidOperationException($"GetCandidateComponents reads the components of a cluster-quota stage (CandidateMethod.ClusterQuota); this stage's method is {tables.Method}.");
        var list = _columns.ListOf((int)userKey - 1, []);
        var components = new int[list.Items.Length];
        Array.Fill(components, -1);
        if (list.Source != CandidateSource.Trained) return components;
        var clusters = tables.Mixtures!.Clusters((int)userKey - 1);
        int head = Math.Min(new Engine.QuotaRetrievalOptions { HeadShare = Settings.HeadShare }.HeadSlots(tables.ListLength), components.Length);
        for (int p = head; p < components.Length; p++) components[p] = clusters.IndexOf(tables.Clustering!.ClusterOf(list.Items[p]));
        return components;
    }

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
