using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The single-vector baseline: the top M items by dot(user embedding, item embedding) over every item with a
/// row in the fit data, optionally without the user's training items; equal scores go to the lower item key.
/// </summary>
public sealed class UnimodalRetrieverEstimator : IEstimator<CandidateRetrievalTransformer>
{
    /// <summary>Options of <see cref="UnimodalRetrieverEstimator"/>.</summary>
    public sealed class Options : RetrieverOptions
    {
        /// <summary>The user embedding column. Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
        public string UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

        /// <summary>M, the number of candidates per user, 1 to 1,048,576. Default <see cref="UnimodalRetrieverDefaults.Candidates"/>.</summary>
        public int Candidates = UnimodalRetrieverDefaults.Candidates;

        /// <summary>Whether the user's training items are never candidates (fresh history given at Transform or to the recommender is always excluded). Default <see cref="UnimodalRetrieverDefaults.ExcludeSeen"/>.</summary>
        public bool ExcludeSeen = UnimodalRetrieverDefaults.ExcludeSeen;

        /// <inheritdoc/>
        private protected override IEnumerable<(string? Name, string Option)> InputColumns() =>
            [.. base.InputColumns(), (UserEmbeddingColumnName, nameof(UserEmbeddingColumnName))];

        internal void Validate()
        {
            ValidateShared();
            OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
            OptionChecks.Candidates(Candidates, nameof(Candidates));
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal UnimodalRetrieverEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _options.Validate();
        _context = context;
    }

    /// <summary>Retrieves the candidates of every user with training edges.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <param name="input">The training edge rows after the embedding stage: the user and item key columns and the item and user embedding vectors, as the options name them; not null.</param>
    /// <returns>The fitted retrieval stage, holding every trained user's candidate list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public CandidateRetrievalTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, o.SharedColumns() with { UserVector = (o.UserEmbeddingColumnName, nameof(o.UserEmbeddingColumnName)) });
        // Rows of a missing key (an id the key mapping did not know) carry no edge: said, as GraphEmbedding says it.
        OptionWarnings.SkippedEdgeRows(_context, nameof(UnimodalRetrieverEstimator), rows, o.UserColumnName, o.ItemColumnName, null);
        var items = new CompactItems(rows);
        OptionWarnings.Candidates(_context, nameof(UnimodalRetrieverEstimator), o.Candidates, items.RowOf.Length);
        OptionWarnings.ZeroUserVectors(_context, nameof(UnimodalRetrieverEstimator), rows.UserVectors, o.UserEmbeddingColumnName);
        return FittedServing.Create(_context, nameof(UnimodalRetrieverEstimator), input, rows, items,
            CandidateMethod.Unimodal, o.Candidates, double.NaN, new RetrievalSettings(), o.ExcludeSeen, null, null, o);
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
        return o.AppendOutputShape(inputSchema);
    }
}
