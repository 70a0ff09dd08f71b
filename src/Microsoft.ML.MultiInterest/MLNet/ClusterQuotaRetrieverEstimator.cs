using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Multi-interest candidate retrieval with per-interest quotas: each mixture component gets a share of the M
/// slots by its weight (w^Alpha, largest-remainder rounding) and fills it with the items of its own cluster
/// closest to the component embedding; short clusters hand slots on, and the unimodal ranking fills the rest.
/// </summary>
/// <remarks>
/// Fit reads the training edges (user and item keys, item embeddings and clusters, optionally user
/// embeddings for the unimodal fill) and each user's mixture from the mixture columns produced upstream by
/// <see cref="KnnSmoothedMixtureEstimator"/> (first row of each user; later rows must repeat it), then retrieves for every user with
/// edges. Only items with a row in the fit data can be candidates. Ties go to the lower item key.
/// </remarks>
public sealed class ClusterQuotaRetrieverEstimator : IEstimator<CandidateRetrievalTransformer>
{
    /// <summary>Options of <see cref="ClusterQuotaRetrieverEstimator"/>.</summary>
    public sealed class Options : MixtureRetrieverOptions
    {
        /// <summary>The user embedding column for the unimodal fill of short lists; null disables the fill. Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
        public string? UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

        /// <summary>M, the number of candidates per user, 1 to 1,048,576. Default <see cref="ClusterQuotaRetrieverDefaults.Candidates"/>.</summary>
        public int Candidates = ClusterQuotaRetrieverDefaults.Candidates;

        /// <summary>Quota exponent, finite and non-negative: 0 splits evenly, 1 by weight. Default <see cref="ClusterQuotaRetrieverDefaults.Alpha"/>.</summary>
        public double Alpha = ClusterQuotaRetrieverDefaults.Alpha;

        /// <summary>
        /// The vector that ranks a component's cluster: the component embedding (Component, the paper's), the user's own
        /// vector (User) or unit(u^c + Beta unit(u)) (Blend). User and Blend need <see cref="UserEmbeddingColumnName"/>.
        /// Default <see cref="ClusterQuotaRetrieverDefaults.Query"/>.
        /// </summary>
        public QuotaQuery Query = ClusterQuotaRetrieverDefaults.Query;

        /// <summary>Weight of the user vector in the Blend query, finite and non-negative. Default <see cref="ClusterQuotaRetrieverDefaults.Beta"/>.</summary>
        public double Beta = ClusterQuotaRetrieverDefaults.Beta;

        /// <summary>
        /// Share of each list, in [0, 1], reserved for the unimodal head (the first round(share * M) candidates are the
        /// unimodal ranking's; quotas fill the rest, skipping them). Needs <see cref="UserEmbeddingColumnName"/>.
        /// Default <see cref="ClusterQuotaRetrieverDefaults.HeadShare"/>.
        /// </summary>
        public double HeadShare = ClusterQuotaRetrieverDefaults.HeadShare;

        /// <summary>
        /// How a user the stage was not trained on gets its mixture from its history: the counted clusters of its items
        /// (<see cref="Engine.HistoryMixture.Counts"/>), or the divide-and-conquer model's intent and per-cluster queries
        /// (<see cref="Engine.HistoryMixture.DivideConquer"/>: the item embedding column must come from such a model with a
        /// pooling encoder, and <see cref="MixtureRetrieverOptions.ItemClusterColumnName"/> hold that model's clusters).
        /// Auto takes the model's reading where both hold, else the counts. Trained users keep their mixture from the mixture
        /// columns. Default <see cref="ClusterQuotaRetrieverDefaults.HistoryMixture"/>.
        /// </summary>
        public HistoryMixture HistoryMixture = ClusterQuotaRetrieverDefaults.HistoryMixture;

        /// <summary>Whether the user's training items are never candidates (fresh history given at Transform or to the recommender is always excluded). Default <see cref="ClusterQuotaRetrieverDefaults.ExcludeSeen"/>.</summary>
        public bool ExcludeSeen = ClusterQuotaRetrieverDefaults.ExcludeSeen;

