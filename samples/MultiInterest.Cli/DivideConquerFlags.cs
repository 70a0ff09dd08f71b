using System.CommandLine;
using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The divide-and-conquer row of <c>reproduce</c> and <c>evaluate</c> (<c>--divide-conquer</c>): Kuaishou's history
/// encoder with cluster prompts (<see cref="EmbeddingAlgorithm.DivideConquer"/>), trained with negatives from the
/// positive's own cluster, served by cluster quotas from the user's intent distribution. Its clusters: the run's own
/// (--clusters) unless --dc-clusters N re-clusters the run's item vectors into N. Everything the row needs lives here, so
/// the runner calls <see cref="Evaluate"/> only.
/// </summary>
internal static class DivideConquerFlags
{
    /// <summary>Name of the row in metrics.json and the table.</summary>
    public const string RowName = "divide_conquer";

    /// <summary>Dimension unless --dc-dim is given.</summary>
    public const int Dimension = 64;

    /// <summary>Epochs at most (chosen on the validation hold-out) unless --dc-epochs is given.</summary>
    public const int Epochs = 30;

    /// <summary>Learning rate unless --dc-lr is given (Adagrad).</summary>
    public const float LearningRate = 0.2f;

    /// <summary>Negatives per positive unless --dc-negatives is given.</summary>
    public const int Negatives = 20;

    /// <summary>
    /// Clusters per user that get a query unless --dc-components is given: 10, as the tuned kNN-Embed row's m. Every
    /// component scans its whole cluster, so m sets the serving cost; with alpha 1 and M ≤ 50 the 11th cluster rarely gets a slot.
    /// </summary>
    public const int Components = 10;

    /// <summary>The row's options, declared once.</summary>
    internal sealed class Flags
    {
        public Option<bool> On { get; } = Opt.Flag("--divide-conquer",
            "Add the row \"divide-and-conquer\": Kuaishou's prompted history encoder, within-cluster negatives, intent quotas (trains one more model).");

        public CliOption<DivideConquerEncoder> Encoder { get; } = Opt.Choice("--dc-encoder", DivideConquerDefaults.Encoder, Name, "Divide-and-conquer: the history encoder.",
            // Edge files carry no time order, which the self-attention encoder reads: the engine API and `benchmarks divide-conquer --sequential` offer it.
            [DivideConquerEncoder.MeanPooling, DivideConquerEncoder.AttentionPooling, DivideConquerEncoder.UserVector]);

        public Option<bool> NoPrompts { get; } = Opt.Flag("--dc-no-prompts", "Divide-and-conquer: one shared query per user (no cluster prompts).");

        public CliOption<double> GlobalShare { get; } = Opt.Double("--dc-global-share", DivideConquerDefaults.GlobalNegativeShare,
            "Divide-and-conquer: share of negatives drawn from the whole catalogue (the rest from the positive's cluster).", min: 0, max: 1);

        public CliOption<int> Clusters { get; } = Opt.Int("--dc-clusters", 0, "Divide-and-conquer: re-cluster the run's item vectors into N (0 = the run's --clusters).", min: 0);

        public CliOption<int> History { get; } = Opt.Int("--dc-history", DivideConquerDefaults.MaxHistory, "Divide-and-conquer: history items per training edge, a random L of the user's other items (the evaluate files carry no time order).", min: 1);

        public CliOption<double> IntentSmoothing { get; } = Opt.Double("--dc-intent-smoothing", DivideConquerDefaults.IntentSmoothing,
            "Divide-and-conquer: smoothing of the user's intent distribution over clusters.", min: 0);

        public CliOption<int> Components { get; } = Opt.Int("--dc-components", DivideConquerFlags.Components, "Divide-and-conquer: clusters per user that get a query.", min: 1);

        public CliOption<double> Alpha { get; } = Opt.Double("--dc-alpha", ClusterQuotaRetrieverDefaults.Alpha, "Divide-and-conquer: quota exponent alpha.", min: 0);

        public CliOption<int> Dim { get; } = Opt.Int("--dc-dim", Dimension, "Divide-and-conquer: dimension.", min: 1, max: GraphEmbeddingDefaults.MaxDimension);

        public CliOption<int> DcEpochs { get; } = Opt.Int("--dc-epochs", Epochs, "Divide-and-conquer: epochs at most (chosen on the validation hold-out).", min: 1);

        public CliOption<float> Lr { get; } = Opt.Float("--dc-lr", LearningRate, "Divide-and-conquer: learning rate (Adagrad).");

        public CliOption<int> DcNegatives { get; } = Opt.Int("--dc-negatives", Negatives, "Divide-and-conquer: negatives per positive.", min: 1);

        /// <summary>The hold-out flag's name, which <see cref="LearnedHoldOut"/> names when the hold-out cannot choose the epochs.</summary>
        public const string ValidationFractionFlag = "--dc-validation-fraction";

        public CliOption<double> ValidationFraction { get; } = Opt.Double(ValidationFractionFlag, GraphEmbeddingDefaults.ValidationFraction,
            "Divide-and-conquer: validation hold-out choosing the epochs (0 = no selection).", min: 0, max: 1, below: true);

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All =>
            [On, Encoder, NoPrompts, GlobalShare, Clusters, History, IntentSmoothing, Components, Alpha, Dim, DcEpochs, Lr, DcNegatives, ValidationFraction];

