using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Hyperparameter sweeps of the whole pipeline on the engine's graphs: carves a validation hold-out from the training
/// edges (the protocol's rule, <see cref="SweepOptions.ValidationFraction"/>), runs the strategy's configurations
/// through the stages, reusing fitted stages between trials, and scores each on the validation edges with the
/// library's evaluation core. The test split is never seen. Not thread-safe: run one sweep per call.
/// </summary>
public static class SweepRunner
{
    /// <summary>Runs a sweep.</summary>
    /// <param name="train">All training edges (the sweep holds out its own validation share).</param>
    /// <param name="space">The options to vary and their values.</param>
    /// <param name="options">Strategy, metric, budget, seed; null for the defaults.</param>
    /// <param name="progress">Optional reports of stage fits and finished trials.</param>
    /// <param name="cancellationToken">Stops the sweep promptly (the running fit at its next check); the trials done are returned.</param>
    /// <exception cref="ArgumentException">An option or the space is invalid for this graph (the message names it).</exception>
    /// <returns>Every trial run, the best and the defaults trial, the Pareto front, the stage fits and why the sweep stopped.</returns>
    public static SweepOutcome Run(BipartiteGraph train, SweepSearchSpace space, SweepOptions? options = null, IProgress<SweepProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(space);
        // An empty space ran the defaults once and reported it as a sweep; the text form refuses it, so does this.
        if (space.Parameters.Count == 0)
            throw new ArgumentException("The search space is empty: add at least one parameter with its values (SweepSearchSpace.Add).", nameof(space));
        options ??= new SweepOptions();
        options.Validate();
        CheckUnlimitedGrid(space, options);
        var total = Stopwatch.StartNew();
        int seed = options.Seed ?? GraphEmbeddingDefaults.Seed;
        var baseSettings = BaseSettings(train, options, seed);
        CheckAgainstGraph(train, space, baseSettings, options.IncludeDefaults, options.Cutoff);

        var split = ValidationSplit.Create(train, options.ValidationFraction, seed);
        CheckDimensions(split.Train, space, baseSettings, options.IncludeDefaults);
        var users = ValidationUsers(split, options, seed);
        if (users.Length == 0)
            throw new ArgumentException($"The validation hold-out is empty: {ValidationSplit.WhyEmpty(train, $"no user has {ValidationSplit.MinimumUserEdges} or more training edges")}.", nameof(train));
        double splitSeconds = total.Elapsed.TotalSeconds;

        int maxNeighbors = LargestValue(space, "neighbors", baseSettings.Neighbors, defaultsTrial: true);
        var trials = new List<SweepTrial>();
        SweepTrial? best = null, defaults = null;
        var stageReports = progress == null ? null : new InlineProgress<string>(m => progress.Report(new SweepProgress(m, trials.Count, null, best, total.Elapsed)));
        var evaluator = new TrialEvaluator(split.Train, split.Validation, users, options, maxNeighbors, stageReports);
        var strategy = SweepStrategies.Create(options.Strategy, space, options, Nearest(space, baseSettings), seed);
        // The grid and successive halving end on their own (halving after its last rung: a default budget would cut it short,
        // 27 + 9 + 3 + 1 trials, before any configuration reached every validation user).
        int maxTrials = options.MaxTrials > 0 ? options.MaxTrials
            : options.Strategy is SweepStrategy.Grid or SweepStrategy.SuccessiveHalving || options.TimeBudget != null ? int.MaxValue : SweepDefaults.MaxTrials;

        // The time budget's deadline is armed once the first trial has finished (ArmDeadline): the first trial always runs to its
        // end, so a budget shorter than one trial gives that trial and its refit rather than nothing to save.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var memo = new Dictionary<string, SweepTrial>();
        // Each full-fidelity trial's objective per validation user, to pair every trial with the best at the end.
        var userObjectives = new Dictionary<SweepTrial, double[]>();
        var reason = SweepStopReason.Exhausted;
        bool defaultsPending = options.IncludeDefaults;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested) { reason = SweepStopReason.Cancelled; break; }
            if (trials.Count >= maxTrials)
            {
                reason = BudgetReason(space, baseSettings, options, trials.Count);
                break;
            }
            if (options.TimeBudget is { } b && trials.Count > 0 && (budget.IsCancellationRequested || total.Elapsed + RefitReserve(best, options) >= b))
            {
                reason = SweepStopReason.TimeBudget;
                break;
            }

