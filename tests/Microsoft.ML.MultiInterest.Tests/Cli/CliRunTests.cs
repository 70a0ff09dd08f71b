using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>Commands run end to end in process on a small planted graph: results on standard output, plain progress on standard error.</summary>
public sealed class CliRunTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Evaluate_prints_the_table_on_stdout_and_progress_on_stderr()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "out");
        var run = CliHarness.Run("evaluate", $"--train={train}", "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "3",
            "--clusters", "8", "--tuned-clusters", "0", "--threads", "1", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("Measured on", run.Out, StringComparison.Ordinal);
        Assert.Contains("| Unimodal |", run.Out, StringComparison.Ordinal);
        // Recall in percent with two decimals: at a few percent, one decimal could not tell rows apart (IJCAI-15's 2.89 and 2.96 % both "2.9 %"/"3.0 %").
        Assert.Matches(@"\| Unimodal \| \d+\.\d\d % \| \d+\.\d\d % \| \d+\.\d\d % \|", run.Out);
        Assert.True(File.Exists(Path.Combine(output, "metrics.json")));
        // Progress: the stage lines and one line per pass (epoch), on standard error only.
        Assert.Contains("Training embeddings: algorithm negative-sampling", run.Error, StringComparison.Ordinal);
        Assert.Equal(3, run.ErrorLines.Count(l => l.TrimStart().StartsWith("pass", StringComparison.Ordinal)));
        Assert.DoesNotContain(run.Out.Split('\n'), l => l.TrimStart().StartsWith("pass", StringComparison.Ordinal));
        Assert.Contains("vectors: negative-sampling d=8 epochs=3", run.Out, StringComparison.Ordinal); // the settings it ran with, never blank
        Assert.DoesNotContain("Training embeddings", run.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// A sweep end to end: each full trial's gap to the best, paired over the validation users, in the leaderboard text,
    /// leaderboard.tsv and sweep.json; the best's test figures with every row against Unimodal, as evaluate writes them.
    /// </summary>
    [Fact]
    public void Sweep_writes_each_trials_gap_to_the_best_and_the_test_rows_against_unimodal()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "sweep");
        var run = CliHarness.Run("sweep", "--train", train, "--test", test, "--space", "lambda=0,0.8", "--algorithm", "truncated-svd", "--dim", "8",
            "--clusters", "8", "--threads", "1", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("vs best", run.Out, StringComparison.Ordinal);
        Assert.Contains("Against Unimodal, user by user", run.Out, StringComparison.Ordinal);
        Assert.Contains("VersusBestStandardError", File.ReadLines(Path.Combine(output, "leaderboard.tsv")).First(), StringComparison.Ordinal);

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json")));
        var trials = json.RootElement.GetProperty("leaderboard").EnumerateArray().ToList();
        Assert.True(trials.Count >= 2, $"{trials.Count} trials");
        // The figures' source is said: the hold-out carved from the training file, its fraction and the users it scores.
        var validation = json.RootElement.GetProperty("validation");
        Assert.Equal(train, validation.GetProperty("held_out_from").GetString());
        Assert.Equal(SweepDefaults.ValidationFraction, validation.GetProperty("fraction").GetDouble());
        Assert.False(validation.TryGetProperty("users_limit", out _));
        int users = trials[0].GetProperty("users").GetInt32();
        Assert.Equal(users, validation.GetProperty("users").GetInt32());
        Assert.Contains($"Best on the validation hold-out ({users} users, up to 20% of each one's training edges; the test file plays no part): trial", run.Out, StringComparison.Ordinal);
        double bestObjective = trials[0].GetProperty("objective").GetDouble();
        Assert.Equal(0, trials[0].GetProperty("versus_best").GetProperty("difference").GetDouble());
        foreach (var trial in trials.Skip(1))
            Assert.Equal(trial.GetProperty("objective").GetDouble() - bestObjective, trial.GetProperty("versus_best").GetProperty("difference").GetDouble(), 1e-12);
        var figures = json.RootElement.GetProperty("test_figures");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, figures.GetProperty("unimodal").GetProperty("versus_unimodal").ValueKind);
        var knn = figures.GetProperty("knn_embed");
        // The kNN-Embed row is the best setting's, and says which (at lambda 0 it is the Mixture row again).
        string settings = knn.GetProperty("settings").GetString()!;
        Assert.Contains($"Test figures of the best setting: its kNN-Embed row is {settings}", run.Out, StringComparison.Ordinal);
        Assert.Contains("lambda=" + trials[0].GetProperty("parameters").GetProperty("lambda").GetString(), settings, StringComparison.Ordinal);
        double gap = knn.GetProperty("recall").GetProperty("50").GetDouble() - figures.GetProperty("unimodal").GetProperty("recall").GetProperty("50").GetDouble();
        Assert.Equal(gap, knn.GetProperty("versus_unimodal").GetProperty("recall").GetProperty("50").GetProperty("difference").GetDouble(), 1e-12);
        // Its long-tail recall against Unimodal's, as in metrics.json: over the test users (with training edges) holding out
        // an item of the long tail (training degree below the ⌈n/5⌉-th largest).
        var trainingEdges = File.ReadLines(train).Skip(1).Select(l => l.Split('\t')).Select(p => (User: p[0], Item: p[1])).Distinct().ToList();
        var degree = trainingEdges.GroupBy(e => e.Item).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var trainedUsers = trainingEdges.Select(e => e.User).ToHashSet(StringComparer.Ordinal);
        int headDegree = degree.Values.OrderDescending().ElementAt((int)Math.Ceiling(0.2 * degree.Count) - 1);
        int tailUsers = File.ReadLines(test).Skip(1).Select(l => l.Split('\t'))
            .Where(p => trainedUsers.Contains(p[0]) && degree.TryGetValue(p[1], out int d) && d < headDegree).Select(p => p[0]).Distinct().Count();
        var longTail = knn.GetProperty("versus_unimodal");
        Assert.True(tailUsers > 1, $"the fixture has {tailUsers} long-tail users");
        Assert.Equal(tailUsers, longTail.GetProperty("users_long_tail_recall").GetInt32());
        Assert.True(longTail.GetProperty("long_tail_recall").GetProperty("50").GetProperty("standard_error").GetDouble() >= 0);
    }

    /// <summary>
    /// A --budget already spent by reading the files runs the first trial (the defaults) to its end and no other, then refits and
    /// saves it (it stopped that trial at the deadline and ended "No trial finished: nothing to save.", exit code 1).
    /// </summary>
    [Fact]
    public void Sweep_with_a_budget_shorter_than_one_trial_runs_and_saves_the_first_trial()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "sweep-budget");
        var run = CliHarness.Run("sweep", "--train", train, "--space", "lambda=0,0.8", "--algorithm", "truncated-svd", "--dim", "8", "--clusters", "8", "--threads", "1",
            "--budget", "0.001s", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        var sweep = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json"))).RootElement;
        Assert.Equal("TimeBudget", sweep.GetProperty("stop_reason").GetString());
        Assert.Equal(1, sweep.GetProperty("trials").GetInt32());
        Assert.True(File.Exists(Path.Combine(output, "model.zip")));
    }

    /// <summary>
    /// sweep.json records the hold-out the choice was made on: --validation-fraction and --validation-users change which
    /// setting wins, and the file did not say them (found by a walkthrough of sweeps).
    /// </summary>
    [Fact]
    public void Sweep_json_records_the_validation_hold_out_it_chose_on()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "sweep-validation");
        var run = CliHarness.Run("sweep", "--train", train, "--space", "lambda=0,0.8", "--algorithm", "truncated-svd", "--dim", "8", "--clusters", "8", "--threads", "1",
            "--validation-fraction", "0.3", "--validation-users", "30", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        var validation = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "sweep.json"))).RootElement.GetProperty("validation");
        Assert.Equal(train, validation.GetProperty("held_out_from").GetString());
        Assert.Equal(0.3, validation.GetProperty("fraction").GetDouble());
        Assert.Equal(30, validation.GetProperty("users_limit").GetInt32());
        Assert.Equal(30, validation.GetProperty("users").GetInt32());
        Assert.Contains("Best on the validation hold-out (30 users, up to 30% of each one's training edges; the test file plays no part)", run.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// sweep --test scores its test file as evaluate does: edges of a user unseen in training are misses (the user scores 0)
    /// unless --unseen drop, said on standard error and counted in sweep.json; a test file that is the training file, and a
    /// cutoff the catalogue cannot fill, are refused before any trial.
    /// </summary>
    [Fact]
    public void Sweep_scores_unseen_test_users_as_misses_and_refuses_what_evaluate_refuses()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string withStranger = Path.Combine(_directory, "test-with-stranger.tsv");
        File.WriteAllLines(withStranger, [.. File.ReadAllLines(test), "stranger\tnever-seen-1", "stranger\tnever-seen-2"]);
        double Recall50(string unseen, out System.Text.Json.JsonElement counts, out string error, out string output)
        {
            var run = CliHarness.Run("sweep", "--train", train, "--test", withStranger, "--unseen", unseen, "--space", "lambda=0.8", "--algorithm", "truncated-svd",
                "--dim", "8", "--clusters", "8", "--threads", "1", "--out", Path.Combine(_directory, "sweep-" + unseen));
            Assert.True(run.ExitCode == 0, run.Error);
            error = run.Error;
            output = run.Out;
            var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "sweep-" + unseen, "sweep.json"))).RootElement;
            counts = json.GetProperty("counts").Clone();
            // Settings spelled as the command line takes them.
            Assert.Equal(SweepCommand.StrategyName(SweepDefaults.Strategy), json.GetProperty("strategy").GetString());
            Assert.Equal(SweepCommand.MetricName(SweepDefaults.Metric), json.GetProperty("metric").GetString());
            Assert.DoesNotContain(json.GetProperty("strategy").GetString()!, char.IsUpper);
            return json.GetProperty("test_figures").GetProperty("unimodal").GetProperty("recall").GetProperty("50").GetDouble();
        }
        double missed = Recall50("miss", out var missCounts, out string warning, out _);
        double dropped = Recall50("drop", out var dropCounts, out string dropWarning, out string dropOutput);
        Assert.Contains("2 test edges name a user or item with no training edge", warning, StringComparison.Ordinal);
        Assert.Contains("(1 test user with no training edge at all); sweep.json: counts.test_edges_unseen, counts.test_users_missed", warning, StringComparison.Ordinal);
        Assert.Contains("sweep.json: counts.test_edges_unseen, counts.test_users_left_out", dropWarning, StringComparison.Ordinal);
        Assert.Equal(2, missCounts.GetProperty("test_edges_unseen").GetInt32());
        // The counts are metrics.json's: users with lists, the missed one (a zero in Recall) or the one drop left out.
        int users = missCounts.GetProperty("test_users").GetInt32();
        Assert.Equal(1, missCounts.GetProperty("test_users_missed").GetInt32());
        Assert.Equal(users + 1, missCounts.GetProperty("users_averaged_recall_ndcg").GetInt32());
        Assert.Equal(0, missCounts.GetProperty("test_users_left_out").GetInt32());
        Assert.Equal(users, dropCounts.GetProperty("test_users").GetInt32());
        Assert.Equal(0, dropCounts.GetProperty("test_users_missed").GetInt32());
        Assert.Equal(1, dropCounts.GetProperty("test_users_left_out").GetInt32());
        Assert.Equal(users, dropCounts.GetProperty("users_averaged_recall_ndcg").GetInt32());
        Assert.Contains($"Measured on {users:N0} test users (1 more left out by --unseen drop", dropOutput, StringComparison.Ordinal);
        Assert.True(dropped > 0);
        // The stranger scores 0 among all the users under miss, and is left out under drop.
        Assert.Equal(dropped * users / (users + 1), missed, 12);

        var same = CliHarness.Run("sweep", "--train", train, "--test", train, "--space", "lambda=0.8", "--out", Path.Combine(_directory, "sweep-same"));
        Assert.Equal(1, same.ExitCode);
        Assert.Contains("is also an edge of the training file", same.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("trial 1", same.Out, StringComparison.Ordinal);

        var wide = CliHarness.Run("sweep", "--train", train, "--space", "lambda=0.8", "--k", "100000", "--out", Path.Combine(_directory, "sweep-wide"));
        Assert.Equal(2, wide.ExitCode);
        Assert.Contains("--k 100,000 must be below the", wide.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_names_activity_quartiles_that_tied_degrees_left_empty()
    {
        // Every user has four training items, so every test user falls in the first quartile.
        string train = Path.Combine(_directory, "equal-train.tsv"), test = Path.Combine(_directory, "equal-test.tsv");
        var random = new Random(1);
        var trainLines = new List<string> { "user\titem" };
        var testLines = new List<string> { "user\titem" };
        for (int u = 0; u < 30; u++)
        {
            var items = Enumerable.Range(0, 8).OrderBy(_ => random.Next()).Take(5).ToArray();
            trainLines.AddRange(items[..4].Select(i => $"u{u}\ti{i}"));
            testLines.Add($"u{u}\ti{items[4]}");
        }
        File.WriteAllLines(train, trainLines);
        File.WriteAllLines(test, testLines);
        string output = Path.Combine(_directory, "equal-out");
        // 8 items, 3 of them each validation user's after the hold-out: the validation cutoff is set below the other 5, so that
        // Auto chooses on its hold-out (at the default 20 every candidate would recall everything, and Auto falls back to implicit ALS).
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--threads", "1", "--out", output, "--plot-users", "0", "--export", "--validation-k", "4");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain("did not write", run.Out + run.Error, StringComparison.Ordinal);
        Assert.Contains("Q1: degree 4, 30 users", run.Out, StringComparison.Ordinal);
        Assert.Contains("Q2: no users", run.Out, StringComparison.Ordinal);
        // The tuned row's default 500 clusters over this small catalogue are kept, and said to be small.
        Assert.Matches(@"warning: the tuned row's \d+ clusters over [\d,]+ items hold [\d.]+ items each on average \(the main clustering keeps at least 10\); --tuned-clusters sets them\.",
            run.Out + run.Error);
        Assert.DoesNotContain("degree 0", run.Out, StringComparison.Ordinal);
        // metrics.json: the empty quartiles' degree range is null, not a range of 0.
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        var quartiles = metrics.RootElement.GetProperty("methods").GetProperty("unimodal").GetProperty("by_activity");
        Assert.Equal(4, quartiles[0].GetProperty("degree_max").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, quartiles[1].GetProperty("degree_min").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, quartiles[3].GetProperty("degree_max").ValueKind);

        // Every other row against Unimodal user by user: printed, and in metrics.json with the users it pairs.
        Assert.Contains("Against Unimodal, user by user", run.Out, StringComparison.Ordinal);
        var methods = metrics.RootElement.GetProperty("methods");
        var unimodal = methods.GetProperty("unimodal");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unimodal.GetProperty("versus_unimodal").ValueKind);
        int averaged = metrics.RootElement.GetProperty("counts").GetProperty("users_averaged_recall_ndcg").GetInt32();
        int rows = 0;
        foreach (var method in methods.EnumerateObject().Where(m => m.Name != "unimodal"))
        {
            var paired = method.Value.GetProperty("versus_unimodal");
            Assert.Equal(averaged, paired.GetProperty("users_recall_ndcg").GetInt32());
            foreach (string figure in new[] { "recall", "ndcg", "diversity" })
            {
                var at10 = paired.GetProperty(figure).GetProperty("10");
                double gap = method.Value.GetProperty(figure).GetProperty("10").GetDouble() - unimodal.GetProperty(figure).GetProperty("10").GetDouble();
                Assert.Equal(gap, at10.GetProperty("difference").GetDouble(), 1e-12);
                Assert.True(at10.GetProperty("standard_error").GetDouble() >= 0, $"{method.Name} {figure}: a negative standard error.");
            }
            // Every user here is in the first quartile: its comparison pairs them all, the empty ones have no figures.
            var byActivity = method.Value.GetProperty("by_activity");
            Assert.Equal(paired.GetProperty("users_diversity").GetInt32(), byActivity[0].GetProperty("versus_unimodal").GetProperty("users_diversity").GetInt32());
            Assert.Equal(System.Text.Json.JsonValueKind.Null,
                byActivity[1].GetProperty("versus_unimodal").GetProperty("recall").GetProperty("10").GetProperty("difference").ValueKind);
            rows++;
        }
        Assert.True(rows >= 5, $"Only {rows} rows were paired with Unimodal.");
        Assert.Contains("Against Unimodal within each quartile", run.Out, StringComparison.Ordinal);
        // The popular row: no EMD (null, "-" in the table), each list the user's unseen items by training degree, ties to the
        // lower row of item_embeddings.tsv, scored by the degree: re-derived here from the files alone.
        var popular = methods.GetProperty(Microsoft.ML.MultiInterest.Engine.ProtocolEvaluator.PopularName);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, popular.GetProperty("emd").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, popular.GetProperty("by_activity")[0].GetProperty("emd").ValueKind);
        Assert.Matches(@"\n\| Popular \|[^\n]*\| - \|\n", run.Out);
        var trainEdges = trainLines.Skip(1).Select(l => l.Split('\t')).ToList();
        var degreeOf = trainEdges.GroupBy(f => f[1]).ToDictionary(g => g.Key, g => g.Select(f => f[0]).Distinct().Count());
        var itemRows = File.ReadLines(Path.Combine(output, "item_embeddings.tsv")).Skip(1).Select(l => l[..l.IndexOf('\t')]).ToList();
        var popularLists = File.ReadLines(Path.Combine(output, "candidates.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Where(f => f[1] == "popular@10").GroupBy(f => f[0]).ToList();
        Assert.Equal(30, popularLists.Count);
        foreach (var list in popularLists)
        {
            var seen = trainEdges.Where(f => f[0] == list.Key).Select(f => f[1]).ToHashSet();
            var expected = itemRows.Where(i => !seen.Contains(i)).OrderByDescending(i => degreeOf.GetValueOrDefault(i)).ThenBy(itemRows.IndexOf).Take(10).ToList();
            Assert.Equal(expected, list.OrderBy(f => int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)).Select(f => f[3]));
            Assert.All(list, f => Assert.Equal(degreeOf.GetValueOrDefault(f[3]), int.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture)));
        }
        // The history row's hold-out choice says how far its chosen candidate led Unimodal there, user by user.
        var selection = metrics.RootElement.GetProperty("settings").GetProperty("history_mmr").GetProperty("lambda_selection");
        Assert.True(selection.GetProperty("recall_lead").GetProperty("standard_error").GetDouble() >= 0);
        Assert.Contains("(paired: ", run.Out, StringComparison.Ordinal);
        // The rule's lead test: a lead of at least one standard error by default, said in the log; a negative one is refused.
        Assert.Equal(Microsoft.ML.MultiInterest.Engine.HistoryInterestDefaults.SelectionRecallLeadErrors, selection.GetProperty("recall_lead_errors").GetDouble());
        // A rule that found no candidate at the bar says it of the hold-out, not as a forecast of the test split.
        Assert.StartsWith("on the hold-out no candidate reached 1.10x Unimodal's diversity at its recall (the test split may differ)",
            global::MultiInterest.Cli.HistoryLambdaStep.Rule(Microsoft.ML.MultiInterest.Engine.HistoryMmrSelectionRule.KeepsRecall), StringComparison.Ordinal);
        Assert.Matches(@"\n    rule: [^\n]*keeping [^\n]* \(a candidate changing its items by leading it by at least 1 standard error, a re-ordering of its list by construction; a candidate that changes the items without that lead is set aside\)", run.Out);
        Assert.All(selection.GetProperty("points").EnumerateArray().Append(selection.GetProperty("reordered")).Append(selection.GetProperty("unimodal_reordered")),
            p => Assert.Equal(p.GetProperty("recall_at_50").GetDouble() - selection.GetProperty("unimodal_recall_at_50").GetDouble(),
                p.GetProperty("recall_lead").GetProperty("difference").GetDouble(), 1e-12));
        var refused = CliHarness.Run("evaluate", "--train", train, "--test", test, "--history-mmr-lead-errors", "-1");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--history-mmr-lead-errors", refused.Error, StringComparison.Ordinal);
        // --export writes that choice user by user: the users by their ids, three figures per candidate, whose means are metrics.json's.
        var table = File.ReadAllLines(Path.Combine(output, "history_mmr_selection_users.tsv")).Select(l => l.Split('\t')).ToList();
        Assert.Equal(["user", "unimodal_recall_at_50", "unimodal_diversity_at_10", "unimodal_diversity_at_50", "reorder_baseline_recall_at_50",
            "reorder_baseline_diversity_at_10", "reorder_baseline_diversity_at_50", "lambda_0.5_recall_at_50"], table[0].Take(8));
        Assert.Equal(1 + 3 * (2 + selection.GetProperty("points").GetArrayLength() + 2), table[0].Length);
        Assert.Equal(selection.GetProperty("validation_users").GetInt32(), table.Count - 1);
        Assert.All(table.Skip(1), row => Assert.Matches("^u[0-9]+$", row[0]));
        double Mean(int column) => table.Skip(1).Average(row => double.Parse(row[column], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(selection.GetProperty("unimodal_recall_at_50").GetDouble(), Mean(1), 12);
        Assert.Equal(selection.GetProperty("points")[0].GetProperty("diversity_at_10").GetDouble(), Mean(8), 12);
        Assert.Equal(selection.GetProperty("points")[0].GetProperty("diversity_at_50").GetDouble(), Mean(9), 12);

        // A second run into the same folder without --export: the first run's exports are named, not taken for this run's
        // (a walkthrough of outputs under failure found the folder mixing runs without a word).
        var again = CliHarness.Run("evaluate", "--train", train, "--test", test, "--threads", "1", "--out", output, "--plot-users", "0", "--algorithm", "truncated-svd", "--dim", "4");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Matches(@"also holds \d+ output file\(s\) this run did not write, an earlier run's: .*candidates\.tsv.*user_embeddings\.tsv", again.Out + again.Error);
    }

    [Fact]
    public void Split_says_what_it_left_out_and_keeps_self_loops_when_asked()
    {
        // Users and items numbered separately: user 1 rated item 1, a real edge; one pair is repeated.
        string edges = Path.Combine(_directory, "ratings.tsv");
        var lines = new List<string> { "user\titem" };
        for (int u = 1; u <= 12; u++)
            for (int i = 1; i <= 6; i++) lines.Add($"{u}\t{(u * 7 + i * 3) % 40 + 1}");
        lines.Add("1\t1");
        lines.Add(lines[1]);
        File.WriteAllLines(edges, lines);
        string train = Path.Combine(_directory, "train.tsv"), test = Path.Combine(_directory, "test.tsv");
        int selfLoops = lines.Skip(1).Count(l => l.Split('\t') is [var user, var item] && user == item);
        Assert.True(selfLoops >= 1);

        var dropped = CliHarness.Run("split", "--edges", edges, "--train", train, "--test", test);
        Assert.True(dropped.ExitCode == 0, dropped.Error);
        Assert.Contains($"{selfLoops} self-loops left out", dropped.Error, StringComparison.Ordinal);
        Assert.Contains("--keep-self-loops", dropped.Error, StringComparison.Ordinal);
        Assert.Contains("1 repeated (user, item) line merged into the pair's first line", dropped.Error, StringComparison.Ordinal);
        Assert.Equal(lines.Count - 1 - selfLoops - 1, File.ReadLines(train).Count() - 1 + File.ReadLines(test).Count() - 1);

        var kept = CliHarness.Run("split", "--edges", edges, "--train", train, "--test", test, "--keep-self-loops");
        Assert.True(kept.ExitCode == 0, kept.Error);
        Assert.DoesNotContain("self-loops left out", kept.Out + kept.Error, StringComparison.Ordinal);
        Assert.Contains($"{selfLoops} pairs with user id = item id kept as edges", kept.Out, StringComparison.Ordinal);
        Assert.Contains("seed 20261123", kept.Out, StringComparison.Ordinal);
        Assert.Equal(lines.Count - 1 - 1, File.ReadLines(train).Count() - 1 + File.ReadLines(test).Count() - 1);
        Assert.Contains("1\t1", File.ReadLines(train).Concat(File.ReadLines(test)));
    }

    [Fact]
    public void Split_says_which_columns_its_files_leave_out()
    {
        // A timestamp column was dropped from the training and test files without a word (an audit, 2026-12-07).
        string edges = Path.Combine(_directory, "timed.tsv");
        File.WriteAllLines(edges, ["user\titem\ttimestamp", .. Enumerable.Range(0, 40).Select(e => $"u{e % 8}\ti{e % 13}\t{1000 + e}")]);
        string train = Path.Combine(_directory, "timed-train.tsv"), test = Path.Combine(_directory, "timed-test.tsv");
        var split = CliHarness.Run("split", "--edges", edges, "--train", train, "--test", test);
        Assert.True(split.ExitCode == 0, split.Error);
        Assert.Contains($"'{edges}': its column 'timestamp' is not read, so the training and test files leave it out", split.Error, StringComparison.Ordinal);
        Assert.Equal("user\titem", File.ReadLines(train).First());

        // A third column named weight is kept, and nothing is said.
        File.WriteAllLines(edges, ["user\titem\tweight", .. Enumerable.Range(0, 40).Select(e => $"u{e % 8}\ti{e % 13}\t2")]);
        var weighted = CliHarness.Run("split", "--edges", edges, "--train", train, "--test", test);
        Assert.True(weighted.ExitCode == 0, weighted.Error);
        Assert.DoesNotContain("not read", weighted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_with_conditional_rows_merges_the_implicit_components_it_keeps_for_them()
    {
        // The merged row reads the tuned row's whole mixtures after the evaluation, which lets them go unless told to keep them.
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "conditional");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "4", "--query", "component", "--conditional", "--cond-epochs", "1", "--threads", "1",
            "--plot-users", "1", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        // Negative sampling used its training knobs, so metrics.json names them.
        var settings = metrics.RootElement.GetProperty("settings");
        Assert.Equal(2, settings.GetProperty("epochs").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Object, settings.GetProperty("negatives").ValueKind);
        var names = metrics.RootElement.GetProperty("methods").EnumerateObject().Select(m => m.Name).ToArray();
        Assert.Contains("knn_embed_tuned", names);
        Assert.Contains("conditional", names);
        Assert.Contains("conditional_knn", names);
        Assert.Single(Directory.GetFiles(output, "mixture_*.png"));
    }

    [Fact]
    public void Evaluate_with_out_draws_recall_per_method_and_the_mixtures_of_the_most_active_test_users()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "plots");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--threads", "1", "--plot-users", "2", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(IsPng(Path.Combine(output, "recall.png")));
        var mixtures = Directory.GetFiles(output, "mixture_*.png");
        Assert.Equal(2, mixtures.Length);
        Assert.All(mixtures, path => Assert.True(IsPng(path), path));
        foreach (var path in mixtures) Assert.Contains($"Wrote {path}", run.Out, StringComparison.Ordinal);

        // The users drawn are test users with the most training items.
        var degree = EdgeDegrees(train);
        var testUsers = EdgeDegrees(test).Keys.ToHashSet();
        var drawn = mixtures.Select(p => Path.GetFileNameWithoutExtension(p)["mixture_".Length..]).ToArray();
        Assert.All(drawn, u => Assert.Contains(u, testUsers));
        int least = drawn.Min(u => degree[u]);
        Assert.True(testUsers.Where(u => !drawn.Contains(u)).All(u => degree.GetValueOrDefault(u) <= least),
            $"A test user with more than {least} training items was not drawn.");

        // --plot-users 0 draws none; recall.png still comes with --out.
        string none = Path.Combine(_directory, "none");
        var quiet = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "1",
            "--clusters", "8", "--tuned-clusters", "0", "--threads", "1", "--plot-users", "0", "--out", none);
        Assert.True(quiet.ExitCode == 0, quiet.Error);
        Assert.Empty(Directory.GetFiles(none, "mixture_*.png"));
        Assert.True(IsPng(Path.Combine(none, "recall.png")));
    }

    [Fact]
    public void Evaluate_with_a_closed_form_embedding_writes_no_training_knobs_it_did_not_use()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string output = Path.Combine(_directory, "svd");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "truncated-svd", "--dim", "6",
            "--clusters", "8", "--tuned-clusters", "0", "--threads", "1", "--plot-users", "0", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        var settings = metrics.RootElement.GetProperty("settings");
        Assert.Equal("truncated-svd", settings.GetProperty("algorithm_used").GetString());
        foreach (string knob in new[] { "epochs", "loss", "learning_rate", "negatives" })
            Assert.Equal(System.Text.Json.JsonValueKind.Null, settings.GetProperty(knob).ValueKind);
    }

    [Fact]
    public void Fit_with_a_warm_started_dcm_model_fits_the_single_vector_first_and_saves_dcm_at_its_dimension()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "dcm-warm.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "round-robin", "--dcm", "--dcm-warm-start",
            "--algorithm", "truncated-svd", "--dim", "6", "--dcm-epochs", "1", "--dcm-validation-fraction", "0", "--candidates", "5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("Fitting the single vector that starts DCM's item vectors", fit.Error, StringComparison.Ordinal);
        var ml = new MLContext(seed: 1);
        var saved = MultiInterestModel.Load(ml, model).GraphEmbedding!;
        Assert.Equal(6, saved.ItemEmbeddings.Dimension);
        Assert.Equal(5, saved.Mixture!.SourceComponents);
        string path = Path.Combine(_directory, "dcm-warm.tsv");
        var served = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", path);
        Assert.True(served.ExitCode == 0, served.Error);
        Assert.True(File.ReadAllLines(path).Length > 1);

        // A users file without its header line loses its first user, and says so; a comma-separated one is refused naming it.
        var testUsers = File.ReadLines(test).Skip(1).Select(l => l.Split('\t')[0]).Distinct().Take(2).ToArray();
        string firstUser = testUsers[0];
        string headless = Path.Combine(_directory, "headless.tsv"), commas = Path.Combine(_directory, "users.csv");
        File.WriteAllLines(headless, testUsers);
        File.WriteAllLines(commas, ["user,item", $"{firstUser},x"]);
        var noHeader = CliHarness.Run("recommend", "--model", model, "--users", headless, "--out", path);
        Assert.Contains($"starts with '{firstUser}', a user the model knows: that user is not served", noHeader.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadLines(path).Skip(1), l => l.StartsWith(firstUser + "\t", StringComparison.Ordinal));
        // An edge file without its header repeats its users: the first line's user is served from a later line, and said so.
        string headlessEdges = Path.Combine(_directory, "headless-edges.tsv");
        File.WriteAllLines(headlessEdges, [$"{firstUser}\tx", $"{testUsers[1]}\ty", $"{firstUser}\tz"]);
        var repeated = CliHarness.Run("recommend", "--model", model, "--users", headlessEdges, "--out", path);
        Assert.True(repeated.ExitCode == 0, repeated.Error);
        Assert.Contains($"starts with '{firstUser}', a user the model knows: that user is served all the same, from a later line", repeated.Error, StringComparison.Ordinal);
        Assert.Contains(File.ReadLines(path).Skip(1), l => l.StartsWith(firstUser + "\t", StringComparison.Ordinal));
        var csv = CliHarness.Run("recommend", "--model", model, "--users", commas, "--out", path);
        Assert.Equal(1, csv.ExitCode);
        Assert.Contains("users.csv' looks comma-separated", csv.Error + csv.Out, StringComparison.Ordinal);

        var stray = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "unimodal", "--dcm-warm-start");
        Assert.NotEqual(0, stray.ExitCode);
        Assert.Contains("--dcm-warm-start", stray.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_with_the_default_clusters_on_a_small_catalogue_keeps_ten_items_per_cluster_as_evaluate_does()
    {
        // 120 items: the default 2,000 clusters cannot be fitted; evaluate and fit both use 12 and say so.
        var (train, _) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "small.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "quota", "--algorithm", "implicit-als", "--dim", "8", "--candidates", "5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("the default 2,000 clusters would hold fewer than 10 of the 120 items each; using 12 (one per 10 items; pass --clusters to choose)", fit.Out + fit.Error, StringComparison.Ordinal);
        using (var saved = MultiInterestModel.Load(new MLContext(seed: 1), model))
            Assert.Equal(12, saved.Clustering!.Centroids.Rows);
        // A count the user gives is kept, and one beyond the items is a usage error naming the flag and the items, before any fitting.
        var given = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "quota", "--algorithm", "implicit-als", "--dim", "8", "--candidates", "5", "--threads", "1", "--clusters", "30");
        Assert.True(given.ExitCode == 0, given.Error);
        Assert.DoesNotContain("the default 2,000 clusters would hold", given.Out + given.Error, StringComparison.Ordinal);
        using (var saved = MultiInterestModel.Load(new MLContext(seed: 1), model))
            Assert.Equal(30, saved.Clustering!.Centroids.Rows);
        var tooMany = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "quota", "--algorithm", "implicit-als", "--dim", "8", "--threads", "1", "--clusters", "500");
        Assert.Equal(CliRunner.BadUsage, tooMany.ExitCode);
        Assert.Contains("--clusters 500 asks for more clusters than the 120 items there are to cluster", Assert.Single(tooMany.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_refuses_a_model_path_it_cannot_write_before_fitting()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        // A folder that cannot be made: a file stands where it should be.
        string blocked = Path.Combine(train, "model.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", blocked, "--retriever", "unimodal", "--algorithm", "truncated-svd", "--dim", "6");
        Assert.Equal(2, fit.ExitCode);
        Assert.Contains($"--model '{blocked}' cannot be written", fit.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Fitting", fit.Error + fit.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(blocked));
    }

    [Fact]
    public void Fit_fused_saves_history_mmr_fused_with_warm_started_dcm_which_recommend_serves_from_the_zip_live_and_onnx()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "fused.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "fused", "--algorithm", "truncated-svd", "--dim", "6",
            "--history-mmr-lambda", "0.75", "--dcm-epochs", "1", "--dcm-fusion-weight", "0.7", "--candidates", "5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("fused history-interest MMR + DCM pipeline", fit.Out, StringComparison.Ordinal);
        var ml = new MLContext(seed: 1);
        using (var loaded = MultiInterestModel.Load(ml, model))
        {
            var fusion = Assert.Single(loaded.RankFusions);
            Assert.Equal(["HistoryMmrCandidates", MultiInterestColumnNames.Candidates], fusion.SourceColumnNames);
            Assert.Equal(0.7, fusion.Weights[0], 12);
            Assert.Equal(0.3, fusion.Weights[1], 12);
            Assert.Equal([CandidateMethod.Mmr, CandidateMethod.RoundRobin], loaded.CandidateLists.Select(c => c.Method));
        }
        // The zip's fused lists and the live recommender's are the same lists.
        string zip = Path.Combine(_directory, "fused-zip.tsv"), live = Path.Combine(_directory, "fused-live.tsv");
        var fromZip = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", zip);
        Assert.True(fromZip.ExitCode == 0, fromZip.Error);
        var fromRecommender = CliHarness.Run("recommend", "--model", model, "--users", test, "--recommender", "--out", live);
        Assert.True(fromRecommender.ExitCode == 0, fromRecommender.Error);
        Assert.True(File.ReadAllLines(zip).Length > 1);
        Assert.Equal(File.ReadAllLines(zip), File.ReadAllLines(live));   // user, rank, item, score
        // ONNX Runtime serves each source from its own graphs and the lists are fused alike (user, rank, item).
        string onnx = Path.Combine(_directory, "fused-onnx.tsv");
        var fromOnnx = CliHarness.Run("recommend", "--model", model, "--users", test, "--onnx", "--out", onnx);
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.Error);
        Assert.Equal(File.ReadAllLines(zip).Select(l => string.Join('\t', l.Split('\t')[..3])), File.ReadAllLines(onnx).Select(l => string.Join('\t', l.Split('\t')[..3])));
        Assert.Contains("sources (history_mmr x 0.7, round_robin x 0.3", fromOnnx.Out, StringComparison.Ordinal);
        Assert.Contains("fused by rank", fromOnnx.Out, StringComparison.Ordinal);
        var export = CliHarness.Run("export-onnx", "--model", model, "--out", Path.Combine(_directory, "fused-onnx"));
        Assert.True(export.ExitCode == 0, export.Error);
        // Each source is described by its own directory: the history-interest MMR source as such, not as plain MMR.
        Assert.Contains("Exported a fusion of history-interest MMR (pool N=", export.Out, StringComparison.Ordinal);
        Assert.Contains("(weight 0.7, M=5, in source0) and round robin (", export.Out, StringComparison.Ordinal);
        Assert.Contains("(weight 0.3", export.Out, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("source0", "pool_scorer.onnx"), export.Out, StringComparison.Ordinal);
        // The engine's one-stage scorer would serve one source: it refuses, saying why.
        var engine = CliHarness.Run("recommend", "--model", model, "--users", test, "--engine", "--out", Path.Combine(_directory, "fused-engine.tsv"));
        Assert.NotEqual(0, engine.ExitCode);
        Assert.Contains("fuses the candidate lists", engine.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_divide_conquer_row_reports_progress_on_standard_error_and_is_labelled_in_the_table()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "truncated-svd", "--dim", "4", "--clusters", "4",
            "--tuned-clusters", "0", "--history-mmr-lambda", "0.5", "--threads", "1", "--divide-conquer", "--dc-dim", "4", "--dc-epochs", "2");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("| Divide-and-conquer (cluster quotas) |", run.Out, StringComparison.Ordinal);
        // The training line and its epochs are progress, as the other learned rows' are: the results stream holds results.
        Assert.DoesNotContain("Training divide_conquer", run.Out, StringComparison.Ordinal);
        Assert.Contains("Training divide_conquer", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_chooses_the_history_rows_lambda_on_a_hold_out_unless_it_is_given()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string chosen = Path.Combine(_directory, "chosen"), given = Path.Combine(_directory, "given");
        string[] common = ["evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--threads", "1"];
        var run = CliHarness.Run([.. common, "--out", chosen]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("validation users", run.Out, StringComparison.Ordinal);
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(chosen, "metrics.json"))))
        {
            var row = json.RootElement.GetProperty("settings").GetProperty("history_mmr");
            Assert.Equal("validation", row.GetProperty("lambda_source").GetString());
            var selection = row.GetProperty("lambda_selection");
            var tried = selection.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("lambda").GetDouble()).ToArray();
            Assert.Equal(Microsoft.ML.MultiInterest.Engine.HistoryInterestDefaults.SelectionLambdas, tried);
            // The row's own top 50 re-ordered at the re-ordering row's lambda is the rule's one more candidate.
            var reordered = selection.GetProperty("reordered");
            Assert.Equal(Microsoft.ML.MultiInterest.Engine.MmrRetrieverDefaults.Lambda, reordered.GetProperty("lambda").GetDouble());
            Assert.InRange(reordered.GetProperty("recall_at_50").GetDouble(), 0, 1);
            bool reorder = row.GetProperty("reorder").GetBoolean();
            Assert.Contains(row.GetProperty("lambda").GetDouble(), reorder ? [reordered.GetProperty("lambda").GetDouble()] : tried);
            // And after it Unimodal's own top 50 re-ordered with the interests: Unimodal's items, so exactly its recall.
            var unimodalReordered = selection.GetProperty("unimodal_reordered");
            Assert.Equal(selection.GetProperty("unimodal_recall_at_50").GetDouble(), unimodalReordered.GetProperty("recall_at_50").GetDouble());
            // Which pool ran is always written; the rule takes Unimodal's only as a re-ordering.
            string pool = row.GetProperty("pool_search").GetString()!;
            Assert.Contains(pool, new[] { "exact", "unimodal" });
            if (pool == "unimodal") Assert.True(reorder);
            Assert.True(selection.GetProperty("validation_users").GetInt32() > 0);
            // The re-ordering baseline the rule's first clause reads, measured on the same users.
            Assert.InRange(selection.GetProperty("reorder_diversity_at_10").GetDouble(), 1e-6, 2.0);
            Assert.Contains(selection.GetProperty("rule").GetString(), new[] { "beats_reordering", "meets_bar", "keeps_recall", "best_recall" });
        }

        // Without the re-ordering row the rule has no such baseline.
        string bare = Path.Combine(_directory, "bare");
        run = CliHarness.Run([.. common, "--reorder-mmr-lambda", "-1", "--out", bare]);
        Assert.True(run.ExitCode == 0, run.Error);
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(bare, "metrics.json"))))
        {
            var selection = json.RootElement.GetProperty("settings").GetProperty("history_mmr").GetProperty("lambda_selection");
            Assert.Equal(System.Text.Json.JsonValueKind.Null, selection.GetProperty("reorder_diversity_at_10").ValueKind);
            Assert.NotEqual("beats_reordering", selection.GetProperty("rule").GetString());
        }

        run = CliHarness.Run([.. common, "--history-mmr-lambda", "0.6", "--out", given]);
        Assert.True(run.ExitCode == 0, run.Error);
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(given, "metrics.json"))))
        {
            var row = json.RootElement.GetProperty("settings").GetProperty("history_mmr");
            Assert.Equal("given", row.GetProperty("lambda_source").GetString());
            Assert.Equal(0.6, row.GetProperty("lambda").GetDouble());
            Assert.False(row.GetProperty("reorder").GetBoolean());
            Assert.False(row.TryGetProperty("lambda_selection", out _));
        }

        // The Unimodal pool given: the row re-orders Unimodal's lists, so its Recall@50 is Unimodal's on the test split.
        string unimodalPool = Path.Combine(_directory, "unimodal-pool");
        run = CliHarness.Run([.. common, "--history-mmr-lambda", "0.6", "--history-mmr-reorder", "--history-pool", "unimodal", "--out", unimodalPool]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("re-ordering Unimodal's list", run.Out, StringComparison.Ordinal);
        Assert.Contains("History-interest MMR row: lambda=0.6, re-ordering Unimodal's list", run.Out, StringComparison.Ordinal);
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(unimodalPool, "metrics.json"))))
        {
            var methods = json.RootElement.GetProperty("methods");
            double Recall50(string method) => methods.GetProperty(method).GetProperty("recall").GetProperty("50").GetDouble();
            Assert.Equal(Recall50("unimodal"), Recall50("history_mmr"));
            Assert.Equal("unimodal", json.RootElement.GetProperty("settings").GetProperty("history_mmr").GetProperty("pool_search").GetString());
        }

        // Re-ordering is given with a lambda, or chosen with it: alone it is refused by name.
        string givenReorder = Path.Combine(_directory, "given-reorder");
        run = CliHarness.Run([.. common, "--history-mmr-lambda", "0.6", "--history-mmr-reorder", "--out", givenReorder]);
        Assert.True(run.ExitCode == 0, run.Error);
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(givenReorder, "metrics.json"))))
            Assert.True(json.RootElement.GetProperty("settings").GetProperty("history_mmr").GetProperty("reorder").GetBoolean());
        run = CliHarness.Run([.. common, "--history-mmr-reorder", "--out", Path.Combine(_directory, "refused")]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--history-mmr-reorder goes with --history-mmr-lambda", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_with_a_warm_started_dcm_row_trains_it_at_the_main_tables_dimension()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--threads", "1", "--dcm", "--dcm-warm-start", "--dcm-dim", "4", "--dcm-epochs", "1",
            "--dcm-validation-fraction", "0", "--dcm-weight-exponent", "1", "--dcm-weight-exponent-sweep", "0.5,0", "--dcm-mmr-lambdas", "0.75,1",
            "--dcm-fusion-weight-sweep", "1,0", "--out", Path.Combine(_directory, "dcm"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("| DCM (round robin) |", run.Out, StringComparison.Ordinal);
        Assert.Contains("| DCM + history-interest MMR (fused) |", run.Out, StringComparison.Ordinal);
        // The fused row at weight 1 is history-interest MMR's lists, at weight 0 DCM's: the same figures to the last digit.
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "dcm", "metrics.json"))))
        {
            var methods = json.RootElement.GetProperty("methods");
            string Recall(string row) => methods.GetProperty(row).GetProperty("recall").GetRawText();
            Assert.Equal(Recall("history_mmr"), Recall("dcm_history_fusion@weight=1"));
            Assert.Equal(Recall("dcm"), Recall("dcm_history_fusion@weight=0"));
        }
        Assert.Contains("| dcm_mmr@lambda=0.75 |", run.Out, StringComparison.Ordinal);
        Assert.Contains("| dcm_mmr@lambda=1 |", run.Out, StringComparison.Ordinal);
        Assert.Contains("| dcm@weight_exponent=0.5 |", run.Out, StringComparison.Ordinal);
        Assert.Contains("| dcm@weight_exponent=0 |", run.Out, StringComparison.Ordinal);
        Assert.Contains("d=8 ", run.Error, StringComparison.Ordinal);
        Assert.Contains("items warm-started", run.Error, StringComparison.Ordinal);
        // The warm-start settings fill in the --dcm-* options not given; given ones win.
        Assert.Contains("tau=0.2 ", run.Error, StringComparison.Ordinal);
        Assert.Contains("lr=0.05 ", run.Error, StringComparison.Ordinal);
        Assert.Contains("weight exponent=1 ", run.Error, StringComparison.Ordinal);
        Assert.Contains("epochs<=1", run.Error, StringComparison.Ordinal);
        var strayMmr = CliHarness.Run("evaluate", "--train", train, "--test", test, "--dcm-mmr-lambdas", "1");
        Assert.Equal(2, strayMmr.ExitCode);
        Assert.Contains("--dcm-mmr-lambdas", strayMmr.Error, StringComparison.Ordinal);
        var stray = CliHarness.Run("evaluate", "--train", train, "--test", test, "--dcm-warm-start");
        Assert.NotEqual(0, stray.ExitCode);
        Assert.Contains("--dcm-warm-start", stray.Error, StringComparison.Ordinal);
        var resharpened = CliHarness.Run("evaluate", "--train", train, "--test", test, "--dcm", "--dcm-weight-exponent", "0.5", "--dcm-weight-exponent-sweep", "1");
        Assert.NotEqual(0, resharpened.ExitCode);
        Assert.Contains("--dcm-weight-exponent 1", resharpened.Error, StringComparison.Ordinal);
        var outOfRange = CliHarness.Run("evaluate", "--train", train, "--test", test, "--dcm", "--dcm-weight-exponent-sweep", "0.5,20");
        Assert.NotEqual(0, outOfRange.ExitCode);
        Assert.Contains("--dcm-weight-exponent-sweep takes numbers within 0..16, not '20'", outOfRange.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_with_warm_started_mixture_embeddings_trains_them_at_the_main_tables_dimension()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--threads", "1", "--mixture-embeddings", "--mix-warm-start", "--mix-dim", "4", "--mix-epochs", "1",
            "--mix-validation-fraction", "0");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("| Mixture embeddings (round robin) |", run.Out, StringComparison.Ordinal);
        Assert.Contains("C_s=5 C_d=1 d=8 ", run.Error, StringComparison.Ordinal);
        var stray = CliHarness.Run("evaluate", "--train", train, "--test", test, "--mix-warm-start");
        Assert.NotEqual(0, stray.ExitCode);
        Assert.Contains("--mix-warm-start", stray.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_points_at_the_column_order_when_the_test_files_values_look_swapped()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string[] Swapped(string[] lines) => [.. lines.Take(1), .. lines.Skip(1).Select(l => string.Join('\t', l.Split('\t').Reverse()))];
        string[] Numeric(string[] lines) => [.. lines.Take(1), .. lines.Skip(1).Select(l => string.Join('\t', l.Split('\t').Select(f => f[1..])))];
        string[] flags = ["--algorithm", "negative-sampling", "--dim", "8", "--epochs", "1", "--clusters", "8", "--tuned-clusters", "0",
            "--history-interest-weight", "-1", "--threads", "1", "--plot-users", "0"];
        var lines = File.ReadAllLines(test);
        // Values swapped under a correct header, ids of separate kinds (u1, i7): no test edge is scoreable. Stopped before
        // training, naming the file and the likely cause.
        File.WriteAllLines(test, Swapped(lines));
        var none = CliHarness.Run(["evaluate", "--train", train, "--test", test, .. flags]);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains($"No edge of the test file '{test}' is between a user and an item seen in training", none.Error, StringComparison.Ordinal);
        Assert.Contains("the test file's columns look swapped", none.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Training embeddings", none.Error, StringComparison.Ordinal);
        // Ids padded with spaces (" u1\t i7 "): read raw, none is seen; the error says why rather than blaming the column order.
        File.WriteAllLines(test, [.. lines.Take(1), .. lines.Skip(1).Select(l => string.Join('\t', l.Split('\t').Select(f => $" {f} ")))]);
        var padded = CliHarness.Run(["evaluate", "--train", train, "--test", test, .. flags]);
        Assert.Equal(1, padded.ExitCode);
        Assert.Contains("With the spaces around their ids removed, ", padded.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("columns look swapped", padded.Error, StringComparison.Ordinal);
        // Ids in another Unicode normalisation ("ue\u0301" where training has "u\u00e9"): the error names the normalisation.
        string nfcTrain = Path.Combine(_directory, "nfc-train.tsv");
        File.WriteAllLines(nfcTrain, [.. File.ReadAllLines(train).Take(1), .. File.ReadAllLines(train).Skip(1).Select(l => "\u00e9" + l.Replace("\t", "\t\u00e9", StringComparison.Ordinal))]);
        File.WriteAllLines(test, [.. lines.Take(1), .. lines.Skip(1).Select(l => "e\u0301" + l.Replace("\t", "\te\u0301", StringComparison.Ordinal))]);
        var decomposed = CliHarness.Run(["evaluate", "--train", nfcTrain, "--test", test, .. flags]);
        Assert.Equal(1, decomposed.ExitCode);
        Assert.Contains("With the ids of both files in one Unicode normalisation (NFC), ", decomposed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("columns look swapped", decomposed.Error, StringComparison.Ordinal);

        // Numeric ids (80 users, 120 items): swapped, two thirds of the edges still read as seen, so "most unseen" would not
        // say it; read the other way round all are seen.
        string numericTrain = Path.Combine(_directory, "numeric-train.tsv"), numericTest = Path.Combine(_directory, "numeric-test.tsv");
        File.WriteAllLines(numericTrain, Numeric(File.ReadAllLines(train)));
        File.WriteAllLines(numericTest, Swapped(Numeric(lines)));
        var some = CliHarness.Run(["evaluate", "--train", numericTrain, "--test", numericTest, .. flags]);
        Assert.True(some.ExitCode == 0, some.Error);
        // A warning: on standard error, so that `evaluate > table.txt` still shows it and the results hold results only.
        Assert.Contains("Read item first, ", some.Error, StringComparison.Ordinal);
        Assert.Contains("the test file's columns look swapped", some.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", some.Out, StringComparison.Ordinal);
        // The file in its right order says nothing of the kind (nor do a few unseen edges: the test below).
        File.WriteAllLines(numericTest, Numeric(lines));
        var right = CliHarness.Run(["evaluate", "--train", numericTrain, "--test", numericTest, .. flags]);
        Assert.True(right.ExitCode == 0, right.Error);
        Assert.DoesNotContain("swapped", right.Out + right.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_names_the_padding_when_the_training_files_ids_are_padded_and_the_test_files_are_not()
    {
        // The other way round from the test above: the training file pads its ids ("u1 <TAB>i7 ", as a fixed-width export
        // leaves them), the test file does not. Read raw, no test edge is seen; the error says the padding is why, as it does
        // when the test file pads, rather than sending the user to check the column order.
        var (train, test) = CliHarness.WriteSplit(_directory);
        string[] flags = ["--algorithm", "negative-sampling", "--dim", "8", "--epochs", "1", "--clusters", "8", "--tuned-clusters", "0",
            "--history-interest-weight", "-1", "--threads", "1", "--plot-users", "0"];
        string paddedTrain = Path.Combine(_directory, "padded-train.tsv");
        var trainLines = File.ReadAllLines(train);
        File.WriteAllLines(paddedTrain, [.. trainLines.Take(1), .. trainLines.Skip(1).Select(l => string.Join('\t', l.Split('\t').Select(f => $"{f} ")))]);
        var padded = CliHarness.Run(["evaluate", "--train", paddedTrain, "--test", test, .. flags]);
        Assert.Equal(1, padded.ExitCode);
        Assert.Contains($"No edge of the test file '{test}' is between a user and an item seen in training", padded.Error, StringComparison.Ordinal);
        Assert.Contains("With the spaces around their ids removed, ", padded.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("check that both files give the user first", padded.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Training embeddings", padded.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_says_when_the_files_look_swapped_or_the_test_edges_are_in_the_training_file()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string[] flags = ["--algorithm", "negative-sampling", "--dim", "8", "--epochs", "1", "--clusters", "8", "--tuned-clusters", "0",
            "--history-interest-weight", "-1", "--threads", "1", "--plot-users", "0"];
        var trainLines = File.ReadAllLines(train);
        var testLines = File.ReadAllLines(test);

        // The training file is the whole dataset (test edges included): nothing could be recalled. Refused before training.
        string whole = Path.Combine(_directory, "whole.tsv");
        File.WriteAllLines(whole, [.. trainLines, .. testLines.Skip(1)]);
        var all = CliHarness.Run(["evaluate", "--train", whole, "--test", test, .. flags]);
        Assert.Equal(1, all.ExitCode);
        Assert.Contains($"of the test file '{test}' between a seen user and item", all.Error, StringComparison.Ordinal);
        Assert.Contains($"is also an edge of the training file '{whole}'", all.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Training embeddings", all.Error, StringComparison.Ordinal);

        // Some test edges left in training: a warning with their count, and metrics.json counts them. A repeated training line
        // is said too.
        string some = Path.Combine(_directory, "some.tsv"), output = Path.Combine(_directory, "some-out");
        File.WriteAllLines(some, [.. trainLines, .. testLines.Skip(1).Take(3), trainLines[1]]);
        var part = CliHarness.Run(["evaluate", "--train", some, "--test", test, "--out", output, .. flags]);
        Assert.True(part.ExitCode == 0, part.Error);
        Assert.Contains("warning: 3 test edges (", part.Error, StringComparison.Ordinal);
        Assert.Contains("are also training edges", part.Error, StringComparison.Ordinal);
        Assert.Contains($"warning: 1 line of '{some}' repeated a (user, item) pair already read", part.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", part.Out, StringComparison.Ordinal);
        using (var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json"))))
            Assert.Equal(3, metrics.RootElement.GetProperty("counts").GetProperty("test_edges_in_training").GetInt32());

        // The files swapped: the test file is the larger one.
        var swapped = CliHarness.Run(["evaluate", "--train", test, "--test", train, .. flags]);
        Assert.True(swapped.ExitCode == 0, swapped.Error);
        Assert.Contains($"warning: the test file '{train}' has", swapped.Error, StringComparison.Ordinal);
        Assert.Contains("check that --train and --test are not swapped", swapped.Error, StringComparison.Ordinal);

        // The right pair says neither.
        var right = CliHarness.Run(["evaluate", "--train", train, "--test", test, .. flags]);
        Assert.True(right.ExitCode == 0, right.Error);
        Assert.DoesNotContain("also training edges", right.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not swapped", right.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_refuses_an_output_folder_it_cannot_write_before_it_trains()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string file = Path.Combine(_directory, "a-file");
        File.WriteAllText(file, "not a folder");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--out", file);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains($"--out '{file}' is a file: give a folder", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Training embeddings", run.Error, StringComparison.Ordinal);
        Assert.Equal("not a folder", File.ReadAllText(file));
        // A folder below that file cannot be created either.
        var below = CliHarness.Run("evaluate", "--train", train, "--test", test, "--out", Path.Combine(file, "out"));
        Assert.Equal(CliRunner.BadUsage, below.ExitCode);
        Assert.Contains("cannot be written", below.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_says_which_users_each_figure_averages_when_some_held_out_edges_are_unseen()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        // A test user with no training edge, and a seen test user's edge to an item never trained on.
        var heldOut = File.ReadAllLines(test).ToList();
        string seenUser = heldOut[1].Split('\t')[0];
        heldOut.Add("new-user\ti0");
        heldOut.Add($"{seenUser}\tnew-item");
        File.WriteAllLines(test, heldOut);
        string output = Path.Combine(_directory, "unseen");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--history-interest-weight", "-1", "--threads", "1", "--out", output, "--export");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain("Most test edges are unseen", run.Out + run.Error, StringComparison.Ordinal);

        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        // The peak working set at the end of each stage, evaluation stages by name, never falling.
        var peaks = metrics.RootElement.GetProperty("peak_working_set_mb").EnumerateObject().ToList();
        Assert.Equal(["load", "embedding", "clustering"], peaks.Take(3).Select(p => p.Name));
        Assert.Contains(peaks, p => p.Name == "evaluation: Unimodal and MMR");
        Assert.True(peaks[0].Value.GetDouble() > 0);
        Assert.All(peaks.Zip(peaks.Skip(1)), pair => Assert.True(pair.Second.Value.GetDouble() >= pair.First.Value.GetDouble()));
        Assert.Contains("Peak working set ", run.Out, StringComparison.Ordinal);
        var counts = metrics.RootElement.GetProperty("counts");
        int withLists = counts.GetProperty("test_users").GetInt32();
        Assert.Equal(1, counts.GetProperty("test_users_missed").GetInt32());
        Assert.Equal(2, counts.GetProperty("test_edges_unseen").GetInt32());
        Assert.Equal(withLists + 1, counts.GetProperty("users_averaged_recall_ndcg").GetInt32());
        Assert.Equal(withLists, counts.GetProperty("users_averaged_diversity_emd").GetInt32());
        Assert.Contains($"Measured on {withLists:N0} test users with lists, plus 1 with no held-out item seen in training", run.Out, StringComparison.Ordinal);
        // The activity table says the missed user is in no quartile (its quartiles' recall runs above the table's).
        Assert.Contains($"The quartiles hold the {withLists:N0} users with a scoreable held-out edge; the 1 missed user (every held-out item, or the user, unseen in training)", run.Out, StringComparison.Ordinal);
        // The log and metrics.json give the file's own edge count beside the scoreable ones.
        int inFile = heldOut.Count - 1;
        Assert.Equal(inFile, counts.GetProperty("test_edges_in_file").GetInt32());
        Assert.Equal(inFile - 2, counts.GetProperty("test_edges").GetInt32());
        Assert.Contains($"{inFile:N0} test edges ({inFile - 2:N0} between users and items seen in training)", run.Out, StringComparison.Ordinal);
        // Each printed row names its key in metrics.json and the exported files.
        Assert.Contains("Row keys (metrics.json, --export files): Unimodal = unimodal; MMR = mmr;", run.Out, StringComparison.Ordinal);

        // Recall@10 re-derived from the exported lists with those denominators: every held-out edge of a user counts
        // (the unseen item too), and the unseen user, who has no list, adds a zero.
        var held = File.ReadLines(test).Skip(1).Select(l => l.Split('\t')).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToHashSet());
        var lists = File.ReadLines(Path.Combine(output, "candidates.tsv")).Skip(1).Select(l => l.Split('\t'))
            .Where(p => p[1] == "unimodal@10").GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[3]).ToHashSet());
        Assert.Equal(withLists, lists.Count);
        Assert.DoesNotContain("new-user", lists.Keys);
        double recall = held.Sum(p => lists.TryGetValue(p.Key, out var list) ? (double)p.Value.Count(list.Contains) / p.Value.Count : 0) / held.Count;
        double reported = metrics.RootElement.GetProperty("methods").GetProperty("unimodal").GetProperty("recall").GetProperty("10").GetDouble();
        Assert.Equal(withLists + 1, held.Count);
        Assert.Equal(recall, reported, 12);
        Assert.Equal(0, counts.GetProperty("test_users_left_out").GetInt32());

        // --unseen drop leaves that user out rather than scoring it 0, and says so in the log and in metrics.json.
        string dropped = Path.Combine(_directory, "unseen-dropped");
        var drop = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--clusters", "8", "--tuned-clusters", "0", "--history-interest-weight", "-1", "--threads", "1", "--out", dropped, "--unseen", "drop");
        Assert.True(drop.ExitCode == 0, drop.Error);
        using var dropMetrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dropped, "metrics.json")));
        var dropCounts = dropMetrics.RootElement.GetProperty("counts");
        Assert.Equal(0, dropCounts.GetProperty("test_users_missed").GetInt32());
        Assert.Equal(1, dropCounts.GetProperty("test_users_left_out").GetInt32());
        Assert.Equal(withLists, dropCounts.GetProperty("users_averaged_recall_ndcg").GetInt32());
        Assert.Contains($"Measured on {withLists:N0} test users (1 more left out by --unseen drop", drop.Out, StringComparison.Ordinal);
    }

    private static bool IsPng(string path) =>
        File.Exists(path) && File.ReadAllBytes(path).AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A });

    private static Dictionary<string, int> EdgeDegrees(string path) =>
        File.ReadLines(path).Skip(1).Select(l => l.Split('\t')[0]).GroupBy(u => u).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Fit_with_degree_negatives_saves_a_model_that_recommend_serves()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "model.zip"), lists = Path.Combine(_directory, "lists.tsv");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "quota", "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--degree-negatives", "3", "--clusters", "8", "--candidates", "5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("Fitted the kNN-Embed pipeline on", fit.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(model));
        var recommend = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", lists, "--engine", "--history", train);
        Assert.True(recommend.ExitCode == 0, recommend.Error);
        var rows = File.ReadAllLines(lists);
        Assert.Equal("user\trank\titem\tscore\tsource", rows[0]);
        Assert.True(rows.Length > 1);
        Assert.All(rows.Skip(1), r => Assert.InRange(int.Parse(r.Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture), 1, 5));

        // The plain zip path with fresh history: served live through the recommender, the same lists as the engine, the history excluded.
        string zipLists = Path.Combine(_directory, "zip-lists.tsv"), engineLists = Path.Combine(_directory, "engine-lists.tsv");
        var zip = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", zipLists, "--history", test);
        Assert.True(zip.ExitCode == 0, zip.Error);
        var engine = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", engineLists, "--engine", "--history", test);
        Assert.True(engine.ExitCode == 0, engine.Error);
        Assert.Equal(File.ReadAllLines(engineLists).Select(l => string.Join('\t', l.Split('\t')[..3])), File.ReadAllLines(zipLists).Select(l => string.Join('\t', l.Split('\t')[..3])));
        var held = File.ReadAllLines(test).Skip(1).Select(l => l.Split('\t')).Select(f => (f[0], f[1])).ToHashSet();
        Assert.DoesNotContain(File.ReadAllLines(zipLists).Skip(1).Select(l => l.Split('\t')), f => held.Contains((f[0], f[2])));
    }
    [Fact]
    public void Export_onnx_and_recommend_with_external_data_write_side_files_and_serve_the_same_lists()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "external.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "unimodal", "--algorithm", "implicit-als", "--dim", "8", "--candidates", "6",
            "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        string onnx = Path.Combine(_directory, "external-onnx");
        var export = CliHarness.Run("export-onnx", "--model", model, "--out", onnx, "--external-data");
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("unimodal_scorer.onnx.data", export.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(onnx, "unimodal_scorer.onnx.data")));

        string whole = Path.Combine(_directory, "whole.tsv"), given = Path.Combine(_directory, "given.tsv"), onTheFly = Path.Combine(_directory, "on-the-fly.tsv");
        Assert.Equal(0, CliHarness.Run("recommend", "--model", model, "--users", test, "--out", whole, "--onnx").ExitCode);
        Assert.Equal(0, CliHarness.Run("recommend", "--model", model, "--users", test, "--out", given, "--onnx", "--onnx-dir", onnx).ExitCode);
        var fly = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", onTheFly, "--onnx", "--external-data");
        Assert.True(fly.ExitCode == 0, fly.Error);
        Assert.Equal(File.ReadAllLines(whole), File.ReadAllLines(given));
        Assert.Equal(File.ReadAllLines(whole), File.ReadAllLines(onTheFly));
        // Tables served unpacked (OnnxSessionFactory.PrepackTablesBelowBytes = 0, the path of tables past 256 MiB): the same lists.
        string unpacked = Path.Combine(_directory, "unpacked.tsv");
        var cold = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", unpacked, "--onnx", "--onnx-dir", onnx, "--onnx-prepack-below-mb", "0");
        Assert.True(cold.ExitCode == 0, cold.Error);
        Assert.Equal(File.ReadAllLines(whole), File.ReadAllLines(unpacked));
        // A setting of the ONNX scorer without --onnx is a usage mistake, as the others are.
        Assert.Equal(2, CliHarness.Run("recommend", "--model", model, "--users", test, "--out", onTheFly, "--external-data").ExitCode);
    }

    [Fact]
    public void Fit_with_the_unimodal_retriever_saves_a_model_every_scorer_serves_alike_onnx_included()
    {
        // No clusters or mixtures in the pipeline: ONNX serves it with the unimodal scorer alone.
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "unimodal.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "unimodal", "--algorithm", "implicit-als", "--dim", "8", "--candidates", "6",
            "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        CliHarness.RecommendAlikeWithEveryScorer(_directory, model, test, "unimodal");
        var export = CliHarness.Run("export-onnx", "--model", model, "--out", Path.Combine(_directory, "unimodal-onnx"));
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("unimodal_scorer.onnx", export.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("quota_scorer.onnx", export.Out, StringComparison.Ordinal);

        // A LightGCN list file as --users: each whole line would be one unknown user id. Refused, naming the line.
        string lists = Path.Combine(_directory, "lists.txt");
        File.WriteAllLines(lists, ["u0 i1 i2", "u1 i3 i4 i5"]);
        var listed = CliHarness.Run("recommend", "--model", model, "--users", lists, "--out", Path.Combine(_directory, "listed.tsv"));
        Assert.Equal(1, listed.ExitCode);
        Assert.Contains($"Users file '{lists}' line 2 holds 4 space-separated fields ('u1 i3 ...'), without a TAB", listed.Error, StringComparison.Ordinal);
        Assert.Contains("prepare_datasets.py lightgcn", listed.Error, StringComparison.Ordinal);
        // Ids the model does not know at all: served, every list the popular fallback, and said so.
        string strangers = Path.Combine(_directory, "strangers.tsv");
        File.WriteAllLines(strangers, ["user", "nobody1", "nobody2"]);
        var unknown = CliHarness.Run("recommend", "--model", model, "--users", strangers, "--out", Path.Combine(_directory, "strangers-lists.tsv"));
        Assert.True(unknown.ExitCode == 0, unknown.Error);
        Assert.Contains("warning: none of the 2 users is known to the model or has a --history item it knows: every list is the popular fallback", unknown.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", unknown.Out, StringComparison.Ordinal);
        var known = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", Path.Combine(_directory, "known-lists.tsv"));
        Assert.DoesNotContain("none of the", known.Out, StringComparison.Ordinal);
        // Ids are matched exactly as the edge files spell them: one padded with spaces is a user the model does not know, and
        // the warning says it would be known trimmed. Under a one-word header a line with spaces is one id, not a list.
        string knownUser = File.ReadAllLines(test)[1].Split('\t')[0];
        string padded = Path.Combine(_directory, "padded.tsv"), paddedLists = Path.Combine(_directory, "padded-lists.tsv");
        File.WriteAllLines(padded, ["user", $" {knownUser}", "an id with spaces"]);
        var spaced = CliHarness.Run("recommend", "--model", model, "--users", padded, "--out", paddedLists);
        Assert.True(spaced.ExitCode == 0, spaced.Error);
        Assert.Contains($"warning: 1 user id of '{padded}' (the first ' {knownUser}') the model knows only without the spaces around it", spaced.Error, StringComparison.Ordinal);
        Assert.All(File.ReadAllLines(paddedLists).Skip(1), l => Assert.EndsWith("\tPopular", l, StringComparison.Ordinal));
        Assert.Contains(File.ReadAllLines(paddedLists), l => l.StartsWith("an id with spaces\t", StringComparison.Ordinal));
    }

    [Fact]
    public void Fit_with_a_quota_query_and_head_share_saves_them_and_every_scorer_serves_them_alike_onnx_included()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "hybrid.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "quota", "--algorithm", "implicit-als", "--dim", "8", "--clusters", "8", "--candidates", "6",
            "--query", "user", "--head-share", "0.5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        using (var saved = MultiInterestModel.Load(new Microsoft.ML.MLContext(seed: 1), model))
        {
            Assert.Equal(Microsoft.ML.MultiInterest.Engine.QuotaQuery.User, saved.ServingStage.Settings.Query);
            Assert.Equal(0.5, saved.ServingStage.Settings.HeadShare);
        }
        var served = CliHarness.RecommendAlikeWithEveryScorer(_directory, model, test, "hybrid");

        // Without the head the lists differ: the flag reached the stage.
        string plain = Path.Combine(_directory, "plain.zip"), plainLists = Path.Combine(_directory, "plain.tsv");
        Assert.Equal(0, CliHarness.Run("fit", "--train", train, "--model", plain, "--retriever", "quota", "--algorithm", "implicit-als", "--dim", "8", "--clusters", "8", "--candidates", "6",
            "--query", "user", "--threads", "1").ExitCode);
        Assert.Equal(0, CliHarness.Run("recommend", "--model", plain, "--users", test, "--out", plainLists).ExitCode);
        Assert.NotEqual(served, File.ReadAllLines(plainLists).Select(l => string.Join('\t', l.Split('\t')[..3])).ToArray());

        // The other model's ONNX export given to --onnx-dir: refused by name, not served as this model's lists.
        string plainOnnx = Path.Combine(_directory, "plain-onnx");
        Assert.Equal(0, CliHarness.Run("export-onnx", "--model", plain, "--out", plainOnnx).ExitCode);
        var mixed = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", Path.Combine(_directory, "mixed.tsv"), "--onnx", "--onnx-dir", plainOnnx);
        Assert.NotEqual(0, mixed.ExitCode);
        Assert.Contains($"'{plainOnnx}' was exported from another model", mixed.Error, StringComparison.Ordinal);
        Assert.Equal(0, CliHarness.Run("recommend", "--model", plain, "--users", test, "--out", Path.Combine(_directory, "own.tsv"), "--onnx", "--onnx-dir", plainOnnx).ExitCode);

        // The quota flags with another retriever: a usage error naming the flag, not a silently ignored setting.
        var stray = CliHarness.Run("fit", "--train", train, "--model", plain, "--retriever", "unimodal", "--head-share", "0.2");
        Assert.Equal(CliRunner.BadUsage, stray.ExitCode);
        Assert.Contains("--head-share", stray.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_with_the_conditional_retriever_looks_the_conditions_up_and_every_scorer_serves_it_alike_onnx_included_merged_too()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        // Items i0..i89 in three topics of 30 (the planted groups); the rest have none.
        string conditions = Path.Combine(_directory, "conditions.tsv");
        File.WriteAllLines(conditions, ["item\tcondition", .. Enumerable.Range(0, 90).Select(i => $"i{i}\tgroup{i / 30}")]);
        string model = Path.Combine(_directory, "conditional.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "conditional", "--conditions", conditions, "--algorithm", "implicit-als",
            "--dim", "8", "--candidates", "6", "--cond-max", "2", "--cond-head", "0.2", "--cond-epochs", "2", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("Conditions: 90 training items with one of 3 from", fit.Out, StringComparison.Ordinal);
        Assert.Contains("Fitted the conditional pipeline on", fit.Out, StringComparison.Ordinal);
        Assert.Contains("Training 3 conditions (90 of", fit.Error, StringComparison.Ordinal);
        // A table naming no training item (ids spelt another way) is refused by its file, before anything is fitted.
        string foreign = Path.Combine(_directory, "foreign-conditions.tsv");
        File.WriteAllLines(foreign, ["item\tcondition", "item-0\tgroup0", "item-1\tgroup1"]);
        var refused = CliHarness.Run("fit", "--train", train, "--model", Path.Combine(_directory, "foreign.zip"), "--retriever", "conditional", "--conditions", foreign);
        Assert.Equal(CliRunner.Failure, refused.ExitCode);
        Assert.Contains("none of its 2 items is an item of the training edges (first: 'item-0')", refused.Error, StringComparison.Ordinal);

        // The zip's lists, the live recommender's and the engine's are the same file; no list holds a training item.
        string Serve(string name, params string[] extra)
        {
            string path = Path.Combine(_directory, name);
            var run = CliHarness.Run(["recommend", "--model", model, "--users", test, "--out", path, .. extra]);
            Assert.True(run.ExitCode == 0, run.Error);
            return File.ReadAllText(path);
        }
        string zip = Serve("zip.tsv");
        Assert.Equal(zip, Serve("live.tsv", "--recommender"));
        Assert.Equal(zip, Serve("engine.tsv", "--engine"));
        var trained = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')).Select(f => (f[0], f[1])).ToHashSet();
        var rows = zip.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.NotEmpty(rows);
        Assert.DoesNotContain(rows, f => trained.Contains((f[0], f[2])));
        string Columns(string lists) => string.Join('\n', lists.Split('\n').Select(l => string.Join('\t', l.Split('\t').Take(3))));
        Assert.Equal(Columns(zip), Columns(Serve("onnx.tsv", "--onnx")));
        // A user the model does not know, by its --history: ONNX (the exported condition model) gives the recommender's list.
        string newHistory = Path.Combine(_directory, "new-history.tsv"), newUsers = Path.Combine(_directory, "new-users.tsv");
        File.WriteAllLines(newHistory, ["user	item", "stranger	i3", "stranger	i4", "stranger	i35", "stranger	i95"]);
        File.WriteAllLines(newUsers, ["user", "stranger"]);
        string ServeNew(string name, string scorer)
        {
            string path = Path.Combine(_directory, name);
            var run = CliHarness.Run("recommend", "--model", model, "--users", newUsers, "--out", path, scorer, "--history", newHistory);
            Assert.True(run.ExitCode == 0, run.Error);
            return File.ReadAllText(path);
        }
        string strangerOnnx = ServeNew("stranger-onnx.tsv", "--onnx");
        string strangerLive = ServeNew("stranger-live.tsv", "--recommender");
        Assert.Equal(Columns(strangerLive), Columns(strangerOnnx));
        Assert.Equal(7, strangerOnnx.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // The engine serves trained users only: the stranger gets MultiInterestRecommender's list from its history, marked so.
        string strangerEngine = ServeNew("stranger-engine.tsv", "--engine");
        Assert.Equal(strangerLive, strangerEngine);
        Assert.All(strangerEngine.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1), l => Assert.EndsWith("\tHistory", l, StringComparison.Ordinal));

        // Topics followed now (--follows): a known user's list changes; a new user with only topics gets their popular items.
        string follows = Path.Combine(_directory, "follows.tsv");
        string someone = File.ReadAllLines(test)[1].Split('\t')[0];
        File.WriteAllLines(follows, ["user\ttopic", $"{someone}\tgroup2", "newcomer\tgroup1"]);
        string users = Path.Combine(_directory, "follow-users.tsv");
        File.WriteAllLines(users, ["user", someone, "newcomer"]);
        string followLists = Path.Combine(_directory, "follows-lists.tsv"), plainLists = Path.Combine(_directory, "follows-plain.tsv");
        var followed = CliHarness.Run("recommend", "--model", model, "--users", users, "--out", followLists, "--follows", follows);
        Assert.True(followed.ExitCode == 0, followed.Error);
        Assert.Equal(0, CliHarness.Run("recommend", "--model", model, "--users", users, "--out", plainLists).ExitCode);
        string[] ItemsOf(string path, string user) => [.. File.ReadAllLines(path).Skip(1).Select(l => l.Split('\t')).Where(f => f[0] == user).Select(f => f[2])];
        Assert.NotEqual(ItemsOf(plainLists, someone), ItemsOf(followLists, someone));
        var newcomer = ItemsOf(followLists, "newcomer");
        Assert.Equal(6, newcomer.Length);
        Assert.All(newcomer, item => Assert.InRange(int.Parse(item.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture), 30, 59));   // group1
        File.WriteAllLines(follows, ["user\ttopic", "newcomer\tgroup1", "newcomer\tjazz"]);
        var unknown = CliHarness.Run("recommend", "--model", model, "--users", users, "--out", followLists, "--follows", follows);
        Assert.Equal(CliRunner.Failure, unknown.ExitCode);
        Assert.Contains("line 3: topic 'jazz'", unknown.Error, StringComparison.Ordinal);
        var withOnnx = CliHarness.Run("recommend", "--model", model, "--users", users, "--out", followLists, "--follows", follows, "--onnx");
        Assert.Equal(CliRunner.Failure, withOnnx.ExitCode);
        Assert.Contains("line 3: topic 'jazz'", withOnnx.Error, StringComparison.Ordinal);
        Assert.Equal(CliRunner.BadUsage, CliHarness.Run("recommend", "--model", model, "--users", users, "--out", followLists, "--follows", follows, "--engine").ExitCode);
        // Through ONNX (the exported condition model): the known user who follows a topic and a new user with a history and a
        // topic get RecommendFollowing's lists; a new user with topics only gets none there (its topics' popular items are live).
        File.WriteAllLines(follows, ["user\ttopic", $"{someone}\tgroup2", "newcomer\tgroup1", "stranger\tgroup0"]);
        File.WriteAllLines(users, ["user", someone, "newcomer", "stranger"]);
        string onnxFollows = Path.Combine(_directory, "follows-onnx.tsv"), liveFollows = Path.Combine(_directory, "follows-live.tsv");
        var onnxRun = CliHarness.Run("recommend", "--model", model, "--users", users, "--out", onnxFollows, "--follows", follows, "--history", newHistory, "--onnx");
        Assert.True(onnxRun.ExitCode == 0, onnxRun.Error);
        Assert.Contains("1 known users served with the topics they follow now", onnxRun.Out, StringComparison.Ordinal);
        Assert.Contains("Unknown to the model, with topics but no --history: 1 user,", onnxRun.Out, StringComparison.Ordinal);
        // The one the graphs do not serve gets MultiInterestRecommender's list, flagged in the source column.
        Assert.Contains("MultiInterestRecommender serves them, from their --history or followed topics where they have one, else with the popular items (FollowedTopics 1)",
            onnxRun.Out, StringComparison.Ordinal);
        Assert.Equal(0, CliHarness.Run("recommend", "--model", model, "--users", users, "--out", liveFollows, "--follows", follows, "--history", newHistory).ExitCode);
        string ColumnsAndSource(string lists) => string.Join('\n', lists.Split('\n').Select(l => l.Split('\t')).Select(f => f.Length < 5 ? "" : string.Join('\t', f[0], f[1], f[2], f[4])));
        Assert.Equal(ColumnsAndSource(File.ReadAllText(liveFollows)), ColumnsAndSource(File.ReadAllText(onnxFollows)));
        Assert.Equal(6, ItemsOf(onnxFollows, "stranger").Length);
        Assert.Equal(6, ItemsOf(onnxFollows, "newcomer").Length);
        Assert.All(File.ReadAllLines(onnxFollows).Skip(1).Where(l => l.StartsWith("newcomer\t", StringComparison.Ordinal)), l => Assert.EndsWith("\tFollowedTopics", l, StringComparison.Ordinal));

        // Merged with the kNN-Embed mixture: the k-means and mixture stages come first, and the three servings agree again.
        var merged = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "conditional", "--conditions", conditions, "--algorithm", "implicit-als",
            "--dim", "8", "--candidates", "6", "--cond-max", "2", "--cond-implicit-share", "0.5", "--clusters", "8", "--components", "3", "--cond-epochs", "2", "--threads", "1");
        Assert.True(merged.ExitCode == 0, merged.Error);
        Assert.Contains("KnnSmoothedMixtureEstimator", merged.Error, StringComparison.Ordinal);
        string mergedZip = Serve("merged-zip.tsv");
        Assert.Equal(mergedZip, Serve("merged-live.tsv", "--recommender"));
        Assert.Equal(mergedZip, Serve("merged-engine.tsv", "--engine"));
        Assert.NotEqual(zip, mergedZip);
        Assert.Equal(Columns(mergedZip), Columns(Serve("merged-onnx.tsv", "--onnx")));
        string strangerMerged = ServeNew("stranger-merged-onnx.tsv", "--onnx");
        Assert.Equal(Columns(ServeNew("stranger-merged-live.tsv", "--recommender")), Columns(strangerMerged));
        var mergedFollows = CliHarness.Run("recommend", "--model", model, "--users", users, "--out", onnxFollows, "--follows", follows, "--onnx");
        Assert.Equal(CliRunner.Failure, mergedFollows.ExitCode);
        Assert.Contains("OnnxConditionalMergeScorer.RetrieveFollowing", mergedFollows.Error, StringComparison.Ordinal);
        // The directory the command exported for itself before refusing is not left behind.
        var exportedTo = System.Text.RegularExpressions.Regex.Match(mergedFollows.Error, "'([^']*multiinterest-onnx-[0-9a-f]{32})'");
        Assert.True(exportedTo.Success, mergedFollows.Error);
        Assert.False(Directory.Exists(exportedTo.Groups[1].Value));

        // --query and --beta set the merged components' query (saved with the stage); without implicit components they are refused.
        var userQuery = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "conditional", "--conditions", conditions, "--algorithm", "implicit-als",
            "--dim", "8", "--candidates", "6", "--cond-max", "2", "--cond-implicit-share", "0.5", "--clusters", "8", "--components", "3", "--cond-epochs", "2",
            "--query", "blend", "--beta", "0.5", "--threads", "1");
        Assert.True(userQuery.ExitCode == 0, userQuery.Error);
        using (var saved = MultiInterestModel.Load(new Microsoft.ML.MLContext(seed: 1), model))
        {
            Assert.Equal(Microsoft.ML.MultiInterest.Engine.QuotaQuery.Blend, saved.ServingStage.Settings.Query);
            Assert.Equal(0.5, saved.ServingStage.Settings.Beta);
        }
        string blendZip = Serve("blend-zip.tsv");
        Assert.Equal(blendZip, Serve("blend-engine.tsv", "--engine"));
        Assert.NotEqual(mergedZip, blendZip);
        var queryAlone = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "conditional", "--conditions", conditions, "--query", "user");
        Assert.Equal(CliRunner.BadUsage, queryAlone.ExitCode);
        Assert.Contains("--cond-implicit-share", queryAlone.Error, StringComparison.Ordinal);

        // Without --conditions, and with a list where the stage takes one value: usage errors naming the flag.
        var noTable = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "conditional");
        Assert.Equal(CliRunner.BadUsage, noTable.ExitCode);
        Assert.Contains("--conditions", noTable.Error, StringComparison.Ordinal);
        var list = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "conditional", "--conditions", conditions, "--cond-max", "2,3");
        Assert.Equal(CliRunner.BadUsage, list.ExitCode);
        Assert.Contains("--cond-max takes one value", list.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Since 1.3.0 <c>fit</c> without <c>--retriever</c> fits history-interest MMR, the row that kept Unimodal's recall with
    /// more diversity (README, "Which retriever"): the same model, list for list, as naming it; quota flags are then strays.
    /// </summary>
    [Fact]
    public void Fit_without_a_retriever_fits_history_interest_mmr()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string byDefault = Path.Combine(_directory, "default.zip"), named = Path.Combine(_directory, "named.zip");
        string[] common = ["--train", train, "--algorithm", "implicit-als", "--dim", "8", "--candidates", "5", "--threads", "1"];
        var fit = CliHarness.Run(["fit", "--model", byDefault, .. common]);
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("Fitted the history-interest MMR pipeline on", fit.Out, StringComparison.Ordinal);
        var fitNamed = CliHarness.Run(["fit", "--model", named, "--retriever", "history-mmr", .. common]);
        Assert.True(fitNamed.ExitCode == 0, fitNamed.Error);
        string defaultLists = Path.Combine(_directory, "default.tsv"), namedLists = Path.Combine(_directory, "named.tsv");
        Assert.Equal(0, CliHarness.Run("recommend", "--model", byDefault, "--users", test, "--out", defaultLists).ExitCode);
        Assert.Equal(0, CliHarness.Run("recommend", "--model", named, "--users", test, "--out", namedLists).ExitCode);
        Assert.True(File.ReadAllLines(defaultLists).Length > 1);
        Assert.Equal(File.ReadAllLines(namedLists), File.ReadAllLines(defaultLists));

        var stray = CliHarness.Run(["fit", "--model", byDefault, "--head-share", "0.2", .. common]);
        Assert.Equal(CliRunner.BadUsage, stray.ExitCode);
        Assert.Contains("--head-share", stray.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_with_the_history_mmr_retriever_chooses_its_lambda_on_a_hold_out_unless_given()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "chosen.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--algorithm", "implicit-als", "--dim", "8",
            "--retriever", "history-mmr", "--candidates", "5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        var line = fit.Out.Split('\n').Single(l => l.Contains("history_mmr lambda", StringComparison.Ordinal));
        Assert.Contains("validation users", line, StringComparison.Ordinal);
        // The saved stage re-ranks the pool the choice names: the list's own 5 when re-ordering (its own list, or Unimodal's
        // with the interests, the rule's fallback) was chosen, else 100; the fallback's pool comes from Unimodal's search.
        // The message names the served length (--candidates), not the 50 the choice was measured on.
        Assert.DoesNotContain("top 50", line, StringComparison.Ordinal);
        bool unimodalPool = line.Contains("re-ordering Unimodal's top 5 ", StringComparison.Ordinal);
        bool reorder = unimodalPool || line.Contains("re-ordering its own top 5,", StringComparison.Ordinal);
        Assert.True(reorder || line.Contains("pool 100", StringComparison.Ordinal), line);
        using (var saved = MultiInterestModel.Load(new MLContext(seed: 1), model))
        {
            Assert.Equal(reorder ? 5 : Microsoft.ML.MultiInterest.Engine.MmrRetrieverDefaults.PoolSize, saved.ServingStage.Settings.MmrPoolSize);
            Assert.Equal(unimodalPool, saved.ServingStage.Settings.PoolSearch == Microsoft.ML.MultiInterest.Engine.HistoryPoolSearch.Unimodal);
        }
        string lists = Path.Combine(_directory, "chosen.tsv");
        var run = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", lists);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(File.ReadAllLines(lists).Length > 1);

        // Given, it is used as it is: no selection.
        var given = CliHarness.Run("fit", "--train", train, "--model", Path.Combine(_directory, "given.zip"), "--algorithm", "implicit-als", "--dim", "8",
            "--retriever", "history-mmr", "--history-mmr-lambda", "0.6", "--candidates", "5", "--threads", "1");
        Assert.True(given.ExitCode == 0, given.Error);
        Assert.DoesNotContain("history_mmr lambda", given.Out, StringComparison.Ordinal);
        string reordered = Path.Combine(_directory, "reordered.zip");
        var withReorder = CliHarness.Run("fit", "--train", train, "--model", reordered, "--algorithm", "implicit-als", "--dim", "8",
            "--retriever", "history-mmr", "--history-mmr-lambda", "0.6", "--history-mmr-reorder", "--candidates", "5", "--threads", "1");
        Assert.True(withReorder.ExitCode == 0, withReorder.Error);
        using (var saved = MultiInterestModel.Load(new MLContext(seed: 1), reordered))
            Assert.Equal((0.6, 5), (saved.ServingStage.Settings.MmrLambda, saved.ServingStage.Settings.MmrPoolSize));
        // The zip, the engine and ONNX Runtime serve the re-ordering alike.
        CliHarness.RecommendAlikeWithEveryScorer(_directory, reordered, test, "reordered");
    }

    [Fact]
    public void Fit_with_the_history_mmr_retriever_saves_a_model_that_every_local_scorer_serves_alike()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "history.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--retriever", "history-mmr", "--history-mmr-lambda", "0.6", "--candidates", "5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("history-interest MMR pipeline", fit.Out, StringComparison.Ordinal);

        // The zip's own lists, the engine and the live recommender give the same lists; seen items never come back.
        var lists = new List<string[]>();
        foreach (string[] scorer in new[] { Array.Empty<string>(), ["--engine"], ["--recommender"] })
        {
            string path = Path.Combine(_directory, $"history{lists.Count}.tsv");
            var run = CliHarness.Run(["recommend", "--model", model, "--users", test, "--out", path, .. scorer]);
            Assert.True(run.ExitCode == 0, run.Error);
            lists.Add(File.ReadAllLines(path));
        }
        Assert.True(lists[0].Length > 1);
        Assert.Equal(lists[0], lists[1]);
        Assert.Equal(lists[0], lists[2]);
        var seen = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')).Select(f => (f[0], f[1])).ToHashSet();
        Assert.DoesNotContain(lists[0].Skip(1).Select(l => l.Split('\t')), f => seen.Contains((f[0], f[2])));

        // The clustered pool is a setting of the saved stage: its model serves its own lists alike too.
        string clustered = Path.Combine(_directory, "history-clustered.zip");
        var fitClustered = CliHarness.Run("fit", "--train", train, "--model", clustered, "--algorithm", "negative-sampling", "--dim", "8", "--epochs", "2",
            "--retriever", "history-mmr", "--history-pool", "clustered", "--history-pool-lists", "4", "--candidates", "5", "--threads", "1");
        Assert.True(fitClustered.ExitCode == 0, fitClustered.Error);
        using (var saved = MultiInterestModel.Load(new Microsoft.ML.MLContext(seed: 1), clustered))
        {
            Assert.Equal(Microsoft.ML.MultiInterest.Engine.HistoryPoolSearch.Clustered, saved.ServingStage.Settings.PoolSearch);
            Assert.Equal(4, saved.ServingStage.Settings.PoolLists);
        }
        string zipPath = Path.Combine(_directory, "clustered-zip.tsv"), enginePath = Path.Combine(_directory, "clustered-engine.tsv");
        Assert.Equal(0, CliHarness.Run("recommend", "--model", clustered, "--users", test, "--out", zipPath).ExitCode);
        Assert.Equal(0, CliHarness.Run("recommend", "--model", clustered, "--users", test, "--out", enginePath, "--engine").ExitCode);
        Assert.Equal(File.ReadAllLines(zipPath), File.ReadAllLines(enginePath));

        // ONNX serves the exact pool's model alike (the vectors' rankings in ONNX Runtime, the merge and MMR by the engine), and
        // the clustered one too (its item lists exported, each user's list mask picked by the engine's index).
        string onnxPath = Path.Combine(_directory, "history-onnx.tsv");
        var onnx = CliHarness.Run("recommend", "--model", model, "--users", test, "--out", onnxPath, "--onnx");
        Assert.True(onnx.ExitCode == 0, onnx.Error);
        Assert.Equal(lists[0].Select(l => string.Join('\t', l.Split('\t')[..3])), File.ReadAllLines(onnxPath).Select(l => string.Join('\t', l.Split('\t')[..3])));
        string clusteredOnnxPath = Path.Combine(_directory, "clustered-onnx.tsv");
        var clusteredOnnx = CliHarness.Run("recommend", "--model", clustered, "--users", test, "--out", clusteredOnnxPath, "--onnx");
        Assert.True(clusteredOnnx.ExitCode == 0, clusteredOnnx.Error);
        Assert.Equal(File.ReadAllLines(zipPath), File.ReadAllLines(clusteredOnnxPath));
        var negative = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "history-mmr", "--history-interest-weight", "-1");
        Assert.NotEqual(0, negative.ExitCode);
        Assert.Contains("--history-interest-weight", negative.Error, StringComparison.Ordinal);
    }
    [Fact]
    public void Fit_with_the_round_robin_retriever_trains_the_dcm_model_that_recommend_serves_alike_with_onnx()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string model = Path.Combine(_directory, "dcm.zip");
        var fit = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "round-robin", "--dcm", "--dcm-dim", "8", "--dcm-epochs", "2",
            "--dcm-validation-fraction", "0", "--candidates", "5", "--threads", "1");
        Assert.True(fit.ExitCode == 0, fit.Error);
        Assert.Contains("round-robin pipeline", fit.Out, StringComparison.Ordinal);

        CliHarness.RecommendAlikeWithEveryScorer(_directory, model, test, "dcm");

        // The learned model is chosen by exactly one of its flags, and those flags need the round-robin stage.
        var neither = CliHarness.Run("fit", "--train", train, "--model", model, "--retriever", "round-robin");
        Assert.NotEqual(0, neither.ExitCode);
        Assert.Contains("--dcm", neither.Error, StringComparison.Ordinal);
        var stray = CliHarness.Run("fit", "--train", train, "--model", model, "--dcm");
        Assert.NotEqual(0, stray.ExitCode);
        Assert.Contains("--retriever round-robin", stray.Error, StringComparison.Ordinal);
    }
}