        /// <summary>The row; null unless --divide-conquer is given (the other --dc-* options are still checked).</summary>
        public Row? Read(ParseResult r, int seed, int threads)
        {
            var dc = new DivideConquerOptions
            {
                Encoder = r.Value(Encoder),
                Prompts = !r.GetValue(NoPrompts),
                GlobalNegativeShare = r.Value(GlobalShare),
                MaxHistory = r.Value(History),
                IntentSmoothing = r.Value(IntentSmoothing),
                Components = r.Value(Components),
            };
            var options = new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer,
                Dimension = r.Value(Dim),
                Epochs = r.Value(DcEpochs),
                LearningRate = r.Value(Lr),
                UniformNegatives = r.Value(DcNegatives),
                ValidationFraction = r.Value(ValidationFraction),
                DivideConquer = dc,
                Seed = seed,
                Threads = threads,
            };
            double alpha = r.Value(Alpha);
            try
            {
                options.Validate();
                new QuotaRetrievalOptions { Alpha = alpha }.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw OptionErrors.Usage("Divide-and-conquer", e, r);
            }
            return r.GetValue(On) ? new Row(options, r.Value(Clusters), alpha) : null;
        }
    }

    /// <summary>
    /// Trains the row on <paramref name="embeddingTrain"/> (<paramref name="train"/>, or its weighted twin under <c>--weights</c>)
    /// and scores it on <paramref name="train"/>'s histories; adds its stage seconds to <paramref name="seconds"/>.
    /// </summary>
    public static MethodEvaluation Evaluate(Row row, BipartiteGraph train, BipartiteGraph embeddingTrain, BipartiteGraph test, EmbeddingMatrix itemEmbeddings, ItemClustering clustering,
        IReadOnlyList<int> cutoffs, int threads, HeldOutMisses? misses, ProgressReporter progress, IDictionary<string, double> seconds)
    {
        var log = progress.Out;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var options = row.Options.Clone();
        int[] assignments = clustering.Assignments.ToArray();
        if (row.Clusters > 0)
        {
            int k = Math.Min(row.Clusters, itemEmbeddings.Rows);
            assignments = SphericalKMeans.Fit(itemEmbeddings, new SphericalKMeansOptions { Clusters = k, Seed = options.Seed, Threads = threads }).Assignments;
        }
        options.DivideConquer.ItemClusters = assignments;
        GraphEmbeddingResult fit;
        // Progress goes where the other learned rows' goes (standard error), so a redirected table holds results only.
        using (var stage = progress.Begin($"Training {RowName}: {Describe(options)} over {assignments.Max() + 1} clusters of the run's item vectors...", options.Epochs))
            fit = LearnedHoldOut.Run(Flags.ValidationFractionFlag, () => GraphEmbeddingTrainerEngine.Fit(embeddingTrain, options, stage.Epochs(options.ValidationCutoff)));
        if (fit.Validation.Count > 0)
        {
            var best = fit.Validation.MaxBy(p => p.Recall)!;
            log.WriteLine($"  validation: {fit.Validation.Count} epochs measured in {fit.SelectionSeconds:F1} s; best quota Recall@{options.ValidationCutoff} {best.Recall:F4} ({best.Candidate})");
        }
        seconds[RowName + "_training"] = clock.Elapsed.TotalSeconds;
        var evaluation = DivideConquerEvaluator.Evaluate(RowName, train, test, fit.DivideConquer!, row.Alpha, itemEmbeddings, cutoffs, threads, out double retrieval, misses);
        seconds[RowName + "_retrieval"] = retrieval;
        log.WriteLine($"  served {test.UserCount:N0} user rows' lists (encoding + quota retrieval, K = {string.Join(", ", cutoffs)}) in {retrieval:F2} s");
        return evaluation;
    }

    /// <summary>The settings in words, for the log.</summary>
    public static string Describe(GraphEmbeddingOptions o)
    {
        var m = o.DivideConquer;
        return string.Create(CultureInfo.InvariantCulture, $"encoder={Name(m.Encoder)} prompts={(m.Prompts ? "on" : "off")} global-share={m.GlobalNegativeShare} L={m.MaxHistory} ")
            + string.Create(CultureInfo.InvariantCulture, $"intent-smoothing={m.IntentSmoothing} m={m.Components} d={o.Dimension} negatives={o.UniformNegatives} lr={o.LearningRate} epochs<={o.Epochs}");
    }

    private static string Name(DivideConquerEncoder e) => e switch
    {
        DivideConquerEncoder.MeanPooling => "mean",
        DivideConquerEncoder.AttentionPooling => "attention",
        DivideConquerEncoder.SelfAttention => "self-attention",
        _ => "user",
    };

    /// <summary>The row's settings: training options, its own cluster count (0 = the run's clusters) and the quota alpha.</summary>
    internal sealed record Row(GraphEmbeddingOptions Options, int Clusters, double Alpha);
}