            SweepProposal? proposal = null;
            SweepSettings settings;
            Dictionary<string, string> values;
            if (defaultsPending)
            {
                defaultsPending = false;
                settings = baseSettings.Clone();
                values = space.Parameters.ToDictionary(p => p.Name, p => SweepParameterCatalog.Get(p.Name).Read(settings));
            }
            else
            {
                proposal = strategy.Next();
                if (proposal == null) break;
                (settings, values) = Apply(space, baseSettings, proposal.Indices);
            }
            double fidelity = proposal?.Fidelity ?? 1;
            int userCount = fidelity >= 1 ? users.Length : Math.Min(users.Length, Math.Max(SweepDefaults.MinimumFidelityUsers, (int)Math.Ceiling(fidelity * users.Length)));
            // Parameters the trial does not read are left out: such configurations give the same lists.
            string memoKey = $"{TrialKey(values, settings)}|{userCount}";
            if (memo.TryGetValue(memoKey, out var seen))
            {
                if (proposal != null) strategy.Report(proposal, seen.Objective);
                continue;
            }

            TrialEvaluator.Figures figures;
            try
            {
                figures = evaluator.Evaluate(settings, Keys(space, values, settings), userCount, budget.Token);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                reason = cancellationToken.IsCancellationRequested ? SweepStopReason.Cancelled : SweepStopReason.TimeBudget;
                break;
            }
            var trial = new SweepTrial
            {
                Number = trials.Count + 1,
                Parameters = values,
                Settings = settings,
                IsDefaults = proposal == null,
                Fidelity = userCount == users.Length ? 1 : (double)userCount / users.Length,
                Users = userCount,
                Rung = proposal?.Rung ?? 0,
                Objective = Objective(options, figures.Recall, figures.Diversity, figures.Ndcg),
                Recall = figures.Recall,
                Ndcg = figures.Ndcg,
                Diversity = figures.Diversity,
                Seconds = figures.Seconds,
                RefitSeconds = figures.RefitSeconds,
                ReusedStages = figures.Reused,
                Embedding = figures.Embedding,
            };
            trials.Add(trial);
            if (trials.Count == 1) ArmDeadline(budget, options.TimeBudget, total.Elapsed);
            memo[memoKey] = trial;
            if (trial.Fidelity >= 1) userObjectives[trial] = UserObjectives(options, figures);
            if (proposal != null) strategy.Report(proposal, trial.Objective);
            if (trial.IsDefaults) defaults = trial;
            if (trial.Fidelity >= 1 && (best == null || trial.Objective > best.Objective)) best = trial;
            progress?.Report(new SweepProgress(Describe(trial, options), trials.Count, trial, best, total.Elapsed));
        }

        if (best != null)
            foreach (var (trial, objectives) in userObjectives)
                trial.VersusBest = PairedDifference.Of(objectives, userObjectives[best], 1, 0, 0);
        var front = ParetoFront.Mark(trials);
        double trialSeconds = trials.Sum(t => t.Seconds);
        double refitEvery = trials.Sum(t => t.RefitSeconds);
        return new SweepOutcome
        {
            Trials = trials,
            Best = best,
            Defaults = defaults,
            ParetoFront = front,
            StageFits = evaluator.Fits,
            Seconds = total.Elapsed.TotalSeconds,
            SplitSeconds = splitSeconds,
            RefitEverySeconds = refitEvery,
            Speedup = trialSeconds > 0 ? refitEvery / trialSeconds : 1,
            StopReason = reason,
            Seed = seed,
            Space = space,
            Options = options,
            InnerTrain = split.Train,
            Validation = split.Validation,
        };
    }

    /// <summary>The objective of <paramref name="options"/>'s metric.</summary>
    internal static double Objective(SweepOptions options, double recall, double diversity, double ndcg) => options.Metric switch
    {
        SweepMetric.Ndcg => ndcg,
        SweepMetric.RecallDiversity => (1 - options.DiversityWeight) * recall + options.DiversityWeight * diversity,
        _ => recall,
    };

    /// <summary>The objective of each scored user (<see cref="Objective"/> of the user's own figures; its mean is the trial's).</summary>
    private static double[] UserObjectives(SweepOptions options, TrialEvaluator.Figures figures)
    {
        var objectives = new double[figures.UserRecall.Length];
        for (int q = 0; q < objectives.Length; q++)
            objectives[q] = Objective(options, figures.UserRecall[q], figures.UserDiversity[q], figures.UserNdcg[q]);
        return objectives;
    }

    /// <summary>One line about a finished trial: its parameters, figures at K, seconds and reused stages.</summary>
    /// <param name="t">The trial.</param>
    /// <param name="options">The sweep's options (for K).</param>
    /// <returns>The line, in invariant culture; a parameter the trial does not read shows as "-".</returns>
    public static string Describe(SweepTrial t, SweepOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"trial {t.Number}{(t.IsDefaults ? " (defaults)" : "")}: {string.Join(" ", t.Parameters.Select(p => p.Key + "=" + (t.Reads(p.Key) ? p.Value : "-")))}" +
        $"{(t.Fidelity < 1 ? $" [{t.Users} users]" : "")} -> Recall@{options.Cutoff} {t.Recall:F4}, NDCG@{options.Cutoff} {t.Ndcg:F4}, " +
        $"Diversity@{options.Cutoff} {t.Diversity:F4} ({t.Seconds:F1} s{(t.ReusedStages.Count > 0 ? ", reused " + string.Join("+", t.ReusedStages).ToLowerInvariant() : "")})");

    /// <summary>The base settings: given, or the defaults with the clusters capped for small catalogues; stage seeds from the sweep seed when one is set.</summary>
    internal static SweepSettings BaseSettings(BipartiteGraph train, SweepOptions options, int seed)
    {
        var settings = options.BaseSettings?.Clone() ?? new SweepSettings();
        if (options.BaseSettings == null)
            settings.Clustering.Clusters = Math.Max(1, Math.Min(SphericalKMeansDefaults.NumberOfClusters, train.ItemCount / 10));
        if (options.Seed != null)
        {
            settings.Embedding.Seed = seed;
            settings.Clustering.Seed = seed;
        }
        settings.Embedding.Threads = options.Threads;
        settings.Clustering.Threads = options.Threads;
        return settings;
    }

    /// <summary>
    /// Refuses a grid over more than <see cref="SweepDefaults.MaxUnlimitedGridConfigurations"/> configurations with neither a
    /// trial nor a time budget: it would run for days, or past the end of time (a space of 23 parameters of 100 values),
    /// and nothing in it would say so.
    /// </summary>
    private static void CheckUnlimitedGrid(SweepSearchSpace space, SweepOptions options)
    {
        if (!options.RunsUnfinishableGrid(space)) return;
        var (count, perParameter) = space.SizeText();
        throw new ArgumentException($"The search space has {count} configurations ({perParameter}), more than the "
            + $"{SweepDefaults.MaxUnlimitedGridConfigurations.ToString("N0", CultureInfo.InvariantCulture)} a grid runs without a limit: it would not finish. Set SweepOptions.MaxTrials or "
            + "TimeBudget, or search it with the Random, LocalSearch or SuccessiveHalving strategy.", nameof(space));
    }

    /// <summary>
    /// Refuses, by the parameter's name, what the graph cannot give, before any trial: otherwise the first trial asking
    /// for it would end the sweep and lose the trials before it.
    /// </summary>
    private static void CheckAgainstGraph(BipartiteGraph train, SweepSearchSpace space, SweepSettings baseSettings, bool defaultsTrial, int cutoff)
    {
        if (train.EdgeCount == 0) throw new ArgumentException("There are no training edges.", nameof(train));
        // A list of every item recalls every held-out edge: each trial would score Recall 1 and the choice would mean nothing.
        if (cutoff >= train.ItemCount)
            throw new ArgumentOutOfRangeException("options", cutoff, $"Cutoff (K = {cutoff}) must be below the {train.ItemCount} items of the training graph: "
                + "a list of K items would hold every item a user has not seen, so every trial would score the same full recall.");
        // Named by where the value came from (the space's parameter, or the base settings' option), as the dimension is.
        int searchedClusters = LargestValue(space, "clusters", 0, defaultsTrial: false);
        if (searchedClusters > train.ItemCount)
            throw new ArgumentException($"The search space asks for clusters={searchedClusters}, more than the {train.ItemCount} items: lower 'clusters'.", nameof(space));
        int baseClusters = baseSettings.Clustering.Clusters;
        // Only where a trial clusters: a sweep of the MMR or unimodal methods never reads the base settings' clusters.
        bool baseClustered = (defaultsTrial && SweepParameterCatalog.Applies("clusters", baseSettings))
            || (searchedClusters == 0 && SweepParameterCatalog.ReadBySomeTrial("clusters", space, baseSettings));
        if (baseClustered && baseClusters > train.ItemCount)
            throw new ArgumentException($"The base settings ask for {baseClusters} clusters, more than the {train.ItemCount} items: lower BaseSettings.Clustering.Clusters.",
                nameof(SweepOptions.BaseSettings));
        // A pool is raised to K and cut to the catalogue: a value below K would run K's trial under its own name (leaderboard,
        // sweep.json, the sensitivity plot), and so would all but one of several values at or past the catalogue.
        if (space.Parameters.FirstOrDefault(p => p.Name == "mmr-pool") is { } pools && SweepParameterCatalog.ReadBySomeTrial("mmr-pool", space, baseSettings))
        {
            var values = pools.Values.Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            if (values.FirstOrDefault(pool => pool < cutoff) is var small && small > 0)
                throw new ArgumentOutOfRangeException(nameof(space), small, $"The search space's mmr-pool={small} is below K (Cutoff {cutoff}): a pool is raised to K, "
                    + $"so it would run as mmr-pool={cutoff}'s trial. Give values of at least {cutoff}.");
            if (values.Where(pool => pool >= train.ItemCount).ToArray() is { Length: > 1 } whole)
                throw new ArgumentOutOfRangeException(nameof(space), whole[1], $"The search space's mmr-pool values {string.Join(", ", whole)} are all at or above the "
                    + $"{train.ItemCount} items: each pool would be the whole catalogue, one trial under {whole.Length} names. Keep one of them.");
        }
    }

    /// <summary>
    /// Refuses a trial dimension the truncated SVD (and negative sampling started from it) cannot give: at most min(users,
    /// items) components, counting those with edges in <paramref name="fitted"/> (the graph the trials fit), as the
    /// trainers do. The space's trials pair its algorithms (or the base one) with its dimensions (or the base one); the
    /// defaults trial runs the base pair.
    /// </summary>
    private static void CheckDimensions(BipartiteGraph fitted, SweepSearchSpace space, SweepSettings baseSettings, bool defaultsTrial)
    {
        var embedding = baseSettings.Embedding;
        bool Spectral(EmbeddingAlgorithm a) => a == EmbeddingAlgorithm.TruncatedSvd
            || (a == EmbeddingAlgorithm.NegativeSampling && embedding.Initialization == EmbeddingInitialization.TruncatedSvd);
        var algorithms = space.Parameters.FirstOrDefault(p => p.Name == "algorithm")?.Values.Select(SweepParameterCatalog.ParseAlgorithm).ToArray() ?? [embedding.Algorithm];
        var dimensions = space.Parameters.FirstOrDefault(p => p.Name == "dimension");
        // The base dimension is the defaults trial's, and every spectral trial's when the space does not vary the dimension.
        bool baseRead = (defaultsTrial && Spectral(embedding.Algorithm)) || (dimensions == null && algorithms.Any(Spectral));
        int searched = dimensions != null && algorithms.Any(Spectral) ? LargestValue(space, "dimension", embedding.Dimension, defaultsTrial: false) : 0;
        if (searched == 0 && !baseRead) return;
        int users = Enumerable.Range(0, fitted.UserCount).Count(u => fitted.DegreeOf(u) > 0), items = fitted.ItemDegrees().Count(d => d > 0);
        int rank = Math.Min(users, items);
        string bound = $"more than the min(users, items) = {rank} components it has on the sweep's training edges ({users} users and {items} items with edges)";
        // Named by where the value came from (the space's parameter, or the base settings' option), so that a caller such as
        // the command line can name its own flag for it.
        if (searched > rank)
            throw new ArgumentOutOfRangeException(nameof(space), searched, $"The search space asks for dimension={searched} with the truncated SVD, {bound}: lower 'dimension'.");
        if (baseRead && embedding.Dimension > rank)
            throw new ArgumentOutOfRangeException(nameof(SweepOptions.BaseSettings), embedding.Dimension,
                $"The base settings ask for Dimension {embedding.Dimension} with the truncated SVD, {bound}: lower BaseSettings.Embedding.Dimension.");
    }

    /// <summary>
    /// The largest value of <paramref name="name"/> a trial will use: the space's, and the base setting
    /// (<paramref name="baseValue"/>) when the space does not vary it or the defaults trial runs it.
    /// </summary>
    private static int LargestValue(SweepSearchSpace space, string name, int baseValue, bool defaultsTrial)
    {
        if (space.Parameters.FirstOrDefault(x => x.Name == name) is not { } p) return baseValue;
        int largest = p.Values.Max(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture));
        return defaultsTrial ? Math.Max(largest, baseValue) : largest;
    }

    /// <summary>Validation users (a training edge and a held-out one), in a seeded order, cut to <see cref="SweepOptions.ValidationUsers"/>.</summary>
    private static int[] ValidationUsers(ValidationSplit split, SweepOptions options, int seed)
    {
        var users = Enumerable.Range(0, split.Validation.UserCount)
            .Where(u => split.Validation.DegreeOf(u) > 0 && split.Train.DegreeOf(u) > 0).ToArray();
        var random = new Random(seed);
        for (int i = users.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (users[i], users[j]) = (users[j], users[i]);
        }
        if (options.ValidationUsers > 0 && users.Length > options.ValidationUsers) users = users[..options.ValidationUsers];
        return users;
    }

    private static (SweepSettings, Dictionary<string, string>) Apply(SweepSearchSpace space, SweepSettings baseSettings, int[] indices)
    {
        var settings = baseSettings.Clone();
        var values = new Dictionary<string, string>();
        for (int p = 0; p < indices.Length; p++)
        {
            var parameter = space.Parameters[p];
            string value = parameter.Values[indices[p]];
            SweepParameterCatalog.Get(parameter.Name).Apply(settings, value);
            values[parameter.Name] = value;
        }
        return (settings, values);
    }

    /// <summary>What two configurations that are one trial share: the values of the parameters the trial reads.</summary>
    private static string TrialKey(Dictionary<string, string> values, SweepSettings settings) =>
        string.Join(";", values.Where(v => SweepParameterCatalog.Applies(v.Key, settings)).Select(v => v.Key + "=" + v.Value));

    /// <summary>The distinct trials of the grid over <paramref name="space"/> (<see cref="SweepSearchSpace.DistinctTrials"/>), by the memo's key.</summary>
    /// <summary>
    /// Why a sweep that ran <paramref name="finished"/> trials, its budget, stops: <see cref="SweepStopReason.Exhausted"/> when
    /// they are every distinct trial of the space (a grid whose other points differ only in parameters no trial reads), else
    /// <see cref="SweepStopReason.TrialBudget"/>. Counted from the space, not by drawing the strategy's remaining proposals,
    /// which for a large space of repeats could take longer than the trials; a space too large to count, and successive
    /// halving (whose rungs rerun trials on more users), say <see cref="SweepStopReason.TrialBudget"/>.
    /// </summary>
    private static SweepStopReason BudgetReason(SweepSearchSpace space, SweepSettings baseSettings, SweepOptions options, int finished) =>
        options.Strategy != SweepStrategy.SuccessiveHalving && space.DistinctTrials(baseSettings, options.IncludeDefaults) is { } distinct && finished >= distinct
            ? SweepStopReason.Exhausted
            : SweepStopReason.TrialBudget;

    internal static long DistinctTrials(SweepSearchSpace space, SweepSettings baseSettings, bool includeBaseSettings)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (includeBaseSettings)
        {
            var settings = baseSettings.Clone();
            keys.Add(TrialKey(space.Parameters.ToDictionary(p => p.Name, p => SweepParameterCatalog.Get(p.Name).Read(settings)), settings));
        }
        var indices = new int[space.Parameters.Count];
        do
        {
            var (settings, values) = Apply(space, baseSettings, indices);
            keys.Add(TrialKey(values, settings));
        }
        while (GridIndices.Advance(indices, p => space.Parameters[p].Values.Count));
        return keys.Count;
    }

    /// <summary>The cache key of each stage: the values of the parameters of that stage and every stage upstream.</summary>
    private static Dictionary<SweepStage, string> Keys(SweepSearchSpace space, Dictionary<string, string> values, SweepSettings settings)
    {
        var keys = new Dictionary<SweepStage, string>();
        // A parameter the trial does not read is left out, so that trials differing only in it share the stage's fit.
        foreach (var stage in Enum.GetValues<SweepStage>())
            keys[stage] = string.Join(";", space.Parameters.Where(p => p.Stage <= stage && SweepParameterCatalog.Applies(p.Name, settings)).Select(p => p.Name + "=" + values[p.Name]));
        return keys;
    }

    /// <summary>The configuration of the space nearest the base settings (the local search's start).</summary>
    private static int[] Nearest(SweepSearchSpace space, SweepSettings baseSettings)
    {
        var indices = new int[space.Parameters.Count];
        for (int p = 0; p < indices.Length; p++)
        {
            var parameter = space.Parameters[p];
            string current = SweepParameterCatalog.Get(parameter.Name).Read(baseSettings);
            int exact = parameter.Values.ToList().IndexOf(current);
            if (exact >= 0 || !parameter.Numeric) { indices[p] = Math.Max(0, exact); continue; }
            double target = double.Parse(current, System.Globalization.CultureInfo.InvariantCulture);
            indices[p] = Enumerable.Range(0, parameter.Values.Count).MinBy(i => Math.Abs(space.NumericValue(p, i) - target));
        }
        return indices;
    }

    /// <summary>
    /// Cancels <paramref name="budget"/> when <paramref name="limit"/> (none: never) is reached, <paramref name="elapsed"/> of it
    /// already spent (at once when it is): the trial running then is stopped and discarded.
    /// </summary>
    private static void ArmDeadline(CancellationTokenSource budget, TimeSpan? limit, TimeSpan elapsed)
    {
        if (limit is { } b) budget.CancelAfter(b > elapsed ? b - elapsed : TimeSpan.Zero);
    }

    /// <summary>
    /// Time to keep for refitting the best setting on all edges and saving it: <see cref="SweepDefaults.RefitReserveFactor"/>
    /// times the best trial's full cost (every stage, reused or not), scaled to all edges.
    /// </summary>
    private static TimeSpan RefitReserve(SweepTrial? best, SweepOptions options) =>
        best == null ? TimeSpan.Zero : TimeSpan.FromSeconds(SweepDefaults.RefitReserveFactor * best.RefitSeconds / (1 - options.ValidationFraction));

    /// <summary>Reports on the calling thread.</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
