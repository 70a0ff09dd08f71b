using System.CommandLine;
using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The learned-mixture rows of <c>reproduce</c> and <c>evaluate</c> (<c>--mixture-embeddings</c>): Instagram's mixture
/// embeddings served by round-robin retrieval, and the fair control, one vector per user with as many parameters
/// (dimension C_s × d) trained by the same loss.
/// </summary>
internal sealed record MixtureRows(GraphEmbeddingOptions Mixture, GraphEmbeddingOptions? Control, float[] WeightGammaSweep, bool WarmStart = false)
{
    /// <summary>Name of the mixture row in metrics.json and candidates.tsv.</summary>
    public const string MixtureName = "mixture_embeddings";

    /// <summary>Name of the equal-size single-vector row.</summary>
    public const string ControlName = "single_vector_equal_size";

    /// <summary>Margin of the equal-size single vector unless --mix-control-margin is given (its own best on the same validation split).</summary>
    public const float ControlMargin = 0.3f;

    /// <summary>The options of the rows, declared once.</summary>
    internal sealed class Flags
    {
        public Option<bool> On { get; } = Opt.Flag("--mixture-embeddings",
            "Add the rows \"Mixture embeddings (round robin)\" and the equal-size single vector (trains two more models).");

        public CliOption<int> SourceComponents { get; } = Opt.Int("--mix-components", MixtureEmbeddingDefaults.SourceComponents, "Vectors per user.", min: 1);

        public CliOption<int> DestinationComponents { get; } = Opt.Int("--mix-item-components", MixtureEmbeddingDefaults.DestinationComponents, "Vectors per item.", min: 1);

        public CliOption<int> Dim { get; } = Opt.Int("--mix-dim", MixtureEmbeddingDefaults.Dimension, "Dimension per component; the control gets N x --mix-components.", min: 1, max: GraphEmbeddingDefaults.MaxDimension);

        public CliOption<int> MixEpochs { get; } = Opt.Int("--mix-epochs", MixtureEmbeddingDefaults.Epochs, "Epochs at most (chosen on the validation hold-out).", min: 1);

        public CliOption<float> Lr { get; } = Opt.Float("--mix-lr", MixtureEmbeddingDefaults.LearningRate, "Learning rate.");

        public CliOption<float> MixMargin { get; } = Opt.Float("--mix-margin", MixtureEmbeddingDefaults.Margin, "Margin of the mixture.", min: 0);

        public CliOption<float> MixControlMargin { get; } = Opt.Float("--mix-control-margin", ControlMargin, "Margin of the equal-size single vector (evaluate's control row).", min: 0);

        /// <summary>The hold-out flag's name, which <see cref="LearnedHoldOut"/> names when the hold-out cannot choose the epochs.</summary>
        public const string ValidationFractionFlag = "--mix-validation-fraction";

        public CliOption<double> ValidationFraction { get; } = Opt.Double(ValidationFractionFlag, GraphEmbeddingDefaults.ValidationFraction,
            "Validation hold-out choosing the epochs (0 = no selection).", min: 0, max: 1, below: true);

        public CliOption<MixturePooling> Pooling { get; } = Opt.Choice("--mix-pooling", MixtureEmbeddingDefaults.Pooling, Name, "Pooling of the user's vectors.");

        public CliOption<float> Gamma { get; } = Opt.Float("--mix-gamma", MixtureEmbeddingDefaults.Gamma, "Smoothmax temperature.");

        public CliOption<float> Theta { get; } = Opt.Float("--mix-theta", MixtureEmbeddingDefaults.Theta, "Weight of the regularised smoothmax term.");

        public CliOption<float> WeightGamma { get; } = Opt.Float("--mix-weight-gamma", MixtureEmbeddingDefaults.WeightGamma, "Temperature of the post-hoc component weights.");

        public Option<bool> TwoSided { get; } = Opt.Flag("--mix-two-sided", "Also corrupt users.");

