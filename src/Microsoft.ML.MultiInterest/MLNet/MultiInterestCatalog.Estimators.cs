using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

public sealed partial class MultiInterestCatalog
{
    /// <summary>Learns user and item embeddings from key-typed edge rows.</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append to a pipeline after the user and item keys.</returns>
    public GraphEmbeddingTrainer GraphEmbedding(GraphEmbeddingTrainer.Options options) => new(Context, options);

    /// <summary>Learns user and item embeddings from key-typed edge rows.</summary>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="itemColumnName">The item key column.</param>
    /// <param name="dimension">
    /// Embedding dimension of the algorithm named by <paramref name="algorithm"/>; not read under <see cref="EmbeddingAlgorithm.Auto"/>,
    /// which chooses its own (a value other than the default 100 is then warned of at Fit).
    /// </param>
    /// <param name="epochs">Passes over the edges of the SGD-trained algorithms (negative sampling, the learned multi-vector ones); the SVD and implicit ALS do not read it.</param>
    /// <param name="seed">Random seed; null draws it from the MLContext's seed.</param>
    /// <param name="algorithm">
    /// How the vectors are learned; <see cref="EmbeddingAlgorithm.Auto"/> (the default) chooses the algorithm and its dimension
    /// on a validation hold-out: pass another to fix both (with <paramref name="dimension"/>).
    /// </param>
    /// <returns>The estimator, to append to a pipeline after the user and item keys.</returns>
    public GraphEmbeddingTrainer GraphEmbedding(string userColumnName = MultiInterestColumnNames.User, string itemColumnName = MultiInterestColumnNames.Item,
        int dimension = GraphEmbeddingDefaults.Dimension, int epochs = GraphEmbeddingDefaults.Epochs, int? seed = null,
        EmbeddingAlgorithm algorithm = GraphEmbeddingDefaults.Algorithm) =>
        GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            UserColumnName = userColumnName, ItemColumnName = itemColumnName, Dimension = dimension, Epochs = epochs, Seed = seed, Algorithm = algorithm,
        });

    /// <summary>
    /// Learns Instagram-style mixture embeddings with the same estimator (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/>):
    /// <paramref name="sourceComponents"/> vectors per user and <paramref name="destinationComponents"/> per item. The
    /// transformer's columns carry mean vectors; its <see cref="GraphEmbeddingTransformer.Mixture"/> the components.
    /// </summary>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="itemColumnName">The item key column.</param>
    /// <param name="sourceComponents">C_s, components per user.</param>
    /// <param name="destinationComponents">C_d, components per item.</param>
    /// <param name="dimension">Dimension of every component.</param>
    /// <param name="epochs">Passes over the edges.</param>
    /// <param name="pooling">Pooling of the positives' cosine blocks.</param>
    /// <param name="seed">Random seed; null draws it from the MLContext's seed.</param>
    /// <returns>A <see cref="GraphEmbeddingTrainer"/> set for <see cref="EmbeddingAlgorithm.MixtureEmbedding"/>.</returns>
    public GraphEmbeddingTrainer MixtureEmbedding(string userColumnName = MultiInterestColumnNames.User, string itemColumnName = MultiInterestColumnNames.Item,
        int sourceComponents = MixtureEmbeddingDefaults.SourceComponents, int destinationComponents = MixtureEmbeddingDefaults.DestinationComponents,
        int dimension = MixtureEmbeddingDefaults.Dimension, int epochs = MixtureEmbeddingDefaults.Epochs, MixturePooling pooling = MixtureEmbeddingDefaults.Pooling,
        int? seed = null) =>
        GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            UserColumnName = userColumnName, ItemColumnName = itemColumnName, Dimension = dimension, Epochs = epochs, Seed = seed,
            Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Margin = MixtureEmbeddingDefaults.Margin, LearningRate = MixtureEmbeddingDefaults.LearningRate,
            Mixture = new MixtureEmbeddingOptions { SourceComponents = sourceComponents, DestinationComponents = destinationComponents, Pooling = pooling },
        });

    /// <summary>
    /// Learns Pinterest's differentiable clustering with the same estimator (<see cref="EmbeddingAlgorithm.DifferentiableClustering"/>):
    /// item vectors trained so that soft k-means over a user's history gives <paramref name="interests"/> interest vectors, with
    /// the settings of the library's validation runs (<see cref="DcmDefaults"/>: d 32, margin 0.3, learning rate 0.2, 16
    /// negatives, τ 0.4). Served by <see cref="RoundRobinRetriever(int, bool)"/>; other settings in <see cref="GraphEmbeddingTrainer.Options.Dcm"/>.
    /// </summary>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="itemColumnName">The item key column.</param>
    /// <param name="interests">K, interest vectors per user.</param>
    /// <param name="dimension">Dimension of the item vectors.</param>
    /// <param name="epochs">Passes over the edges.</param>
    /// <param name="seed">Random seed; null draws it from the MLContext's seed.</param>
    /// <returns>A <see cref="GraphEmbeddingTrainer"/> set for <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>.</returns>
    public GraphEmbeddingTrainer DifferentiableClustering(string userColumnName = MultiInterestColumnNames.User, string itemColumnName = MultiInterestColumnNames.Item,
        int interests = DcmDefaults.Interests, int dimension = DcmDefaults.Dimension, int epochs = DcmDefaults.Epochs, int? seed = null) =>
        GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            UserColumnName = userColumnName, ItemColumnName = itemColumnName, Dimension = dimension, Epochs = epochs, Seed = seed,
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Margin = DcmDefaults.Margin, LearningRate = DcmDefaults.LearningRate,
            UniformNegatives = DcmDefaults.Negatives, Dcm = new DcmOptions { Interests = interests },
        });

    /// <summary>
    /// Learns differentiable clustering warm-started from a fitted single-vector stage (<see cref="DcmOptions.InitialItems"/>):
    /// DCM's item vectors start from <paramref name="start"/>'s item table, at its dimension, with the settings validated for
    /// that start (<see cref="DcmDefaults"/>' WarmStart values: learning rate 0.05, τ 0.2, 32 fixed epochs, weight exponent
    /// 0.75; no epoch selection, since the start has seen every training edge). On cit-HepPh this reaches the single vector's
    /// Recall@50 (docs/results.md). Fit it on the same data as <paramref name="start"/>, so that item keys mean the same items.
    /// </summary>
    /// <param name="start">A fitted single-vector <see cref="GraphEmbeddingTransformer"/> (e.g. implicit ALS or Auto).</param>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="itemColumnName">The item key column.</param>
    /// <param name="interests">K, interest vectors per user.</param>
    /// <param name="seed">Random seed; null draws it from the MLContext's seed.</param>
    /// <exception cref="ArgumentException"><paramref name="start"/> is itself a multi-vector model, or its item key range is too wide for a table per key.</exception>
    /// <returns>A <see cref="GraphEmbeddingTrainer"/> set for <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>, starting from a copy of <paramref name="start"/>'s item vectors.</returns>
    public GraphEmbeddingTrainer DifferentiableClustering(GraphEmbeddingTransformer start, string userColumnName = MultiInterestColumnNames.User,
        string itemColumnName = MultiInterestColumnNames.Item, int interests = DcmDefaults.Interests, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start.Mixture != null)
            throw new ArgumentException("The start is a multi-vector model (mixture embeddings or DCM): warm-start DCM from a single-vector GraphEmbedding stage.", nameof(start));
        // DCM's start is a table of every item key, as are its own item tables (PerKeyComponentTables): past an array's length, say so here.
        if ((long)start.ItemEmbeddings.KeyCount * start.ItemEmbeddings.Dimension > Array.MaxLength)
            throw new ArgumentException($"The start's item key range has {start.ItemEmbeddings.KeyCount:N0} keys, of which {start.ItemEmbeddings.Count:N0} have vectors: DCM keeps "
                + "its item tables for every key, more than an array holds. Map the ids to a compact key range (MapValueToKey on the raw ids, not a hash).", nameof(start));
        var options = WarmStartedDcm(userColumnName, itemColumnName, interests, seed);
        options.Dcm.InitialItems = start.ItemEmbeddings.ToDense();
        options.Dimension = options.Dcm.InitialItems.Dimension;
        return GraphEmbedding(options);
    }

    /// <summary>
    /// Learns differentiable clustering warm-started from the item vectors of an input column
    /// (<see cref="GraphEmbeddingTrainer.Options.InitialItemsColumnName"/>), e.g. the <see cref="MultiInterestColumnNames.ItemEmbedding"/>
    /// of a single-vector GraphEmbedding earlier in the same pipeline, with the warm-start settings of
    /// <see cref="DifferentiableClustering(GraphEmbeddingTransformer, string, string, int, int?)"/>: the single vector and DCM
    /// then fit in one <c>pipeline.Fit</c>. DCM's own ItemEmbedding column then replaces the input's.
    /// </summary>
    /// <param name="itemEmbeddingColumnName">The input column of item vectors the model starts from.</param>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="itemColumnName">The item key column.</param>
    /// <param name="interests">K, interest vectors per user.</param>
    /// <param name="seed">Random seed; null draws it from the MLContext's seed.</param>
    /// <returns>A <see cref="GraphEmbeddingTrainer"/> set for <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>, reading its start from <paramref name="itemEmbeddingColumnName"/> when fitted.</returns>
    public GraphEmbeddingTrainer WarmStartedDifferentiableClustering(string itemEmbeddingColumnName = MultiInterestColumnNames.ItemEmbedding,
        string userColumnName = MultiInterestColumnNames.User, string itemColumnName = MultiInterestColumnNames.Item, int interests = DcmDefaults.Interests, int? seed = null)
    {
        var options = WarmStartedDcm(userColumnName, itemColumnName, interests, seed);
        options.InitialItemsColumnName = itemEmbeddingColumnName;
        return GraphEmbedding(options);
    }

    /// <summary>DCM with the settings validated for a start from a single vector's item table (<see cref="DcmDefaults"/>' WarmStart values).</summary>
    private static GraphEmbeddingTrainer.Options WarmStartedDcm(string userColumnName, string itemColumnName, int interests, int? seed) => new()
    {
        UserColumnName = userColumnName, ItemColumnName = itemColumnName, Epochs = DcmDefaults.WarmStartEpochs, Seed = seed,
        Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Margin = DcmDefaults.Margin, LearningRate = DcmDefaults.WarmStartLearningRate,
        UniformNegatives = DcmDefaults.Negatives, ValidationFraction = 0,
        Dcm = new DcmOptions { Interests = interests, Temperature = DcmDefaults.WarmStartTemperature, WeightExponent = DcmDefaults.WarmStartWeightExponent },
    };

    /// <summary>Clusters item embeddings with spherical k-means.</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after a stage that writes item embeddings.</returns>
    public SphericalKMeansTrainer SphericalKMeans(SphericalKMeansTrainer.Options options) => new(Context, options);

    /// <summary>Clusters item embeddings with spherical k-means, each distinct item once.</summary>
    /// <param name="numberOfClusters">Number of clusters, at least 1 and at most the distinct items (more is refused at Fit).</param>
    /// <param name="featureColumnName">The embedding column.</param>
    /// <param name="itemColumnName">The item key column used to de-duplicate rows; null clusters every row.</param>
    /// <param name="maxIterations">Maximum Lloyd iterations.</param>
    /// <param name="seed">Seed of the initialisation; null draws it from the MLContext's seed.</param>
    /// <returns>The estimator, to append after a stage that writes item embeddings.</returns>
    public SphericalKMeansTrainer SphericalKMeans(int numberOfClusters, string featureColumnName = MultiInterestColumnNames.ItemEmbedding,
        string? itemColumnName = MultiInterestColumnNames.Item, int maxIterations = SphericalKMeansDefaults.MaxIterations, int? seed = null) =>
        SphericalKMeans(new SphericalKMeansTrainer.Options
        {
            NumberOfClusters = numberOfClusters, FeatureColumnName = featureColumnName, ItemColumnName = itemColumnName, MaxIterations = maxIterations, Seed = seed,
        });

    /// <summary>Builds kNN-smoothed per-user mixtures of item clusters.</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after the embedding and clustering stages.</returns>
    public KnnSmoothedMixtureEstimator KnnSmoothedMixture(KnnSmoothedMixtureEstimator.Options options) => new(Context, options);

    /// <summary>Builds kNN-smoothed per-user mixtures of item clusters (lambda = 0: unsmoothed).</summary>
    /// <param name="components">m, components per user.</param>
    /// <param name="neighbors">k, neighbours per user.</param>
    /// <param name="lambda">Smoothing weight in [0, 1].</param>
    /// <returns>The estimator, to append after the embedding and clustering stages.</returns>
    public KnnSmoothedMixtureEstimator KnnSmoothedMixture(int components = KnnSmoothedMixtureDefaults.Components, int neighbors = KnnSmoothedMixtureDefaults.Neighbors,
        double lambda = KnnSmoothedMixtureDefaults.Lambda) =>
        KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { Components = components, Neighbors = neighbors, Lambda = lambda });

    /// <summary>Retrieves candidates per user with per-interest quotas over the upstream mixtures.</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after a <see cref="KnnSmoothedMixtureEstimator"/>.</returns>
    public ClusterQuotaRetrieverEstimator ClusterQuotaRetriever(ClusterQuotaRetrieverEstimator.Options options) => new(Context, options);

    /// <summary>Retrieves candidates per user with per-interest quotas over the upstream mixtures.</summary>
    /// <param name="candidates">M, candidates per user.</param>
    /// <param name="alpha">Quota exponent.</param>
    /// <param name="excludeSeen">Whether training items are excluded.</param>
    /// <returns>The estimator, to append after a <see cref="KnnSmoothedMixtureEstimator"/>.</returns>
    public ClusterQuotaRetrieverEstimator ClusterQuotaRetriever(int candidates = ClusterQuotaRetrieverDefaults.Candidates, double alpha = ClusterQuotaRetrieverDefaults.Alpha,
        bool excludeSeen = ClusterQuotaRetrieverDefaults.ExcludeSeen) =>
        ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = candidates, Alpha = alpha, ExcludeSeen = excludeSeen });

    /// <summary>Serves the upstream learned multi-vector model (mixture embeddings, DCM) by round-robin retrieval over its components.</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after a multi-vector <see cref="GraphEmbeddingTrainer"/>.</returns>
    public RoundRobinRetrieverEstimator RoundRobinRetriever(RoundRobinRetrieverEstimator.Options options) => new(Context, options);

    /// <summary>Serves the upstream learned multi-vector model (mixture embeddings, DCM) by round-robin retrieval over its components.</summary>
    /// <param name="candidates">M, candidates per user.</param>
    /// <param name="excludeSeen">Whether training items are excluded.</param>
    /// <returns>The estimator, to append after a multi-vector <see cref="GraphEmbeddingTrainer"/>.</returns>
    public RoundRobinRetrieverEstimator RoundRobinRetriever(int candidates = RoundRobinRetrieverDefaults.Candidates, bool excludeSeen = RoundRobinRetrieverDefaults.ExcludeSeen) =>
        RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { Candidates = candidates, ExcludeSeen = excludeSeen });

    /// <summary>
    /// Pinterest's conditional retrieval (<see cref="ConditionalRetrieverEstimator"/>): one learned query per condition (explicit
    /// topic) of the user, searched inside the condition's items, quotas by the user's condition shares, the unimodal ranking as the fill.
    /// </summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after a <see cref="GraphEmbeddingTrainer"/>.</returns>
    public ConditionalRetrieverEstimator ConditionalRetriever(ConditionalRetrieverEstimator.Options options) => new(Context, options);

    /// <summary>
    /// Pinterest's conditional retrieval over the item condition key column <paramref name="itemConditionColumnName"/> (a
    /// missing key: the item has no condition). Other settings: <see cref="ConditionalRetriever(ConditionalRetrieverEstimator.Options)"/>.
    /// </summary>
    /// <param name="itemConditionColumnName">The item condition (topic) key column of the edge rows.</param>
    /// <param name="candidates">M, candidates per user.</param>
    /// <param name="maxConditions">Conditions per user at most (its most frequent ones).</param>
    /// <param name="headShare">Share of each list reserved for the unimodal head, in [0, 1].</param>
    /// <param name="excludeSeen">Whether training items are excluded.</param>
    /// <returns>The estimator, to append after a <see cref="GraphEmbeddingTrainer"/>.</returns>
    public ConditionalRetrieverEstimator ConditionalRetriever(string itemConditionColumnName = MultiInterestColumnNames.ItemCondition,
        int candidates = ClusterQuotaRetrieverDefaults.Candidates, int maxConditions = ConditionalDefaults.MaxConditions,
        double headShare = ClusterQuotaRetrieverDefaults.HeadShare, bool excludeSeen = ClusterQuotaRetrieverDefaults.ExcludeSeen) =>
        ConditionalRetriever(new ConditionalRetrieverEstimator.Options
        {
            ItemConditionColumnName = itemConditionColumnName, Candidates = candidates, MaxConditions = maxConditions, HeadShare = headShare, ExcludeSeen = excludeSeen,
        });

    /// <summary>Fuses the candidate lists of several retrieval stages into one (<see cref="RankFusionEstimator"/>).</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after the retrieval stages it fuses.</returns>
    public RankFusionEstimator RankFusion(RankFusionEstimator.Options options) => new(Context, options);

    /// <summary>
    /// Fuses the candidate columns <paramref name="sourceColumnNames"/> (each from a retriever given its own
    /// <see cref="RetrieverOptions.CandidatesColumnName"/>) into <see cref="MultiInterestColumnNames.Candidates"/> and
    /// <see cref="MultiInterestColumnNames.CandidateScores"/>: an item scores <c>max_l w_l / rank_l</c>, the M best are kept.
    /// </summary>
    /// <param name="sourceColumnNames">The source candidate columns, at least one; earlier sources win ties.</param>
    /// <param name="weights">w_l per source; null gives every source <see cref="RankFusionDefaults.Weight"/>.</param>
    /// <param name="candidates">M, the fused list length.</param>
    /// <returns>The estimator, to append after the retrieval stages it fuses.</returns>
    public RankFusionEstimator RankFusion(string[] sourceColumnNames, double[]? weights = null, int candidates = RankFusionDefaults.Candidates) =>
        RankFusion(new RankFusionEstimator.Options { SourceColumnNames = sourceColumnNames, Weights = weights ?? [], Candidates = candidates });

    /// <summary>Retrieves the top items by dot(user embedding, item embedding).</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after a <see cref="GraphEmbeddingTrainer"/>.</returns>
    public UnimodalRetrieverEstimator UnimodalRetriever(UnimodalRetrieverEstimator.Options options) => new(Context, options);

    /// <summary>Retrieves the top items by dot(user embedding, item embedding).</summary>
    /// <param name="candidates">M, candidates per user.</param>
    /// <param name="excludeSeen">Whether training items are excluded.</param>
    /// <returns>The estimator, to append after a <see cref="GraphEmbeddingTrainer"/>.</returns>
    public UnimodalRetrieverEstimator UnimodalRetriever(int candidates = UnimodalRetrieverDefaults.Candidates, bool excludeSeen = UnimodalRetrieverDefaults.ExcludeSeen) =>
        UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = candidates, ExcludeSeen = excludeSeen });

    /// <summary>Retrieves the unimodal top N and re-ranks it by maximal marginal relevance.</summary>
    /// <param name="options">All settings.</param>
    /// <returns>The estimator, to append after a <see cref="GraphEmbeddingTrainer"/>.</returns>
    public MmrRetrieverEstimator MmrRetriever(MmrRetrieverEstimator.Options options) => new(Context, options);

    /// <summary>Retrieves the unimodal top N and re-ranks it by maximal marginal relevance.</summary>
    /// <param name="candidates">M, candidates per user.</param>
    /// <param name="lambda">Relevance weight in [0, 1]; 1 gives the unimodal ranking.</param>
    /// <param name="poolSize">Length of the re-ranked unimodal ranking.</param>
    /// <param name="excludeSeen">Whether training items are excluded.</param>
    /// <param name="interestWeight">Weight of the interest term (multi-interest MMR); 0 = plain MMR.</param>
    /// <param name="interests">
    /// The interests of the term: the upstream kNN-Embed mixtures (<see cref="MmrInterests.Clusters"/>), or each user's own
    /// history interests (<see cref="MmrInterests.History"/>, history-interest MMR; its other settings in <see cref="MmrRetrieverEstimator.Options"/>).
    /// </param>
    /// <returns>The estimator, to append after a <see cref="GraphEmbeddingTrainer"/>.</returns>
    public MmrRetrieverEstimator MmrRetriever(int candidates = MmrRetrieverDefaults.Candidates, double lambda = MmrRetrieverDefaults.Lambda,
        int poolSize = MmrRetrieverDefaults.PoolSize, bool excludeSeen = MmrRetrieverDefaults.ExcludeSeen, double interestWeight = MmrRetrieverDefaults.InterestWeight,
        MmrInterests interests = MmrRetrieverDefaults.Interests) =>
        MmrRetriever(new MmrRetrieverEstimator.Options
        {
            Candidates = candidates, Lambda = lambda, PoolSize = poolSize, ExcludeSeen = excludeSeen, InterestWeight = interestWeight, Interests = interests,
        });
    /// <summary>
    /// History-interest MMR (<see cref="MmrRetrieverEstimator"/> with <see cref="MmrInterests.History"/>) with the settings
    /// chosen on cit-HepPh's validation hold-out (docs/results.md): each user's history split into interests, each with its
    /// implicit-ALS fold-in vector, relevance the best score over the user's vectors, MMR with the proportionality term over
    /// those interests. The fold-in follows the embeddings' ALS objective when the GraphEmbedding stage trained them with
    /// ALS, and is fitted to the user vectors otherwise. Other settings: <see cref="MmrRetriever(MmrRetrieverEstimator.Options)"/>.
    /// The default lambda is cit-HepPh's; for another graph choose it on a hold-out of its training edges with
    /// <see cref="Engine.HistoryMmrLambdaSelection"/> (what <c>evaluate</c> does) or a sweep (<see cref="Sweep"/>, <c>mmr-lambda</c>).
    /// </summary>
    /// <param name="candidates">M, candidates per user.</param>
    /// <param name="lambda">MMR relevance weight in [0, 1].</param>
    /// <param name="interestWeight">nu ≥ 0, the weight of the proportionality term over the history interests.</param>
    /// <param name="excludeSeen">Whether training items are excluded.</param>
    /// <param name="poolSize">
    /// How many best-scoring items are re-ranked (raised to M if smaller); M itself only re-orders the user's best M
    /// (<see cref="Engine.HistoryMmrLambdaChoice.PoolFor"/> gives the chosen one).
    /// </param>
    /// <returns>An <see cref="MmrRetrieverEstimator"/> over the history interests, to append after a <see cref="GraphEmbeddingTrainer"/>.</returns>
    public MmrRetrieverEstimator HistoryInterestMmr(int candidates = MmrRetrieverDefaults.Candidates, double lambda = HistoryInterestDefaults.MmrLambda,
        double interestWeight = HistoryInterestDefaults.InterestWeight, bool excludeSeen = MmrRetrieverDefaults.ExcludeSeen, int poolSize = MmrRetrieverDefaults.PoolSize) =>
        MmrRetriever(new MmrRetrieverEstimator.Options
        {
            Candidates = candidates, Lambda = lambda, InterestWeight = interestWeight, ExcludeSeen = excludeSeen, Interests = MmrInterests.History, PoolSize = poolSize,
        });
}