        /// <inheritdoc/>
        private protected override IEnumerable<(string? Name, string Option)> InputColumns() =>
            [.. base.InputColumns(), (UserEmbeddingColumnName, nameof(UserEmbeddingColumnName))];

        internal void Validate()
        {
            ValidateMixtureRetriever();
            if (UserEmbeddingColumnName != null) OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.Candidates(Candidates, nameof(Candidates));
            OptionChecks.NonNegativeFinite(Alpha, nameof(Alpha));
            OptionChecks.NonNegativeFinite(Beta, nameof(Beta));
            if (!Enum.IsDefined(Query)) throw new ArgumentOutOfRangeException(nameof(Query), Query, $"{nameof(Query)} must be Component, User or Blend.");
            if (!Enum.IsDefined(HistoryMixture))
                throw new ArgumentOutOfRangeException(nameof(HistoryMixture), HistoryMixture, $"{nameof(HistoryMixture)} must be Auto, Counts or DivideConquer.");
            if (!(HeadShare >= 0 && HeadShare <= 1)) throw new ArgumentOutOfRangeException(nameof(HeadShare), HeadShare, $"{nameof(HeadShare)} must lie in [0, 1].");
            if (UserEmbeddingColumnName == null && (Query != QuotaQuery.Component || HeadShare > 0))
                throw new ArgumentException($"{nameof(Query)} {Query} with {nameof(HeadShare)} {HeadShare} needs the user embeddings: set {nameof(UserEmbeddingColumnName)}.");
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal ClusterQuotaRetrieverEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _options.Validate();
        _context = context;
    }

    /// <summary>Retrieves the candidates of every user with training edges.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or an item has no cluster.</exception>
    /// <param name="input">The training edge rows after the upstream stages: the user and item key columns, the item embedding vector, the item cluster key, the three mixture columns (<see cref="KnnSmoothedMixtureEstimator"/>'s) and, when set, the user embedding vector, as the options name them; not null.</param>
    /// <returns>The fitted retrieval stage, holding every trained user's candidate list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public CandidateRetrievalTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, o.SharedColumns() with
        {
            UserVector = o.UserEmbeddingColumnName == null ? null : (o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName)),
            ItemCluster = (o.ItemClusterColumnName, nameof(o.ItemClusterColumnName)),
        });
        // Rows of a missing key (an id the key mapping did not know) carry no edge: said, as GraphEmbedding says it.
        OptionWarnings.SkippedEdgeRows(_context, nameof(ClusterQuotaRetrieverEstimator), rows, o.UserColumnName, o.ItemColumnName, null);
        var items = new CompactItems(rows);
        var clustering = items.Clustering(rows, o.ItemClusterColumnName, nameof(o.ItemClusterColumnName));
        var mixtures = o.ReadMixtures(input, rows.ClusterCount, items.Embeddings.Dimension);
        OptionWarnings.Candidates(_context, nameof(ClusterQuotaRetrieverEstimator), o.Candidates, items.RowOf.Length);
        if (o.UserEmbeddingColumnName != null) OptionWarnings.ZeroUserVectors(_context, nameof(ClusterQuotaRetrieverEstimator), rows.UserVectors, o.UserEmbeddingColumnName);
        var settings = new RetrievalSettings { Query = o.Query, Beta = o.Beta, HeadShare = o.HeadShare, HistoryMixture = o.HistoryMixture };
        settings.Quota(o.Alpha).Validate();
        return FittedServing.Create(_context, nameof(ClusterQuotaRetrieverEstimator), input, rows, items,
            CandidateMethod.ClusterQuota, o.Candidates, o.Alpha, settings, o.ExcludeSeen, mixtures, clustering, o);
    }

    /// <summary>The input shape plus the Candidates, CandidateScores and CandidateSource columns.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <param name="inputSchema">The shape of the rows <see cref="Fit"/> would read: the columns it lists.</param>
    /// <returns><paramref name="inputSchema"/> with the three candidate columns appended.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        o.CheckSharedShape(inputSchema);
        if (o.UserEmbeddingColumnName != null) ShapeChecks.Vector(inputSchema, o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName), NumberDataViewType.Single);
        o.CheckMixtureShape(inputSchema);
        return o.AppendOutputShape(inputSchema);
    }
}
