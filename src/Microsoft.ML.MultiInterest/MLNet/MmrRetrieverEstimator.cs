using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The diversified single-vector baseline: the unimodal top <see cref="Options.PoolSize"/> items re-ranked by maximal
/// marginal relevance (<see cref="MmrRetriever"/>), keeping M; <see cref="Options.Lambda"/> = 1 gives the
/// <see cref="UnimodalRetrieverEstimator"/>'s lists.
/// </summary>
public sealed class MmrRetrieverEstimator : IEstimator<CandidateRetrievalTransformer>
{
    /// <summary>Options of <see cref="MmrRetrieverEstimator"/>.</summary>
    public sealed class Options : RetrieverOptions
    {
        /// <summary>The user embedding column. Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
        public string UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

        /// <summary>M, the number of candidates per user, at least 1. Default <see cref="MmrRetrieverDefaults.Candidates"/>.</summary>
        public int Candidates = MmrRetrieverDefaults.Candidates;

        /// <summary>Relevance weight in [0, 1]: 1 = the unimodal ranking, smaller values favour novelty. Default <see cref="MmrRetrieverDefaults.Lambda"/>.</summary>
        public double Lambda = MmrRetrieverDefaults.Lambda;

        /// <summary>Length of the unimodal ranking that is re-ranked, at least 1 (raised to M if smaller). Default <see cref="MmrRetrieverDefaults.PoolSize"/>.</summary>
        public int PoolSize = MmrRetrieverDefaults.PoolSize;

        /// <summary>
        /// Weight nu of the interest term (multi-interest MMR, <see cref="InterestProportionality"/>), finite and non-negative;
        /// 0 = plain MMR. When positive the mixture columns (from <see cref="KnnSmoothedMixtureEstimator"/>) and the item
        /// cluster column are read. Default <see cref="MmrRetrieverDefaults.InterestWeight"/>.
        /// </summary>
        public double InterestWeight = MmrRetrieverDefaults.InterestWeight;

        /// <summary>The item cluster key column, read when <see cref="InterestWeight"/> is positive. Default <see cref="MultiInterestColumnNames.ItemCluster"/>.</summary>
        public string ItemClusterColumnName = MultiInterestColumnNames.ItemCluster;

        /// <summary>The mixture cluster keys column, read when <see cref="InterestWeight"/> is positive. Default <see cref="MultiInterestColumnNames.MixtureClusters"/>.</summary>
        public string MixtureClustersColumnName = MultiInterestColumnNames.MixtureClusters;

        /// <summary>The mixture weights column, read when <see cref="InterestWeight"/> is positive. Default <see cref="MultiInterestColumnNames.MixtureWeights"/>.</summary>
        public string MixtureWeightsColumnName = MultiInterestColumnNames.MixtureWeights;

        /// <summary>The mixture embeddings column, read when <see cref="InterestWeight"/> is positive. Default <see cref="MultiInterestColumnNames.MixtureEmbeddings"/>.</summary>
        public string MixtureEmbeddingsColumnName = MultiInterestColumnNames.MixtureEmbeddings;

        /// <summary>Whether the user's training items are never candidates. Default <see cref="MmrRetrieverDefaults.ExcludeSeen"/>.</summary>
        public bool ExcludeSeen = MmrRetrieverDefaults.ExcludeSeen;

        internal void Validate()
        {
            ValidateShared();
            OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.AtLeast(Candidates, 1, nameof(Candidates));
            OptionChecks.AtLeast(PoolSize, 1, nameof(PoolSize));
            OptionChecks.NonNegativeFinite(InterestWeight, nameof(InterestWeight));
            OptionChecks.ColumnName(ItemClusterColumnName, nameof(ItemClusterColumnName));
            OptionChecks.ColumnName(MixtureClustersColumnName, nameof(MixtureClustersColumnName));
            OptionChecks.ColumnName(MixtureWeightsColumnName, nameof(MixtureWeightsColumnName));
            OptionChecks.ColumnName(MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName));
            if (!(Lambda >= 0 && Lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, $"{nameof(Lambda)} (MMR relevance weight) must lie in [0, 1].");
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal MmrRetrieverEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _context = context;
        _options = options;
    }

    /// <summary>Retrieves and re-ranks the candidates of every user with training edges.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    public CandidateRetrievalTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, new EdgeColumns
        {
            User = (o.UserColumnName, nameof(o.UserColumnName)),
            Item = (o.ItemColumnName, nameof(o.ItemColumnName)),
            UserVector = (o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName)),
            ItemVector = (o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName)),
            ItemCluster = o.InterestWeight > 0 ? (o.ItemClusterColumnName, nameof(o.ItemClusterColumnName)) : null,
        });
        var items = new CompactItems(rows);
        int pool = Math.Max(o.PoolSize, o.Candidates);
        MixtureTable? mixtures = null;
        ItemClustering? clustering = null;
        if (o.InterestWeight > 0)
        {
            clustering = items.Clustering(rows, o.ItemClusterColumnName, nameof(o.ItemClusterColumnName));
            mixtures = MixtureReader.Read(input, (o.UserColumnName, nameof(o.UserColumnName)), (o.MixtureClustersColumnName, nameof(o.MixtureClustersColumnName)),
                (o.MixtureWeightsColumnName, nameof(o.MixtureWeightsColumnName)), (o.MixtureEmbeddingsColumnName, nameof(o.MixtureEmbeddingsColumnName)),
                rows.ClusterCount, items.Embeddings.Dimension);
        }
        Logging.Info(_context, nameof(MmrRetrieverEstimator), $"Re-ranking the top {pool} of {items.RowOf.Length} items to {o.Candidates} candidates (lambda {o.Lambda}).");
        return FittedServing.Create(_context, nameof(MmrRetrieverEstimator), input, rows, items,
            CandidateMethod.Mmr, o.Candidates, double.NaN, new RetrievalSettings { MmrLambda = o.Lambda, MmrPoolSize = pool, InterestWeight = o.InterestWeight },
            o.ExcludeSeen, mixtures, clustering, o);
    }

    /// <summary>The input shape plus the Candidates and CandidateScores columns.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var o = _options;
        ShapeChecks.Key(inputSchema, o.UserColumnName, nameof(o.UserColumnName));
        ShapeChecks.Key(inputSchema, o.ItemColumnName, nameof(o.ItemColumnName));
        ShapeChecks.Vector(inputSchema, o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName), NumberDataViewType.Single);
        ShapeChecks.Vector(inputSchema, o.ItemEmbeddingColumnName, nameof(o.ItemEmbeddingColumnName), NumberDataViewType.Single);
        return CandidateShape.Append(inputSchema, o.CandidatesColumnName, o.CandidateScoresColumnName);
    }
}
