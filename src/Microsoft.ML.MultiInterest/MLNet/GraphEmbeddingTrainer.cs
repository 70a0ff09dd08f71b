using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Learns user and item embeddings from the engagement edges (PyTorch-BigGraph style: dot(user, item) scores
/// an edge, contrasted with sampled negatives), so that users and items can be compared, clustered and retrieved.
/// </summary>
/// <remarks>
/// Each input row is one edge: a user key and an item key (from MapValueToKey), optionally a weight and (mixture
/// embeddings) a relation key. Row index
/// = key - 1 and the table sizes are the key cardinalities; rows with a missing key (0) are skipped; duplicate
/// edges are merged (weights summed). The transformer adds both embeddings to every row, and, for
/// <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> and <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>, the row's
/// user components, their weights and the item components, which <see cref="RoundRobinRetrieverEstimator"/> serves.
/// </remarks>
public sealed class GraphEmbeddingTrainer : IEstimator<GraphEmbeddingTransformer>
{
    /// <summary>Options of <see cref="GraphEmbeddingTrainer"/>; the training settings mirror <see cref="GraphEmbeddingOptions"/>.</summary>
    public sealed class Options : MultiInterestStageOptions
    {
        /// <summary>The user key column. Default <see cref="MultiInterestColumnNames.User"/>.</summary>
        public string UserColumnName = MultiInterestColumnNames.User;

        /// <summary>The item key column. Default <see cref="MultiInterestColumnNames.Item"/>.</summary>
        public string ItemColumnName = MultiInterestColumnNames.Item;

        /// <summary>Optional Single column of positive edge weights scaling each edge's loss. Default null (unweighted).</summary>
        public string? WeightColumnName;

        /// <summary>
        /// Optional key column (over UInt32, e.g. from MapValueToKey) of each edge's relation (edge type; relation id = key − 1,
        /// R = the key's cardinality) for multi-task training; needs <see cref="Algorithm"/> = <see cref="EmbeddingAlgorithm.MixtureEmbedding"/>.
        /// Negatives of an edge are drawn among the items that occur in its relation; <see cref="MixtureEmbeddingOptions.RelationWeights"/>
        /// (under <see cref="Mixture"/>) weighs the relations' losses. Rows with a missing relation (key 0) are skipped. A (user, item)
        /// pair belongs to one relation: a pair in two is refused (keep one row per pair, e.g. the strongest relation). Users
        /// and items whose every edge is of a relation weighted 0 are not trained, but still served (warned): drop their rows.
        /// Default null (one relation).
        /// </summary>
        public string? RelationColumnName;

        /// <summary>Output: the user embedding column. Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
        public string UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

        /// <summary>Output: the item embedding column. Default <see cref="MultiInterestColumnNames.ItemEmbedding"/>.</summary>
        public string ItemEmbeddingColumnName = MultiInterestColumnNames.ItemEmbedding;

        /// <summary>
        /// Output of the learned multi-vector algorithms (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/>,
        /// <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>) only: each row's user components, C_s x d Singles.
        /// Default <see cref="MultiInterestColumnNames.UserComponents"/>.
        /// </summary>
        public string UserComponentsColumnName = MultiInterestColumnNames.UserComponents;

        /// <summary>Output of the learned multi-vector algorithms only: the weights of the user components, C_s Doubles. Default <see cref="MultiInterestColumnNames.UserComponentWeights"/>.</summary>
        public string UserComponentWeightsColumnName = MultiInterestColumnNames.UserComponentWeights;

        /// <summary>Output of the learned multi-vector algorithms only: each row's item components, C_d x d Singles. Default <see cref="MultiInterestColumnNames.ItemComponents"/>.</summary>
        public string ItemComponentsColumnName = MultiInterestColumnNames.ItemComponents;

        /// <summary>Embedding dimension d, 1..<see cref="GraphEmbeddingDefaults.MaxDimension"/>. Default <see cref="GraphEmbeddingDefaults.Dimension"/>.</summary>
        public int Dimension = GraphEmbeddingDefaults.Dimension;

        /// <summary>Passes over the edges, at least 1. Default <see cref="GraphEmbeddingDefaults.Epochs"/>.</summary>
        public int Epochs = GraphEmbeddingDefaults.Epochs;

        /// <summary>Training objective. Default <see cref="EmbeddingLoss.Logistic"/> (the engine's default; see docs/results.md for why not PBG's ranking loss).</summary>
        public EmbeddingLoss Loss = GraphEmbeddingDefaults.Loss;

        /// <summary>Margin of the ranking and cosine contrastive losses. Default <see cref="GraphEmbeddingDefaults.Margin"/>.</summary>
        public float Margin = GraphEmbeddingDefaults.Margin;

        /// <summary>Weight of the negatives in the cosine contrastive loss. Default <see cref="GraphEmbeddingDefaults.NegativeWeight"/>.</summary>
        public float NegativeWeight = GraphEmbeddingDefaults.NegativeWeight;

        /// <summary>Update rule. Default <see cref="EmbeddingOptimizer.Adagrad"/>.</summary>
        public EmbeddingOptimizer Optimizer = GraphEmbeddingDefaults.Optimizer;

        /// <summary>Learning rate, positive. Default <see cref="GraphEmbeddingDefaults.LearningRate"/>.</summary>
        public float LearningRate = GraphEmbeddingDefaults.LearningRate;

        /// <summary>Edges sharing one set of sampled negatives. Default <see cref="GraphEmbeddingDefaults.ChunkSize"/>.</summary>
        public int ChunkSize = GraphEmbeddingDefaults.ChunkSize;

        /// <summary>Uniform negatives per chunk and side. Default <see cref="GraphEmbeddingDefaults.UniformNegatives"/>.</summary>
        public int UniformNegatives = GraphEmbeddingDefaults.UniformNegatives;

        /// <summary>Degree-proportional negatives per chunk and side. Default <see cref="GraphEmbeddingDefaults.DegreeNegatives"/>.</summary>
        public int DegreeNegatives = GraphEmbeddingDefaults.DegreeNegatives;

        /// <summary>Exponent of the degree-proportional sampler. Default <see cref="GraphEmbeddingDefaults.DegreeExponent"/>.</summary>
        public float DegreeExponent = GraphEmbeddingDefaults.DegreeExponent;

        /// <summary>In-batch negatives per edge and side, at most <see cref="ChunkSize"/>. Default <see cref="GraphEmbeddingDefaults.BatchNegatives"/>.</summary>
        public int BatchNegatives = GraphEmbeddingDefaults.BatchNegatives;

        /// <summary>Standard deviation of the initial coordinates. Default <see cref="GraphEmbeddingDefaults.InitScale"/>.</summary>
        public float InitScale = GraphEmbeddingDefaults.InitScale;

        /// <summary>Where negative-sampling SGD starts from. Default <see cref="GraphEmbeddingDefaults.Initialization"/>.</summary>
        public EmbeddingInitialization Initialization = GraphEmbeddingDefaults.Initialization;

        /// <summary>L2 penalty λ of negative-sampling SGD (½λ·deg^ν·|x|² per row and epoch). Default <see cref="GraphEmbeddingDefaults.L2Regularization"/>.</summary>
        public float L2Regularization = GraphEmbeddingDefaults.L2Regularization;

        /// <summary>ν of the L2 penalty's degree scaling. Default <see cref="GraphEmbeddingDefaults.L2DegreeExponent"/>.</summary>
        public float L2DegreeExponent = GraphEmbeddingDefaults.L2DegreeExponent;

        /// <summary>Share of each user vector replaced by its history's mean item vector after SGD. Default <see cref="GraphEmbeddingDefaults.HistoryBlend"/>.</summary>
        public float HistoryBlend = GraphEmbeddingDefaults.HistoryBlend;

        /// <summary>Subtract log q (the sampling probability of in-batch and sampled negatives) from every logit. Default <see cref="GraphEmbeddingDefaults.PopularityCorrection"/>.</summary>
        public bool PopularityCorrection = GraphEmbeddingDefaults.PopularityCorrection;

        /// <summary>
        /// How the vectors are learned. Default <see cref="EmbeddingAlgorithm.Auto"/>: chosen on a validation hold-out of the
        /// training edges, so the output dimension may differ from <see cref="Dimension"/> (up to <see cref="AutoMaxDimension"/>).
        /// </summary>
        public EmbeddingAlgorithm Algorithm = GraphEmbeddingDefaults.Algorithm;

        /// <summary>Settings of the truncated-SVD algorithm (for Auto: the normalisation its trials start from).</summary>
        public TruncatedSvdOptions Svd = new();

        /// <summary>Settings of the implicit-ALS algorithm.</summary>
        public ImplicitAlsOptions Als = new();

        /// <summary>
        /// Settings of <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> (components per user and item, pooling, γ, θ, one-sided
        /// negatives); the transformer's <see cref="GraphEmbeddingTransformer.Mixture"/> then holds the components.
        /// </summary>
        public MixtureEmbeddingOptions Mixture = new();

        /// <summary>
        /// Settings of <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> (interests, soft k-means steps, temperature, history
        /// length); the transformer's <see cref="GraphEmbeddingTransformer.Mixture"/> then holds each user's interests.
        /// </summary>
        public DcmOptions Dcm = new();

        /// <summary>
        /// Settings of <see cref="EmbeddingAlgorithm.DivideConquer"/> (encoder, cluster prompts, within-cluster negatives with a
        /// global share, the item clustering: given per item row, else clustered from a first pass); the transformer's
        /// <see cref="GraphEmbeddingTransformer.DivideConquer"/> then holds the model and the user column its shared query.
        /// </summary>
        public DivideConquerOptions DivideConquer = new();

        /// <summary>
        /// Warm start of <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> or <see cref="EmbeddingAlgorithm.MixtureEmbedding"/>
        /// from an input column of item vectors (known-size Singles, the first row of each item key), such as the
        /// <see cref="MultiInterestColumnNames.ItemEmbedding"/> an upstream single-vector GraphEmbedding appends: the item vectors
        /// start there, at the column's dimension (<see cref="Dimension"/> is not used), as <see cref="DcmOptions.InitialItems"/>
        /// or <see cref="MixtureEmbeddingOptions.InitialItems"/> would start them, so the single vector and the model it starts fit
        /// in one pipeline. Null (default): no start from a column.
        /// </summary>
        public string? InitialItemsColumnName;

        /// <summary>
        /// Warm start of implicit ALS from a previous model's item vectors (<see cref="ItemWarmStart.From(GraphEmbeddingTransformer)"/>,
        /// or a loaded zip's <see cref="ItemWarmStart.From(SavedGraphEmbedding)"/>), matched to this fit's items by raw id (the item
        /// key column's KeyValues): a daily refit then lands near yesterday's solution wherever the data did not move, instead of
        /// a new random one. Items the start does not know keep their random draw. Needs <see cref="Algorithm"/> =
        /// <see cref="EmbeddingAlgorithm.ImplicitAls"/> with <see cref="Dimension"/> = the start's dimension, or
        /// <see cref="EmbeddingAlgorithm.Auto"/>, which chooses as without it (its trials start cold) and starts its final fit here
        /// when it chose implicit ALS at the start's dimension, else logs why not. <see cref="GraphEmbeddingTransformer.WarmStart"/>
        /// says what was done. Null (default): no warm start.
        /// </summary>
        public ItemWarmStart? WarmStart;

        /// <summary>Validation share of each user's edges (Auto: 0 = <see cref="GraphEmbeddingDefaults.ValidationFraction"/>; negative sampling: 0 = off). Default 0.</summary>
        public double ValidationFraction;

        /// <summary>Validation users scored per measurement (0 = all). Default <see cref="GraphEmbeddingDefaults.ValidationUsers"/>.</summary>
        public int ValidationUsers = GraphEmbeddingDefaults.ValidationUsers;

        /// <summary>K of the validation Recall@K. Default <see cref="GraphEmbeddingDefaults.ValidationCutoff"/>.</summary>
        public int ValidationCutoff = GraphEmbeddingDefaults.ValidationCutoff;

        /// <summary>Epochs without a validation gain before training stops (0 = never). Default <see cref="GraphEmbeddingDefaults.EarlyStoppingPatience"/>.</summary>
        public int EarlyStoppingPatience = GraphEmbeddingDefaults.EarlyStoppingPatience;

        /// <summary>Largest truncated-SVD dimension Auto tries. Default <see cref="GraphEmbeddingDefaults.AutoMaxDimension"/>.</summary>
        public int AutoMaxDimension = GraphEmbeddingDefaults.AutoMaxDimension;

        /// <summary>Auto's parsimony tolerance (relative validation Recall). Default <see cref="GraphEmbeddingDefaults.AutoTolerance"/>.</summary>
        public double AutoTolerance = GraphEmbeddingDefaults.AutoTolerance;

        /// <summary>Whether Auto also tries negative-sampling SGD. Default false.</summary>
        public bool AutoIncludesNegativeSampling;

        /// <summary>
        /// Auto only: keep the validation hold-out it chose on and the chosen trial's vectors
        /// (<see cref="GraphEmbeddingTransformer.Holdout"/>, not saved), to choose later settings on the same hold-out. Default false.
        /// </summary>
        public bool KeepHoldout;

        /// <summary>Seed of every random choice; null draws it from the MLContext's seed (<c>new MLContext(seed: s)</c>). Default null.</summary>
        public int? Seed;

        /// <summary>Worker threads; 0 = all cores. Only 1 gives bit-identical runs (more threads update without locks). Default 0.</summary>
        public int Threads;

        /// <summary>
        /// Options training as the engine's <paramref name="engine"/> does (every training setting copied, sub-options cloned,
        /// the seed and threads included); the column names keep their defaults.
        /// </summary>
        public static Options FromEngine(GraphEmbeddingOptions engine)
        {
            ArgumentNullException.ThrowIfNull(engine);
            return new Options
            {
                Dimension = engine.Dimension, Epochs = engine.Epochs, Loss = engine.Loss, Margin = engine.Margin, NegativeWeight = engine.NegativeWeight,
                Optimizer = engine.Optimizer, LearningRate = engine.LearningRate, ChunkSize = engine.ChunkSize, UniformNegatives = engine.UniformNegatives,
                DegreeNegatives = engine.DegreeNegatives, DegreeExponent = engine.DegreeExponent, BatchNegatives = engine.BatchNegatives,
                InitScale = engine.InitScale, Initialization = engine.Initialization, PopularityCorrection = engine.PopularityCorrection,
                L2Regularization = engine.L2Regularization, L2DegreeExponent = engine.L2DegreeExponent, HistoryBlend = engine.HistoryBlend,
                Algorithm = engine.Algorithm, Svd = engine.Svd.Clone(), Als = engine.Als.Clone(), Mixture = engine.Mixture.Clone(), Dcm = engine.Dcm.Clone(),
                DivideConquer = engine.DivideConquer.Clone(), ValidationFraction = engine.ValidationFraction, ValidationUsers = engine.ValidationUsers,
                ValidationCutoff = engine.ValidationCutoff, EarlyStoppingPatience = engine.EarlyStoppingPatience, AutoMaxDimension = engine.AutoMaxDimension,
                AutoTolerance = engine.AutoTolerance, AutoIncludesNegativeSampling = engine.AutoIncludesNegativeSampling, KeepHoldout = engine.KeepHoldout, Seed = engine.Seed,
                Threads = engine.Threads,
            };
        }

        /// <inheritdoc/>
        private protected override void CopyReferences()
        {
            Svd = Svd?.Clone()!;
            Als = Als?.Clone()!;
            Mixture = Mixture?.Clone()!;
            Dcm = Dcm?.Clone()!;
            DivideConquer = DivideConquer?.Clone()!;
        }

        internal GraphEmbeddingOptions ToEngine(int seed)
        {
            OptionChecks.ColumnName(UserColumnName, nameof(UserColumnName));
            OptionChecks.ColumnName(ItemColumnName, nameof(ItemColumnName));
            if (WeightColumnName != null) OptionChecks.ColumnName(WeightColumnName, nameof(WeightColumnName));
            if (RelationColumnName != null)
            {
                OptionChecks.ColumnName(RelationColumnName, nameof(RelationColumnName));
                if (Algorithm != EmbeddingAlgorithm.MixtureEmbedding)
                    throw new ArgumentException($"RelationColumnName is set, but only Algorithm = MixtureEmbedding trains on relations (Algorithm is {Algorithm}).", nameof(RelationColumnName));
            }
            if (WarmStart != null)
            {
                if (Algorithm is not (EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.Auto))
                    throw new ArgumentException($"WarmStart starts implicit ALS, but Algorithm is {Algorithm}: use ImplicitAls or Auto, or leave WarmStart null.", nameof(WarmStart));
                if (Algorithm == EmbeddingAlgorithm.ImplicitAls && Dimension != WarmStart.Dimension)
                    throw new ArgumentException($"WarmStart's item vectors have dimension {WarmStart.Dimension}, but Dimension is {Dimension}: set Dimension = {WarmStart.Dimension} "
                        + "(or Algorithm = Auto, which applies the start only if it chooses that dimension).", nameof(Dimension));
                if (Als?.InitialItems != null)
                    throw new ArgumentException("WarmStart and Als.InitialItems are both set: give the start one way (WarmStart matches by id, Als.InitialItems by row).", nameof(WarmStart));
            }
            if (InitialItemsColumnName != null)
            {
                OptionChecks.ColumnName(InitialItemsColumnName, nameof(InitialItemsColumnName));
                if (Algorithm is not (EmbeddingAlgorithm.DifferentiableClustering or EmbeddingAlgorithm.MixtureEmbedding))
                    throw new ArgumentException($"InitialItemsColumnName is set, but only Algorithm = DifferentiableClustering or MixtureEmbedding starts from given item vectors (Algorithm is {Algorithm}).",
                        nameof(InitialItemsColumnName));
                if ((Algorithm == EmbeddingAlgorithm.DifferentiableClustering ? Dcm?.InitialItems : Mixture?.InitialItems) != null)
                    throw new ArgumentException("InitialItemsColumnName and the algorithm's InitialItems table are both set: give the start one way.", nameof(InitialItemsColumnName));
            }
            OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.ColumnName(ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName));
            OptionChecks.ColumnName(UserComponentsColumnName, nameof(UserComponentsColumnName));
            OptionChecks.ColumnName(UserComponentWeightsColumnName, nameof(UserComponentWeightsColumnName));
            OptionChecks.ColumnName(ItemComponentsColumnName, nameof(ItemComponentsColumnName));
            // A retraining may replace the item embeddings it starts from (InitialItemsColumnName), and no other output may hide them.
            OptionChecks.DistinctOutputs([(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName)), (UserComponentsColumnName, nameof(UserComponentsColumnName)),
                (UserComponentWeightsColumnName, nameof(UserComponentWeightsColumnName)), (ItemComponentsColumnName, nameof(ItemComponentsColumnName))],
                [(InitialItemsColumnName, nameof(InitialItemsColumnName))]);
            OptionChecks.DistinctOutputs(
                [(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName)), (ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName)),
                 (UserComponentsColumnName, nameof(UserComponentsColumnName)), (UserComponentWeightsColumnName, nameof(UserComponentWeightsColumnName)),
                 (ItemComponentsColumnName, nameof(ItemComponentsColumnName))],
                [(UserColumnName, nameof(UserColumnName)), (ItemColumnName, nameof(ItemColumnName)), (WeightColumnName, nameof(WeightColumnName)),
                 (RelationColumnName, nameof(RelationColumnName))]);
            var engine = new GraphEmbeddingOptions
            {
                Dimension = Dimension, Epochs = Epochs, Loss = Loss, Margin = Margin, NegativeWeight = NegativeWeight, Optimizer = Optimizer, LearningRate = LearningRate,
                ChunkSize = ChunkSize, UniformNegatives = UniformNegatives, DegreeNegatives = DegreeNegatives, DegreeExponent = DegreeExponent,
                BatchNegatives = BatchNegatives, InitScale = InitScale, Initialization = Initialization, PopularityCorrection = PopularityCorrection,
                L2Regularization = L2Regularization, L2DegreeExponent = L2DegreeExponent, HistoryBlend = HistoryBlend, Seed = seed, Threads = Threads,
                Algorithm = Algorithm, Svd = (Svd ?? throw new ArgumentNullException(nameof(Svd), "Svd must not be null.")).Clone(),
                ValidationFraction = ValidationFraction, ValidationUsers = ValidationUsers, ValidationCutoff = ValidationCutoff,
                EarlyStoppingPatience = EarlyStoppingPatience, AutoMaxDimension = AutoMaxDimension, AutoTolerance = AutoTolerance,
                AutoIncludesNegativeSampling = AutoIncludesNegativeSampling, KeepHoldout = KeepHoldout,
                Als = (Als ?? throw new ArgumentNullException(nameof(Als), "Als must not be null.")).Clone(),
                Mixture = (Mixture ?? throw new ArgumentNullException(nameof(Mixture), "Mixture must not be null.")).Clone(),
                Dcm = (Dcm ?? throw new ArgumentNullException(nameof(Dcm), "Dcm must not be null.")).Clone(),
                DivideConquer = (DivideConquer ?? throw new ArgumentNullException(nameof(DivideConquer), "DivideConquer must not be null.")).Clone(),
            };
            // Said first: the engine's own check would ask for Sequences, which the next check refuses here.
            if (engine.Algorithm == EmbeddingAlgorithm.DivideConquer && engine.DivideConquer.Encoder == DivideConquerEncoder.SelfAttention)
                throw new ArgumentException("DivideConquer.Encoder SelfAttention reads each history in time order, which the ML.NET trainer does not take yet: "
                    + "choose MeanPooling, AttentionPooling or UserVector here, or train with GraphEmbeddingTrainerEngine.Fit and DivideConquer.Sequences.", nameof(DivideConquer));
            // The engine's checks name the option, and the names are the same here.
            engine.Validate();
            // Sequences index the engine graph's rows, which an ML.NET user never sees (keys are mapped inside Fit).
            if (engine.DivideConquer.Sequences != null)
                throw new ArgumentException("DivideConquer.Sequences is an engine option (rows of the engine's graph); the ML.NET trainer takes no time order yet: "
                    + "train with GraphEmbeddingTrainerEngine.Fit, or leave Sequences null.", nameof(DivideConquer));
            return engine;
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;
    private readonly GraphEmbeddingOptions _engineOptions;

    /// <summary>The engine settings this trainer fits with (resolved at construction).</summary>
    internal GraphEmbeddingOptions EngineOptions => _engineOptions;

    internal GraphEmbeddingTrainer(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _engineOptions = _options.ToEngine(StageReporter.SeedOf(context, _options.Seed, nameof(GraphEmbeddingTrainer)));
        _context = context;
    }

    /// <summary>Trains the embeddings on the edges of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or there are no edges.</exception>
    public GraphEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, new EdgeColumns
        {
            User = (o.UserColumnName, nameof(o.UserColumnName)),
            Item = (o.ItemColumnName, nameof(o.ItemColumnName)),
            Weight = o.WeightColumnName == null ? null : (o.WeightColumnName, nameof(o.WeightColumnName)),
            Relation = o.RelationColumnName == null ? null : (o.RelationColumnName, nameof(o.RelationColumnName)),
            ItemVector = o.InitialItemsColumnName == null ? null : (o.InitialItemsColumnName, nameof(o.InitialItemsColumnName)),
        });
        OptionWarnings.SkippedEdgeRows(_context, nameof(GraphEmbeddingTrainer), rows, o.UserColumnName, o.ItemColumnName, o.RelationColumnName);
        OptionWarnings.SingleVectorSettings(_context, nameof(GraphEmbeddingTrainer), o.Algorithm, o.Margin, o.LearningRate);
        if (rows.Weights != null) OptionWarnings.EdgeWeights(_context, nameof(GraphEmbeddingTrainer), rows.Weights, o.WeightColumnName!, nameof(o.WeightColumnName),
            _ => $"row {rows.HeaviestWeightRow} of the data");
        var engineOptions = WithInitialItems(_engineOptions, rows);
        var itemNames = KeyNames.Of(input.Schema[o.ItemColumnName], rows.ItemCount);
        var warm = o.WarmStart == null ? null : WarmStartTable.Match(o.WarmStart, itemNames, rows.Items);
        if (warm != null)
        {
            engineOptions = engineOptions.Clone();
            engineOptions.Als.InitialItems = warm.Table;
            Logging.Info(_context, nameof(GraphEmbeddingTrainer), $"Warm start: {warm.Started} of the {warm.Started + warm.New} items with edges start from the given "
                + $"item vectors (matched by id, d = {o.WarmStart!.Dimension}); {warm.New} new ones from their random draw.");
        }
        if (engineOptions.Mixture.RelationWeights is { } relationWeights && relationWeights.Length != rows.RelationCount)
        {
            throw new ArgumentException(o.Algorithm != EmbeddingAlgorithm.MixtureEmbedding
                ? $"Mixture.RelationWeights is set, but only Algorithm = MixtureEmbedding trains on relations (Algorithm is {o.Algorithm}): leave it null."
                : o.RelationColumnName == null
                ? $"Mixture.RelationWeights has {relationWeights.Length} weights, but RelationColumnName is not set (one relation): set it, or give one weight."
                : $"Mixture.RelationWeights has {relationWeights.Length} weights, but column '{o.RelationColumnName}' (option RelationColumnName) is a key over "
                    + $"{rows.RelationCount} values: give one weight per relation.", nameof(o.Mixture));
        }
        var (edgeUsers, edgeItems) = (rows.Users.ToArray(), rows.Items.ToArray());
        var edgeWeights = rows.Weights?.ToArray();
        var edgeRelations = rows.Relations?.ToArray();
        if (edgeRelations != null)
            RelationPairs.RefuseRepeats(input.Schema, rows, edgeUsers, edgeItems, edgeRelations, o.UserColumnName, o.ItemColumnName, o.RelationColumnName!);
        if (MixtureRelations.UntrainedNodes(rows.UserCount, rows.ItemCount, edgeUsers, edgeItems, edgeRelations, rows.RelationCount, engineOptions) is var (untrainedUsers, untrainedItems)
            && untrainedUsers + untrainedItems > 0)
        {
            Logging.Warning(_context, nameof(GraphEmbeddingTrainer), $"{untrainedUsers} user(s) and {untrainedItems} item(s) have edges only in relations of weight 0 "
                + $"(Mixture.RelationWeights): training leaves their vectors at their random starts, yet the stages after serve them as trained (such items "
                + $"can fill lists at random). Give those relations a small weight above 0, or drop their rows before fitting.");
        }
        // The subgraph of the keys with edges straight from the edge lists: no graph (nor degree table) over the whole key range.
        var active = ActiveSubgraph.FromEdges(rows.UserCount, rows.ItemCount, edgeUsers, edgeItems, edgeWeights, edgeRelations, rows.RelationCount);
        var graph = active?.Graph ?? rows.Graph();
        OptionWarnings.DimensionAboveRank(_context, nameof(GraphEmbeddingTrainer), o.Algorithm, o.Dimension, graph.UserCount, graph.ItemCount);
        var reporter = new StageReporter(_context, nameof(GraphEmbeddingTrainer), o);
        // Epochs are known in advance only for a plain iterative run; Auto and validated runs choose them.
        bool known = o.Algorithm != EmbeddingAlgorithm.Auto && o.Algorithm != EmbeddingAlgorithm.TruncatedSvd && o.ValidationFraction == 0;
        var progress = new EpochProgress(reporter, known ? (o.Algorithm == EmbeddingAlgorithm.ImplicitAls ? engineOptions.Als.IterationsToRun : o.Epochs) : 0, engineOptions.ValidationCutoff);
        // Without a known count of epochs (Auto's selection, a factorisation, a validated run), the start, each validation
        // measurement and the end are reported, so a progress sink hears from the stage during its longest part too.
        if (!known)
        {
            if (o.Algorithm == EmbeddingAlgorithm.Auto)
                reporter.Report($"Choosing the algorithm and dimension on a validation hold-out of the {graph.EdgeCount} edges, then training on all of them.", 0, 1);
            else
                reporter.Report($"Training {o.Algorithm} on {graph.EdgeCount} edges{(o.ValidationFraction > 0 ? ", the epochs chosen on a validation hold-out." : ".")}", 0, 1);
        }
        var (result, _) = GraphEmbeddingTrainerEngine.FitActive(graph, active, engineOptions, progress, reporter.Token);
        if (!known)
        {
            if (result.Validation.Count > 0)
                reporter.Report($"Chose {result.Settings} on a validation hold-out ({result.Validation.Count} measurements, {result.SelectionSeconds:F1} s).", 1, 1);
            else
                reporter.Report($"Trained {result.Settings}.", 1, 1);
        }
        var userNames = KeyNames.Of(input.Schema[o.UserColumnName], rows.UserCount);
        var warmOutcome = warm?.Outcome(result.Algorithm, result.ItemEmbeddings.Dimension);
        if (warmOutcome is { Applied: false })
            Logging.Warning(_context, nameof(GraphEmbeddingTrainer), $"Warm start not applied: {warmOutcome.NotAppliedReason}");
        // Vectors of the keys with edges only: a wide key range with few ids in use is never spread to a table per key.
        var users = active == null ? KeyedEmbeddings.FromDense(result.UserEmbeddings) : new KeyedEmbeddings(rows.UserCount, active.Users, result.UserEmbeddings);
        var items = active == null ? KeyedEmbeddings.FromDense(result.ItemEmbeddings) : new KeyedEmbeddings(rows.ItemCount, active.Items, result.ItemEmbeddings);
        if (active != null) result = new GraphEmbeddingResult(result.UserEmbeddings, result.ItemEmbeddings, result.Epochs)
        {
            Algorithm = result.Algorithm,
            Settings = result.Settings,
            Als = result.Als,
            ChosenOptions = result.ChosenOptions,
            Holdout = active.ExpandHoldout(result.Holdout),
            Mixture = active.ExpandMixture(result.Mixture),
            Dcm = active.ExpandDcm(result.Dcm),
            DivideConquer = active.ExpandDivideConquer(result.DivideConquer, engineOptions.DivideConquer.ItemClusters),
        };
        return new GraphEmbeddingTransformer(o.UserColumnName, o.ItemColumnName, o.UserEmbeddingColumnName, o.ItemEmbeddingColumnName,
            result, users, items, userNames, itemNames, ComponentColumns.Of(o)) { WarmStart = warmOutcome };
    }

    /// <summary>
    /// The engine settings with the item vectors of <see cref="Options.InitialItemsColumnName"/> as the algorithm's start, at
    /// their dimension; <paramref name="engine"/> itself when no such column is set.
    /// </summary>
    private GraphEmbeddingOptions WithInitialItems(GraphEmbeddingOptions engine, EdgeRows rows)
    {
        if (rows.ItemVectors is not { } start) return engine;
        var items = start.ToDense();
        var withStart = engine.Clone();
        withStart.Dimension = items.Dimension;
        if (engine.Algorithm == EmbeddingAlgorithm.DifferentiableClustering) withStart.Dcm.InitialItems = items;
        else withStart.Mixture.InitialItems = items;
        Logging.Info(_context, nameof(GraphEmbeddingTrainer), $"Item vectors start from column '{_options.InitialItemsColumnName}' (d = {items.Dimension}).");
        return withStart;
    }

    /// <summary>The input shape plus the two embedding columns (and, for the learned multi-vector algorithms, the three component columns).</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var o = _options;
        ShapeChecks.Key(inputSchema, o.UserColumnName, nameof(o.UserColumnName));
        ShapeChecks.Key(inputSchema, o.ItemColumnName, nameof(o.ItemColumnName));
        if (o.WeightColumnName != null) ShapeChecks.Scalar(inputSchema, o.WeightColumnName, nameof(o.WeightColumnName), NumberDataViewType.Single);
        if (o.RelationColumnName != null) ShapeChecks.Key(inputSchema, o.RelationColumnName, nameof(o.RelationColumnName));
        if (o.InitialItemsColumnName != null) ShapeChecks.Vector(inputSchema, o.InitialItemsColumnName, nameof(o.InitialItemsColumnName), NumberDataViewType.Single);
        var vectors = new[] { ShapeFactory.FloatVector(o.UserEmbeddingColumnName), ShapeFactory.FloatVector(o.ItemEmbeddingColumnName) };
        if (!ComponentColumns.AreAppendedBy(o.Algorithm)) return ShapeFactory.Append(inputSchema, vectors);
        return ShapeFactory.Append(inputSchema, [.. vectors, ShapeFactory.FloatVector(o.UserComponentsColumnName),
            ShapeFactory.DoubleVector(o.UserComponentWeightsColumnName), ShapeFactory.FloatVector(o.ItemComponentsColumnName)]);
    }

    /// <summary>
    /// Reports each epoch, and each validation measurement of a selection (Auto's trials, a validated run's epochs on its
    /// hold-out: counted among themselves, total not known), synchronously (Progress&lt;T&gt; would post to a synchronization context).
    /// </summary>
    private sealed class EpochProgress(StageReporter reporter, int total, int cutoff) : IProgress<EpochStats>, IProgress<ValidationPoint>
    {
        private int _measurements;

        public void Report(EpochStats value) =>
            reporter.Report($"Epoch {value.Epoch}: mean loss {value.MeanLoss:G5}, {value.Seconds:F2} s, {value.EdgesPerSecond:F0} edges/s.", value.Epoch, total);

        public void Report(ValidationPoint value)
        {
            _measurements++;
            reporter.Report($"Validation measurement {_measurements}: {value.Candidate}, Recall@{cutoff} {value.Recall:F4}, NDCG@{cutoff} {value.Ndcg:F4}.", _measurements, 0);
        }
    }
}
