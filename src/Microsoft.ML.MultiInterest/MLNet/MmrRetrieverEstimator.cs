using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The diversified single-vector baseline: the unimodal top <see cref="Options.PoolSize"/> items re-ranked by maximal
/// marginal relevance (<see cref="MmrRetriever"/>), keeping M; <see cref="Options.Lambda"/> = 1 gives the
/// <see cref="UnimodalRetrieverEstimator"/>'s lists. With an interest term it is multi-interest MMR over the kNN-Embed mixture
/// (<see cref="Options.InterestWeight"/>), or, with <see cref="Options.Interests"/> = <see cref="MmrInterests.History"/>,
/// history-interest MMR over each user's own history interests (<see cref="HistoryInterestRetriever"/>'s lists).
/// </summary>
public sealed class MmrRetrieverEstimator : IEstimator<CandidateRetrievalTransformer>
{
    /// <summary>Options of <see cref="MmrRetrieverEstimator"/>.</summary>
    public sealed class Options : MixtureRetrieverOptions
    {
        /// <summary>The user embedding column. Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
        public string UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

        /// <summary>M, the number of candidates per user, 1 to 1,048,576. Default <see cref="MmrRetrieverDefaults.Candidates"/>.</summary>
        public int Candidates = MmrRetrieverDefaults.Candidates;

        /// <summary>Relevance weight in [0, 1]: 1 = the unimodal ranking, smaller values favour novelty. Default <see cref="MmrRetrieverDefaults.Lambda"/>.</summary>
        public double Lambda = MmrRetrieverDefaults.Lambda;

        /// <summary>Length of the unimodal ranking that is re-ranked, at least 1 (raised to M if smaller). Default <see cref="MmrRetrieverDefaults.PoolSize"/>.</summary>
        public int PoolSize = MmrRetrieverDefaults.PoolSize;

        /// <summary>
        /// Weight nu of the interest term, finite and non-negative; 0 = plain MMR (over the pool <see cref="Interests"/> makes).
        /// It weighs in full from <see cref="Lambda"/> 0.5 up and fades linearly below (<c>nu * lambda / 0.5</c>,
        /// <see cref="MmrRetrieverDefaults.InterestFadeLambda"/>), so <see cref="Lambda"/> 0 picks for novelty alone, as plain MMR does.
        /// With <see cref="MmrInterests.Clusters"/> and a positive weight (multi-interest MMR, <see cref="InterestProportionality"/>)
        /// the mixture columns (from <see cref="KnnSmoothedMixtureEstimator"/>) and the item cluster column are read. Default
        /// <see cref="MmrRetrieverDefaults.InterestWeight"/>; history-interest MMR is usually run with
        /// <see cref="HistoryInterestDefaults.InterestWeight"/> (the engine's and the command line's default for it).
        /// </summary>
        public double InterestWeight = MmrRetrieverDefaults.InterestWeight;

        /// <summary>
        /// Whose interests the term spreads the list over. <see cref="MmrInterests.Clusters"/> (default,
        /// <see cref="MmrRetrieverDefaults.Interests"/>): the unimodal top <see cref="PoolSize"/> and the kNN-Embed mixture.
        /// <see cref="MmrInterests.History"/> (history-interest MMR, <see cref="HistoryInterestRetriever"/>): each user's history
        /// split by spherical k-means into interests (<see cref="ItemsPerInterest"/>, <see cref="MaxInterests"/>), each with its
        /// own implicit-ALS fold-in vector; the pool is the top <see cref="PoolSize"/> by the best score over the user's vector
        /// and its interests' vectors; no mixture or cluster column is read.
        /// </summary>
        public MmrInterests Interests = MmrRetrieverDefaults.Interests;

        /// <summary>History items per interest, at least 1 (<see cref="MmrInterests.History"/>). Default <see cref="HistoryInterestDefaults.ItemsPerInterest"/>.</summary>
        public int ItemsPerInterest = HistoryInterestDefaults.ItemsPerInterest;

        /// <summary>Most interests per user, 1 to 64 (<see cref="MmrInterests.History"/>). Default <see cref="HistoryInterestDefaults.MaxInterests"/>.</summary>
        public int MaxInterests = HistoryInterestDefaults.MaxInterests;

