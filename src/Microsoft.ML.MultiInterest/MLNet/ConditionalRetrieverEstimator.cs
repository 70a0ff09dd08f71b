using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Pinterest's conditional retrieval as a pipeline stage: each item may carry a condition (an explicit topic, a key column on
/// the edge rows); Fit trains a vector t_c and a history weight β_c per condition over the upstream user and item vectors
/// (<see cref="ConditionalModel"/>), so that a user gets one query per condition of its history,
/// <c>e_u^c = (u + β_c h_u^c) ⊙ (1 + t_c)</c>, searched inside that condition's items; the M slots are shared by quotas
/// <c>M w_c^α / Σ w^α</c> over the user's shares of its conditions, an optional unimodal head comes first and the unimodal
/// ranking fills what the conditions leave (<see cref="ConditionalRetriever"/>). With <see cref="Options.ImplicitShare"/> &gt; 0
/// the user's implicit components (the kNN-Embed mixture of an upstream <see cref="KnnSmoothedMixtureEstimator"/> over the
/// item clusters) join the conditions under the same quota policy, as Pinterest merges explicit and implicit interests.
/// </summary>
/// <remarks>
/// Fit reads the training edges (user and item keys, user and item embeddings, the item condition keys: each item takes the
/// condition most of its rows carry, ties to the lower key, and an item whose rows all have the missing key has none) and
/// retrieves for every user with edges. A user with fresh history but no
/// trained vector is served from its history's vector (its implicit-ALS fold-in on ALS vectors, else the mean of its items'
/// vectors: <see cref="RetrieverOptions.HistoryVector"/>) and conditions. Saves with <c>mlContext.Model.Save</c>; the
/// condition parameters are saved with the lists. Training is single-threaded and deterministic for <see cref="Options.Seed"/>.
/// </remarks>
public sealed class ConditionalRetrieverEstimator : IEstimator<CandidateRetrievalTransformer>
{
    /// <summary>Options of <see cref="ConditionalRetrieverEstimator"/>.</summary>
    public sealed class Options : MixtureRetrieverOptions
    {
        /// <summary>The user embedding column (the base of every query and the unimodal fill). Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
        public string UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

        /// <summary>
        /// The item condition key column (explicit topics): an item takes the condition most of its rows carry (rows may
        /// disagree, e.g. the tag of each engagement), ties to the lower key; a missing key counts for none. Default
        /// <see cref="MultiInterestColumnNames.ItemCondition"/>.
        /// </summary>
        public string ItemConditionColumnName = MultiInterestColumnNames.ItemCondition;

        /// <summary>
        /// Optional: a column of the edge rows holding the conditions each user follows (explicit topics it chose, e.g. on
        /// sign-up), a vector of keys over the same key type as <see cref="ItemConditionColumnName"/> (map both with the same
        /// vocabulary), read from each user's first row. A user following any is served one query per followed condition
        /// (equal weights) instead of its history's most frequent ones; one following none, from its history. Null (default): none.
        /// </summary>
        public string? FollowedConditionsColumnName;

        /// <summary>M, the number of candidates per user, 1 to 1,048,576. Default <see cref="ClusterQuotaRetrieverDefaults.Candidates"/>.</summary>
        public int Candidates = ClusterQuotaRetrieverDefaults.Candidates;

        /// <summary>Conditions per user at most (its most frequent ones in its history), at least 1. Default <see cref="ConditionalDefaults.MaxConditions"/>.</summary>
        public int MaxConditions = ConditionalDefaults.MaxConditions;

        /// <summary>Quota exponent over the conditions, finite and non-negative: 0 splits evenly, 1 by share. Default <see cref="ConditionalDefaults.Alpha"/>.</summary>
        public double Alpha = ConditionalDefaults.Alpha;

        /// <summary>Share of each list, in [0, 1], reserved for the unimodal head. Default <see cref="ClusterQuotaRetrieverDefaults.HeadShare"/>.</summary>
        public double HeadShare = ClusterQuotaRetrieverDefaults.HeadShare;

        /// <summary>Training epochs over the edges, 1 to 10,000. Default <see cref="ConditionalDefaults.Epochs"/>.</summary>
        public int Epochs = ConditionalDefaults.Epochs;

        /// <summary>Adagrad learning rate of the condition parameters, positive, at most 100. Default <see cref="ConditionalDefaults.LearningRate"/>.</summary>
        public float LearningRate = ConditionalDefaults.LearningRate;

        /// <summary>Negatives per edge from the target's own condition, 0 to 1000. Default <see cref="ConditionalDefaults.HardNegatives"/>.</summary>
        public int HardNegatives = ConditionalDefaults.HardNegatives;

