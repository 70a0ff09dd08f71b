using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The DCM row of <c>reproduce</c> and <c>evaluate</c> (<c>--dcm</c>): Pinterest's differentiable clustering module
/// (<see cref="EmbeddingAlgorithm.DifferentiableClustering"/>), K interests per user from a soft k-means of its history,
/// trained end to end with the item vectors and served by round-robin retrieval.
/// </summary>
internal static class DcmFlags
{
    /// <summary>Name of the row in metrics.json and candidates.tsv.</summary>
    public const string RowName = "dcm";

    /// <summary>The name of the DCM rows served by history-interest MMR (<c>dcm_mmr@lambda=X</c>).</summary>
    public const string MmrRowName = "dcm_mmr";

    /// <summary>The row fusing DCM's round robin with history-interest MMR (<see cref="RankFusion"/>).</summary>
    public const string FusionRowName = "dcm_history_fusion";

    /// <summary>Suffix of a learned row's cluster-quota twin (--learned-quotas).</summary>
    public const string QuotaSuffix = "_quotas";

    /// <summary>The DCM row's options and --learned-quotas, declared once.</summary>
    internal sealed class Flags
    {
        public Option<bool> On { get; } = Opt.Flag("--dcm",
            "Add the row \"DCM (round robin)\": Pinterest's differentiable clustering of each user's history (trains one more model).");

        public CliOption<int> Interests { get; } = Opt.Int("--dcm-interests", DcmDefaults.Interests, "DCM: interests per user.", min: 1);

        public CliOption<int> Iterations { get; } = Opt.Int("--dcm-iterations", DcmDefaults.Iterations, "DCM: clustering iterations.", min: 1);

        public CliOption<float> Tau { get; } = Opt.Float("--dcm-tau", DcmDefaults.Temperature, "DCM: soft-assignment temperature.");

        public Option<bool> LearnTau { get; } = Opt.Flag("--dcm-learn-tau", "DCM: learn the temperature.");

        public CliOption<float> Beta { get; } = Opt.Float("--dcm-beta", DcmDefaults.PriorWeight, "DCM: prior weight.");

        public CliOption<int> History { get; } = Opt.Int("--dcm-history", DcmDefaults.MaxHistory, "DCM: history items per training example, a random L of the user's items when it has more; serving reads the whole history.", min: 1);

        public CliOption<int> Dim { get; } = Opt.Int("--dcm-dim", DcmDefaults.Dimension, "DCM: dimension.", min: 1, max: GraphEmbeddingDefaults.MaxDimension);

        public CliOption<int> DcmEpochs { get; } = Opt.Int("--dcm-epochs", DcmDefaults.Epochs, "DCM: epochs at most (chosen on the validation hold-out).", min: 1);

        public CliOption<float> Lr { get; } = Opt.Float("--dcm-lr", DcmDefaults.LearningRate, "DCM: learning rate.");

        public CliOption<float> DcmMargin { get; } = Opt.Float("--dcm-margin", DcmDefaults.Margin, "DCM: margin.");

        public CliOption<int> DcmNegatives { get; } = Opt.Int("--dcm-negatives", DcmDefaults.Negatives, "DCM: uniform negatives per edge.", min: 1);

        public CliOption<MixturePooling> Pooling { get; } = Opt.Choice("--dcm-pooling", DcmDefaults.Pooling, MixtureRows.Name, "DCM: pooling of the interests.");

        public CliOption<float> Gamma { get; } = Opt.Float("--dcm-gamma", DcmDefaults.Gamma, "DCM: smoothmax temperature.");

        /// <summary>The hold-out flag's name, which <see cref="LearnedHoldOut"/> names when the hold-out cannot choose the epochs.</summary>
        public const string ValidationFractionFlag = "--dcm-validation-fraction";

        public CliOption<double> ValidationFraction { get; } = Opt.Double(ValidationFractionFlag, GraphEmbeddingDefaults.ValidationFraction,
            "DCM: validation hold-out choosing the epochs (0 = no selection).", min: 0, max: 1, below: true);

        public Option<bool> LearnedQuotas { get; } = Opt.Flag("--learned-quotas",
            "Also serve every learned multi-vector row (mixture embeddings, DCM) by cluster quotas over a spherical k-means of its own item vectors (--clusters, --alpha).");

        public CliOption<float> WeightExponent { get; } = Opt.Float("--dcm-weight-exponent", DcmDefaults.WeightExponent,
            "DCM: the interests' weights are their soft masses raised to this power, normalised (1: the masses; 0: equal weights, the most diverse round robin).");

        public CliOption<float[]> WeightExponentSweep { get; } = Opt.FloatList("--dcm-weight-exponent-sweep", 0, 16,
            "Also report the DCM row with its weights raised to each of these powers (the same model; for choosing --dcm-weight-exponent on a validation split).");

        public CliOption<float[]> MmrLambdas { get; } = Opt.FloatList("--dcm-mmr-lambdas", 0, 1,
            "Also serve the DCM model by history-interest MMR over its learned interests (pool of each interest's and the mean vector's best items, "
            + "MMR with the PM-2 term, nu 0.5), one row per lambda: dcm_mmr@lambda=X.");

