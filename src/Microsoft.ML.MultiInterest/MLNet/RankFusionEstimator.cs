using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fuses the candidate lists of two or more retrieval stages of one pipeline into one list (<see cref="RankFusion"/>): an item
/// scores <c>max_l w_l / rank_l(item)</c> over the source lists that hold it, and the M best items are kept, each once. Two
/// retrievers with different errors recall more together than either: on cit-HepPh, history-interest MMR fused with DCM's
/// round robin (weights 0.6 / 0.4, <see cref="DcmDefaults.FusionWeight"/>) recalls more than either at 1.10x Unimodal's
/// diversity (docs/results.md). Give the source retrievers their own output column names (their
/// <see cref="RetrieverOptions.CandidatesColumnName"/>, or a <c>CopyColumns</c> of a list before the next retriever writes
/// Candidates again), then name those columns here. <see cref="MultiInterestCatalog.CreateRecommender(ITransformer)"/> serves
/// the fitted pipeline's fusion live, and the saved model's too.
/// </summary>
/// <remarks>
/// Nothing is learned: Fit checks the columns and returns a <see cref="RankFusionTransformer"/>, which fuses row by row, so
/// whatever each source returns for a row (its trained list, a fresh history's, the popular fallback) is fused as it is. The
/// sources already exclude their seen items; key 0 (the padding of a short list) is skipped.
/// </remarks>
public sealed class RankFusionEstimator : IEstimator<RankFusionTransformer>
{
    /// <summary>Options of <see cref="RankFusionEstimator"/>.</summary>
    public sealed class Options : MultiInterestStageOptions
    {
        /// <summary>The source candidate columns (known-size vectors of item keys over the same item key type, best first), at least one.</summary>
        public string[] SourceColumnNames = [];

        /// <summary>
        /// w_l per source, finite and non-negative, at least one positive; a source of weight 0 contributes nothing. Empty (the
        /// default) gives every source <see cref="RankFusionDefaults.Weight"/>.
        /// </summary>
        public double[] Weights = [];

        /// <summary>M, the fused list length, 1 to 1,048,576 (rows whose sources hold fewer distinct items are padded with key 0 and NaN scores). Default <see cref="RankFusionDefaults.Candidates"/>.</summary>
        public int Candidates = RankFusionDefaults.Candidates;

        /// <summary>Output: the fused item keys, best first. Default <see cref="MultiInterestColumnNames.Candidates"/>.</summary>
        public string CandidatesColumnName = MultiInterestColumnNames.Candidates;

        /// <summary>Output: the fused scores (<c>w_l / rank_l</c> of each item's best source). Default <see cref="MultiInterestColumnNames.CandidateScores"/>.</summary>
        public string CandidateScoresColumnName = MultiInterestColumnNames.CandidateScores;

        /// <summary>The weight of each source as used: <see cref="Weights"/>, or the default weight for every source.</summary>
        internal double[] ResolvedWeights() => Weights.Length == 0 ? Enumerable.Repeat(RankFusionDefaults.Weight, SourceColumnNames.Length).ToArray() : [.. Weights];

        /// <inheritdoc/>
        private protected override void CopyReferences()
        {
            SourceColumnNames = [.. SourceColumnNames];
            Weights = [.. Weights];
        }

