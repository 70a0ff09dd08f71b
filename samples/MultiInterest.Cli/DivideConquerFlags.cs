using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

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

    public static string Usage => Environment.NewLine + $"""
  --divide-conquer   add the row "divide-and-conquer": Kuaishou's prompted history encoder, within-cluster negatives, intent quotas (trains one more model)
      --dc-encoder mean|attention|user ({Name(DivideConquerDefaults.Encoder)}) --dc-no-prompts --dc-global-share X ({DivideConquerDefaults.GlobalNegativeShare}) --dc-clusters N (0 = the run's --clusters)
      --dc-history N ({DivideConquerDefaults.MaxHistory}) --dc-intent-smoothing X ({DivideConquerDefaults.IntentSmoothing}) --dc-components N ({Components}) --dc-alpha X ({ClusterQuotaRetrieverDefaults.Alpha})
      --dc-dim N ({Dimension}) --dc-epochs N ({Epochs}, at most: chosen on the validation hold-out) --dc-lr X ({LearningRate}) --dc-negatives N ({Negatives}) --dc-validation-fraction X ({GraphEmbeddingDefaults.ValidationFraction}; 0 = no selection)
""" + Environment.NewLine;

    /// <summary>The switches among the flags (no value).</summary>
    public static readonly string[] Switches = ["divide-conquer", "dc-no-prompts"];

    /// <summary>Reads the flags; null unless --divide-conquer is given (the other --dc-* flags are still consumed).</summary>
    public static Row? Read(CommandLine cl, int seed, int threads)
    {
        bool on = cl.Flag("divide-conquer");
        var dc = new DivideConquerOptions
        {
            Prompts = !cl.Flag("dc-no-prompts"),
            GlobalNegativeShare = cl.Double("dc-global-share", DivideConquerDefaults.GlobalNegativeShare),
            MaxHistory = cl.Int("dc-history", DivideConquerDefaults.MaxHistory),
            IntentSmoothing = cl.Double("dc-intent-smoothing", DivideConquerDefaults.IntentSmoothing),
            Components = cl.Int("dc-components", Components),
        };
        var encoder = cl.String("dc-encoder");
        if (encoder != null)
        {
            dc.Encoder = Enum.GetValues<DivideConquerEncoder>().FirstOrDefault(e => string.Equals(Name(e), encoder, StringComparison.OrdinalIgnoreCase), (DivideConquerEncoder)(-1));
            if (dc.Encoder < 0) throw new UsageException($"--dc-encoder must be one of {string.Join(", ", Enum.GetValues<DivideConquerEncoder>().Select(Name))}, not '{encoder}'.");
        }
        var options = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.DivideConquer,
            Dimension = cl.Int("dc-dim", Dimension),
            Epochs = cl.Int("dc-epochs", Epochs),
            LearningRate = (float)cl.Double("dc-lr", LearningRate),
            UniformNegatives = cl.Int("dc-negatives", Negatives),
            ValidationFraction = cl.Double("dc-validation-fraction", GraphEmbeddingDefaults.ValidationFraction),
            DivideConquer = dc,
            Seed = seed,
            Threads = threads,
        };
        int clusters = cl.Int("dc-clusters", 0);
        double alpha = cl.Double("dc-alpha", ClusterQuotaRetrieverDefaults.Alpha);
        try
        {
            options.Validate();
            new QuotaRetrievalOptions { Alpha = alpha }.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"Divide-and-conquer option {e.ParamName}: {e.Message.Split(Environment.NewLine)[0]}");
        }
        if (clusters < 0) throw new UsageException("--dc-clusters must be 0 (the run's clusters) or positive.");
        return on ? new Row(options, clusters, alpha) : null;
    }

    /// <summary>Trains the row on <paramref name="train"/> and scores it; adds its stage seconds to <paramref name="seconds"/>.</summary>
    public static MethodEvaluation Evaluate(Row row, BipartiteGraph train, BipartiteGraph test, EmbeddingMatrix itemEmbeddings, ItemClustering clustering,
        IReadOnlyList<int> cutoffs, int threads, HeldOutMisses? misses, TextWriter log, IDictionary<string, double> seconds)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var options = row.Options.Clone();
        int[] assignments = clustering.Assignments.ToArray();
        if (row.Clusters > 0)
        {
            int k = Math.Min(row.Clusters, itemEmbeddings.Rows);
            assignments = SphericalKMeans.Fit(itemEmbeddings, new SphericalKMeansOptions { Clusters = k, Seed = options.Seed, Threads = threads }).Assignments;
        }
        options.DivideConquer.ItemClusters = assignments;
        log.WriteLine($"Training {RowName}: {Describe(options)} over {assignments.Max() + 1} clusters of the run's item vectors...");
        var fit = GraphEmbeddingTrainerEngine.Fit(train, options,
            new Progress(e => log.WriteLine($"  epoch {e.Epoch,2}: loss {e.MeanLoss:F4}, {e.EdgesPerSecond / 1000:F0}k edges/s")));
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
        _ => "user",
    };

    /// <summary>The row's settings: training options, its own cluster count (0 = the run's clusters) and the quota alpha.</summary>
    internal sealed record Row(GraphEmbeddingOptions Options, int Clusters, double Alpha);

    /// <summary>Reports on the calling thread, so epoch lines print in order.</summary>
    private sealed class Progress(Action<EpochStats> report) : IProgress<EpochStats>
    {
        public void Report(EpochStats value) => report(value);
    }
}
