using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The embedding options of <c>reproduce</c>, <c>evaluate</c>, <c>fit</c> and <c>sweep</c>, declared once with their
/// defaults from <see cref="GraphEmbeddingDefaults"/>, <see cref="TruncatedSvdDefaults"/> and <see cref="ImplicitAlsDefaults"/>.
/// </summary>
internal sealed partial class EmbeddingFlags
{
    /// <summary>Declares the options; <paramref name="withValidationSplit"/> false leaves --validation-fraction and
    /// --validation-users to a command that has its own (sweep), which then passes their values to <see cref="Read"/>;
    /// <paramref name="singleVectorOnly"/> offers only the algorithms of one vector per user (sweep, whose methods all rank with it).</summary>
    public EmbeddingFlags(bool withValidationSplit = true, bool singleVectorOnly = false)
    {
        // The help lists what the command takes: sweep listed mixture-embedding and differentiable-clustering, then refused them.
        Algorithm = singleVectorOnly
            ? Opt.Choice("--algorithm", GraphEmbeddingDefaults.Algorithm, Name, "Embedding algorithm; auto chooses on a validation hold-out of the training edges "
                + "(one vector per user, which every method a sweep scores ranks with: the multi-vector algorithms are fit's and evaluate's).", OneVectorAlgorithms)
            : Opt.Choice("--algorithm", GraphEmbeddingDefaults.Algorithm, Name, "Embedding algorithm; auto chooses on a validation hold-out of the training edges "
                + "(Kuaishou's divide-and-conquer, whose lists come from per-cluster queries, is evaluate's --divide-conquer row).", SingleVectorAlgorithms);
        All =
        [
            Algorithm, Dimension, Epochs, Loss, Margin, NegativeWeight, LearningRate, UniformNegatives, BatchNegatives, DegreeNegatives,
            Initialization, LogQCorrection, L2, L2DegreeExponent, HistoryBlend,
            .. withValidationSplit ? new Option[] { ValidationFraction, ValidationUsers } : [],
            ValidationK, Patience, AutoMaxDimension, AutoTolerance, AutoSgd,
            SvdNormalization, SvdSmoothing, SvdGamma, SvdItemDegree, SvdOversampling, SvdPowerIterations,
            AlsIterations, AlsRegularization, AlsRegularizationExponent, AlsUnobserved, AlsSolver, AlsCgSteps,
        ];
    }

    /// <summary>Every option of the group, in help order.</summary>
    public IReadOnlyList<Option> All { get; }

    /// <summary>
    /// The algorithms whose vectors the commands' single-vector stages search. Divide-and-conquer is not one: trained against
    /// negatives from the positive's own cluster, its shared query does not rank the whole catalogue (Recall@20 at chance on a
    /// planted graph); its lists come from per-cluster queries, which evaluate's --divide-conquer row serves.
    /// </summary>
    private static readonly EmbeddingAlgorithm[] SingleVectorAlgorithms = [.. Enum.GetValues<EmbeddingAlgorithm>().Where(a => a != EmbeddingAlgorithm.DivideConquer)];

    /// <summary>The algorithms that give one vector per user, the only ones a sweep takes (<c>SweepSettings.Validate</c>).</summary>
    private static readonly EmbeddingAlgorithm[] OneVectorAlgorithms =
        [EmbeddingAlgorithm.Auto, EmbeddingAlgorithm.NegativeSampling, EmbeddingAlgorithm.TruncatedSvd, EmbeddingAlgorithm.ImplicitAls];

    public CliOption<EmbeddingAlgorithm> Algorithm { get; }

    public CliOption<int> Dimension { get; } = Opt.Int("--dim", GraphEmbeddingDefaults.Dimension, "Embedding dimension of the algorithm named (auto chooses its own, up to --auto-max-dim; --dim sizes only its --auto-sgd trial).", min: 1, max: GraphEmbeddingDefaults.MaxDimension);

    public CliOption<int> Epochs { get; } = Opt.Int("--epochs", GraphEmbeddingDefaults.Epochs, "Training epochs (negative sampling).", min: 1);

