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
    /// <param name="userKey">The user's key in the fitted user key column (1-based); 0 or a key with no training edge gets the popular list.</param>
    /// <returns>Two arrays of the same length: new copies of the keys and their scores.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="userKey"/> is past <see cref="UserCount"/>: a key of another key mapping.</exception>
    public (uint[] ItemKeys, float[] Scores) GetCandidates(uint userKey)
    {
        var (items, scores, _) = _columns.Get(userKey);
        return (items, scores);
    }

    /// <summary>Where <see cref="GetCandidates"/>'s list for <paramref name="userKey"/> comes from.</summary>
    /// <param name="userKey">The user's key (1-based), as for <see cref="GetCandidates"/>.</param>
    /// <returns><see cref="CandidateSource.Trained"/> for a user with training edges, else the fallback's source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="userKey"/> is past <see cref="UserCount"/>.</exception>
    public CandidateSource GetCandidateSource(uint userKey) => _columns.Get(userKey).Source;

    /// <summary>
    /// Which interest of the user placed each candidate of <see cref="GetCandidates"/>'s list for <paramref name="userKey"/>,
    /// position by position: an index into <see cref="GetCandidateInterests"/>'s list (0-based), or -1 for an item no interest
    /// placed. What an interest is follows the stage's method:
    /// <list type="bullet">
    /// <item>Cluster quotas (<see cref="CandidateMethod.ClusterQuota"/>): the component of the user's mixture, its place in the
    /// mixture as the stage read it (by descending weight: the component's place in row userKey - 1 of
    /// <see cref="KnnSmoothedMixtureTransformer.Mixtures"/> and in the MixtureClusters and MixtureWeights columns; columns made
    /// by hand with padding between entries are read compacted); -1 for an item of the unimodal head
    /// (<see cref="RetrievalSettings.HeadShare"/>) or of the unimodal fill of a list its clusters could not complete. Such an
    /// item's score is Unimodal's dot product; a component's item's is its query's (<see cref="RetrievalSettings.Query"/>).</item>
    /// <item>Multi-interest MMR (<see cref="CandidateMethod.Mmr"/> with <see cref="Engine.MmrInterests.Clusters"/> and an
    /// <see cref="RetrievalSettings.InterestWeight"/> and <see cref="RetrievalSettings.MmrLambda"/> above 0): the mixture component whose cluster holds the item, the one the
    /// proportionality term counts it for; -1 for an item of no component's cluster (MMR's pool is the single vector's).</item>
    /// <item>History-interest MMR (<see cref="Engine.MmrInterests.History"/>): the interest of the user's history whose fold-in vector
    /// scores the item highest (the first of equal scores), the one the proportionality term counts it for, also when the
    /// user's own vector scored it higher still; -1 only for a user without interests.</item>
    /// <item>Round robin (<see cref="CandidateMethod.RoundRobin"/>): the user component whose <c>w_c / rank_c</c> placed the
    /// item (its best, the first component reaching it): its index in the user's components (UserComponents, or the mixture
    /// the stage reads).</item>
    /// </list>
    /// A list that is not <see cref="CandidateSource.Trained"/> (the popular fallback) is all -1. Cluster quotas and MMR read
    /// the kept list and the user's representation only; a round robin searches the user's components again (one user's
    /// retrieval) to tell which one placed each item.
    /// </summary>
    /// <remarks>
    /// A ranker's feature, and what tells a product reviewer why an item is in the list: the quota list is ordered by component,
    /// not by score, and at a long M the clusters of a few components run out, so a share of the list is the unimodal fill (on
    /// cit-HepPh, 2,000 clusters, m = 5, M = 100: 18%). Each quota component searches only its own cluster, so after the head
    /// an item's cluster tells its component; the head is told by its position.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The stage's candidates are placed by no interest it can name: unimodal retrieval,
    /// plain MMR (<see cref="Engine.MmrInterests.Clusters"/> with <see cref="RetrievalSettings.InterestWeight"/> 0, or with
    /// <see cref="RetrievalSettings.MmrLambda"/> 0, where the interest term fades to nothing) or conditional retrieval
    /// (the message names the method).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="userKey"/> is past <see cref="UserCount"/>.</exception>
    /// <param name="userKey">The user's key (1-based), as for <see cref="GetCandidates"/>.</param>
    /// <returns>One interest index per candidate of the list, in its order.</returns>
    public int[] GetCandidateComponents(uint userKey) => ExplainKept(userKey, nameof(GetCandidateComponents)).Components;

    /// <summary>
    /// The interests of the user with key <paramref name="userKey"/> that <see cref="GetCandidateComponents"/> indexes, in that
    /// order: each with its weight, its item cluster where it is one (0-based, as <see cref="SphericalKMeansTransformer.ClusterOfItem"/>
    /// and <see cref="KnnSmoothedMixtureTransformer.Mixtures"/> number them: cluster key - 1; -1 otherwise) and the user's training
    /// items it covers (raw ids, in key order): for cluster quotas and multi-interest MMR the training items in its cluster (none
    /// for a component the kNN smoothing brought in from the user's neighbours); for history-interest MMR the group of the
    /// training history its vector was folded in from (the groups split the history); for a round robin the training items its
    /// component scores higher than the user's other components do, by the merge's own score. Empty for a user the stage
    /// serves the popular list.
    /// </summary>
    /// <exception cref="InvalidOperationException">As <see cref="GetCandidateComponents"/>: the stage names no interests.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="userKey"/> is past <see cref="UserCount"/>.</exception>
    /// <param name="userKey">The user's key (1-based), as for <see cref="GetCandidates"/>.</param>
    /// <returns>The user's interests, in the order <see cref="GetCandidateComponents"/> indexes them.</returns>
    public IReadOnlyList<UserInterest> GetCandidateInterests(uint userKey)
    {
        var explanation = ExplainKept(userKey, nameof(GetCandidateInterests));
        return UserInterest.Of(explanation, Columns.Live.Tables, stage: 0);
    }

    /// <summary>The explanation of the kept list of <paramref name="userKey"/> (no fresh history), refused for a stage that names no interests.</summary>
    private LiveExplanation ExplainKept(uint userKey, string caller)
    {
        var live = _columns.Live;
        if (!live.ExplainableMethod) throw new InvalidOperationException(live.NotExplainable(caller));
        int user = CandidateColumns.UserRowOf(userKey, UserCount, nameof(userKey));
        return live.Explain(user, [], live.Tables.ListLength, known: _columns.ListOf(user, []));
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

    /// <summary>
    /// The raw id of each user key (key - 1), as text: a user's key for <see cref="GetCandidates"/> is its index here + 1 (the
    /// stage's own key mapping, so it serves a pipeline whose vectors came from elsewhere, with no GraphEmbedding stage's
    /// <see cref="GraphEmbeddingTransformer.UserIds"/>).
    /// </summary>
    public IReadOnlyList<string> UserIds => _columns.Live.Tables.UserNames;

    internal CandidateColumns Columns => _columns;

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema) => _columns.Make(inputSchema);

    private protected override ITransformer CreateSavableModel() => CandidatePersistence.CreateSavable(_columns);
}
