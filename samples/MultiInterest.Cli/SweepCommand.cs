using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>sweep</c>: mlContext.MultiInterest().Sweep over a search space on a validation hold-out of the training edges;
/// writes the leaderboard (TSV, JSON), saves the best setting refitted on all training edges as a zip that
/// <c>recommend</c> serves, and with --test reports the best setting's test figures.
/// </summary>
internal static class SweepCommand
{
    /// <summary>The file of every trial, in --out.</summary>
    private const string LeaderboardFile = "leaderboard.tsv";

    /// <summary>The search's JSON record, in --out.</summary>
    private const string SweepJsonFile = "sweep.json";

    /// <summary>Leaderboard rows printed (leaderboard.tsv holds them all).</summary>
    private const int LeaderboardRows = 10;

    /// <summary>The search space when --space is not given: the smoothing and retrieval knobs of kNN-Embed.</summary>
    public const string DefaultSpace = "components=3,5,8;neighbors=10,20,50;lambda=0,0.2,0.4,0.6,0.8,1;alpha=0.5,1";

    public static Command Create(CliConsole console)
    {
        var train = Opt.InputFile("--train", "Training edges: the sweep carves its validation hold-out from these.", required: true);
        var test = Opt.InputFile("--test", "Held-out edges: the best setting's test figures (never used to choose).");
        var weights = WeightsOption.Create();
        var output = Opt.Path("--out", "Directory for leaderboard.tsv, sweep.json, the sensitivity PNGs and model.zip.", "DIR", shown: Path.Combine("out", "sweep"));
        var model = Opt.Path("--model", "Where to save the best setting refitted on all training edges.", "FILE", shown: "DIR/model.zip");
        var space = Opt.Parsed("--space", SweepSearchSpace.Parse(DefaultSpace),
            "The search space: name=v1,v2;name=v1,... over the parameters " + string.Join(", ", SweepSearchSpace.KnownParameters.Select(p => p.Split(' ')[0])) + ".",
            "SPACE", DefaultSpace, ParseSpace);
        var strategy = Opt.Choice("--strategy", SweepDefaults.Strategy, StrategyName, "Search strategy.",
            aliases: new Dictionary<string, SweepStrategy> { ["successive-halving"] = SweepStrategy.SuccessiveHalving, ["local-search"] = SweepStrategy.LocalSearch, ["cfo"] = SweepStrategy.LocalSearch });
        var metric = Opt.Choice("--metric", SweepDefaults.Metric, MetricName, "Objective on the validation hold-out.");
        var k = Opt.Int("--k", SweepDefaults.Cutoff, "Cutoff K of the objective.", min: 1);
        var diversityWeight = Opt.Double("--diversity-weight", SweepDefaults.DiversityWeight, "Weight of Diversity@K in recall-diversity.", min: 0, max: 1);
        var trials = Opt.Int("--trials", 0, "Most trials.", min: 0, shown: $"0: grid, halving or --budget, no limit; else {SweepDefaults.MaxTrials}");
        var budget = Opt.Parsed<TimeSpan?>("--budget", null, "Time budget of the whole command, e.g. 10m, 600s, 1h. The first trial always runs to its end (and is refitted and saved), so a budget shorter than one trial takes that trial's time; later trials start only while the time left covers the refit.", "TIME", "none", ParseBudget);
        var validationFraction = Opt.Double("--validation-fraction", SweepDefaults.ValidationFraction,
            "Share of the training edges held out for validation (also the embedding's, as for the other commands).", min: 0, max: 1, above: true, below: true);
        var validationUsers = Opt.Int("--validation-users", SweepDefaults.ValidationUsers, "Validation users scored per trial (0 = all).", min: 0);
        var unseen = UnseenOption.Create();
        var exportValidation = Opt.Path(SweepValidationExport.Option, $"Directory to write the validation hold-out to: {SweepValidationExport.TrainFile} (the training file's lines "
            + $"every trial fitted on) and {SweepValidationExport.ValidationFile} (those it was scored on), edge files as --train is, ids as given.", "DIR");
        var measureRefit = Opt.Flag("--measure-refit", "Run the trials again refitting every stage, to measure the speed-up of stage reuse.");
        var run = new RunFlags();
        var embedding = new EmbeddingFlags(withValidationSplit: false, singleVectorOnly: true);
        var pipeline = new PipelineFlags();
        var command = new Command("sweep", "Sweeps the pipeline's options on a validation hold-out carved from the training edges (never the test file), "
            + "reusing fitted stages between trials; writes the leaderboard and saves the best setting refitted on all training edges, which `recommend` serves. "
            + "The embedding and pipeline options set the base settings (what the space does not vary).")
            .With([train, test, weights, output, model, space, strategy, metric, k, diversityWeight, trials, budget, validationFraction, validationUsers, unseen, exportValidation, measureRefit,
                .. run.All, .. pipeline.All, .. embedding.All]);
        command.SetAction(r =>
        {
            int threads = r.Value(run.Threads), seed = r.Value(run.Seed);
            var options = new SweepOptions
            {
                Strategy = r.Value(strategy),
                Metric = r.Value(metric),
                Cutoff = r.Value(k),
                DiversityWeight = r.Value(diversityWeight),
                MaxTrials = r.Value(trials),
                TimeBudget = r.Value(budget),
                ValidationFraction = r.Value(validationFraction),
                ValidationUsers = r.Value(validationUsers),
                Seed = seed,
                Threads = threads,
            };
            // As before the options were declared per command: --validation-fraction and --validation-users also set the embedding's.
            var engine = embedding.Read(r, seed, threads, r.Given(validationFraction) ? options.ValidationFraction : 0,
                r.Given(validationUsers) ? options.ValidationUsers : GraphEmbeddingDefaults.ValidationUsers);
            var baseSettings = new SweepSettings
            {
                Embedding = engine,
                Clustering = pipeline.Clustering(r, seed, threads),
                Components = r.Value(pipeline.Components),
                Neighbors = r.Value(pipeline.Neighbors),
                Lambda = r.Value(pipeline.Lambda),
                Alpha = r.Value(pipeline.Alpha),
            };
            try
            {
                options.Validate();
                baseSettings.Validate();
            }
            catch (ArgumentException e)
            {
                throw OptionErrors.Usage("sweep", e, r, new Dictionary<string, Option> { [nameof(SweepOptions.TimeBudget)] = budget });
            }
            // Options that would do nothing here are refused, not ignored: the run would not be the one asked for.
            if (r.Given(diversityWeight) && options.Metric != SweepMetric.RecallDiversity)
                throw new UsageException($"--diversity-weight weighs Diversity@K in --metric recall-diversity, and the metric is {MetricName(options.Metric)}: "
                    + "add --metric recall-diversity, or leave --diversity-weight out.");
            if (r.Given(unseen) && r.Value(test) == null)
                throw new UsageException("--unseen says how --test scores its edges of users or items unseen in training: add --test FILE, or leave --unseen out.");
            // As SweepRunner refuses it, in the command line's terms and before the files are read.
            var searched = r.Value(space);
            if (options.RunsUnfinishableGrid(searched))
                throw new UsageException($"--space: the grid over this space has {Configurations(searched)} ({string.Join(" x ", searched.Parameters.Select(p => $"{p.Name} {p.Values.Count}"))}), "
                    + $"more than the {SweepDefaults.MaxUnlimitedGridConfigurations.ToString("N0", CultureInfo.InvariantCulture)} it runs without a limit: it would not finish. "
                    + "Give --trials or --budget, or search it with --strategy random, local or halving.");
            string trainPath = r.Value(train)!, outDirectory = r.Value(output) ?? Path.Combine("out", "sweep");
            string modelPath = r.Value(model) ?? Path.Combine(outDirectory, "model.zip");
            string? exportDirectory = r.Value(exportValidation);
            var exported = exportDirectory == null ? ((string?)null, (string?)null) : SweepValidationExport.PathsIn(exportDirectory);
            // Checked before the trials, as evaluate and fit do: a file that cannot be read or written fails now, not after the search.
            Opt.CheckInputFiles(r);
            // The plots too: a --model among them would split the set the command writes whole (OutputFile.WriteAllReplacing).
            // --model last: the files of --out have fixed names, so a clash with one of them is --model's to move.
            OutputFile.CheckNotOverwriting(Opt.InputFiles(r), [("--out", Path.Combine(outDirectory, LeaderboardFile)),
                ("--out", Path.Combine(outDirectory, SweepJsonFile)),
                .. searched.Parameters.Where(p => p.Numeric).Select(p => SweepPlot.PathOf(outDirectory, p.Name)).Select(png => ($"--out ({Path.GetFileName(png)})", (string?)png)),
                ("--model", modelPath), (SweepValidationExport.Option, exported.Item1), (SweepValidationExport.Option, exported.Item2)]);
            OutputFile.CheckWritableDirectory(outDirectory, "--out");
            OutputFile.CheckWritable(modelPath, "--model");
            if (exportDirectory != null) OutputFile.CheckWritableDirectory(exportDirectory, SweepValidationExport.Option);
            var job = new Job(trainPath, r.Value(test), outDirectory, modelPath, r.Value(space), options, baseSettings,
                r.Given(pipeline.Clusters), r.GetValue(measureRefit), r.Value(unseen), threads, r.GetValue(weights), embedding.Dimension.Name, exportDirectory);
            string? unreadDimension = embedding.UnreadDimension(r);
            return ProgressReporter.Run(console, progress =>
            {
                if (unreadDimension != null) progress.Warnings.WriteLine(unreadDimension);
                try
                {
                    return Run(job, progress);
                }
                catch (ArgumentException e) when (SweepGraphBounds.ByFlag(e, r, embedding.Dimension) is { } usage)
                {
                    // A dimension the training edges cannot give, by --dim or --space rather than the library's names.
                    throw usage;
                }
            });
        });
        return command;
    }