    public CliOption<EmbeddingLoss> Loss { get; } = Opt.Choice("--loss", GraphEmbeddingDefaults.Loss, LossName, "Negative-sampling loss.");

    public CliOption<float> Margin { get; } = Opt.Float("--margin", GraphEmbeddingDefaults.Margin, "Margin of the ranking and cosine-contrastive losses.");

    public CliOption<float> NegativeWeight { get; } = Opt.Float("--negative-weight", GraphEmbeddingDefaults.NegativeWeight, "Weight of the negatives in the cosine-contrastive loss.");

    public CliOption<float> LearningRate { get; } = Opt.Float("--lr", GraphEmbeddingDefaults.LearningRate, "Learning rate.");

    public CliOption<int> UniformNegatives { get; } = Opt.Int("--uniform-negatives", GraphEmbeddingDefaults.UniformNegatives, "Uniformly sampled negatives per edge.", min: 0);

    public CliOption<int> BatchNegatives { get; } = Opt.Int("--batch-negatives", GraphEmbeddingDefaults.BatchNegatives, "In-batch negatives per edge.", min: 0);

    public CliOption<int> DegreeNegatives { get; } = Opt.Int("--degree-negatives", GraphEmbeddingDefaults.DegreeNegatives, "Degree-weighted (popularity) negatives per edge.", min: 0);

    public CliOption<EmbeddingInitialization> Initialization { get; } = Opt.Choice("--sgd-init", GraphEmbeddingDefaults.Initialization, InitializationName,
        "Starting vectors of negative sampling.");

    public Option<bool> LogQCorrection { get; } = Opt.Flag("--logq-correction", "Subtract log q of the negatives' sampling from every logit (for --loss softmax).");

    public CliOption<float> L2 { get; } = Opt.Float("--l2", GraphEmbeddingDefaults.L2Regularization, "L2 regularisation of the vectors.", min: 0);

    public CliOption<float> L2DegreeExponent { get; } = Opt.Float("--l2-degree-exponent", GraphEmbeddingDefaults.L2DegreeExponent, "Exponent of the degree scaling of --l2.");

    public CliOption<float> HistoryBlend { get; } = Opt.Float("--history-blend", GraphEmbeddingDefaults.HistoryBlend, "Blend of each user vector with its history's mean item vector.", min: 0);

    public CliOption<double> ValidationFraction { get; } = Opt.Double("--validation-fraction", 0,
        "Share of the training edges held out to choose settings or epochs; 0 = none for negative-sampling and implicit-als.", min: 0, max: 1, below: true,
        shown: $"0 (auto uses {Opt.Text(GraphEmbeddingDefaults.ValidationFraction)})");

    public CliOption<int> ValidationUsers { get; } = Opt.Int("--validation-users", GraphEmbeddingDefaults.ValidationUsers,
        $"Users scored on the embedding's validation hold-out (Auto's trials, early stopping). The history row's lambda choice scores its own sample, up to {HistoryInterestDefaults.SelectionUsers:N0} users.", min: 1);

    public CliOption<int> ValidationK { get; } = Opt.Int("--validation-k", GraphEmbeddingDefaults.ValidationCutoff, "Cutoff of the validation Recall@K.", min: 1);

    public CliOption<int> Patience { get; } = Opt.Int("--patience", GraphEmbeddingDefaults.EarlyStoppingPatience, "Epochs (negative sampling) or iterations (implicit ALS) without a validation gain before stopping; Auto's ALS trials stop after at most 2 iterations without a gain.", min: 1);

    public CliOption<int> AutoMaxDimension { get; } = Opt.Int("--auto-max-dim", GraphEmbeddingDefaults.AutoMaxDimension, "Largest dimension auto tries.", min: 1, max: GraphEmbeddingDefaults.MaxDimension);

    public CliOption<double> AutoTolerance { get; } = Opt.Double("--auto-tolerance", GraphEmbeddingDefaults.AutoTolerance,
        "Smaller vectors within this relative share of the best validation Recall win.", min: 0, max: 1, below: true);

