using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// <c>sweep</c>: mlContext.MultiInterest().Sweep over a search space on a validation hold-out of the training edges;
/// writes the leaderboard (TSV, JSON), saves the best setting refitted on all training edges as a zip that
/// <c>recommend</c> serves, and with --test reports the best setting's test figures.
/// </summary>
internal static class SweepCommand
{
    /// <summary>The search space when --space is not given: the smoothing and retrieval knobs of kNN-Embed.</summary>
    public const string DefaultSpace = "components=3,5,8;neighbors=10,20,50;lambda=0,0.2,0.4,0.6,0.8,1;alpha=0.5,1";

    public static string Usage => $"""
  multiinterest sweep --train FILE [--test FILE] [--space "name=v1,v2;name=v1,..."] [--out DIR] [--model FILE]
      Sweeps the pipeline's options on a validation hold-out carved from the training edges (never the test file),
      reusing fitted stages between trials; writes DIR/leaderboard.tsv, DIR/sweep.json and the best setting refitted
      on all training edges as DIR/model.zip (or --model), which `recommend` serves. --test: the best setting's test figures.
      --strategy grid|random|halving|local ({Lower(SweepDefaults.Strategy)}) --metric recall|ndcg|recall-diversity ({Lower(SweepDefaults.Metric)}) --k K ({SweepDefaults.Cutoff})
      --diversity-weight W ({SweepDefaults.DiversityWeight}) --trials N (grid or --budget: no limit; else {SweepDefaults.MaxTrials}) --budget 10m|600s|1h (none)
      --validation-fraction X ({SweepDefaults.ValidationFraction}) --validation-users N (0 = all) --measure-refit (run the trials again refitting every stage, to measure the speed-up)
      The other options set the base settings (defaults of what the space does not vary). Space parameters:
        {string.Join(Environment.NewLine + "        ", SweepSearchSpace.KnownParameters)}
      Default space: {DefaultSpace}
""";