        public CliOption<float[]> WeightGammaSweep { get; } = Opt.FloatList("--mix-weight-gamma-sweep", 1e-3f, 1e3f,
            "Also report the mixture row with post-hoc weights at each of these temperatures (for choosing on a validation split).");

        public Option<bool> WarmStart { get; } = Opt.Flag("--mix-warm-start",
            "Mixture embeddings: start every user's components near its main-table user vector and the items at their main-table vectors, at that "
            + "table's dimension instead of --mix-dim (the control row stays random). The start has seen every training edge: fix the epochs with "
            + "--mix-validation-fraction 0.");

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All =>
            [On, SourceComponents, DestinationComponents, Dim, MixEpochs, Lr, MixMargin, MixControlMargin, ValidationFraction, Pooling, Gamma, Theta, WeightGamma, TwoSided, WeightGammaSweep, WarmStart];

        /// <summary>
        /// The options <c>fit</c> offers: all but those of evaluate's rows alone (the sweep, the control row's margin) and the
        /// warm start, which only evaluate's row has.
        /// </summary>
        public IReadOnlyList<Option> Fit => [.. All.Except([WeightGammaSweep, MixControlMargin, WarmStart])];

        /// <summary>
        /// The rows' settings; null unless --mixture-embeddings is given (the other options are still checked). Without
        /// <paramref name="control"/> (fit, which trains no control row) the control row is neither built nor checked.
        /// </summary>
        public MixtureRows? Read(ParseResult r, int seed, int threads, bool control = true)
        {
            var mix = new MixtureEmbeddingOptions
            {
                SourceComponents = r.Value(SourceComponents),
                DestinationComponents = r.Value(DestinationComponents),
                Pooling = r.Value(Pooling),
                Gamma = r.Value(Gamma),
                Theta = r.Value(Theta),
                WeightGamma = r.Value(WeightGamma),
                OneSidedNegatives = !r.GetValue(TwoSided),
            };
            var options = new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.MixtureEmbedding,
                Dimension = r.Value(Dim),
                Epochs = r.Value(MixEpochs),
                LearningRate = r.Value(Lr),
                Margin = r.Value(MixMargin),
                ValidationFraction = r.Value(ValidationFraction),
                Mixture = mix,
                Seed = seed,
                Threads = threads,
            };
            var controlRow = control ? Control(r, options) : null;
            try
            {
                options.Validate();
                controlRow?.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw OptionErrors.Usage("Mixture-embedding", e, r);
            }
            if (r.GetValue(WarmStart) && !r.GetValue(On)) throw new UsageException("--mix-warm-start starts the --mixture-embeddings row: add it, or leave it out.");
            return r.GetValue(On) ? new MixtureRows(options, controlRow, r.Value(WeightGammaSweep), r.GetValue(WarmStart)) : null;
        }

        /// <summary>The control row: one vector per key of the mixture's whole size, C_s x d.</summary>
        private GraphEmbeddingOptions Control(ParseResult r, GraphEmbeddingOptions options)
        {
            long dimension = (long)options.Dimension * options.Mixture.SourceComponents;
            if (dimension > GraphEmbeddingDefaults.MaxDimension)
                throw new UsageException($"--mix-dim {options.Dimension} x --mix-components {options.Mixture.SourceComponents} = {dimension:N0}, the control row's dimension, "
                    + $"exceeds the largest accepted, {GraphEmbeddingDefaults.MaxDimension:N0}: lower either.");
            var control = options.Clone();
            control.Dimension = (int)dimension;
            control.Mixture.SourceComponents = 1;
            control.Mixture.DestinationComponents = 1;
            control.Margin = r.Value(MixControlMargin);
            return control;
        }

    }

    /// <summary>The command-line spelling of a pooling.</summary>
    public static string Name(MixturePooling p) => p switch
    {
        MixturePooling.RegularizedSmoothmax => "regularized-smoothmax",
        _ => p.ToString().ToLowerInvariant(),
    };
}