    public Option<bool> AutoSgd { get; } = Opt.Flag("--auto-sgd", "Auto also tries negative sampling.");

    public CliOption<double> SvdNormalization { get; } = Opt.Double("--svd-normalization", TruncatedSvdDefaults.DegreeNormalization, "Truncated SVD: degree normalisation exponent.");

    public CliOption<double> SvdSmoothing { get; } = Opt.Double("--svd-smoothing", TruncatedSvdDefaults.DegreeSmoothing, "Truncated SVD: degree smoothing.");

    public CliOption<double> SvdGamma { get; } = Opt.Double("--svd-gamma", TruncatedSvdDefaults.SpectralExponent, "Truncated SVD: spectral exponent.");

    public CliOption<double> SvdItemDegree { get; } = Opt.Double("--svd-item-degree", TruncatedSvdDefaults.ItemDegreeExponent, "Truncated SVD: item degree exponent.");

    public CliOption<int> SvdOversampling { get; } = Opt.Int("--svd-oversampling", TruncatedSvdDefaults.Oversampling, "Truncated SVD: oversampling.", min: 0);

    public CliOption<int> SvdPowerIterations { get; } = Opt.Int("--svd-power-iterations", TruncatedSvdDefaults.PowerIterations, "Truncated SVD: power iterations.", min: 0);

    public CliOption<int> AlsIterations { get; } = Opt.Int("--als-iterations", ImplicitAlsDefaults.Iterations, "Implicit ALS: iterations.", min: 1);

    public CliOption<double> AlsRegularization { get; } = Opt.Double("--als-reg", ImplicitAlsDefaults.Regularization, "Implicit ALS: regularisation.", min: 0);

    public CliOption<double> AlsRegularizationExponent { get; } = Opt.Double("--als-reg-exponent", ImplicitAlsDefaults.RegularizationExponent, "Implicit ALS: regularisation degree exponent.");

    public CliOption<double> AlsUnobserved { get; } = Opt.Double("--als-unobserved", ImplicitAlsDefaults.UnobservedWeight, "Implicit ALS: weight of the unobserved entries.", min: 0);

    public CliOption<ImplicitAlsSolver> AlsSolver { get; } = Opt.Choice("--als-solver", ImplicitAlsDefaults.Solver, SolverName, "Implicit ALS (--algorithm implicit-als): solver. "
        + $"Auto's ALS candidates always solve by conjugate gradients, the vectors it keeps with at least {ImplicitAlsDefaults.AutoFinalCgSteps} steps.");

    public CliOption<int> AlsCgSteps { get; } = Opt.Int("--als-cg-steps", ImplicitAlsDefaults.CgSteps, "Implicit ALS: conjugate-gradient steps (--als-solver cg).", min: 1);

    /// <summary>
    /// The warning line for a <c>--dim</c> that auto does not read (it chooses its own dimension on a validation hold-out and
    /// reads <c>--dim</c> only for its <c>--auto-sgd</c> trial), in the command line's names; null when <c>--dim</c> is read or
    /// not given. The library's own warning of it (option names) is not forwarded (<see cref="LibraryLog"/>).
    /// </summary>
    public string? UnreadDimension(ParseResult r)
    {
        if (!r.Given(Dimension) || r.Value(Algorithm) != EmbeddingAlgorithm.Auto || r.GetValue(AutoSgd)) return null;
        int dimension = r.Value(Dimension);
        return $"  warning: --dim {dimension} is not read: --algorithm auto{(r.Given(Algorithm) ? "" : " (the default)")} chooses the dimension itself on a "
            + $"validation hold-out, up to --auto-max-dim ({r.Value(AutoMaxDimension)}), and reads --dim only for its --auto-sgd trial. To train at "
            + $"dimension {dimension}, name the algorithm (--algorithm truncated-svd, implicit-als or negative-sampling).";
    }