    public static int Run(CommandLine cl, TextWriter log)
    {
        string train = cl.RequiredString("train");
        string? test = cl.String("test");
        string outDirectory = cl.String("out") ?? Path.Combine("out", "sweep");
        string modelPath = cl.String("model") ?? Path.Combine(outDirectory, "model.zip");
        int threads = cl.Int("threads", 0), seed = cl.Int("seed", GraphEmbeddingDefaults.Seed);
        SweepSearchSpace space;
        try
        {
            space = SweepSearchSpace.Parse(cl.String("space") ?? DefaultSpace);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--space: {e.Message.Split(" (Parameter")[0]}");
        }
        var options = new SweepOptions
        {
            Strategy = ParseStrategy(cl.String("strategy")),
            Metric = ParseMetric(cl.String("metric")),
            Cutoff = cl.Int("k", SweepDefaults.Cutoff),
            DiversityWeight = cl.Double("diversity-weight", SweepDefaults.DiversityWeight),
            MaxTrials = cl.Int("trials", 0),
            TimeBudget = cl.String("budget") is string b ? ParseDuration(b) : null,
            ValidationFraction = cl.Double("validation-fraction", SweepDefaults.ValidationFraction),
            ValidationUsers = cl.Int("validation-users", SweepDefaults.ValidationUsers),
            Seed = seed,
            Threads = threads,
        };
        bool measureRefit = cl.Flag("measure-refit");
        var embedding = EmbeddingFlags.Read(cl, seed, threads);
        var baseSettings = new SweepSettings
        {
            Embedding = embedding,
            Clustering = new SphericalKMeansOptions
            {
                Clusters = cl.Int("clusters", SphericalKMeansDefaults.NumberOfClusters), MaxIterations = cl.Int("iterations", SphericalKMeansDefaults.MaxIterations),
                Tolerance = 0, Seed = seed, Threads = threads,
            },
            Components = cl.Int("components", KnnSmoothedMixtureDefaults.Components),
            Neighbors = cl.Int("neighbors", KnnSmoothedMixtureDefaults.Neighbors),
            Lambda = cl.Double("lambda", KnnSmoothedMixtureDefaults.Lambda),
            Alpha = cl.Double("alpha", ClusterQuotaRetrieverDefaults.Alpha),
        };
        bool clustersGiven = cl.String("clusters") != null;
        cl.RejectUnknown();
        try
        {
            options.Validate();
            baseSettings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"sweep option {e.ParamName}: {e.Message.Split(" (Parameter")[0]}");
        }

        var clock = Stopwatch.StartNew();
        var edges = EdgeFile.Read(train);
        if (!clustersGiven)
        {
            // As `evaluate` does: the default 2,000 clusters are capped at one per 10 items on small catalogues.
            int items = edges.Select(e => e.Item).Distinct().Count();
            baseSettings.Clustering.Clusters = Math.Max(1, Math.Min(SphericalKMeansDefaults.NumberOfClusters, items / 10));
        }
        options.BaseSettings = baseSettings;
        // The budget covers the whole command: what loading took is spent, and the refit is kept inside it by the sweep's reserve.
        if (options.TimeBudget is { } whole) options.TimeBudget = whole - clock.Elapsed > TimeSpan.FromSeconds(1) ? whole - clock.Elapsed : TimeSpan.FromSeconds(1);
        log.WriteLine($"Sweep over {space} ({space.Size} configurations; strategy {Lower(options.Strategy)}, metric {Lower(options.Metric)}@{options.Cutoff}) on {edges.Count:N0} training edges of {train}.");

        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(ServingData.Edges(edges));
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var progress = new LineProgress(log);
        var result = ml.MultiInterest().Sweep(data, space, options, progress, cancellationToken: cancel.Token);
        var outcome = result.Outcome;
        log.WriteLine($"Stopped: {outcome.StopReason}; {outcome.Trials.Count} trials in {outcome.Seconds:F1} s (validation split {outcome.SplitSeconds:F1} s).");
        log.WriteLine($"Stage fits: {string.Join(", ", outcome.StageFits.Select(p => $"{Lower(p.Key)} {p.Value}"))}.");
        log.WriteLine($"Stage reuse: trials took {outcome.Trials.Sum(t => t.Seconds):F1} s; refitting every stage would take an estimated {outcome.RefitEverySeconds:F1} s (each reused stage charged its measured fit time): speed-up {outcome.Speedup:F2}x.");

        double? measuredRefit = null;
        if (measureRefit)
        {
            // The same configurations, every stage refitted: grid order makes the trials identical.
            var again = options.Clone();
            again.MaxTrials = outcome.Trials.Count;
            again.TimeBudget = null;
            again.ReuseStages = false;
            var refit = SweepRunner.Run(GraphData.Build(edges, new IdMap(), new IdMap(), true, train), space, again, null, cancel.Token);
            measuredRefit = refit.Trials.Sum(t => t.Seconds);
            log.WriteLine($"Measured without reuse: {refit.Trials.Count} trials in {measuredRefit:F1} s (stage fits {string.Join(", ", refit.StageFits.Select(p => $"{Lower(p.Key)} {p.Value}"))}): " +
                $"measured speed-up {measuredRefit / outcome.Trials.Sum(t => t.Seconds):F2}x.");
        }

        if (outcome.Best == null)
        {
            log.WriteLine("No trial finished: nothing to save.");
            return 1;
        }
        log.WriteLine($"Best: {SweepRunner.Describe(outcome.Best, options)}");
        if (outcome.Defaults != null)
            log.WriteLine($"Defaults: {Lower(options.Metric)}@{options.Cutoff} {outcome.Defaults.Objective:F4}; best {outcome.Best.Objective:F4} ({(outcome.Best.Objective - outcome.Defaults.Objective) / Math.Max(1e-12, outcome.Defaults.Objective):+0.0%;-0.0%;+0.0%}).");
        log.WriteLine($"Pareto front (Recall@{options.Cutoff}, Diversity@{options.Cutoff}): " +
            string.Join("; ", outcome.ParetoFront.Select(t => $"#{t.Number} {t.Recall:F4}/{t.Diversity:F4}")));

        Directory.CreateDirectory(outDirectory);
        string tsv = Path.Combine(outDirectory, "leaderboard.tsv");
        DataFrame.SaveCsv(result.Leaderboard, tsv, separator: '\t', cultureInfo: CultureInfo.InvariantCulture);
        result.SaveModel(modelPath);
        log.WriteLine($"Refitted the best on all {edges.Count:N0} training edges in {result.RefitSeconds:F1} s; saved {modelPath} ({new FileInfo(modelPath).Length / 1e6:F1} MB).");

        ProtocolResult? testResult = null;
        if (test != null && result.Model != null && outcome.Best.Settings.Method == SweepRetrievalMethod.KnnEmbed)
        {
            testResult = SweepTestFigures.Evaluate(result.Model, edges, EdgeFile.Read(test), outcome.Best.Settings, threads, test);
            ResultTable.Print(testResult, showPaper: false, log);
        }
        foreach (string png in SweepPlot.Write(outDirectory, outcome, options, Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(train))) ?? train))
            log.WriteLine($"Wrote {png}");
        string json = Path.Combine(outDirectory, "sweep.json");
        SweepJson.Write(json, train, test, modelPath, result, options, measuredRefit, testResult, clock.Elapsed.TotalSeconds);
        log.WriteLine($"Wrote {tsv}, {json}; total {clock.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }

    private static SweepStrategy ParseStrategy(string? value) => value?.ToLowerInvariant() switch
    {
        null => SweepDefaults.Strategy,
        "grid" => SweepStrategy.Grid,
        "random" => SweepStrategy.Random,
        "halving" or "successive-halving" => SweepStrategy.SuccessiveHalving,
        "local" or "local-search" or "cfo" => SweepStrategy.LocalSearch,
        _ => throw new UsageException($"--strategy must be one of grid, random, halving, local, not '{value}'."),
    };

    private static SweepMetric ParseMetric(string? value) => value?.ToLowerInvariant() switch
    {
        null => SweepDefaults.Metric,
        "recall" => SweepMetric.Recall,
        "ndcg" => SweepMetric.Ndcg,
        "recall-diversity" => SweepMetric.RecallDiversity,
        _ => throw new UsageException($"--metric must be one of recall, ndcg, recall-diversity, not '{value}'."),
    };

    /// <summary>"10m", "600s", "1h", "1.5h" or plain seconds.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        double unit = t.EndsWith('h') ? 3600 : t.EndsWith('m') ? 60 : 1;
        if (char.IsLetter(t[^1]) && !t.EndsWith('s') && unit == 1) throw new UsageException($"--budget must read like 10m, 600s or 1h, not '{text}'.");
        string number = char.IsLetter(t[^1]) ? t[..^1] : t;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0))
            throw new UsageException($"--budget must read like 10m, 600s or 1h, not '{text}'.");
        return TimeSpan.FromSeconds(value * unit);
    }

    private static string Lower(Enum value) => value.ToString().ToLowerInvariant();

    /// <summary>Prints every report as a line, on the sweep's thread.</summary>
    private sealed class LineProgress(TextWriter log) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value) => log.WriteLine($"  [{value.Elapsed.TotalSeconds,6:F0} s] {value.Message}");
    }
}