        /// <summary>Spherical k-means iterations per history, 1 to 1000 (<see cref="MmrInterests.History"/>). Default <see cref="HistoryInterestDefaults.Iterations"/>.</summary>
        public int InterestIterations = HistoryInterestDefaults.Iterations;

        /// <summary>
        /// λ ≥ 0 of each interest's fold-in (<see cref="MmrInterests.History"/>). Null (default): the implicit-ALS objective the
        /// item vectors came from, when a GraphEmbedding stage of this pipeline trained them with ALS (also chosen by Auto;
        /// <see cref="GraphEmbeddingTransformer.Als"/>), else <see cref="HistoryInterestDefaults.Regularization"/>.
        /// </summary>
        public double? FoldInRegularization;

        /// <summary>ν ≥ 0 of the fold-in (<see cref="MmrInterests.History"/>). Null (default): as <see cref="FoldInRegularization"/>, else <see cref="HistoryInterestDefaults.RegularizationExponent"/>.</summary>
        public double? FoldInRegularizationExponent;

        /// <summary>α0 ≥ 0 of the fold-in (<see cref="MmrInterests.History"/>). Null (default): as <see cref="FoldInRegularization"/>, else <see cref="HistoryInterestDefaults.UnobservedWeight"/>.</summary>
        public double? FoldInUnobservedWeight;

        /// <summary>
        /// How history-interest MMR searches each user's pool (<see cref="MmrInterests.History"/>): every vector against all
        /// items (<see cref="HistoryPoolSearch.Exact"/>, the default, <see cref="HistoryPoolDefaults.Search"/>) or through an
        /// inverted file over the items, each vector scanning only the lists it probes (<see cref="HistoryPoolSearch.Clustered"/>,
        /// approximate and much faster; the lists are built again when a saved model is loaded, the same for the same items),
        /// or no interest search at all (<see cref="HistoryPoolSearch.Unimodal"/>: the pool is the user vector's own list,
        /// which the interests only re-rank; with <see cref="PoolSize"/> = <see cref="Candidates"/> the list holds Unimodal's items).
        /// </summary>
        public HistoryPoolSearch PoolSearch = HistoryPoolDefaults.Search;

        /// <summary>Inverted lists of the clustered pool, 0 = about 4 sqrt(items). Default <see cref="HistoryPoolDefaults.Lists"/>.</summary>
        public int PoolLists = HistoryPoolDefaults.Lists;

        /// <summary>Lists each interest vector of the clustered pool probes, at least 1 (0 with <see cref="PoolHistoryLists"/>). Default <see cref="HistoryPoolDefaults.Probes"/>.</summary>
        public int PoolProbes = HistoryPoolDefaults.Probes;

        /// <summary>
        /// Lists the user's own vector probes in the clustered pool: 0 (default, <see cref="HistoryPoolDefaults.UserProbes"/>)
        /// searches it exactly over all items; more is cheaper and less exact.
        /// </summary>
        public int PoolUserProbes = HistoryPoolDefaults.UserProbes;

        /// <summary>Whether the clustered pool also searches the lists of the user's history items. Default <see cref="HistoryPoolDefaults.HistoryLists"/>.</summary>
        public bool PoolHistoryLists = HistoryPoolDefaults.HistoryLists;

        /// <summary>Whether the user's training items are never candidates (fresh history given at Transform or to the recommender is always excluded). Default <see cref="MmrRetrieverDefaults.ExcludeSeen"/>.</summary>
        public bool ExcludeSeen = MmrRetrieverDefaults.ExcludeSeen;

        /// <inheritdoc/>
        private protected override IEnumerable<(string? Name, string Option)> InputColumns() =>
            [.. base.InputColumns(), (UserEmbeddingColumnName, nameof(UserEmbeddingColumnName))];