    /// <summary>
    /// The embedding options as given; validated, a bad value named. <paramref name="validationFraction"/> and
    /// <paramref name="validationUsers"/> replace the group's own options when it was declared without them.
    /// </summary>
    public GraphEmbeddingOptions Read(ParseResult r, int seed, int threads, double? validationFraction = null, int? validationUsers = null)
    {
        var o = new GraphEmbeddingOptions
        {
            Algorithm = r.Value(Algorithm),
            Dimension = r.Value(Dimension),
            Epochs = r.Value(Epochs),
            Loss = r.Value(Loss),
            LearningRate = r.Value(LearningRate),
            Margin = r.Value(Margin),
            NegativeWeight = r.Value(NegativeWeight),
            UniformNegatives = r.Value(UniformNegatives),
            BatchNegatives = r.Value(BatchNegatives),
            DegreeNegatives = r.Value(DegreeNegatives),
            Initialization = r.Value(Initialization),
            ValidationFraction = validationFraction ?? r.Value(ValidationFraction),
            ValidationUsers = validationUsers ?? r.Value(ValidationUsers),
            ValidationCutoff = r.Value(ValidationK),
            EarlyStoppingPatience = r.Value(Patience),
            AutoMaxDimension = r.Value(AutoMaxDimension),
            AutoTolerance = r.Value(AutoTolerance),
            AutoIncludesNegativeSampling = r.GetValue(AutoSgd),
            PopularityCorrection = r.GetValue(LogQCorrection),
            L2Regularization = r.Value(L2),
            L2DegreeExponent = r.Value(L2DegreeExponent),
            HistoryBlend = r.Value(HistoryBlend),
            Svd = new TruncatedSvdOptions
            {
                DegreeNormalization = r.Value(SvdNormalization),
                DegreeSmoothing = r.Value(SvdSmoothing),
                SpectralExponent = r.Value(SvdGamma),
                ItemDegreeExponent = r.Value(SvdItemDegree),
                Oversampling = r.Value(SvdOversampling),
                PowerIterations = r.Value(SvdPowerIterations),
            },
            Als = new ImplicitAlsOptions
            {
                Iterations = r.Value(AlsIterations),
                Regularization = r.Value(AlsRegularization),
                RegularizationExponent = r.Value(AlsRegularizationExponent),
                UnobservedWeight = r.Value(AlsUnobserved),
                Solver = r.Value(AlsSolver),
                CgSteps = r.Value(AlsCgSteps),
            },
            Seed = seed,
            Threads = threads,
        };
        try
        {
            o.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw OptionErrors.Usage("Embedding", e, r);
        }
        return o;
    }

    /// <summary>The command-line spelling of an algorithm: kebab case.</summary>
    public static string Name(EmbeddingAlgorithm a) => a switch
    {
        EmbeddingAlgorithm.NegativeSampling => "negative-sampling",
        EmbeddingAlgorithm.TruncatedSvd => "truncated-svd",
        EmbeddingAlgorithm.ImplicitAls => "implicit-als",
        EmbeddingAlgorithm.MixtureEmbedding => "mixture-embedding",
        EmbeddingAlgorithm.DifferentiableClustering => "differentiable-clustering",
        EmbeddingAlgorithm.DivideConquer => "divide-conquer",
        _ => a.ToString().ToLowerInvariant(),
    };

    /// <summary>The command-line spelling of a loss: kebab case.</summary>
    public static string LossName(EmbeddingLoss loss) => loss == EmbeddingLoss.CosineContrastive ? "cosine-contrastive" : loss.ToString().ToLowerInvariant();

    /// <summary>The command-line spelling of an SGD initialisation.</summary>
    public static string InitializationName(EmbeddingInitialization i) => i == EmbeddingInitialization.TruncatedSvd ? "truncated-svd" : "random";

    /// <summary>The command-line spelling of an ALS solver.</summary>
    public static string SolverName(ImplicitAlsSolver s) => s == ImplicitAlsSolver.ConjugateGradient ? "cg" : "cholesky";
}