        public CliOption<double> FusionWeight { get; } = Opt.Double("--dcm-fusion-weight", DcmDefaults.FusionWeight,
            $"The row \"{FusionRowName}\" (with --dcm and the history-interest MMR row): DCM's round-robin list and history-interest MMR's fused by "
            + "max(w / rank in history-interest MMR's list, (1 - w) / rank in DCM's); this is w, in [0, 1].", min: 0, max: 1);

        public CliOption<float[]> FusionWeightSweep { get; } = Opt.FloatList("--dcm-fusion-weight-sweep", 0, 1,
            $"Also report the fused row at each of these weights ({FusionRowName}@weight=W; for choosing --dcm-fusion-weight on a validation split).");

        public Option<bool> WarmStart { get; } = Opt.Flag("--dcm-warm-start",
            "DCM: start its item vectors from a single vector's item vectors (evaluate, reproduce: the main table's; fit: a model of --algorithm fitted first), "
            + "at their dimension instead of --dcm-dim, rather than random ones, with the warm-start settings validated on cit-HepPh for every --dcm-* option "
            + $"not given: --dcm-lr {Opt.Text(DcmDefaults.WarmStartLearningRate)}, --dcm-tau {Opt.Text(DcmDefaults.WarmStartTemperature)}, "
            + $"--dcm-epochs {Opt.Text(DcmDefaults.WarmStartEpochs)}, --dcm-weight-exponent {Opt.Text(DcmDefaults.WarmStartWeightExponent)} and --dcm-validation-fraction 0 (the start has seen "
            + "every training edge, so the engine's own hold-out would choose the epochs optimistically).");

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All =>
            [On, Interests, Iterations, Tau, LearnTau, Beta, History, Dim, DcmEpochs, Lr, DcmMargin, DcmNegatives, Pooling, Gamma, ValidationFraction, WeightExponent, WeightExponentSweep, MmrLambdas, FusionWeight, FusionWeightSweep, WarmStart, LearnedQuotas];

        /// <summary>The options <c>fit</c> offers: all but the sweeps, the DCM-MMR rows and the quota twins, which only add report rows to <c>evaluate</c> and <c>reproduce</c>.</summary>
        public IReadOnlyList<Option> Fit => [.. All.Except([WeightExponentSweep, FusionWeightSweep, MmrLambdas, LearnedQuotas])];

        /// <summary>
        /// The row's training options; null unless --dcm is given or <paramref name="warmStarted"/> (the other --dcm-* options are
        /// still checked). <paramref name="warmStarted"/>: the model of <c>fit --retriever fused</c>, which always starts from the
        /// single vector, so the warm-start settings apply as with --dcm-warm-start.
        /// </summary>
        public GraphEmbeddingOptions? Read(ParseResult r, int seed, int threads, bool warmStarted = false)
        {
            bool warm = warmStarted || r.GetValue(WarmStart);
            T Pick<T>(CliOption<T> option, T warmDefault) => warm && !r.Given(option) ? warmDefault : r.Value(option);
            var options = new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.DifferentiableClustering,
                Dimension = r.Value(Dim),
                Epochs = Pick(DcmEpochs, DcmDefaults.WarmStartEpochs),
                LearningRate = Pick(Lr, DcmDefaults.WarmStartLearningRate),
                Margin = r.Value(DcmMargin),
                UniformNegatives = r.Value(DcmNegatives),
                ValidationFraction = Pick(ValidationFraction, 0.0),
                Dcm = new DcmOptions
                {
                    Interests = r.Value(Interests),
                    Iterations = r.Value(Iterations),
                    Temperature = Pick(Tau, DcmDefaults.WarmStartTemperature),
                    LearnTemperature = r.GetValue(LearnTau),
                    PriorWeight = r.Value(Beta),
                    MaxHistory = r.Value(History),
                    Pooling = r.Value(Pooling),
                    Gamma = r.Value(Gamma),
                    WeightExponent = Pick(WeightExponent, DcmDefaults.WarmStartWeightExponent),
                },
                Seed = seed,
                Threads = threads,
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw OptionErrors.Usage("DCM", e, r);
            }
            return r.GetValue(On) || warmStarted ? options : null;
        }
    }

    /// <summary>The settings in words, for the log.</summary>
    public static string Describe(GraphEmbeddingOptions o) =>
        $"K={o.Dcm.Interests} T={o.Dcm.Iterations} tau={o.Dcm.Temperature}{(o.Dcm.LearnTemperature ? " (learned)" : "")} beta={o.Dcm.PriorWeight} L={o.Dcm.MaxHistory} d={o.Dimension} "
        + $"pooling={MixtureRows.Name(o.Dcm.Pooling)} gamma={o.Dcm.Gamma} weight exponent={o.Dcm.WeightExponent} margin={o.Margin} negatives={o.UniformNegatives} lr={o.LearningRate} epochs<={o.Epochs}"
        + (o.Dcm.InitialItems != null ? " items warm-started" : "");
}