        internal void Validate()
        {
            ValidateMixtureRetriever();
            OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.Candidates(Candidates, nameof(Candidates));
            OptionChecks.AtLeast(PoolSize, 1, nameof(PoolSize));
            OptionChecks.NonNegativeFinite(InterestWeight, nameof(InterestWeight));
            if (!Enum.IsDefined(Interests)) throw new ArgumentOutOfRangeException(nameof(Interests), Interests, $"{nameof(Interests)} is not a defined value (Clusters or History).");
            if (Interests == MmrInterests.History && HistoryVector is Engine.HistoryVector.Mean or Engine.HistoryVector.Encoder)
                throw new ArgumentOutOfRangeException(nameof(HistoryVector), HistoryVector,
                    $"HistoryVector = {HistoryVector} does not apply to history-interest MMR (Interests = History), which reads every history by its fold-in: use Auto or FoldIn.");
            OptionChecks.AtLeast(ItemsPerInterest, 1, nameof(ItemsPerInterest));
            OptionChecks.Within(MaxInterests, 1, 64, nameof(MaxInterests));
            OptionChecks.Within(InterestIterations, 1, 1000, nameof(InterestIterations));
            if (!Enum.IsDefined(PoolSearch)) throw new ArgumentOutOfRangeException(nameof(PoolSearch), PoolSearch, $"{nameof(PoolSearch)} is not a defined value (Exact, Clustered or Unimodal).");
            OptionChecks.AtLeast(PoolLists, 0, nameof(PoolLists));
            OptionChecks.AtLeast(PoolProbes, PoolHistoryLists ? 0 : 1, nameof(PoolProbes));
            OptionChecks.AtLeast(PoolUserProbes, 0, nameof(PoolUserProbes));
            FoldInCheck(FoldInRegularization, nameof(FoldInRegularization));
            FoldInCheck(FoldInRegularizationExponent, nameof(FoldInRegularizationExponent));
            FoldInCheck(FoldInUnobservedWeight, nameof(FoldInUnobservedWeight));
            if (FoldInRegularization == 0 && FoldInUnobservedWeight == 0)
                throw new ArgumentOutOfRangeException(nameof(FoldInRegularization), FoldInRegularization,
                    $"{nameof(FoldInRegularization)} and {nameof(FoldInUnobservedWeight)} cannot both be 0: the fold-in would be singular.");
            if (!(Lambda >= 0 && Lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, $"{nameof(Lambda)} (MMR relevance weight) must lie in [0, 1].");
        }

        /// <summary>Whether Fit reads the mixture and item cluster columns (multi-interest MMR over the kNN-Embed mixture).</summary>
        internal bool ReadsMixtures => Interests == MmrInterests.Clusters && InterestWeight > 0;

        /// <summary>
        /// The history-interest options: the fold-in settings given, else those of <paramref name="als"/> (the objective the item
        /// vectors came from), else the defaults.
        /// </summary>
        internal HistoryInterestOptions HistoryOptions(ImplicitAlsOptions? als) => new()
        {
            ItemsPerInterest = ItemsPerInterest,
            MaxInterests = MaxInterests,
            Iterations = InterestIterations,
            Regularization = FoldInRegularization ?? als?.Regularization ?? HistoryInterestDefaults.Regularization,
            RegularizationExponent = FoldInRegularizationExponent ?? als?.RegularizationExponent ?? HistoryInterestDefaults.RegularizationExponent,
            UnobservedWeight = FoldInUnobservedWeight ?? als?.UnobservedWeight ?? HistoryInterestDefaults.UnobservedWeight,
        };

        private static void FoldInCheck(double? value, string option)
        {
            if (value is double v && (!double.IsFinite(v) || v < 0 || v > 1e6))
                throw new ArgumentOutOfRangeException(option, v, $"{option} must be null (the embeddings' own objective) or finite and within 0..1e6.");
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal MmrRetrieverEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _options.Validate();
        _context = context;
    }

    /// <summary>Retrieves and re-ranks the candidates of every user with training edges.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <param name="input">The training edge rows after the embedding stage: the user and item key columns, the item and user embedding vectors and, when the options read mixtures, the item cluster key and the mixture columns, as the options name them; not null.</param>
    /// <returns>The fitted retrieval stage, holding every trained user's re-ranked candidate list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public CandidateRetrievalTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, o.SharedColumns() with
        {
            UserVector = (o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName)),
            ItemCluster = o.ReadsMixtures ? (o.ItemClusterColumnName, nameof(o.ItemClusterColumnName)) : null,
        });
        // Rows of a missing key (an id the key mapping did not know) carry no edge: said, as GraphEmbedding says it.
        OptionWarnings.SkippedEdgeRows(_context, nameof(MmrRetrieverEstimator), rows, o.UserColumnName, o.ItemColumnName, null);
        var items = new CompactItems(rows);
        OptionWarnings.ZeroUserVectors(_context, nameof(MmrRetrieverEstimator), rows.UserVectors, o.UserEmbeddingColumnName);
        int pool = Math.Max(o.PoolSize, o.Candidates);
        MixtureTable? mixtures = null;
        ItemClustering? clustering = null;
        var settings = new RetrievalSettings { MmrLambda = o.Lambda, MmrPoolSize = pool, InterestWeight = o.InterestWeight };
        if (o.Interests == MmrInterests.History)
        {
            // The fold-in solves the objective the item vectors came from, read off the item embedding column when an ALS stage made it.
            var als = AlsAnnotations.Read(input.Schema[o.ItemEmbeddingColumnName], nameof(o.ItemEmbeddingColumnName));
            var history = o.HistoryOptions(als);
            // Vectors no ALS objective produced, and no objective given: fit the fold-in to the user vectors instead.
            bool match = als == null && o.FoldInRegularization == null && o.FoldInUnobservedWeight == null;
            settings = settings with
            {
                Interests = MmrInterests.History, ItemsPerInterest = history.ItemsPerInterest, MaxInterests = history.MaxInterests,
                InterestIterations = history.Iterations, FoldInRegularization = history.Regularization,
                FoldInRegularizationExponent = history.RegularizationExponent, FoldInUnobservedWeight = history.UnobservedWeight,
                FoldInMatchUserVectors = match,
                PoolSearch = o.PoolSearch, PoolLists = o.PoolLists, PoolProbes = o.PoolProbes, PoolUserProbes = o.PoolUserProbes, PoolHistoryLists = o.PoolHistoryLists,
            };
            string interests = $"History interests: up to {history.MaxInterests} per user, {history.ItemsPerInterest} item{(history.ItemsPerInterest == 1 ? "" : "s")} each; ";
            if (match)
                Logging.Info(_context, nameof(MmrRetrieverEstimator), $"{interests}no implicit-ALS objective on the item embedding column and none given: the fold-in is fitted to the user vectors.");
            else
                Logging.Info(_context, nameof(MmrRetrieverEstimator), $"{interests}fold-in lambda {history.Regularization}, nu {history.RegularizationExponent}, alpha0 {history.UnobservedWeight} "
                    + $"{(als != null ? "(the embeddings' implicit-ALS objective)." : "(as given).")}");
        }
        if (o.ReadsMixtures)
        {
            clustering = items.Clustering(rows, o.ItemClusterColumnName, nameof(o.ItemClusterColumnName));
            mixtures = o.ReadMixtures(input, rows.ClusterCount, items.Embeddings.Dimension);
        }
        // As the other retrievers warn (the history row's too: its lists hold only the catalogue's items).
        OptionWarnings.Candidates(_context, nameof(MmrRetrieverEstimator), o.Candidates, items.RowOf.Length);
        Logging.Info(_context, nameof(MmrRetrieverEstimator), $"Re-ranking the top {Math.Min(pool, items.RowOf.Length)} of {items.RowOf.Length} items to {o.Candidates} candidates (lambda {o.Lambda}).");
        var fitted = FittedServing.Create(_context, nameof(MmrRetrieverEstimator), input, rows, items,
            CandidateMethod.Mmr, o.Candidates, double.NaN, settings, o.ExcludeSeen, mixtures, clustering, o);
        if (fitted.Settings is { FoldInMatchUserVectors: true, FoldInFitted: true } s)
            Logging.Info(_context, nameof(MmrRetrieverEstimator), $"The fold-in fitted to the user vectors: lambda {s.FoldInRegularization}, alpha0 {s.FoldInUnobservedWeight}.");
        return fitted;
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
        ShapeChecks.Vector(inputSchema, o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName), NumberDataViewType.Single);
        if (o.ReadsMixtures) o.CheckMixtureShape(inputSchema);
        return o.AppendOutputShape(inputSchema);
    }
}