        /// <summary>Negatives per edge from all items, 0 to 1000 (not both 0). Default <see cref="ConditionalDefaults.GlobalNegatives"/>.</summary>
        public int GlobalNegatives = ConditionalDefaults.GlobalNegatives;

        /// <summary>τ, the softmax temperature as a fraction of the mean training score, 0.001 to 1000. Default <see cref="ConditionalDefaults.Temperature"/>.</summary>
        public float Temperature = ConditionalDefaults.Temperature;

        /// <summary>λ, the L2 penalty on the condition vectors, 0 to 1000. Default <see cref="ConditionalDefaults.L2"/>.</summary>
        public float L2 = ConditionalDefaults.L2;

        /// <summary>Seed of the shuffles and negative draws. Default <see cref="ConditionalDefaults.Seed"/>.</summary>
        public int Seed = ConditionalDefaults.Seed;

        /// <summary>Whether the user's training items are never candidates (fresh history given at Transform or to the recommender is always excluded). Default <see cref="ClusterQuotaRetrieverDefaults.ExcludeSeen"/>.</summary>
        public bool ExcludeSeen = ClusterQuotaRetrieverDefaults.ExcludeSeen;

        /// <summary>
        /// Share of the quota weight, in [0, 1], given to the user's implicit components (the mixture columns over the item
        /// clusters); the conditions get the rest (a user with components of one kind only gives them the whole list). 0 (default,
        /// <see cref="ConditionalDefaults.StageImplicitShare"/>): the conditions alone, no mixture or cluster column read.
        /// </summary>
        public double ImplicitShare = ConditionalDefaults.StageImplicitShare;

        /// <summary>The vector that ranks an implicit component's cluster (as <see cref="ClusterQuotaRetrieverEstimator.Options.Query"/>). Default <see cref="ClusterQuotaRetrieverDefaults.Query"/>.</summary>
        public QuotaQuery ImplicitQuery = ClusterQuotaRetrieverDefaults.Query;

        /// <summary>Weight of the user vector in the Blend implicit query, finite and non-negative. Default <see cref="ClusterQuotaRetrieverDefaults.Beta"/>.</summary>
        public double Beta = ClusterQuotaRetrieverDefaults.Beta;

        /// <summary>The engine's training options of these settings.</summary>
        internal ConditionalOptions Training() => new()
        {
            Epochs = Epochs, LearningRate = LearningRate, HardNegatives = HardNegatives, GlobalNegatives = GlobalNegatives,
            Temperature = Temperature, L2 = L2, Seed = Seed,
        };

        /// <inheritdoc/>
        private protected override IEnumerable<(string? Name, string Option)> InputColumns() =>
            [.. base.InputColumns(), (UserEmbeddingColumnName, nameof(UserEmbeddingColumnName)), (ItemConditionColumnName, nameof(ItemConditionColumnName)), (FollowedConditionsColumnName, nameof(FollowedConditionsColumnName))];

        internal void Validate()
        {
            ValidateMixtureRetriever();
            OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.ColumnName(ItemConditionColumnName, nameof(ItemConditionColumnName));
            if (FollowedConditionsColumnName != null) OptionChecks.ColumnName(FollowedConditionsColumnName, nameof(FollowedConditionsColumnName));
            OptionChecks.Candidates(Candidates, nameof(Candidates));
            OptionChecks.AtLeast(MaxConditions, 1, nameof(MaxConditions));
            OptionChecks.NonNegativeFinite(Alpha, nameof(Alpha));
            if (!(HeadShare >= 0 && HeadShare <= 1)) throw new ArgumentOutOfRangeException(nameof(HeadShare), HeadShare, $"{nameof(HeadShare)} must lie in [0, 1].");
            if (!(ImplicitShare >= 0 && ImplicitShare <= 1)) throw new ArgumentOutOfRangeException(nameof(ImplicitShare), ImplicitShare, $"{nameof(ImplicitShare)} must lie in [0, 1].");
            if (!Enum.IsDefined(ImplicitQuery)) throw new ArgumentOutOfRangeException(nameof(ImplicitQuery), ImplicitQuery, $"{nameof(ImplicitQuery)} must be Component, User or Blend.");
            OptionChecks.NonNegativeFinite(Beta, nameof(Beta));
            Training().Validate();
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal ConditionalRetrieverEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _options.Validate();
        _context = context;
    }

