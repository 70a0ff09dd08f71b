using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Serves a learned multi-vector model (a <see cref="GraphEmbeddingTrainer"/> fitted with
/// <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> or <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>) with the
/// engine's <see cref="RoundRobinRetriever"/>: each of the user's C_s components fetches its nearest M x C_d item components,
/// an item's score for the component is the sum of its fetched components, items are ranked per component, and the list keeps
/// each item's best <c>w_c / rank_c</c>, M items, the user's training items excluded. The lists equal the engine's on the
/// transformer's <see cref="GraphEmbeddingTransformer.Mixture"/>.
/// </summary>
/// <remarks>
/// Fit reads the training edges (user and item keys, the item embeddings) and the component columns the embedding stage
/// appends (first row of each user and item; later rows must repeat it), then retrieves for every user with edges. Only items with a row in the fit data
/// can be candidates; equal scores go to the component of higher weight, then to the lower item key. At Transform and in
/// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> a user trained on is served from its components; a user with only a fresh
/// history (new, or key 0) gets, for differentiable clustering, the model's own interests of that history (the soft k-means of
/// the history's item vectors from the learned seeds, as training computes a user's interests), and for mixture embeddings,
/// which cannot place an unseen user among learned components, one component: the mean of the history items' vectors
/// (<see cref="CandidateSource.History"/>); a user with neither gets the popular items (<see cref="CandidateSource.Popular"/>).
/// The soft k-means settings reach the retriever as annotations of the user components column and are saved with the stage.
/// The fitted stage is a <see cref="CandidateRetrievalTransformer"/>, thread-safe as the other retrievers' (every request
/// allocates its own scratch; the tables and the engine's retriever are read-only).
/// </remarks>
public sealed class RoundRobinRetrieverEstimator : IEstimator<CandidateRetrievalTransformer>
{
    /// <summary>Options of <see cref="RoundRobinRetrieverEstimator"/>.</summary>
    public sealed class Options : RetrieverOptions
    {
        /// <summary>The user components column (C_s x d Singles). Default <see cref="MultiInterestColumnNames.UserComponents"/>.</summary>
        public string UserComponentsColumnName = MultiInterestColumnNames.UserComponents;

        /// <summary>The weights of the user components (C_s Doubles). Default <see cref="MultiInterestColumnNames.UserComponentWeights"/>.</summary>
        public string UserComponentWeightsColumnName = MultiInterestColumnNames.UserComponentWeights;

        /// <summary>The item components column (C_d x d Singles). Default <see cref="MultiInterestColumnNames.ItemComponents"/>.</summary>
        public string ItemComponentsColumnName = MultiInterestColumnNames.ItemComponents;

        /// <summary>M, the number of candidates per user, 1 to 1,048,576. Default <see cref="RoundRobinRetrieverDefaults.Candidates"/>.</summary>
        public int Candidates = RoundRobinRetrieverDefaults.Candidates;

        /// <summary>Whether the user's training items are never candidates (fresh history given at Transform or to the recommender is always excluded). Default <see cref="RoundRobinRetrieverDefaults.ExcludeSeen"/>.</summary>
        public bool ExcludeSeen = RoundRobinRetrieverDefaults.ExcludeSeen;

        /// <inheritdoc/>
        private protected override IEnumerable<(string? Name, string Option)> InputColumns() =>
            [.. base.InputColumns(), (UserComponentsColumnName, nameof(UserComponentsColumnName)), (UserComponentWeightsColumnName, nameof(UserComponentWeightsColumnName)), (ItemComponentsColumnName, nameof(ItemComponentsColumnName))];

        internal void Validate()
        {
            ValidateShared();
            OptionChecks.ColumnName(UserComponentsColumnName, nameof(UserComponentsColumnName));
            OptionChecks.ColumnName(UserComponentWeightsColumnName, nameof(UserComponentWeightsColumnName));
            OptionChecks.ColumnName(ItemComponentsColumnName, nameof(ItemComponentsColumnName));
            OptionChecks.Candidates(Candidates, nameof(Candidates));
            if (HistoryVector is Engine.HistoryVector.FoldIn or Engine.HistoryVector.Encoder)
                throw new ArgumentOutOfRangeException(nameof(HistoryVector), HistoryVector,
                    $"HistoryVector = {HistoryVector} does not apply to round robin, which reads a new user's history by its learned components: use Auto or Mean.");
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal RoundRobinRetrieverEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _options.Validate();
        _context = context;
    }

    /// <summary>Retrieves the candidates of every user with training edges.</summary>
    /// <exception cref="ArgumentException">
    /// A column is missing (as after a single-vector GraphEmbedding), has the wrong type or size, holds a non-finite value, or a
    /// user with edges has no components.
    /// </exception>
    /// <param name="input">The training edge rows after a multi-vector GraphEmbedding stage (mixture embeddings or DCM): the user and item key columns, the item embedding vector and the user components, user component weights and item components columns, as the options name them; not null.</param>
    /// <returns>The fitted retrieval stage, holding every trained user's candidate list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public CandidateRetrievalTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, o.SharedColumns());
        // Rows of a missing key (an id the key mapping did not know) carry no edge: said, as GraphEmbedding says it.
        OptionWarnings.SkippedEdgeRows(_context, nameof(RoundRobinRetrieverEstimator), rows, o.UserColumnName, o.ItemColumnName, null);
        var items = new CompactItems(rows);
        var (users, learned) = LearnedComponentsReader.Read(input, o, items);
        OptionWarnings.Candidates(_context, nameof(RoundRobinRetrieverEstimator), o.Candidates, items.RowOf.Length);
        Logging.Info(_context, nameof(RoundRobinRetrieverEstimator), $"Round robin over {users.MaxComponents} components per user and {learned.DestinationComponents} per item"
            + $"{(learned.Dcm != null ? "; a fresh history is clustered by the model's soft k-means." : "; a fresh history is one component, its items' mean vector.")}");
        return FittedServing.Create(_context, nameof(RoundRobinRetrieverEstimator), input, rows, items, CandidateMethod.RoundRobin, o.Candidates, double.NaN,
            new RetrievalSettings(), o.ExcludeSeen, users, null, o, learned);
    }

    /// <summary>The input shape plus the Candidates, CandidateScores and CandidateSource columns.</summary>
    /// <exception cref="ArgumentException">A column is missing (as after a single-vector GraphEmbedding) or has the wrong type.</exception>
    /// <param name="inputSchema">The shape of the rows <see cref="Fit"/> would read: the columns it lists; not null.</param>
    /// <returns><paramref name="inputSchema"/> with the three candidate columns appended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputSchema"/> is null.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        o.CheckSharedShape(inputSchema);
        ShapeChecks.Vector(inputSchema, Present(inputSchema, o.UserComponentsColumnName, nameof(o.UserComponentsColumnName)), nameof(o.UserComponentsColumnName), NumberDataViewType.Single);
        ShapeChecks.Vector(inputSchema, Present(inputSchema, o.UserComponentWeightsColumnName, nameof(o.UserComponentWeightsColumnName)), nameof(o.UserComponentWeightsColumnName), NumberDataViewType.Double);
        ShapeChecks.Vector(inputSchema, Present(inputSchema, o.ItemComponentsColumnName, nameof(o.ItemComponentsColumnName)), nameof(o.ItemComponentsColumnName), NumberDataViewType.Single);
        return o.AppendOutputShape(inputSchema);
    }

    /// <summary>The name of a component column the shape has; a missing one is an error that says where such columns come from.</summary>
    private static string Present(SchemaShape shape, string name, string option) =>
        shape.Any(c => c.Name == name) ? name
            : throw new ArgumentException($"Input column '{name}' (option {option}) was not found in the input schema: {LearnedComponentsReader.Origin}.", nameof(shape));
}