        internal void Validate()
        {
            if (SourceColumnNames == null || SourceColumnNames.Length == 0)
                throw new ArgumentException($"Option {nameof(SourceColumnNames)} must name at least one candidate column to fuse.", nameof(SourceColumnNames));
            for (int l = 0; l < SourceColumnNames.Length; l++) OptionChecks.ColumnName(SourceColumnNames[l], $"{nameof(SourceColumnNames)}[{l}]");
            ArgumentNullException.ThrowIfNull(Weights, nameof(Weights));
            if (Weights.Length != 0 && Weights.Length != SourceColumnNames.Length)
                throw new ArgumentException($"Option {nameof(Weights)} has {Weights.Length} weights for {SourceColumnNames.Length} source columns: give one per source, or none for equal weights.", nameof(Weights));
            for (int l = 0; l < Weights.Length; l++) OptionChecks.NonNegativeFinite(Weights[l], $"{nameof(Weights)}[{l}]");
            if (Weights.Length != 0 && Weights.All(w => w == 0))
                throw new ArgumentException($"Option {nameof(Weights)} must have at least one positive weight; all {Weights.Length} are 0.", nameof(Weights));
            OptionChecks.Candidates(Candidates, nameof(Candidates));
            OptionChecks.ColumnName(CandidatesColumnName, nameof(CandidatesColumnName));
            OptionChecks.ColumnName(CandidateScoresColumnName, nameof(CandidateScoresColumnName));
            // The fused list may replace a source of its name; the scores may not share the list's name, nor hide a source
            // (checked with the sources' types, RefuseScoresHidingASource: a scores column given as a source is the mistake then).
            OptionChecks.DistinctOutputs([(CandidatesColumnName, nameof(CandidatesColumnName)), (CandidateScoresColumnName, nameof(CandidateScoresColumnName))], []);
        }

        /// <summary>
        /// Refuses a scores output named like a source, once the sources are known to be candidate lists: run before, it would
        /// blame the output's name for what is usually a retriever's scores column (CandidateScores) given as a source.
        /// </summary>
        internal void RefuseScoresHidingASource() =>
            OptionChecks.DistinctOutputs([(CandidateScoresColumnName, nameof(CandidateScoresColumnName))],
                SourceColumnNames.Select((name, l) => ((string?)name, $"{nameof(SourceColumnNames)}[{l}]")).ToList());
    }

    private readonly MLContext _context;
    private readonly Options _options;

    internal RankFusionEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _options.Validate();
        _context = context;
    }

    /// <summary>Checks the source columns and returns the fusing transformer.</summary>
    /// <exception cref="ArgumentException">A source column is missing, is not a known-size vector of keys, or its key type differs from the first source's;
    /// or the scores output is named like a source.</exception>
    /// <param name="input">Rows holding every source column (the candidate key vectors of the fitted retrieval stages); not null.</param>
    /// <returns>The fusing stage.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public RankFusionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var (items, sizes, stageIds) = RankFusionTransformer.SourcesOf(input.Schema, o.SourceColumnNames);
        o.RefuseScoresHidingASource();
        var transformer = new RankFusionTransformer([.. o.SourceColumnNames], stageIds, sizes, o.ResolvedWeights(), o.Candidates, o.CandidatesColumnName, o.CandidateScoresColumnName, items);
        Logging.Info(_context, nameof(RankFusionEstimator), $"Fusing {o.SourceColumnNames.Length} candidate columns ({string.Join(", ", o.SourceColumnNames)}) "
            + $"with weights {string.Join(", ", transformer.Weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))} into {o.Candidates} candidates.");
        return transformer;
    }

    /// <summary>The input shape plus the fused Candidates and CandidateScores columns.</summary>
    /// <exception cref="ArgumentException">A source column is missing or is not a vector of keys, or the scores output is named like a source.</exception>
    /// <param name="inputSchema">The shape of the rows <see cref="Fit"/> would read: every source column a vector of keys; not null.</param>
    /// <returns><paramref name="inputSchema"/> with the fused candidates and scores columns appended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputSchema"/> is null.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        for (int l = 0; l < o.SourceColumnNames.Length; l++)
        {
            var column = ShapeChecks.Find(inputSchema, o.SourceColumnNames[l], $"{nameof(o.SourceColumnNames)}[{l}]");
            if (!column.IsKey || column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.UInt32)
                throw RankFusionTransformer.NotCandidates(o.SourceColumnNames[l], l, ShapeChecks.Describe(column));
        }
        o.RefuseScoresHidingASource();
        return CandidateShape.Append(inputSchema, o.CandidatesColumnName, o.CandidateScoresColumnName);
    }
}
