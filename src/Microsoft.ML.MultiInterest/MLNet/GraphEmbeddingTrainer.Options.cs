using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The options of <see cref="GraphEmbeddingTrainer"/> and their checks.</summary>
public sealed partial class GraphEmbeddingTrainer
{
    /// <summary>Options of <see cref="GraphEmbeddingTrainer"/>; the training settings mirror <see cref="GraphEmbeddingOptions"/>.</summary>
    public sealed class Options : MultiInterestStageOptions
    {
        /// <summary>The user key column. Default <see cref="MultiInterestColumnNames.User"/>.</summary>
        public string UserColumnName = MultiInterestColumnNames.User;

        /// <summary>The item key column. Default <see cref="MultiInterestColumnNames.Item"/>.</summary>
        public string ItemColumnName = MultiInterestColumnNames.Item;

        /// <summary>
        /// Optional Single or Double column of positive edge weights scaling each edge's loss (a Double is read as its Single
        /// values). Default null (unweighted; a column named <see cref="MultiInterestColumnNames.Weight"/> left unread is warned of at Fit).
        /// </summary>
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

        /// <summary>
        /// Embedding dimension d, 1..<see cref="GraphEmbeddingDefaults.MaxDimension"/> (65,536). Default 100 (<see cref="GraphEmbeddingDefaults.Dimension"/>).
        /// Not read under <see cref="EmbeddingAlgorithm.Auto"/>, the default <see cref="Algorithm"/>, which chooses its own dimension
        /// (up to <see cref="AutoMaxDimension"/>) unless <see cref="AutoIncludesNegativeSampling"/> adds a negative-sampling trial of
        /// this dimension: set <see cref="Algorithm"/> to train at it (another value under Auto is warned of at Fit).
        /// </summary>
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

        /// <summary>Largest dimension Auto tries: its truncated-SVD ranks and its implicit-ALS trials (otherwise 128). Default <see cref="GraphEmbeddingDefaults.AutoMaxDimension"/>.</summary>
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

        /// <summary>
        /// Worker threads; 0 = all cores, else at most 1,024. 1 gives bit-identical runs per seed for every algorithm; more
        /// give the same result for the truncated SVD, implicit ALS and Auto (without AutoIncludesNegativeSampling), while the
        /// SGD-trained algorithms update without locks and vary slightly between runs. Default 0.
        /// </summary>
        public int Threads;

        /// <summary>
        /// Options training as the engine's <paramref name="engine"/> does (every training setting copied, sub-options cloned,
        /// the seed and threads included); the column names keep their defaults.
        /// </summary>
        /// <param name="engine">The engine's options to copy; not null.</param>
        /// <returns>New options, independent of <paramref name="engine"/>.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
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
            else if (Als is { WarmStartIterations: > 0, InitialItems: null } && Algorithm is EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.Auto)
            {
                // Iterations for a start that is not there would be ignored without a word, as the command line refuses them.
                throw new ArgumentException($"Als.WarmStartIterations is {Als.WarmStartIterations}, but there is no start (WarmStart and Als.InitialItems are null): "
                    + "set WarmStart, or leave WarmStartIterations 0.", nameof(Als));
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
}
