using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Learns user and item embeddings from the engagement edges (PyTorch-BigGraph style: dot(user, item) scores
/// an edge, contrasted with sampled negatives), so that users and items can be compared, clustered and retrieved.
/// </summary>
/// <remarks>
/// Each input row is one edge: a user key and an item key (from MapValueToKey), optionally a weight. Row index
/// = key - 1 and the table sizes are the key cardinalities; rows with a missing key (0) are skipped; duplicate
/// edges are merged (weights summed). The transformer adds both embeddings to every row.
/// </remarks>
public sealed class GraphEmbeddingTrainer : IEstimator<GraphEmbeddingTransformer>
{
    /// <summary>Options of <see cref="GraphEmbeddingTrainer"/>; the training settings mirror <see cref="GraphEmbeddingOptions"/>.</summary>
    public sealed class Options
    {
        /// <summary>The user key column. Default "User".</summary>
        public string UserColumnName = "User";

        /// <summary>The item key column. Default "Item".</summary>
        public string ItemColumnName = "Item";

        /// <summary>Optional Single column of positive edge weights scaling each edge's loss. Default null (unweighted).</summary>
        public string? WeightColumnName;

        /// <summary>Output: the user embedding column. Default "UserEmbedding".</summary>
        public string UserEmbeddingColumnName = "UserEmbedding";

        /// <summary>Output: the item embedding column. Default "ItemEmbedding".</summary>
        public string ItemEmbeddingColumnName = "ItemEmbedding";

        /// <summary>Embedding dimension d, at least 1. Default 100.</summary>
        public int Dimension = 100;

        /// <summary>Passes over the edges, at least 1. Default 20.</summary>
        public int Epochs = 20;

        /// <summary>Training objective. Default <see cref="EmbeddingLoss.Logistic"/> (the engine's default; see docs/results.md for why not PBG's ranking loss).</summary>
        public EmbeddingLoss Loss = EmbeddingLoss.Logistic;

        /// <summary>Margin of the ranking loss. Default 0.1.</summary>
        public float Margin = 0.1f;

        /// <summary>Update rule. Default <see cref="EmbeddingOptimizer.Adagrad"/>.</summary>
        public EmbeddingOptimizer Optimizer = EmbeddingOptimizer.Adagrad;

        /// <summary>Learning rate, positive. Default 0.05.</summary>
        public float LearningRate = 0.05f;

        /// <summary>Edges sharing one set of sampled negatives. Default 50.</summary>
        public int ChunkSize = 50;

        /// <summary>Uniform negatives per chunk and side. Default 25.</summary>
        public int UniformNegatives = 25;

        /// <summary>Degree-proportional negatives per chunk and side. Default 0.</summary>
        public int DegreeNegatives;

        /// <summary>Exponent of the degree-proportional sampler. Default 0.75.</summary>
        public float DegreeExponent = 0.75f;

        /// <summary>In-batch negatives per edge and side, at most <see cref="ChunkSize"/>. Default 25.</summary>
        public int BatchNegatives = 25;

        /// <summary>Standard deviation of the initial coordinates. Default 0.001.</summary>
        public float InitScale = 1e-3f;

        /// <summary>Seed of every random choice. Default 1.</summary>
        public int Seed = 1;

        /// <summary>Worker threads; 0 = all cores. Only 1 gives bit-identical runs (more threads update without locks). Default 0.</summary>
        public int Threads;

        internal GraphEmbeddingOptions ToEngine()
        {
            OptionChecks.ColumnName(UserColumnName, nameof(UserColumnName));
            OptionChecks.ColumnName(ItemColumnName, nameof(ItemColumnName));
            if (WeightColumnName != null) OptionChecks.ColumnName(WeightColumnName, nameof(WeightColumnName));
            OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.ColumnName(ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName));
            var engine = new GraphEmbeddingOptions
            {
                Dimension = Dimension, Epochs = Epochs, Loss = Loss, Margin = Margin, Optimizer = Optimizer, LearningRate = LearningRate,
                ChunkSize = ChunkSize, UniformNegatives = UniformNegatives, DegreeNegatives = DegreeNegatives, DegreeExponent = DegreeExponent,
                BatchNegatives = BatchNegatives, InitScale = InitScale, Seed = Seed, Threads = Threads,
            };
            // The engine's checks name the option, and the names are the same here.
            engine.Validate();
            return engine;
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;
    private readonly GraphEmbeddingOptions _engineOptions;

    internal GraphEmbeddingTrainer(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _engineOptions = options.ToEngine();
        _context = context;
        _options = options;
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
        });
        var graph = rows.Graph();
        var progress = new LogProgress(_context);
        var result = GraphEmbeddingTrainerEngine.Fit(graph, _engineOptions, progress);
        var userNames = KeyNames.Of(input.Schema[o.UserColumnName], rows.UserCount);
        var itemNames = KeyNames.Of(input.Schema[o.ItemColumnName], rows.ItemCount);
        return new GraphEmbeddingTransformer(o.UserColumnName, o.ItemColumnName, o.UserEmbeddingColumnName, o.ItemEmbeddingColumnName,
            result, userNames, itemNames);
    }

    /// <summary>The input shape plus the two embedding columns.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var o = _options;
        ShapeChecks.Key(inputSchema, o.UserColumnName, nameof(o.UserColumnName));
        ShapeChecks.Key(inputSchema, o.ItemColumnName, nameof(o.ItemColumnName));
        if (o.WeightColumnName != null) ShapeChecks.Scalar(inputSchema, o.WeightColumnName, nameof(o.WeightColumnName), NumberDataViewType.Single);
        return ShapeFactory.Append(inputSchema, ShapeFactory.FloatVector(o.UserEmbeddingColumnName), ShapeFactory.FloatVector(o.ItemEmbeddingColumnName));
    }

    /// <summary>Reports each epoch to the MLContext log, synchronously (Progress&lt;T&gt; would post to a context).</summary>
    private sealed class LogProgress(MLContext context) : IProgress<EpochStats>
    {
        public void Report(EpochStats value) =>
            Logging.Info(context, nameof(GraphEmbeddingTrainer), $"Epoch {value.Epoch}: mean loss {value.MeanLoss:G5}, {value.Seconds:F2} s, {value.EdgesPerSecond:F0} edges/s.");
    }
}
