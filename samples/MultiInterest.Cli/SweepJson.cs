using System.Text.Json;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>Writes sweep.json: the search, the stage reuse, the best and defaults trials, the Pareto front, every trial, the test figures (<c>test_figures</c>).</summary>
internal static class SweepJson
{
    /// <summary>Writes the file; <paramref name="weights"/>: the embeddings trained on the training file's weights (<c>--weights</c>), written only then.</summary>
    public static void Write(string path, string train, string? test, string modelPath, MultiInterestSweepResult result, SweepOptions options,
        double? measuredRefitSeconds, ProtocolResult? testResult, UnimodalPairs? testPairs, TestCounts? testCounts, double totalSeconds, bool weights,
        string? testRowSettings = null, TimeSpan? givenBudget = null, (string Train, string Validation)? exported = null)
    {
        var outcome = result.Outcome;
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("train", train);
        if (test != null) w.WriteString("test", test);
        if (weights) w.WriteBoolean("weights", true);
        w.WriteString("space", outcome.Space.ToString());
        // Exact, also past 2^63 - 1 (where the space's Size saturates).
        var configurations = outcome.Space.ExactSize;
        if (configurations <= long.MaxValue) w.WriteNumber("configurations", (long)configurations);
        else
        {
            w.WritePropertyName("configurations");
            w.WriteRawValue(configurations.ToString(System.Globalization.CultureInfo.InvariantCulture), skipInputValidation: true);
        }
        // Spelled as the command line takes them (--strategy, --metric), so a file's settings can be passed back.
        w.WriteString("strategy", SweepCommand.StrategyName(options.Strategy));
        w.WriteString("metric", SweepCommand.MetricName(options.Metric));
        w.WriteNumber("k", options.Cutoff);
        if (options.Metric == SweepMetric.RecallDiversity) w.WriteNumber("diversity_weight", options.DiversityWeight);
        w.WriteNumber("seed", outcome.Seed);
        // Where every figure but test_figures comes from: the hold-out carved from the training file (seeded by "seed"), which
        // --validation-fraction and --validation-users shape and the choice depends on.
        w.WriteStartObject("validation");
        w.WriteString("held_out_from", train);
        w.WriteNumber("fraction", options.ValidationFraction);
        if (options.ValidationUsers > 0) w.WriteNumber("users_limit", options.ValidationUsers);
        if (outcome.Best != null) w.WriteNumber("users", outcome.Best.Users);
        // The hold-out written out (--export-validation): the training file's lines the trials fitted on, and those they were scored on.
        if (exported is { } files)
        {
            w.WriteString("exported_train", files.Train);
            w.WriteString("exported_validation", files.Validation);
        }
        w.WriteEndObject();
        // The budget given (--budget), not what loading left of it (written as seconds.budget_after_loading); until 2026-12-06 the latter.
        if ((givenBudget ?? options.TimeBudget) is { } budget) w.WriteNumber("budget_seconds", budget.TotalSeconds);
        w.WriteString("stop_reason", outcome.StopReason.ToString());
        w.WriteNumber("trials", outcome.Trials.Count);
        w.WriteStartObject("stage_fits");
        foreach (var (stage, fits) in outcome.StageFits) w.WriteNumber(stage.ToString().ToLowerInvariant(), fits);
        w.WriteEndObject();
        w.WriteStartObject("seconds");
        w.WriteNumber("search", outcome.Seconds);
        if (givenBudget != null && options.TimeBudget is { } left) w.WriteNumber("budget_after_loading", left.TotalSeconds);
        w.WriteNumber("validation_split", outcome.SplitSeconds);
        w.WriteNumber("trials", outcome.Trials.Sum(t => t.Seconds));
        w.WriteNumber("refit_every_stage_estimated", outcome.RefitEverySeconds);
        if (measuredRefitSeconds is { } m) w.WriteNumber("refit_every_stage_measured", m);
        w.WriteNumber("refit_best_on_all_edges", result.RefitSeconds);
        w.WriteNumber("total", totalSeconds);
        w.WriteEndObject();
        w.WriteNumber("speedup_estimated", outcome.Speedup);
        if (measuredRefitSeconds is { } mr) w.WriteNumber("speedup_measured", mr / Math.Max(1e-9, outcome.Trials.Sum(t => t.Seconds)));
        w.WriteString("model", modelPath);
        // The saved model's vectors, refitted on the whole training file (Auto may choose there otherwise than on the trials' part).
        if (result.RefitEmbedding is { } refitEmbedding) w.WriteString("model_embedding", refitEmbedding);
        if (outcome.Best != null) Trial(w, "best", outcome.Best);
        if (outcome.Defaults != null) Trial(w, "defaults", outcome.Defaults);
        w.WriteStartArray("pareto_front");
        foreach (var t in outcome.ParetoFront) w.WriteNumberValue(t.Number);
        w.WriteEndArray();
        w.WriteStartArray("leaderboard");
        int rank = 1;
        foreach (var t in outcome.Trials.OrderByDescending(t => t.Fidelity >= 1).ThenByDescending(t => t.Fidelity).ThenByDescending(t => t.Objective).ThenBy(t => t.Number))
        {
            w.WriteStartObject();
            w.WriteNumber("rank", rank++);
            TrialFields(w, t);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // What the test file held that no figure can score (written whenever --test was given, as the warnings point here),
        // and whom the test figures average over, named as in metrics.json.
        if (testCounts != null)
        {
            w.WriteStartObject("counts");
            w.WriteString("unseen", testCounts.Unseen.ToString().ToLowerInvariant());
            w.WriteNumber("test_edges_unseen", testCounts.UnseenEdges);
            w.WriteNumber("test_edges_in_training", testCounts.InTraining);
            if (testResult != null)
                foreach (var (key, value) in TestUserCounts.Of(testResult, testCounts.LeftOutUsers).Fields) w.WriteNumber(key, value);
            w.WriteEndObject();
        }
        if (testResult != null)
        {
            // "test" is the test file's path (beside "train"); its figures have their own key.
            w.WriteStartObject("test_figures");
            foreach (var method in testResult.Methods)
            {
                w.WriteStartObject(method.Name);
                // The best setting's row (kNN-Embed, MMR, history-interest MMR or Unimodal): its settings beside its figures.
                if (testRowSettings != null && method.Name == SweepTestFigures.RowOf(result.Outcome.Best!.Settings.Method)) w.WriteString("settings", testRowSettings);
                Figures(w, "recall", method.Recall);
                Figures(w, "ndcg", method.Ndcg);
                Figures(w, "diversity", method.Diversity);
                // A row without a user representation has no goodness of fit (NaN, which JSON cannot hold): null, as in metrics.json.
                if (double.IsFinite(method.Emd)) w.WriteNumber("emd", method.Emd);
                else w.WriteNull("emd");
                // As metrics.json's: the row against Unimodal user by user (null for Unimodal itself).
                w.WritePropertyName("versus_unimodal");
                JsonSerializer.Serialize(w, MetricsJson.Paired(testPairs?.For(method.Name), testPairs?.LongTailFor(method.Name)));
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Trial(Utf8JsonWriter w, string name, SweepTrial t)
    {
        w.WriteStartObject(name);
        TrialFields(w, t);
        w.WriteEndObject();
    }

    private static void TrialFields(Utf8JsonWriter w, SweepTrial t)
    {
        w.WriteNumber("trial", t.Number);
        w.WriteBoolean("defaults", t.IsDefaults);
        w.WriteStartObject("parameters");
        // A parameter the trial does not read is null, as the leaderboards' "-": its value did not shape the trial.
        foreach (var (k, v) in t.Parameters)
        {
            if (t.Reads(k)) w.WriteString(k, v);
            else w.WriteNull(k);
        }
        w.WriteEndObject();
        Settings(w, t.Settings);
        // The vectors the trial fitted (Auto's choice and dimension), which settings' algorithm and dimension, as asked, do not say.
        w.WriteString("embedding", t.Embedding);
        w.WriteNumber("users", t.Users);
        w.WriteNumber("fidelity", t.Fidelity);
        w.WriteNumber("rung", t.Rung);
        w.WriteNumber("objective", t.Objective);
        // The objective minus the best trial's, paired over the same validation users (null below full fidelity).
        w.WritePropertyName("versus_best");
        JsonSerializer.Serialize(w, MetricsJson.Gap(t.VersusBest));
        w.WriteNumber("recall", t.Recall);
        w.WriteNumber("ndcg", t.Ndcg);
        w.WriteNumber("diversity", t.Diversity);
        w.WriteNumber("seconds", t.Seconds);
        w.WriteNumber("refit_seconds", t.RefitSeconds);
        w.WriteString("reused", string.Join("+", t.ReusedStages).ToLowerInvariant());
        w.WriteBoolean("pareto", t.OnParetoFront);
    }

    /// <summary>
    /// The trial's <c>settings</c>: its method, its embedding's algorithm, dimension and seed, and every setting of the stages
    /// its method runs, searched or the base settings' (the k-means' tolerance and seed, and the mixture's neighbours only
    /// when its lambda reads them): with the exported hold-out (<c>--export-validation</c>), what the trial's figures are
    /// derived again from (docs/sweeps.md, "Auditing the validation hold-out"). Until 2026-12-07 only the searched
    /// <c>parameters</c> were written, and the rest (the clusters as capped for small catalogues, the k-means' tolerance 0,
    /// a method's defaults) could not be read back.
    /// </summary>
    private static void Settings(Utf8JsonWriter w, SweepSettings s)
    {
        w.WriteStartObject("settings");
        w.WriteString("method", s.MethodName);
        w.WriteString("algorithm", EmbeddingFlags.Name(s.Embedding.Algorithm));
        w.WriteNumber("dimension", s.Embedding.Dimension);
        w.WriteNumber("seed", s.Embedding.Seed);
        switch (s.Method)
        {
            case SweepRetrievalMethod.Unimodal:
                break;
            case SweepRetrievalMethod.Mmr:
            case SweepRetrievalMethod.HistoryMmr:
                w.WriteNumber("mmr-lambda", s.ResolvedMmrLambda);
                w.WriteNumber("mmr-pool", s.MmrPool);
                if (s.Method == SweepRetrievalMethod.Mmr) break;
                w.WriteNumber("interest-weight", s.InterestWeight);
                w.WriteNumber("items-per-interest", s.ItemsPerInterest);
                w.WriteNumber("max-interests", s.MaxInterests);
                break;
            default:
                w.WriteNumber("clusters", s.Clustering.Clusters);
                w.WriteNumber("kmeans-iterations", s.Clustering.MaxIterations);
                w.WriteNumber("kmeans-tolerance", s.Clustering.Tolerance);
                w.WriteNumber("kmeans-seed", s.Clustering.Seed);
                w.WriteNumber("components", s.Components);
                if (s.Lambda > 0) w.WriteNumber("neighbors", s.Neighbors);
                w.WriteNumber("lambda", s.Lambda);
                w.WriteNumber("alpha", s.Alpha);
                break;
        }
        w.WriteEndObject();
    }

    private static void Figures(Utf8JsonWriter w, string name, IReadOnlyDictionary<int, double> byK)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in byK.OrderBy(p => p.Key)) w.WriteNumber(k.ToString(System.Globalization.CultureInfo.InvariantCulture), v);
        w.WriteEndObject();
    }

    /// <summary>What the test file held that the figures cannot score: how unseen edges were scored, how many, and how many were training edges too.</summary>
    public sealed record TestCounts(UnseenHeldOut Unseen, int UnseenEdges, int InTraining, int LeftOutUsers);
}
