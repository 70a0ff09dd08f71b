using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>divide-conquer --ratings FILE [options]</c>: the Kuaishou paper's table under its own protocol
/// (<see cref="LeaveLastOutSplit"/>; Recall@20/50 of the held-out last item over all unseen items, each cutoff its own
/// retrieval). Rows: MF (Eq. 2 loss), the history encoder without prompts, the same with a tuned mix of global and
/// within-cluster negatives (unimodal retrieval, all three), divide-and-conquer with prompts and the same shared model
/// without prompts (cluster-quota retrieval). Every setting (learning rate, encoder, negative mix, clusters, epochs,
/// quota alpha, intent smoothing) is chosen on the validation item; the chosen setting is then refitted on training +
/// validation and measured once on the test item. Prints a markdown table and writes a JSON report with every trial.
/// </summary>
internal static class DivideConquerCommand
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly double[] Alphas = [0, 0.5, 1, 2];
    private static readonly double[] Smoothings = [0.5, 2, 8];
    // In time order, p_uk may also be counted on the most recent items only (0 = the served history, all L of them).
    private static readonly int[] IntentWindows = [0, 20, 10, 5];
    // In time order, p_uk may also be predicted by a learned next-cluster model (NextClusterIntent) with these decays.
    private static readonly double[] IntentDecays = [0.5, 0.8, 0.95];
    private static readonly int[] WithinClusterCutoffs = [5, 20, 50];

    public static Command Create()
    {
        var ratings = Opt.Path("--ratings", "Ratings file: user item rating timestamp per line (e.g. MovieLens u.data).", required: true);
        var dim = BenchOpt.Count("--dim", 64, "Dimension.", min: 1);
        var epochs = BenchOpt.Count("--epochs", 40, "Epochs at most (early stopping on the validation item).", min: 1);
        var negatives = BenchOpt.Count("--negatives", 20, "Negatives per positive.", min: 1);
        var patience = BenchOpt.Count("--patience", 4, "Epochs without a validation gain before stopping.", min: 1);
        var threads = BenchOpt.Count("--threads", 1, "Worker threads (1 = deterministic).", min: 0);
        var seed = BenchOpt.Count("--seed", 1, "Seed.");
        var sequential = Opt.Flag("--sequential",
            "History encoders see time order: a training item's history is the L items before it, and a user is served from its last L items "
            + "(DivideConquerOptions.Sequences); without it the history is a random L of the user's other items.");
        var onlyDivideConquer = Opt.Flag("--only-divide-conquer",
            "Run the two divide-and-conquer rows alone, with the first --encoders and --rates values (e.g. to widen their grid after a full run).");
        var rowNames = Opt.Parsed("--rows", RowNames, "Rows to run, a comma list of " + string.Join(", ", RowNames) + " (default all; rows after a skipped "
            + "history row use the first --encoders and --rates values).", "NAME[,NAME...]", string.Join(",", RowNames), text =>
            {
                var parts = text.Split(',');
                var unknown = parts.FirstOrDefault(p => !RowNames.Contains(p));
                return unknown == null ? (true, parts.Distinct().ToArray(), null) : (false, [], $"--rows takes a comma list of {string.Join(", ", RowNames)}, not '{unknown}'.");
            });
        var quick = Opt.Flag("--quick", "One setting per row instead of the grid (a smoke run); overrides the grid options.");
        var grid = new GridOptions();
        var output = Opt.Path("--out", "Also write the JSON report with every trial here.");
        var command = new Command("divide-conquer", "Kuaishou's divide-and-conquer table under its protocol on a ratings file: last item = test, penultimate = "
            + "validation, Recall@20/50 over all unseen items; MF, history encoder, tuned negative mix, divide-and-conquer with and without prompts, "
            + "every setting chosen on the validation item among the grid's values (markdown on stdout).")
            .With([ratings, dim, epochs, negatives, patience, threads, seed, sequential, onlyDivideConquer, rowNames, quick, .. grid.All, output]);
        command.SetAction(r => Run(r.Value(ratings)!, r.Value(dim), r.Value(epochs), r.Value(negatives), r.Value(threads), r.Value(seed), r.Value(patience),
            r.GetValue(sequential), r.GetValue(onlyDivideConquer) ? ["dc", "shared"] : r.Value(rowNames), r.GetValue(quick) ? Grid.Quick : grid.Read(r), r.Value(output)));
        return command;
    }

    /// <summary>The values each row's validation search tries.</summary>
    internal sealed record Grid(double[] Rates, DivideConquerEncoder[] Encoders, double[] MixShares, int[] MixClusters, double[] DcShares, int[] DcClusters)
    {
        /// <summary>One setting per row (a smoke run).</summary>
        public static Grid Quick { get; } = new([0.1], [DivideConquerEncoder.MeanPooling], [0.5], [20], [0], [20]);
    }

    /// <summary>The grid's options; their defaults are the full grid run on ML-100k (docs/results.md).</summary>
    private sealed class GridOptions
    {
        private readonly CliOption<double[]> _rates = Opt.NumberList("--rates", [0.05, 0.1, 0.2], "Learning rates tried (Adagrad), for every row.", 1e-6, 10);
        private readonly CliOption<DivideConquerEncoder[]> _encoders = Opt.Parsed("--encoders", new[] { DivideConquerEncoder.MeanPooling, DivideConquerEncoder.AttentionPooling },
            "History encoders tried by the history-encoder row (mean, attention, self-attention: needs --sequential); the later rows reuse its choice.", "NAME[,NAME...]", "mean,attention", text =>
            {
                var values = new List<DivideConquerEncoder>();
                foreach (string part in text.Split(','))
                {
                    if (part == "mean") values.Add(DivideConquerEncoder.MeanPooling);
                    else if (part == "attention") values.Add(DivideConquerEncoder.AttentionPooling);
                    else if (part == "self-attention") values.Add(DivideConquerEncoder.SelfAttention);
                    else return (false, [], $"--encoders takes a comma list of mean, attention and self-attention, not '{text}'.");
                }
                return (true, values.Distinct().ToArray(), null);
            });
        private readonly CliOption<double[]> _mixShares = Opt.NumberList("--mix-shares", [0.25, 0.5, 0.75], "Global negative shares tried by the tuned-mix row.", 0, 1);
        private readonly CliOption<int[]> _mixClusters = Opt.IntList("--mix-clusters", [10, 50], "Item clusters K tried by the tuned-mix row.", 2);
        private readonly CliOption<double[]> _dcShares = Opt.NumberList("--dc-shares", [0, 0.25], "Global negative shares tried by the divide-and-conquer rows.", 0, 1);
        private readonly CliOption<int[]> _dcClusters = Opt.IntList("--dc-clusters", [10, 20, 50], "Item clusters K tried by the divide-and-conquer rows.", 2);

        public Option[] All => [_rates, _encoders, _mixShares, _mixClusters, _dcShares, _dcClusters];

        public Grid Read(ParseResult r) =>
            new(r.Value(_rates), r.Value(_encoders), r.Value(_mixShares), r.Value(_mixClusters), r.Value(_dcShares), r.Value(_dcClusters));
    }

    /// <summary>The table's rows, in order: MF, history encoder, tuned mix, divide-and-conquer with prompts, the same shared model without.</summary>
    private static readonly string[] RowNames = ["mf", "history", "mix", "dc", "shared"];

    private static int Run(string path, int dim, int maxEpochs, int negatives, int threads, int seed, int patience, bool sequential, string[] rowsToRun,
        Grid grid, string? outPath)
    {
        if (!sequential && grid.Encoders.Contains(DivideConquerEncoder.SelfAttention))
            throw new ArgumentException("--encoders self-attention reads each history in time order: add --sequential.");
        // The report is written after hours of fitting: a path that cannot be written fails now.
        if (outPath != null) OutputFile.CheckWritable(outPath, "--out");
        var clock = Stopwatch.StartNew();
        var split = LeaveLastOutSplit.Read(path);
        var runner = new Runner(split, dim, maxEpochs, negatives, threads, seed, patience, sequential);
        if (runner.Users.Length == 0)
            throw new InvalidDataException($"{path}: no user has the 3 ratings the split needs (a training item, then the validation and the test item): there is nothing to evaluate.");
        Console.Error.WriteLine($"{path}: {split.UserCount} users, {split.ItemCount} items, {split.Sequences.Sum(s => s.Length)} ratings; {runner.Users.Length} evaluated users");

        var rows = new List<RowResult>();
        var (encoder, rate) = (grid.Encoders[0], grid.Rates[0]);
        // 1. MF with the Eq. 2 loss (global negatives), unimodal retrieval.
        if (rowsToRun.Contains("mf"))
            rows.Add(runner.Best("MF (Eq. 2 loss)", grid.Rates.Select(lr => new Trial(DivideConquerEncoder.UserVector, false, 1, 20, lr, Quota: false))));
        // 2. The history encoder (pooling over the history's input vectors) without prompts, Eq. 2 loss.
        if (rowsToRun.Contains("history"))
        {
            var history = runner.Best("history encoder (pooling)", grid.Encoders.SelectMany(e => grid.Rates.Select(lr => new Trial(e, false, 1, 20, lr, Quota: false))));
            rows.Add(history);
            (encoder, rate) = (history.Chosen.Encoder, history.Chosen.LearningRate);
        }
        // 3. + a tuned mix of global and within-cluster negatives.
        if (rowsToRun.Contains("mix"))
            rows.Add(runner.Best("+ tuned mix of global / within-cluster negatives",
                grid.MixShares.SelectMany(s => grid.MixClusters.Select(k => new Trial(encoder, false, s, k, rate, Quota: false)))));
        // 4-5. Divide and conquer: within-cluster negatives (a small global share tried too), cluster-quota retrieval, with and without prompts.
        foreach (bool prompts in new[] { true, false })
            if (rowsToRun.Contains(prompts ? "dc" : "shared"))
                rows.Add(runner.Best(prompts ? "divide-and-conquer + prompts" : "same, shared model without prompts",
                    grid.DcShares.SelectMany(s => grid.DcClusters.Select(k => new Trial(encoder, prompts, s, k, rate, Quota: true)))));

        Console.WriteLine();
        Console.WriteLine($"| method ({Path.GetFileName(path)}, test item) | R@20 | R@50 | within the target's cluster R@5 / R@20 / R@50 | validation R@50 | chosen setting |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Name} | {r.TestRecall20:F3} | {r.TestRecall50:F3} | {string.Join(" / ", r.WithinCluster.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))} | "
                + $"{r.ValidationRecall50:F3} | {r.Chosen.Describe()} epochs={r.Epochs}{r.ServingText} |");
        Console.WriteLine($"({clock.Elapsed.TotalSeconds:F0} s, {runner.Trials.Count} validation fits, {threads} thread(s))");
        if (outPath != null)
        {
            var report = new
            {
                Ratings = path, Dimension = dim, MaxEpochs = maxEpochs, Negatives = negatives, Threads = threads, Seed = seed, Sequential = sequential, RowsRun = rowsToRun,
                Users = runner.Users.Length, Seconds = JsonReport.Round(clock.Elapsed.TotalSeconds, 1),
                Grid = new { grid.Rates, Encoders = grid.Encoders.Select(e => e.ToString()), grid.MixShares, grid.MixClusters, grid.DcShares, grid.DcClusters },
                Rows = rows.Select(r => new { r.Name, Setting = r.Chosen.Describe(), r.Epochs, Serving = r.ServingText, r.ValidationRecall50, r.TestRecall20, r.TestRecall50,
                    WithinClusterRecall5_20_50 = r.WithinCluster }),
                Trials = runner.Trials,
            };
            File.WriteAllText(outPath, System.Text.Json.JsonSerializer.Serialize(report, Indented));
        }
        return 0;
    }

    /// <summary>One setting to fit: encoder, prompts, global negative share, clusters K, learning rate, and whether it is served by cluster quotas.</summary>
    internal sealed record Trial(DivideConquerEncoder Encoder, bool Prompts, double Share, int Clusters, double LearningRate, bool Quota)
    {
        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"{Encoder} prompts={(Prompts ? "on" : "off")} global-share={Share} K={Clusters} lr={LearningRate}");
    }

    /// <summary>
    /// Quota serving: alpha, the intent pseudo-count s, and the intent window (the last W items in time order; 0 = the served
    /// history); or, when <paramref name="Decay"/> &gt; 0, p_uk from a <see cref="NextClusterIntent"/> with that decay.
    /// </summary>
    internal readonly record struct QuotaServing(double Alpha, double Smoothing, int Window, double Decay = 0)
    {
        public static QuotaServing Default { get; } = new(1, DivideConquerDefaults.IntentSmoothing, 0);
    }

    internal sealed record RowResult(string Name, Trial Chosen, int Epochs, string ServingText, double ValidationRecall50, double TestRecall20, double TestRecall50,
        double[] WithinCluster);

    /// <summary>A validation fit's outcome, for the JSON report.</summary>
    /// <remarks>For quota rows, <paramref name="CountedIntentRecall50"/> and <paramref name="LearnedIntentRecall50"/> are the best validation Recall@50 with p_uk counted and learned (null without time order).</remarks>
    internal sealed record TrialRecord(string Row, string Setting, int BestEpoch, double ValidationRecall50, string Serving, double Seconds,
        double CountedIntentRecall50, double? LearnedIntentRecall50);

    private sealed class Runner
    {
        private readonly LeaveLastOutSplit _split;
        private readonly int _dim, _maxEpochs, _negatives, _threads, _seed, _patience;
        private readonly bool _sequential;
        private readonly Dictionary<(bool Test, int K), int[]> _clusters = [];
        private readonly LeaveLastOutPhase _validation, _test;

        public Runner(LeaveLastOutSplit split, int dim, int maxEpochs, int negatives, int threads, int seed, int patience, bool sequential)
        {
            (_split, _dim, _maxEpochs, _negatives, _threads, _seed, _patience, _sequential) = (split, dim, maxEpochs, negatives, threads, seed, patience, sequential);
            _validation = new LeaveLastOutPhase(split, test: false, sequential);
            _test = new LeaveLastOutPhase(split, test: true, sequential);
            Users = Enumerable.Range(0, split.UserCount).Where(split.Evaluated).ToArray();
        }

        public int[] Users { get; }

        public List<TrialRecord> Trials { get; } = [];

        /// <summary>Fits every trial on the validation phase, keeps the best by validation Recall@50, refits it on the test phase.</summary>
        public RowResult Best(string name, IEnumerable<Trial> trials)
        {
            (Trial Trial, int Epochs, QuotaServing Serving, double Recall)? best = null;
            foreach (var trial in trials)
            {
                var clock = Stopwatch.StartNew();
                var (result, epochs, recall) = FitValidated(trial);
                var serving = QuotaServing.Default;
                double counted = recall, learned = double.NaN;
                if (trial.Quota)
                {
                    // Retrieval-time settings, tuned on the validation item without retraining.
                    foreach (int w in _sequential ? IntentWindows : [0])
                        foreach (double a in Alphas)
                            foreach (double s in Smoothings)
                            {
                                double r = Recall(result, trial, _validation, new QuotaServing(a, s, w), 50);
                                if (r > recall + 1e-12) (recall, serving) = (r, new QuotaServing(a, s, w));
                            }
                    counted = recall;
                    // The learned next-cluster intent (time order only): one intent model per decay, alpha tuned beside it.
                    foreach (double decay in _sequential ? IntentDecays : [])
                    {
                        var intents = LearnedIntents(result, _validation, decay);
                        foreach (double a in Alphas)
                        {
                            var q = new QuotaServing(a, 0, 0, decay);
                            double r = Recall(result, trial, _validation, q, 50, intents);
                            learned = double.IsNaN(learned) ? r : Math.Max(learned, r);
                            if (r > recall + 1e-12) (recall, serving) = (r, q);
                        }
                    }
                }
                string text = Describe(trial, serving);
                Trials.Add(new TrialRecord(name, trial.Describe(), epochs, JsonReport.Round(recall, 4), text, JsonReport.Round(clock.Elapsed.TotalSeconds, 1),
                    JsonReport.Round(counted, 4), double.IsNaN(learned) ? null : JsonReport.Round(learned, 4)));
                string intentText = double.IsNaN(learned) ? "" : $" [best counted intent {counted:F4}, learned {learned:F4}]";
                Console.Error.WriteLine($"  [{name}] {trial.Describe()}: validation R@50 {recall:F4} at epoch {epochs}{text}{intentText} ({clock.Elapsed.TotalSeconds:F1} s)");
                if (best == null || recall > best.Value.Recall) best = (trial, epochs, serving, recall);
            }
            var (chosen, bestEpochs, bestServing, validationRecall) = best!.Value;
            var final = GraphEmbeddingTrainerEngine.Fit(_test.Train, Options(chosen, test: true, bestEpochs));
            var finalIntents = bestServing.Decay > 0 ? LearnedIntents(final, _test, bestServing.Decay) : null;
            double r20 = Recall(final, chosen, _test, bestServing, 20, finalIntents);
            double r50 = Recall(final, chosen, _test, bestServing, 50, finalIntents);
            var within = WithinCluster(final, _test);
            Console.Error.WriteLine($"  [{name}] chosen {chosen.Describe()} epochs {bestEpochs}: test R@20 {r20:F4} R@50 {r50:F4}, "
                + $"within the target's cluster (K = {final.DivideConquer!.Clustering.ClusterCount}) R@5/20/50 {string.Join(" / ", within.Select(x => x.ToString("F4", CultureInfo.InvariantCulture)))}");
            return new RowResult(name, chosen, bestEpochs, Describe(chosen, bestServing), validationRecall, r20, r50, within);
        }

        private static string Describe(Trial t, QuotaServing q) => !t.Quota ? " unimodal"
            : q.Decay > 0 ? string.Create(CultureInfo.InvariantCulture, $" quotas alpha={q.Alpha} learned-intent decay={q.Decay}")
            : string.Create(CultureInfo.InvariantCulture, $" quotas alpha={q.Alpha} intent-smoothing={q.Smoothing}{(q.Window > 0 ? $" intent-window={q.Window}" : "")}");

        /// <summary>p_uk of every evaluated user from a <see cref="NextClusterIntent"/> trained on the phase's training sequences.</summary>
        private EmbeddingMatrix LearnedIntents(GraphEmbeddingResult result, LeaveLastOutPhase phase, double decay) =>
            NextClusterIntent.Fit(phase.Sequences!, result.DivideConquer!.Clustering, decay, seed: _seed).Predict(phase.Sequences!, Users);

        /// <summary>Recall@5/20/50 of the target inside its own cluster, ranked by the user's query for that cluster (the paper's second table).</summary>
        private double[] WithinCluster(GraphEmbeddingResult result, LeaveLastOutPhase phase)
        {
            var model = result.DivideConquer!;
            var targets = Users.Select(u => phase.Targets[u]).ToArray();
            var queries = model.ClusterQueries(phase.Served, Users, targets.Select(model.Clustering.ClusterOf).ToArray(), _threads, phase.Sequences);
            return WithinClusterRecall.Compute(model.Items, model.Clustering, phase.Train, Users, targets, queries, WithinClusterCutoffs);
        }

        private (GraphEmbeddingResult Result, int Epochs, double Recall) FitValidated(Trial trial)
        {
            var o = Options(trial, test: false, _maxEpochs);
            o.EarlyStoppingPatience = _patience;
            var curve = new ValidationCurve();
            var (result, epochs) = DivideConquerTrainer.Fit(_validation.Train, o, Math.Max(1, _threads), null,
                r => new ValidationScore(Recall(r, trial, _validation, QuotaServing.Default, 50), 0), curve, CancellationToken.None);
            return (result, epochs, curve.Max(p => p.Recall));
        }

        private GraphEmbeddingOptions Options(Trial t, bool test, int epochs)
        {
            var phase = test ? _test : _validation;
            var graph = phase.Train;
            if (!_clusters.TryGetValue((test, t.Clusters), out var clusters))
            {
                var first = new GraphEmbeddingOptions { Dimension = _dim, Seed = _seed, Threads = _threads, DivideConquer = new DivideConquerOptions { Clusters = t.Clusters } };
                _clusters[(test, t.Clusters)] = clusters = DivideConquerTrainer.ResolveClusters(graph, first, Math.Max(1, _threads), CancellationToken.None).Assignments;
            }
            return new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer,
                Dimension = _dim,
                Epochs = epochs,
                LearningRate = (float)t.LearningRate,
                UniformNegatives = _negatives,
                Threads = _threads,
                Seed = _seed,
                DivideConquer = new DivideConquerOptions
                {
                    Encoder = t.Encoder, Prompts = t.Prompts, GlobalNegativeShare = t.Share, ItemClusters = clusters, Sequences = phase.Sequences,
                },
            };
        }

        /// <summary>Recall@M of the phase's target item: unimodal over all unseen items, or cluster quotas (<paramref name="q"/>).</summary>
        private double Recall(GraphEmbeddingResult result, Trial t, LeaveLastOutPhase phase, QuotaServing q, int m, EmbeddingMatrix? intents = null)
        {
            RankedLists lists;
            if (!t.Quota)
            {
                // The result's user vectors are already the served histories' (the sequences' last items when in time order).
                lists = new UnimodalRetriever(result.ItemEmbeddings).Retrieve(result.UserEmbeddings, Users, phase.Train, m, _threads);
            }
            else
            {
                var model = result.DivideConquer!.WithIntent(q.Smoothing, DivideConquerDefaults.Components);
                var mixtures = model.BuildMixtures(phase.Served, Users, _threads, phase.IntentHistory(q.Window), phase.Sequences, intents);
                lists = new ClusterQuotaRetriever(model.Items, model.Clustering)
                    .Retrieve(mixtures, Users, phase.Train, [m], new QuotaRetrievalOptions { Alpha = q.Alpha }, null, null, _threads)[0];
            }
            int hits = 0;
            for (int j = 0; j < Users.Length; j++)
                if (lists.IndicesOf(j).Contains(phase.Targets[Users[j]])) hits++;
            return (double)hits / Users.Length;
        }
    }
}