    /// <summary>Trains the condition parameters and retrieves the candidates of every user with training edges.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or no item has a condition.</exception>
    /// <param name="input">The training edge rows after the upstream stages: the user and item key columns, the item embedding and user embedding vectors, the item condition key column (one condition per edge row) and, when set, the followed-conditions column and (with an implicit share above 0) the mixture columns, as the options name them; not null.</param>
    /// <returns>The fitted retrieval stage, holding the condition model and every trained user's candidate list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public CandidateRetrievalTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, o.SharedColumns() with
        {
            UserVector = (o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName)),
            ItemCluster = (o.ItemConditionColumnName, nameof(o.ItemConditionColumnName)),
            ClusterPerEdge = true,
        });
        // Rows of a missing key (an id the key mapping did not know) carry no edge: said, as GraphEmbedding says it.
        OptionWarnings.SkippedEdgeRows(_context, nameof(ConditionalRetrieverEstimator), rows, o.UserColumnName, o.ItemColumnName, null);
        var items = new CompactItems(rows);
        var names = KeyNames.Of(input.Schema[o.ItemConditionColumnName], rows.ClusterCount);
        var conditions = items.Conditions(rows, names, o.ItemConditionColumnName, nameof(o.ItemConditionColumnName));
        OptionWarnings.Candidates(_context, nameof(ConditionalRetrieverEstimator), o.Candidates, items.RowOf.Length);
        OptionWarnings.ZeroUserVectors(_context, nameof(ConditionalRetrieverEstimator), rows.UserVectors, o.UserEmbeddingColumnName);
        // Trained over the users with edges (graph rows = ActiveUsers), as the lists are retrieved.
        var history = items.ActiveHistory();
        var userVectors = rows.UserVectors!.Gather(items.ActiveUsers, absentAsZero: true);
        var followed = o.FollowedConditionsColumnName == null ? null : FollowedConditionsReader.Read(input, (o.UserColumnName, nameof(o.UserColumnName)),
            (o.FollowedConditionsColumnName, nameof(o.FollowedConditionsColumnName)), (o.ItemConditionColumnName, conditions.Count));
        // Read before training, so that a missing column fails fast.
        var (mixtures, clustering) = o.ImplicitShare > 0 ? ImplicitComponents(input, items) : (null, null);
        Logging.Info(_context, nameof(ConditionalRetrieverEstimator),
            $"Training {conditions.Count} conditions ({conditions.AssignedItems} of {items.RowOf.Length} items have one) over {history.EdgeCount} edges, {o.Epochs} epochs.");
        // A topic whose items all lack training edges can be followed but retrieves nothing of its own.
        var empty = Enumerable.Range(0, conditions.Count).Where(c => conditions.MembersOf(c).IsEmpty).ToArray();
        if (empty.Length > 0)
            Logging.Warning(_context, nameof(ConditionalRetrieverEstimator), $"{empty.Length} of the {conditions.Count} conditions (the first '{conditions.Names[empty[0]]}') "
                + $"hold no item with a training edge: a user following only those gets no items of them (a trained user the rest of its list: the implicit components and the unimodal fill; a new user the popular items).");
        var model = ConditionalModel.Fit(history, userVectors, items.Embeddings, conditions, o.Training());
        var settings = new RetrievalSettings
        {
            HeadShare = o.HeadShare, MaxConditions = o.MaxConditions, ImplicitShare = o.ImplicitShare, Query = o.ImplicitQuery, Beta = o.Beta,
        };
        return FittedServing.Create(_context, nameof(ConditionalRetrieverEstimator), input, rows, items,
            CandidateMethod.Conditional, o.Candidates, o.Alpha, settings, o.ExcludeSeen, mixtures, clustering, o, conditional: model, followed: followed);
    }

    /// <summary>The implicit components: the upstream mixtures over the item clusters (a second read of the edges for the cluster keys).</summary>
    private (MixtureTable Mixtures, ItemClustering Clustering) ImplicitComponents(IDataView input, CompactItems items)
    {
        var o = _options;
        // No item vectors this time: the first read has them.
        var clusterRows = EdgeRows.Read(input, o.SharedColumns() with { ItemVector = null, ItemCluster = (o.ItemClusterColumnName, nameof(o.ItemClusterColumnName)) });
        var clustering = items.Clustering(clusterRows, o.ItemClusterColumnName, nameof(o.ItemClusterColumnName));
        return (o.ReadMixtures(input, clusterRows.ClusterCount, items.Embeddings.Dimension), clustering);
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
        ShapeChecks.Key(inputSchema, o.ItemConditionColumnName, nameof(o.ItemConditionColumnName));
        if (o.FollowedConditionsColumnName != null)
            ShapeChecks.KeyVectorAnySize(inputSchema, o.FollowedConditionsColumnName, nameof(o.FollowedConditionsColumnName));
        if (o.ImplicitShare > 0) o.CheckMixtureShape(inputSchema);
        return o.AppendOutputShape(inputSchema);
    }
}
