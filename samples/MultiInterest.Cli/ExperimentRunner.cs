using System.Diagnostics;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The main job: load a split, fit (or read) embeddings and clusters, compare Unimodal, Mixture and
/// kNN-Embed under the evaluation protocol, print the table, write metrics.json and optionally the artefacts.
/// </summary>
internal static class ExperimentRunner
{
    /// <summary>Runs the comparison; results go to <paramref name="progress"/>'s output, the long stages report through it.</summary>
    public static int Run(ExperimentSettings settings, ProgressReporter progress)
    {
        var (log, warnings) = (progress.Out, progress.Warnings);
        var seconds = new Dictionary<string, double>();
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var memory = new PeakMemory();
        // A stage's seconds, and the process's peak working set by its end (where a large graph's memory goes).
        void Stage(string name)
        {
            seconds[name] = Lap(clock);
            memory.Mark(name);
        }

        if (settings.OutDirectory != null)
        {
            OutputFile.CheckWritableDirectory(settings.OutDirectory, "--out");
            // An input in the output directory under a name the run writes (evaluate --user-embeddings out/user_embeddings.tsv
            // --out out --export) would be overwritten, as float32 text, with no way back.
            OutputFile.CheckNotOverwriting([("--train", settings.TrainPath), ("--test", settings.TestPath), ("--user-embeddings", settings.UserEmbeddingsPath),
                    ("--item-embeddings", settings.ItemEmbeddingsPath), ("--item-clusters", settings.ItemClustersPath), ("--conditions", settings.Conditional?.ConditionsPath)],
                [.. (settings.Export ? ArtifactExporter.FileNames : []).Append("metrics.json").Select(name => ($"--out ({name})", (string?)Path.Combine(settings.OutDirectory, name)))]);
        }
        var trainEdges = EdgeFile.Read(settings.TrainPath);
        var testEdges = EdgeFile.Read(settings.TestPath);
        TrainingFileChecks.Warn(trainEdges, settings.TrainPath, "evaluate", warnings, settings.Weights ? TrainingWeights.Trained : TrainingWeights.Unused);
        // The engine logs nothing: weights far apart or far from 1 are checked here, as the library's GraphEmbedding checks them.
        bool trainRepeatsSaid = settings.Weights && WeightedTrainingChecks.Warn(trainEdges, settings.TrainPath, warnings);
        IdMap users, items;
        EmbeddingMatrix? userEmbeddings = null, itemEmbeddings = null;
        if (settings.UserEmbeddingsPath != null)
        {
            // External embeddings fix the row order (and so the tie order) of users and items.
            var u = EmbeddingFile.Read(settings.UserEmbeddingsPath);
            var i = EmbeddingFile.Read(settings.ItemEmbeddingsPath!);
            if (u.Vectors.Dimension != i.Vectors.Dimension)
                throw new InvalidDataException($"The user embeddings '{settings.UserEmbeddingsPath}' (--user-embeddings) have {u.Vectors.Dimension} dimensions, "
                    + $"the item embeddings '{settings.ItemEmbeddingsPath}' (--item-embeddings) {i.Vectors.Dimension}: a user and an item vector must have one dimension to be compared.");
            (users, items, userEmbeddings, itemEmbeddings) = (u.Ids, i.Ids, u.Vectors, i.Vectors);
            GivenVectorsCoverage.Require(trainEdges, settings.TrainPath, users, settings.UserEmbeddingsPath, items, settings.ItemEmbeddingsPath!);
        }
        else
        {
            users = new IdMap();
            items = new IdMap();
        }
        var train = GraphData.Build(trainEdges, users, items, extendIds: userEmbeddings == null, settings.TrainPath);
        if (settings.ValidationCutoffGiven && userEmbeddings == null) ValidationKBound.Check(items.Count, settings.TrainPath, settings.Embedding.ValidationCutoff, settings.Embedding.Algorithm, settings.Embedding.ValidationFraction);
        // --weights: the embedding fits (the main vectors, the learned rows', the history lambda's hold-out) read this weighted
        // twin over the same rows; everything else reads train, unweighted, as without the flag.
        var embeddingTrain = settings.Weights ? GraphData.Build(trainEdges, users, items, extendIds: false, settings.TrainPath, useWeights: true) : train;
        // Test edges of users or items unseen in training are counted and reported, not a reason to stop.
        var heldOut = GraphData.BuildHeldOut(testEdges, users, items, settings.TestPath);
        var (test, unseenTestEdges) = (heldOut.Graph, heldOut.UnseenEdges);
        Stage("load");
        // Fail before the expensive stages, not after them.
        // The file's total first: a count of the scoreable edges alone reads as a short read of the file.
        string testEdgeText = unseenTestEdges > 0 ? $"{test.EdgeCount + unseenTestEdges:N0} test edges ({test.EdgeCount:N0} between users and items seen in training)" : $"{test.EdgeCount:N0} test edges";
        // Under --weights the printed results say so, as fit's summary and sweep's first line do (metrics.json only with --out).
        log.WriteLine($"Loaded {train.EdgeCount:N0} training and {testEdgeText} over {users.Count:N0} users and {items.Count:N0} items ({seconds["load"]:F1} s)"
            + (settings.Weights ? $"; the embeddings train on the weights of the training edges ({WeightsOption.Name})." : "."));
        int testEdgesInTraining = TestFileChecks.Check(heldOut, train, testEdges, trainEdges.Count, users, items, settings.TrainPath, settings.TestPath,
            settings.Unseen, "metrics.json", warnings, settings.Weights, trainRepeatsSaid);
        // The misses the figures count (--unseen miss), or none: under --unseen drop their users and edges are left out.
        var scoredMisses = settings.Unseen == UnseenHeldOut.Miss ? heldOut.Misses : null;
        int leftOutUsers = scoredMisses == null ? heldOut.Misses.UsersWithoutSeenItems(test) : 0;
        // A conditions file is read now, so that a bad one fails before the fits, not after them.
        var fileConditions = settings.Conditional?.ConditionsPath is { } conditionsPath ? ConditionalFlags.ReadConditions(conditionsPath, items, log, warnings) : null;
        if (settings.ItemClustersPath == null)
        {
            // Given vectors may leave some items all zeros (no direction to cluster by): the cap counts those that have one.
            int zeroVectors = itemEmbeddings == null ? 0 : ZeroVectors.Rows(itemEmbeddings);
            settings.Clustering.Clusters = DefaultClusters.For(items.Count - zeroVectors, settings.Clustering.Clusters, settings.ClustersGiven, warnings, zeroVectors);
        }

        GraphEmbeddingResult? embedding = null;
        if (userEmbeddings == null)
        {
            // The engine logs nothing: a dimension the training file cannot give is said here, by its flag.
            if (GraphData.DimensionWarning(embeddingTrain, settings.Embedding.Algorithm, settings.Embedding.Dimension, "--dim") is { } aboveRank)
                warnings.WriteLine($"  warning: {aboveRank}");
            GraphEmbeddingResult fit;
            using (var stage = progress.Begin($"Training embeddings: algorithm {EmbeddingFlags.Name(settings.Embedding.Algorithm)}...", EpochTotal(settings.Embedding)))
            {
                var options = settings.Embedding;
                if (settings.Protocol.HistoryMmr != null && !settings.HistoryLambdaGiven && options.Algorithm == EmbeddingAlgorithm.Auto)
                {
                    // The history row's lambda is then chosen on Auto's own hold-out and chosen vectors: no second fit.
                    options = options.Clone();
                    options.KeepHoldout = true;
                }
                fit = GraphEmbeddingTrainerEngine.Fit(embeddingTrain, options, stage.Epochs(options.ValidationCutoff));
            }
            (userEmbeddings, itemEmbeddings) = (fit.UserEmbeddings, fit.ItemEmbeddings);
            embedding = fit;
            Stage("embedding");
            if (fit.Validation.Count > 0) log.WriteLine(ValidationSummary.Line(fit, settings.Embedding.ValidationCutoff, settings.Embedding.AutoTolerance));
            log.WriteLine($"  vectors: {fit.Settings} (d={userEmbeddings.Dimension})");
            if (ValidationSummary.RankEdgeNote(fit, settings.Embedding) is { } edge) warnings.WriteLine(edge);
            HistoryRowFlags.MatchFittedAls(settings.Protocol.HistoryMmr, fit.Als, settings.HistoryFoldInGiven);
        }

        ZeroVectors.WarnOfTestUsers(userEmbeddings!, test, users, settings.UserEmbeddingsPath, warnings);
        int neighbourCandidates = Enumerable.Range(0, train.UserCount).Count(u => train.DegreeOf(u) > 0) - 1;
        if (settings.Protocol.Neighbors > neighbourCandidates)
            warnings.WriteLine($"  warning: --neighbors {settings.Protocol.Neighbors} exceeds the {neighbourCandidates:N0} other users with training edges: each user is "
                + $"smoothed over at most {Counted.Of(Math.Max(0, neighbourCandidates), "neighbour")} (k in the protocol's lambda/k is the neighbours found).");

        // The history row's lambda is chosen for this graph on a hold-out of its training edges (unless given), before any test figure.
        HistoryLambdaOutcome? historyLambda = null;
        if (settings.Protocol.HistoryMmr is { } historyRow)
        {
            historyLambda = HistoryLambdaStep.Apply(historyRow, settings.HistoryLambdaGiven, embeddingTrain, settings.Embedding, embedding, settings.Protocol.Threads, progress,
                settings.Protocol.ReorderMmrLambda, settings.Protocol.MmrPoolSize, settings.HistoryLeadErrors);
            if (historyLambda.Choice != null) Stage("history_mmr_lambda_selection");
        }
        // Chosen: the hold-out's graphs and vectors (about 230 MB on Gowalla) need not live through the rest of the run.
        embedding = embedding?.WithoutHoldout();

        ItemClustering clustering;
        if (settings.ItemClustersPath != null)
        {
            var (assignments, count) = ClusterFile.Read(settings.ItemClustersPath, items);
            clustering = ItemClustering.Create(assignments, count, itemEmbeddings!);
        }
        else
        {
            SphericalKMeansResult kmeans;
            using (progress.Begin($"Clustering {items.Count:N0} items into {settings.Clustering.Clusters:N0} clusters ({settings.Clustering.MaxIterations} iterations)..."))
                kmeans = SphericalKMeans.Fit(itemEmbeddings!, settings.Clustering);
            clustering = ItemClustering.Create(kmeans.Assignments, settings.Clustering.Clusters, itemEmbeddings!, kmeans.Centroids);
            log.WriteLine($"  k-means: {settings.Clustering.Clusters:N0} clusters of the items, mean cosine of an item to its centroid {kmeans.Objective:F4} (1 = every cluster a single direction)");
            Stage("clustering");
        }

        // Settings that cannot be honoured in full still give figures: say so (the library's estimators log the same warnings).
        if (settings.Protocol.Components > clustering.ClusterCount)
            warnings.WriteLine($"  warning: --components {settings.Protocol.Components} exceeds the {clustering.ClusterCount:N0} clusters: every mixture has at most {Counted.Of(clustering.ClusterCount, "component")}.");
        // Per cutoff, the test users whose unseen items cannot fill a list of K (K at or above the catalogue included).
        ShortListUsers.Warn(settings.Protocol.Cutoffs, train, test, warnings);
        ItemClustering? tunedClustering = null;
        var tuned = settings.Protocol.MultiInterest;
        if (tuned != null && settings.TunedClusters > 0 && !(settings.ItemClustersPath == null && settings.TunedClusters == settings.Clustering.Clusters))
        {
            // At most one cluster per item with a direction: an all-zero vector (given embeddings) cannot seed one.
            int k = Math.Min(settings.TunedClusters, items.Count - ZeroVectors.Rows(itemEmbeddings!));
            // More clusters than items with a direction cannot be made: said, as the main --clusters refuses them (until 2026-12-06
            // the cap was silent, and the warning below named the capped count as if it had been asked for).
            if (k < settings.TunedClusters && settings.TunedClustersGiven)
                warnings.WriteLine($"  warning: --tuned-clusters {settings.TunedClusters:N0} exceeds the {Counted.Of(k, "item")} with a direction to cluster: "
                    + $"the tuned row uses {Counted.Of(k, "cluster")}.");
            // Not capped like the main clustering: on ml-100k and Adressa, 10 items per cluster moved the row both ways (docs/results.md).
            if (k > items.Count / DefaultClusters.MinimumItemsPerCluster)
                warnings.WriteLine($"  warning: the tuned row's {Counted.Of(k, "cluster")} over {items.Count:N0} items hold {(double)items.Count / k:F1} items each on average "
                    + $"(the main clustering keeps at least {DefaultClusters.MinimumItemsPerCluster}); --tuned-clusters sets them.");
            var options = new SphericalKMeansOptions { Clusters = k, MaxIterations = settings.Clustering.MaxIterations, Tolerance = settings.Clustering.Tolerance, Seed = settings.Clustering.Seed, Threads = settings.Clustering.Threads };
            SphericalKMeansResult kmeans;
            using (progress.Begin($"Clustering {items.Count:N0} items into {k:N0} clusters for the tuned row..."))
                kmeans = SphericalKMeans.Fit(itemEmbeddings!, options);
            tunedClustering = ItemClustering.Create(kmeans.Assignments, k, itemEmbeddings!, kmeans.Centroids);
            Stage("tuned_clustering");
        }
        if (tuned != null)
        {
            var r = tuned.Retrieval;
            log.WriteLine($"Tuned row: {(tunedClustering ?? clustering).ClusterCount} clusters, m={tuned.Components}, lambda={tuned.Lambda}, query={r.Query}"
                + (r.Query == QuotaQuery.Blend ? $" (beta={r.Beta})" : "") + $", alpha={r.Alpha}, head share={r.HeadShare}; "
                // At nu = 0 the multi-interest MMR row is not run (it would be MMR's): no settings for it.
                + (tuned.InterestWeight > 0 ? $"MMR + interests lambda={tuned.MmrLambda}, nu={tuned.InterestWeight}" : "no MMR + interests row (nu=0)") + $"; MMR lambda={settings.Protocol.MmrLambda}, pool={settings.Protocol.MmrPoolSize}");
        }
        if (settings.Protocol.HistoryMmr is { } history)
        {
            var h = history.Interests;
            log.WriteLine($"History-interest MMR row: lambda={history.MmrLambda}, " + (history.Pool.Search == HistoryPoolSearch.Unimodal
                ? (history.Reorder ? "re-ordering Unimodal's list" : $"Unimodal's pool={settings.Protocol.MmrPoolSize}")
                : history.Reorder ? "re-ordering its own list" : $"pool={settings.Protocol.MmrPoolSize}")
                + $", nu={history.InterestWeight}, {Counted.Of(h.ItemsPerInterest, "item")} per interest, "
                + $"at most {h.MaxInterests}; fold-in " + (h.MatchUserVectors ? "fitted to the user vectors" : $"lambda={Plain(h.Regularization)}, alpha0={Plain(h.UnobservedWeight)}, nu={Plain(h.RegularizationExponent)}"));
        }
        var evaluation = progress.Begin($"Evaluating Unimodal, MMR, Mixture and kNN-Embed (m={settings.Protocol.Components}, k={settings.Protocol.Neighbors}, lambda={settings.Protocol.Lambda}, alpha={settings.Protocol.Alpha})...");
        INeighborIndex? neighborIndex = null;
        if (settings.NeighborIndex.Kind == NeighborIndexKind.Clustered)
        {
            // The exact index is built inside the evaluator; the clustered one is built (and timed) here.
            clock.Restart();
            var eligible = Enumerable.Range(0, train.UserCount).Select(u => train.DegreeOf(u) > 0).ToArray();
            var index = new ClusteredNeighborIndex(userEmbeddings!, eligible, settings.NeighborIndex.Clustered(settings.Clustering.Seed, settings.Protocol.Threads));
            neighborIndex = index;
            Stage("neighbor_index");
            log.WriteLine($"  clustered neighbour index: {index.Lists:N0} lists, {index.Probes} probes");
        }
        var result = ProtocolEvaluator.Run(train, test, userEmbeddings!, itemEmbeddings!, clustering, settings.Protocol, neighborIndex,
            scoredMisses, tunedClustering, memory.Marking(evaluation.Lines()));
        memory.EndMarking();
        evaluation.Dispose();
        foreach (var (stage, s) in result.Seconds) seconds[stage] = s;
        if (result.HistoryInterests is { MatchUserVectors: true } fitted)
            log.WriteLine($"  history_mmr fold-in fitted to the user vectors: lambda={Plain(fitted.Regularization)}, alpha0={Plain(fitted.UnobservedWeight)}");
        clock.Restart();

        var learned = new List<LearnedRow>();
        if (settings.MixtureRows is { } rows)
        {
            var mixture = rows.Mixture;
            if (rows.WarmStart)
            {
                mixture = mixture.Clone();
                mixture.Dimension = itemEmbeddings!.Dimension;
                mixture.Mixture.InitialUsers = userEmbeddings;
                mixture.Mixture.InitialItems = itemEmbeddings;
            }
            learned.Add(TrainLearned(MixtureRows.MixtureName, mixture, embeddingTrain, progress, MixtureRows.Flags.ValidationFractionFlag));
            Stage("mixture_embedding_training");
            learned.Add(TrainLearned(MixtureRows.ControlName, rows.Control!, embeddingTrain, progress, MixtureRows.Flags.ValidationFractionFlag));
            Stage("equal_size_single_vector_training");
            var cutoffs = settings.Protocol.Cutoffs.Distinct().Order().ToArray();
            var rowsToScore = learned.Select(l => (l.Name, Model: l.Fit.Mixture!)).ToList();
            foreach (float g in rows.WeightGammaSweep)
                rowsToScore.Add(($"{MixtureRows.MixtureName}@weight_gamma={g.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                    learned[0].Fit.Mixture!.WithWeights(train, g, settings.Protocol.Threads)));
            result = result.With(rowsToScore.Select(r => LearnedMixtureEvaluator.Evaluate(r.Name, train, test, r.Model, itemEmbeddings!, cutoffs, settings.Protocol.Threads,
                scoredMisses)));
            Stage("learned_mixture_evaluation");
        }
        if (settings.Dcm is { } dcm)
        {
            if (settings.DcmWarmStart)
            {
                dcm = dcm.Clone();
                dcm.Dimension = itemEmbeddings!.Dimension;
                dcm.Dcm.InitialItems = itemEmbeddings;
            }
            var row = TrainLearned(DcmFlags.RowName, dcm, embeddingTrain, progress, DcmFlags.Flags.ValidationFractionFlag);
            learned.Add(row);
            Stage("dcm_training");
            var dcmRows = new List<(string Name, MixtureEmbeddingResult Model)> { (row.Name, row.Fit.Mixture!) };
            foreach (float a in settings.DcmWeightExponentSweep)
                dcmRows.Add(($"{row.Name}@weight_exponent={a.ToString(System.Globalization.CultureInfo.InvariantCulture)}", row.Fit.Mixture!.WithWeightExponent(a)));
            result = result.With(dcmRows.Select(r => LearnedMixtureEvaluator.Evaluate(r.Name, train, test, r.Model, itemEmbeddings!,
                settings.Protocol.Cutoffs.Distinct().Order().ToArray(), settings.Protocol.Threads, scoredMisses)));
            Stage("dcm_evaluation");
            if (result.Methods.FirstOrDefault(m => m.Name == ProtocolEvaluator.HistoryMmrName) is { } historyList)
            {
                // DCM's round robin fused with history-interest MMR: two retrievers with different errors, one list.
                var dcmRow = result.Methods.First(m => m.Name == row.Name);
                var weights = settings.DcmFusionWeights;
                result = result.With(weights.Select((w, j) => RankFusionEvaluator.Evaluate(
                    j == 0 ? DcmFlags.FusionRowName : $"{DcmFlags.FusionRowName}@weight={Opt.Text(w)}", train, test, [historyList, dcmRow], [w, 1 - w], historyList,
                    itemEmbeddings!, settings.Protocol.Threads, scoredMisses)));
                Stage("dcm_fusion_evaluation");
            }
            if (settings.DcmMmrLambdas.Length > 0)
            {
                result = result.With(LearnedInterestMmr.Evaluate(DcmFlags.MmrRowName, train, test, row.Fit.Mixture!, row.Fit.UserEmbeddings, itemEmbeddings!,
                    settings.Protocol.Cutoffs.Distinct().Order().ToArray(), settings.DcmMmrLambdas.Select(l => double.Parse(Opt.Text(l), System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
                    threads: settings.Protocol.Threads, misses: scoredMisses));
                Stage("dcm_mmr_evaluation");
            }
        }
        if (settings.Conditional is { } conditional)
        {
            result = ConditionalFlags.AddRows(conditional, fileConditions, result, train, test, items, userEmbeddings!, itemEmbeddings!, clustering, tunedClustering, settings.Protocol,
                scoredMisses, log);
            Stage("conditional");
        }
        if (settings.DivideConquer is { } dc)
        {
            result = result.With([DivideConquerFlags.Evaluate(dc, train, embeddingTrain, test, itemEmbeddings!, clustering, settings.Protocol.Cutoffs.Distinct().Order().ToArray(),
                settings.Protocol.Threads, scoredMisses, progress, seconds)]);
            clock.Restart();
        }
        if (settings.LearnedQuotas)
        {
            foreach (var l in learned.Where(l => l.Fit.Mixture is { SourceComponents: > 1, DestinationComponents: 1 }).ToArray())
            {
                var own = LearnedMixtureQuotas.ClusterItems(l.Fit.Mixture!, settings.Clustering.Clusters, settings.Clustering.MaxIterations, settings.Clustering.Seed, settings.Protocol.Threads);
                result = result.With([LearnedMixtureQuotas.Evaluate(l.Name + DcmFlags.QuotaSuffix, train, test, l.Fit.Mixture!, own, settings.Protocol.Alpha, itemEmbeddings!,
                    settings.Protocol.Cutoffs.Distinct().Order().ToArray(), settings.Protocol.Threads, scoredMisses)]);
            }
            Stage("learned_quota_evaluation");
        }

        var exported = new List<string>();
        if (settings.Export)
        {
            exported.AddRange(ArtifactExporter.Export(settings.OutDirectory!, users, items, userEmbeddings!, itemEmbeddings!, clustering, result, tunedClustering));
            foreach (var l in learned) exported.AddRange(ArtifactExporter.ExportComponents(settings.OutDirectory!, l.Name, users, items, l.Fit.Mixture!));
            if (historyLambda?.Choice?.PerUser is { } selection) exported.Add(ArtifactExporter.ExportSelection(settings.OutDirectory!, users, selection));
            Stage("export");
        }
        // Drawn before the total is taken, so metrics.json reports what the plots cost.
        var plots = new List<string>();
        if (settings.OutDirectory != null)
        {
            clock.Restart();
            Directory.CreateDirectory(settings.OutDirectory);
            // A plot that cannot be drawn or written costs that plot, never the figures (metrics.json comes after).
            void Draw(string what, Action draw)
            {
                try
                {
                    draw();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
                {
                    warnings.WriteLine($"  warning: {what} was not drawn: {e.Message}");
                }
            }
            string recall = Path.Combine(settings.OutDirectory, "recall.png");
            Draw(recall, () => { RecallPlot.Write(recall, result, settings.Dataset); plots.Add(recall); });
            if (result.Frontiers.Count > 0)
            {
                string frontier = Path.Combine(settings.OutDirectory, "frontier.png");
                Draw(frontier, () => { FrontierPlot.Write(frontier, result, settings.Dataset); plots.Add(frontier); });
            }
            Draw("the mixture plots", () =>
            {
                var drawn = MixturePlot.Write(settings.OutDirectory, settings.PlotUsers, result, train, test, users, userEmbeddings!, itemEmbeddings!, clustering, settings.Dataset);
                plots.AddRange(drawn);
                // The plots show test users of two or more components: say so when none has, rather than draw nothing silently.
                if (settings.PlotUsers > 0 && drawn.Count == 0)
                    warnings.WriteLine("  note: no mixture_*.png: no test user's kNN-Embed mixture has two or more components (--plot-users draws only those).");
            });
            Stage("plots");
        }
        seconds["total"] = total.Elapsed.TotalSeconds;

        var ownIds = OwnIdLists.Of(result, users, items);
        OwnIdLists.Note(ownIds, warnings);
        ResultTable.Print(result, settings.ShowPaper, log, leftOutUsers);
        PopularFloor.Note(result, warnings);
        var pairs = UnimodalPairs.Of(result, train, test);
        PairedTable.Print(result, pairs, log);
        ActivityTable.Print(result, pairs, log);
        var exposure = ExposureTable.Of(result, train, test);
        ExposureTable.Print(result, exposure, pairs, log);
        FrontierTable.Print(result, log);
        if (settings.OutDirectory != null)
        {
            var path = Path.Combine(settings.OutDirectory, "metrics.json");
            MetricsJson.Write(path, settings, result, train, test, unseenTestEdges, testEdgesInTraining, leftOutUsers, seconds, embedding, itemEmbeddings!.Dimension,
                clustering.ClusterCount, (tunedClustering ?? clustering).ClusterCount, learned, historyLambda, pairs, exposure, memory.ByStage, ownIds);
            log.WriteLine($"Wrote {path}");
            foreach (var file in plots.Concat(exported)) log.WriteLine($"Wrote {file}");
            StaleOutputs.Warn(settings.OutDirectory, [path, .. plots, .. exported], warnings);
        }
        log.WriteLine("Stage seconds: " + string.Join(", ", seconds.Select(p => $"{p.Key} {p.Value:F1}")));
        if (memory.LargestRise() is { } rise)
            log.WriteLine($"Peak working set {memory.ByStage.Values.Max():N0} MB; the largest rise, +{rise.Megabytes:N0} MB, in the stage '{rise.Stage}' (metrics.json: peak_working_set_mb).");
        return 0;
    }

    /// <summary>Trains one learned-vector model (epochs chosen on its validation hold-out when configured); a hold-out that cannot choose is said by <paramref name="fractionFlag"/>.</summary>
    private static LearnedRow TrainLearned(string name, GraphEmbeddingOptions options, BipartiteGraph train, ProgressReporter progress, string fractionFlag)
    {
        var log = progress.Out;
        GraphEmbeddingResult fit;
        using (var stage = progress.Begin($"Training {name}: {MixtureEmbeddingDescription(options)}...", options.Epochs))
            fit = LearnedHoldOut.Run(fractionFlag, () => GraphEmbeddingTrainerEngine.Fit(train, options, stage.Epochs(options.ValidationCutoff)));
        if (fit.Validation.Count > 0)
        {
            var best = fit.Validation.MaxBy(p => p.Recall)!;
            log.WriteLine($"  validation: {fit.Validation.Count} epochs measured in {fit.SelectionSeconds:F1} s; best round-robin Recall@{options.ValidationCutoff} {best.Recall:F4} ({best.Candidate})");
        }
        log.WriteLine($"  final fit: {fit.Epochs.Count} epochs, {fit.Epochs.Sum(e => e.Seconds):F1} s, {fit.Epochs.Average(e => e.EdgesPerSecond) / 1000:F0}k edges/s");
        return new LearnedRow(name, options, fit);
    }

    private static string MixtureEmbeddingDescription(GraphEmbeddingOptions o) => o.Algorithm == EmbeddingAlgorithm.DifferentiableClustering ? DcmFlags.Describe(o) :
        $"C_s={o.Mixture.SourceComponents} C_d={o.Mixture.DestinationComponents} d={o.Dimension} pooling={MixtureRows.Name(o.Mixture.Pooling)} gamma={o.Mixture.Gamma} theta={o.Mixture.Theta} margin={o.Margin} lr={o.LearningRate} epochs<={o.Epochs}"
        + (o.Mixture.InitialUsers != null || o.Mixture.InitialItems != null ? " warm-started" : "");

    private static double Lap(Stopwatch clock)
    {
        double s = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return s;
    }

    /// <summary>The epochs a fit reports when known in advance (a bar), or null (a spinner: auto tries several fits).</summary>
    private static double? EpochTotal(GraphEmbeddingOptions o) => o.Algorithm switch
    {
        EmbeddingAlgorithm.NegativeSampling => o.Epochs,
        EmbeddingAlgorithm.ImplicitAls => o.Als.Iterations,
        _ => null,
    };

    /// <summary>A setting as a plain decimal (0.00001, not 1E-05), as the grid that chose it writes it.</summary>
    private static string Plain(double value) => value.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A learned-vector model trained for the table: its row name, options and fit.</summary>
internal sealed record LearnedRow(string Name, GraphEmbeddingOptions Options, GraphEmbeddingResult Fit);