    /// <summary>
    /// What one sweep was asked to do; <c>Weights</c>: every trial's embedding and the refit's train on the training file's
    /// weights (<c>--weights</c>); <c>ExportDirectory</c>: where the validation hold-out is written (<c>--export-validation</c>), or null.
    /// </summary>
    private sealed record Job(string Train, string? Test, string OutDirectory, string ModelPath, SweepSearchSpace Space, SweepOptions Options,
        SweepSettings BaseSettings, bool ClustersGiven, bool MeasureRefit, UnseenHeldOut Unseen, int Threads, bool Weights, string DimensionFlag, string? ExportDirectory);

    private static int Run(Job job, ProgressReporter progress)
    {
        var log = progress.Out;
        var (train, test, outDirectory, modelPath, space, options, baseSettings, clustersGiven, measureRefit, unseen, threads, weights, dimensionFlag, exportDirectory) = job;
        var clock = Stopwatch.StartNew();
        var edges = EdgeFile.Read(train);
        TrainingFileChecks.Warn(edges, train, "sweep", progress.Warnings, weights ? TrainingWeights.Trained : TrainingWeights.Unused);
        // Weights far apart or far from 1 are said here in the file's names (Sweep's own warning is not forwarded from the log).
        bool trainRepeatsSaid = weights && WeightedTrainingChecks.Warn(edges, train, progress.Warnings);
        // The bounds the training file sets, by flag and before the test file is read: --k, --clusters and the space's clusters.
        int trainItems = edges.Select(e => e.Item).Distinct().Count();
        // The graph holds each (user, item) pair once: the pairs are what the trials fit on. Repeated lines are said as fit says
        // them (with --test, by the test file's checks, which say the test file's too).
        int pairs = edges.Select(e => (e.User, e.Item)).Distinct().Count();
        if (test == null && !trainRepeatsSaid) SplitChecks.Repeats(edges.Count, pairs, train, progress.Warnings, weights);
        SweepGraphBounds.Check(trainItems, train, options.Cutoff, space);
        // As evaluate and fit do: the default 2,000 clusters are capped at one per 10 items on small catalogues, with a warning,
        // and a given --clusters above the items is refused (the defaults trial, always run here, clusters with it).
        baseSettings.Clustering.Clusters = DefaultClusters.For(trainItems, baseSettings.Clustering.Clusters, clustersGiven, progress.Warnings);
        // The test file is checked before the trials, as evaluate checks it: one that is the training file, or that nothing
        // of can be scored, is refused now, and its unseen edges are said (they count as misses, or --unseen drop).
        var testEdges = test == null ? null : EdgeFile.Read(test);
        SweepJson.TestCounts? testCounts = null;
        if (testEdges != null)
        {
            var (users, items) = (new IdMap(), new IdMap());
            var trainGraph = GraphData.Build(edges, users, items, extendIds: true, train);
            var heldOut = GraphData.BuildHeldOut(testEdges, users, items, test!);
            int inTraining = TestFileChecks.Check(heldOut, trainGraph, testEdges, edges.Count, users, items, train, test!, unseen, SweepJsonFile, progress.Warnings, weights,
                trainRepeatsSaid);
            // Under --unseen drop the users no list could score are left out of the figures: counted, as evaluate counts them.
            int leftOut = unseen == UnseenHeldOut.Drop ? heldOut.Misses.UsersWithoutSeenItems(heldOut.Graph) : 0;
            testCounts = new SweepJson.TestCounts(unseen, heldOut.UnseenEdges, inTraining, leftOut);
        }
        options.BaseSettings = baseSettings;
        // The budget covers the whole command: what loading took is spent, and the refit is kept inside it by the sweep's reserve.
        // A budget loading used up leaves the sweep a tick: its first trial runs all the same (SweepOptions.TimeBudget), no other.
        // sweep.json records the budget given (budget_seconds) and this remainder (seconds.budget_after_loading).
        TimeSpan? givenBudget = options.TimeBudget;
        if (options.TimeBudget is { } whole) options.TimeBudget = whole > clock.Elapsed ? whole - clock.Elapsed : TimeSpan.FromTicks(1);
        log.WriteLine($"Sweep over {space} ({Configurations(space, baseSettings, options.IncludeDefaults)}; strategy {StrategyName(options.Strategy)}, metric {MetricName(options.Metric)}@{options.Cutoff}) on {pairs:N0} training edges of {train}"
            + (weights ? $", the embeddings trained on their weights ({WeightsOption.Name})." : "."));

        var ml = new MLContext(options.Seed);
        var data = ServingData.TrainingRows(ml, edges, weights);
        using var cancel = new CancellationTokenSource();
        MultiInterestSweepResult result;
        // The first Ctrl+C stops the trials (the best finished one is still refitted and saved); a second ends the process.
        using (TerminationCleanup.InterceptInterrupt(() =>
        {
            if (cancel.IsCancellationRequested) return false;
            // The running trial does not finish: it is cancelled at its next check and discarded (it said "after the running trials").
            progress.Warnings.WriteLine("  Stopping the sweep: the running trial is cancelled and discarded, and the best finished trial refitted and saved "
                + $"(exit code {InterruptedExitCode}; Ctrl+C again to end the process now)...");
            cancel.Cancel();
            return true;
        }))
        {
            using var stage = progress.Begin($"Sweeping {Configurations(space, baseSettings, options.IncludeDefaults)}...", TrialTotal(space, options));
            // The sweep's warnings come through the MLContext log; its trials through TrialProgress.
            using var sweepWarnings = LibraryLog.Show(ml, [nameof(MultiInterestCatalog.Sweep)], stage, info: false,
                new Dictionary<string, string> { [nameof(GraphEmbeddingOptions.Dimension)] = dimensionFlag },
                new HashSet<string>(StringComparer.Ordinal) { LibraryLog.SweepWeightsParameter });
            try
            {
                result = ml.MultiInterest().Sweep(data, space, options, new TrialProgress(stage), weightColumnName: weights ? ServingData.WeightColumn : null,
                    cancellationToken: cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                log.WriteLine("Interrupted before any trial finished: nothing to save.");
                return InterruptedExitCode;
            }
        } // past the sweep and its refit, Ctrl+C ends the process as usual
        var outcome = result.Outcome;
        log.WriteLine($"Stopped: {outcome.StopReason}; {Counted.Of(outcome.Trials.Count, "trial")} in {outcome.Seconds:F1} s (validation split {outcome.SplitSeconds:F1} s).");
        log.WriteLine($"Stage fits: {string.Join(", ", outcome.StageFits.Select(p => $"{Lower(p.Key)} {p.Value}"))}.");
        log.WriteLine($"Stage reuse: trials took {outcome.Trials.Sum(t => t.Seconds):F1} s; refitting every stage would take an estimated {outcome.RefitEverySeconds:F1} s (each reused stage charged its measured fit time): speed-up {outcome.Speedup:F2}x.");

        double? measuredRefit = null;
        // An interrupted sweep is not measured again: the token is cancelled, so the re-run would run no trial and report 0 s.
        if (measureRefit && cancel.IsCancellationRequested)
            log.WriteLine("Measured without reuse: not measured, the sweep was interrupted (--measure-refit re-runs a finished sweep's trials).");
        else if (measureRefit)
        {
            // The same configurations, every stage refitted: grid order makes the trials identical.
            var again = options.Clone();
            again.MaxTrials = outcome.Trials.Count;
            again.TimeBudget = null;
            again.ReuseStages = false;
            var refit = SweepRunner.Run(GraphData.Build(edges, new IdMap(), new IdMap(), true, train, useWeights: weights), space, again, null, cancel.Token);
            measuredRefit = refit.Trials.Sum(t => t.Seconds);
            log.WriteLine($"Measured without reuse: {Counted.Of(refit.Trials.Count, "trial")} in {measuredRefit:F1} s (stage fits {string.Join(", ", refit.StageFits.Select(p => $"{Lower(p.Key)} {p.Value}"))}): " +
                $"measured speed-up {measuredRefit / outcome.Trials.Sum(t => t.Seconds):F2}x.");
        }

        if (outcome.Best == null)
        {
            // Trials may have run, each on a part of the validation users (successive halving's lower rungs): none is a best.
            int partial = outcome.Trials.Count(t => t.Fidelity < 1);
            log.WriteLine(outcome.Trials.Count == 0 ? "No trial finished: nothing to save."
                : $"No trial was scored on every validation user: {Counted.Of(partial, "trial")} ran on a part of them (successive halving's lower rungs) "
                    + $"and the {outcome.StopReason switch { SweepStopReason.TimeBudget => "time budget", SweepStopReason.Cancelled => "cancellation", _ => "trial budget" }} "
                    + "ended the sweep before one was promoted to all of them, so there is no best: nothing to save. Give more --trials or --budget.");
            // Interrupted, it ends as an interrupted command does (130); a budget that left no best is a failure (1).
            return outcome.StopReason == SweepStopReason.Cancelled ? InterruptedExitCode : 1;
        }
        log.WriteLine($"Best on the validation hold-out ({Counted.Of(outcome.Best.Users, "user")}, up to {options.ValidationFraction.ToString("0.#%", CultureInfo.InvariantCulture)} of "
            + $"each one's training edges; the test file plays no part): {SweepRunner.Describe(outcome.Best, options)}");
        if (outcome.Defaults != null)
            log.WriteLine($"Defaults: {MetricName(options.Metric)}@{options.Cutoff} {outcome.Defaults.Objective:F4}; best {outcome.Best.Objective:F4} ({(outcome.Best.Objective - outcome.Defaults.Objective) / Math.Max(1e-12, outcome.Defaults.Objective):+0.0%;-0.0%;+0.0%}).");
        log.WriteLine($"Pareto front (Recall@{options.Cutoff}, Diversity@{options.Cutoff}): " +
            string.Join("; ", outcome.ParetoFront.Select(t => $"#{t.Number} {t.Recall:F4}/{t.Diversity:F4}")));
        log.WriteLine($"Leaderboard (validation hold-out, {MetricName(options.Metric)}@{options.Cutoff}; leaderboard.tsv holds every trial):");
        log.Write(result.LeaderboardText(LeaderboardRows));

        log.WriteLine($"Refitted the best on all {pairs:N0} training edges in {result.RefitSeconds:F1} s.");

        // The test figures come before any file is written: a run stopped or failing while they are computed (Ctrl+C, a closed
        // pipe) leaves the earlier run's files as they were, where it left this run's model beside the earlier run's sweep.json.
        ProtocolResult? testResult = null;
        UnimodalPairs? testPairs = null;
        string? testRowSettings = null;
        if (test != null && result.Model != null)
        {
            var best = outcome.Best.Settings;
            (testResult, var testSettings, var testTrain, var testHeldOut) = SweepTestFigures.Evaluate(result.Model, edges, testEdges!, best, threads, test, unseen);
            testRowSettings = best.Method == SweepRetrievalMethod.KnnEmbed ? SweepTestFigures.Describe(best) : SweepTestFigures.Describe(best, testSettings.MmrPoolSize);
            // The best's row is said with its settings (at lambda 0 the kNN-Embed row is the Mixture row again); a row chosen on
            // the validation hold-out is not chosen again on the test.
            log.WriteLine(best.Method switch
            {
                SweepRetrievalMethod.Unimodal => "Test figures of the best setting: its Unimodal row, the user vector's own ranking on the best's vectors.",
                SweepRetrievalMethod.Mmr => $"Test figures of the best setting: its MMR row is {testRowSettings}, beside Unimodal on the same vectors.",
                SweepRetrievalMethod.HistoryMmr => $"Test figures of the best setting: its history-interest MMR row is {testRowSettings} "
                    + "(as the sweep chose them on the validation hold-out, not chosen again), beside Unimodal and MMR "
                    + FormattableString.Invariant($"(mmr-lambda={testSettings.MmrLambda}, the same pool) on the same vectors."),
                _ => $"Test figures of the best setting: its kNN-Embed row is {testRowSettings}, beside Unimodal, MMR and the "
                    + "unsmoothed Mixture on the same vectors.",
            });
            ResultTable.Print(testResult, showPaper: false, log, testCounts!.LeftOutUsers);
            testPairs = UnimodalPairs.Of(testResult, testTrain, testHeldOut);
            PairedTable.Print(testResult, testPairs, log);
        }

        // The model, the leaderboard, the plots and sweep.json are one set: each written beside its target, then all moved into
        // place together, so a save that fails (a full disk) or a Ctrl+C while they are written leaves the earlier run's set whole.
        string tsv = Path.Combine(outDirectory, LeaderboardFile), json = Path.Combine(outDirectory, SweepJsonFile);
        var pngs = SweepPlot.Files(outDirectory, outcome, options, ExperimentCommands.DatasetName(train));
        var exported = exportDirectory == null ? [] : SweepValidationExport.Files(exportDirectory, edges, result.ValidationSplit);
        // sweep.json is written last, so its total counts the other files' writing; the line below gives the same total.
        double totalSeconds = 0;
        var replaced = OutputFile.WriteAllReplacing([
            (modelPath, result.SaveModel),
            (tsv, path => DataFrame.SaveCsv(result.Leaderboard, path, separator: '\t', cultureInfo: CultureInfo.InvariantCulture)),
            .. pngs,
            .. exported,
            (json, path =>
            {
                totalSeconds = clock.Elapsed.TotalSeconds;
                SweepJson.Write(path, train, test, modelPath, result, options, measuredRefit, testResult, testPairs, testCounts, totalSeconds, weights, testRowSettings, givenBudget,
                    exportDirectory == null ? null : SweepValidationExport.PathsIn(exportDirectory));
            }),
        ]);
        log.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length / 1e6:F1} MB{(replaced[0] ? ", replacing the file there" : "")}).");
        foreach (var (png, _) in pngs) log.WriteLine($"Wrote {png}");
        if (exportDirectory != null)
            log.WriteLine($"Wrote the validation hold-out: {exported[0].Path} ({result.ValidationSplit.Train.Count:N0} lines the trials fitted on), "
                + $"{exported[1].Path} ({result.ValidationSplit.Validation.Count:N0} lines they were scored on).");
        log.WriteLine($"Wrote {tsv}, {json}; total {totalSeconds:F1} s.");
        StaleOutputs.Warn(outDirectory, [tsv, json, modelPath, .. pngs.Select(p => p.Path), .. exported.Select(p => p.Path)], progress.Warnings, SweepJsonFile);
        // A Ctrl+C after the trials (during the refit, which runs to its end) is an interrupt all the same.
        return cancel.IsCancellationRequested ? InterruptedExitCode : ExitCode(outcome.StopReason);
    }

    /// <summary>The exit status of a sweep that Ctrl+C stopped and that wrote what it had: 128 + SIGINT, as a shell reports an interrupted command.</summary>
    internal const int InterruptedExitCode = 130;

    /// <summary>
    /// 0, or <see cref="InterruptedExitCode"/> for a search Ctrl+C cut short (until 2026-12-06 such a run exited 0, as if
    /// it had searched what was asked); a Ctrl+C after the search's last trial leaves a whole run, exit code 0.
    /// </summary>
    internal static int ExitCode(SweepStopReason reason) => reason == SweepStopReason.Cancelled ? InterruptedExitCode : 0;

    /// <summary>"18 configurations", "110,000,000,000,000,000,000 configurations": the exact count.</summary>
    private static string Configurations(SweepSearchSpace space)
    {
        var count = space.ExactSize;
        return count.ToString("N0", CultureInfo.InvariantCulture) + (count.IsOne ? " configuration" : " configurations");
    }

    /// <summary>
    /// "36 configurations, 8 distinct trials" (configurations differing only in a parameter their method does not read are
    /// one trial), "..., 8 distinct trials and the defaults" where the base settings' trial is none of them; the count alone
    /// for a grid too large to enumerate.
    /// </summary>
    private static string Configurations(SweepSearchSpace space, SweepSettings baseSettings, bool includeDefaults)
    {
        string configurations = Configurations(space);
        if (space.DistinctTrials(baseSettings) is not { } distinct) return configurations;
        bool defaultsApart = includeDefaults && space.DistinctTrials(baseSettings, includeBaseSettings: true) > distinct;
        return configurations + FormattableString.Invariant($", {distinct:N0} distinct {(distinct == 1 ? "trial" : "trials")}") + (defaultsApart ? " and the defaults" : "");
    }

    /// <summary>The command-line spelling of a strategy.</summary>
    internal static string StrategyName(SweepStrategy strategy) => strategy switch
    {
        SweepStrategy.SuccessiveHalving => "halving",
        SweepStrategy.LocalSearch => "local",
        _ => strategy.ToString().ToLowerInvariant(),
    };

    /// <summary>The command-line spelling of a metric.</summary>
    internal static string MetricName(SweepMetric metric) => metric == SweepMetric.RecallDiversity ? "recall-diversity" : metric.ToString().ToLowerInvariant();

    private static (bool, SweepSearchSpace, string?) ParseSpace(string text)
    {
        try
        {
            return (true, SweepSearchSpace.Parse(text), null);
        }
        catch (ArgumentException e)
        {
            return (false, SweepSearchSpace.Parse(DefaultSpace), $"--space: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    private static (bool, TimeSpan?, string?) ParseBudget(string text) =>
        TryParseDuration(text, out var budget) ? (true, budget, null) : (false, null, $"--budget must be a positive time, like 10m, 600s or 1h, not '{text}'.");

    /// <summary>"10m", "600s", "1h", "1.5h" or plain seconds.</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        string t = text.Trim().ToLowerInvariant();
        if (t.Length == 0) return false;
        double unit = t.EndsWith('h') ? 3600 : t.EndsWith('m') ? 60 : 1;
        if (char.IsLetter(t[^1]) && !t.EndsWith('s') && unit == 1) return false;
        string number = char.IsLetter(t[^1]) ? t[..^1] : t;
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0)) return false;
        // Too long for a TimeSpan (1e300h) is the longest one, which SweepOptions refuses by name, rather than an OverflowException.
        duration = value * unit < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(value * unit) : TimeSpan.MaxValue;
        return true;
    }

    /// <summary>The trials the sweep will run when known in advance (a bar), or null (a spinner: a time budget decides).</summary>
    private static double? TrialTotal(SweepSearchSpace space, SweepOptions options)
    {
        if (options.TimeBudget != null) return options.MaxTrials > 0 ? options.MaxTrials : null;
        if (options.Strategy == SweepStrategy.Grid)
        {
            // The trials that run: a configuration that is another's trial is not run again (the bar ended short of a raw grid's total).
            long trials = space.DistinctTrials(options.BaseSettings, options.IncludeDefaults) ?? space.Size;
            return options.MaxTrials > 0 ? Math.Min(options.MaxTrials, trials) : trials;
        }
        if (options.Strategy == SweepStrategy.SuccessiveHalving) return options.MaxTrials > 0 ? options.MaxTrials : null;
        return options.MaxTrials > 0 ? options.MaxTrials : SweepDefaults.MaxTrials;
    }

    private static string Lower(Enum value) => value.ToString().ToLowerInvariant();

    /// <summary>
    /// The sweep's reports, on its thread: a finished trial is a line kept in both modes; a stage fit moves the status
    /// (a line in plain mode), as the lines <c>  [  12 s] message</c> were before.
    /// </summary>
    private sealed class TrialProgress(ProgressStage stage) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value)
        {
            string line = $"  [{value.Elapsed.TotalSeconds,6:F0} s] {value.Message}";
            if (value.Trial != null) stage.Note(line, value.TrialsDone);
            else stage.Update(line);
        }
    }
}
