using System.Text.Json;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>--weights</c> of evaluate, fit and sweep: the training file's weight column reaches the embedding only (every other
/// step, and the test figures, read the edges unweighted), the outputs record it, and what the weights hold is said. The
/// graph: two groups of items, users who engage with one group only, and "mixed" users with one item of each group, one
/// edge heavy: only the weights can tell which side a mixed user is on.
/// </summary>
public sealed class CliWeightsTests : IDisposable
{
    /// <summary>The mixed users (mix0 ... mix19): the heavy edge of an even one is in group a, of an odd one in group b.</summary>
    private const int MixedUsers = 20;

    /// <summary>Items of each group (a0 ... a19, b0 ... b19); mixed user K's light and heavy items are aK and bK.</summary>
    private const int ItemsPerGroup = 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-weights-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>A mixed user's heavy side ('a' or 'b').</summary>
    private static char HeavySide(string user) => int.Parse(user["mix".Length..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? 'a' : 'b';

    /// <summary>
    /// Writes the graph as <paramref name="name"/>: 30 users per group with 8 of its 20 items, and the mixed users, whose heavy
    /// edge weighs <paramref name="heavy"/> (the others 1); <paramref name="header"/> false leaves the weight column out.
    /// </summary>
    private string WriteMixedUsers(string name, float heavy = 10, bool header = true, string column = "weight")
    {
        var random = new Random(1);
        var edges = new List<(string User, string Item, float Weight)>();
        foreach (char group in "ab")
            for (int u = 0; u < 30; u++)
                foreach (int i in Enumerable.Range(0, ItemsPerGroup).OrderBy(_ => random.Next()).Take(8))
                    edges.Add(($"{group}fan{u}", $"{group}{i}", 1));
        for (int k = 0; k < MixedUsers; k++)
        {
            char side = HeavySide($"mix{k}");
            edges.Add(($"mix{k}", $"a{k}", side == 'a' ? heavy : 1));
            edges.Add(($"mix{k}", $"b{k}", side == 'b' ? heavy : 1));
        }
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        File.WriteAllLines(PathOf(name), header
            ? [$"user\titem\t{column}", .. edges.Select(e => $"{e.User}\t{e.Item}\t{e.Weight.ToString(inv)}")]
            : ["user\titem", .. edges.Select(e => $"{e.User}\t{e.Item}")]);
        return PathOf(name);
    }

    /// <summary>
    /// Each mixed user's held-out edges: every other item of its heavy side, so that Recall@K counts the heavy side's items in
    /// its list; with <paramref name="weights"/> a weight column of unequal weights.
    /// </summary>
    private string WriteTest(string name, bool weights = false)
    {
        var lines = new List<string> { weights ? "user\titem\tweight" : "user\titem" };
        for (int k = 0; k < MixedUsers; k++)
            foreach (int i in Enumerable.Range(0, ItemsPerGroup).Where(i => i != k))
                lines.Add($"mix{k}\t{HeavySide($"mix{k}")}{i}" + (weights ? $"\t{(i % 3 == 0 ? "100" : i % 3 == 1 ? "0.5" : "3")}" : ""));
        File.WriteAllLines(PathOf(name), lines);
        return PathOf(name);
    }

    private string WriteUsers()
    {
        File.WriteAllLines(PathOf("users.tsv"), ["user", .. Enumerable.Range(0, MixedUsers).Select(k => $"mix{k}")]);
        return PathOf("users.tsv");
    }

    /// <summary>The mixed users all of whose listed items (lines user, rank, item, ...; header first) are of their heavy side.</summary>
    private static int OnTheirHeavySide(IEnumerable<string> lines) => lines.Skip(1).Select(l => l.Split('\t'))
        .GroupBy(f => f[0]).Count(user => user.All(f => f[2][0] == HeavySide(user.Key)));

    private static readonly string[] Unimodal = ["--retriever", "unimodal", "--candidates", "5", "--algorithm", "truncated-svd", "--dim", "2", "--threads", "1"];

    /// <summary>
    /// fit --weights: a mixed user's list is of the side its heavy edge is on, for every one of them (without the flag, the two
    /// sides are alike to the vectors and most lists are not); the saved model's input schema holds the Weight column and the
    /// summary says so; recommend serves the model with every scorer alike.
    /// </summary>
    [Fact]
    public void Fit_with_weights_lists_each_user_the_side_of_its_heavy_edge()
    {
        string train = WriteMixedUsers("train.tsv"), users = WriteUsers();
        var weighted = CliHarness.Run(["fit", "--train", train, "--model", PathOf("weighted.zip"), "--weights", .. Unimodal]);
        Assert.True(weighted.ExitCode == 0, weighted.Error);
        Assert.Contains("on 520 edges (the embedding trained on their weights, --weights: the model's input schema holds the Weight column)", weighted.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("weigh other than 1", weighted.Error, StringComparison.Ordinal);
        Assert.Equal(MixedUsers, OnTheirHeavySide(CliHarness.RecommendAlikeWithEveryScorer(_directory, PathOf("weighted.zip"), users, "weighted")));

        var plain = CliHarness.Run(["fit", "--train", train, "--model", PathOf("plain.zip"), .. Unimodal]);
        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.DoesNotContain("--weights:", plain.Out, StringComparison.Ordinal);
        Assert.Contains($"{MixedUsers} of the 520 edges of '{train}' weigh other than 1, but fit treats every edge as one engagement", plain.Error, StringComparison.Ordinal);
        Assert.Contains("--weights trains the embedding on it", plain.Error, StringComparison.Ordinal);
        var served = CliHarness.Run("recommend", "--model", PathOf("plain.zip"), "--users", users, "--out", PathOf("plain.tsv"));
        Assert.True(served.ExitCode == 0, served.Error);
        Assert.True(OnTheirHeavySide(File.ReadLines(PathOf("plain.tsv"))) <= MixedUsers / 2, "Without --weights the lists should not follow the weights.");

        var ml = new MLContext(seed: 1);
        ml.Model.Load(PathOf("weighted.zip"), out var weightedSchema);
        ml.Model.Load(PathOf("plain.zip"), out var plainSchema);
        Assert.NotNull(weightedSchema.GetColumnOrNull("Weight"));
        Assert.Null(plainSchema.GetColumnOrNull("Weight"));
    }

    /// <summary>
    /// evaluate --weights trains the vectors on the weights (Unimodal's recall of the heavy sides rises) and says so in
    /// metrics.json and in its printed results (which, without --out, are all there is); the test file's weights are never
    /// read: a held-out edge counts once, whatever its weight.
    /// </summary>
    [Fact]
    public void Evaluate_with_weights_trains_the_vectors_on_them_and_counts_each_test_edge_once()
    {
        string train = WriteMixedUsers("train.tsv"), test = WriteTest("test.tsv"), weightedTest = WriteTest("weighted-test.tsv", weights: true);
        const string Said = "; the embeddings train on the weights of the training edges (--weights).";
        JsonElement Evaluate(string testFile, string output, params string[] extra)
        {
            var run = CliHarness.Run(["evaluate", "--train", train, "--test", testFile, "--out", PathOf(output), "--algorithm", "truncated-svd", "--dim", "2",
                "--clusters", "4", "--tuned-clusters", "0", "--history-mmr-lambda", "0.5", "--plot-users", "0", "--threads", "1", .. extra]);
            Assert.True(run.ExitCode == 0, run.Error);
            // The results (standard output) say it on the line of the loaded edges, and only under the flag.
            Assert.Equal(extra.Contains("--weights") ? 1 : 0, run.Out.Split('\n').Count(l => l.StartsWith("Loaded ", StringComparison.Ordinal) && l.EndsWith(Said, StringComparison.Ordinal)));
            return JsonDocument.Parse(File.ReadAllText(Path.Combine(PathOf(output), "metrics.json"))).RootElement.Clone();
        }
        var weighted = Evaluate(test, "weighted", "--weights");
        var plain = Evaluate(test, "plain");
        static double Recall10(JsonElement metrics) => metrics.GetProperty("methods").GetProperty("unimodal").GetProperty("recall").GetProperty("10").GetDouble();
        // Every mixed user's top 10 are of its heavy side (10 of its 19 held-out items); without the weights about half are.
        Assert.Equal(10.0 / (ItemsPerGroup - 1), Recall10(weighted), 9);
        Assert.True(Recall10(plain) < 0.4, $"Unimodal Recall@10 without --weights: {Recall10(plain)}.");
        Assert.True(weighted.GetProperty("settings").GetProperty("weights").GetBoolean());
        Assert.False(plain.GetProperty("settings").TryGetProperty("weights", out _));

        var weightedHeldOut = Evaluate(weightedTest, "weighted-test", "--weights");
        Assert.Equal(weighted.GetProperty("methods").GetRawText(), weightedHeldOut.GetProperty("methods").GetRawText());
    }

    /// <summary>
    /// evaluate --algorithm auto --weights: Auto's validation hold-out trains on the weights (its curve moves); on a file
    /// whose every weight is 1 the run is the unweighted one, figures, curve and history_mmr lambda alike, and says so.
    /// </summary>
    [Fact]
    public void Auto_chooses_on_a_hold_out_trained_on_the_weights()
    {
        string train = WriteMixedUsers("train.tsv"), ones = WriteMixedUsers("ones.tsv", heavy: 1), test = WriteTest("test.tsv");
        (JsonElement Metrics, string Error) Evaluate(string trainFile, string output, params string[] extra)
        {
            var run = CliHarness.Run(["evaluate", "--train", trainFile, "--test", test, "--out", PathOf(output), "--algorithm", "auto", "--auto-max-dim", "8",
                "--clusters", "4", "--tuned-clusters", "0", "--plot-users", "0", "--threads", "1", .. extra]);
            Assert.True(run.ExitCode == 0, run.Error);
            return (JsonDocument.Parse(File.ReadAllText(Path.Combine(PathOf(output), "metrics.json"))).RootElement.Clone(), run.Error);
        }
        static string Curve(JsonElement metrics) => metrics.GetProperty("embedding_validation").GetProperty("curve").GetRawText();
        static double Lambda(JsonElement metrics) => metrics.GetProperty("settings").GetProperty("history_mmr").GetProperty("lambda").GetDouble();
        var weighted = Evaluate(train, "weighted", "--weights").Metrics;
        var plain = Evaluate(train, "plain").Metrics;
        Assert.NotEqual(Curve(plain), Curve(weighted));

        var (unitWeights, error) = Evaluate(ones, "ones", "--weights");
        Assert.Contains($"warning: --weights: every edge of '{ones}' weighs 1 (its header: 'user<TAB>item<TAB>weight'", error, StringComparison.Ordinal);
        Assert.Contains("so the embedding trains as it would without --weights.", error, StringComparison.Ordinal);
        Assert.Equal(Curve(plain), Curve(unitWeights));
        Assert.Equal(plain.GetProperty("methods").GetRawText(), unitWeights.GetProperty("methods").GetRawText());
        Assert.Equal(Lambda(plain), Lambda(unitWeights));
    }

    /// <summary>
    /// --weights on a file without a weight column trains as without the flag and says why, its header quoted (a third column
    /// named otherwise is not read); repeated lines then weigh their count, which is said too.
    /// </summary>
    [Fact]
    public void Weights_on_a_file_without_a_weight_column_warn_and_train_as_without()
    {
        string train = WriteMixedUsers("train.tsv", header: false), counts = WriteMixedUsers("counts.tsv", column: "count"), users = WriteUsers();
        var weighted = CliHarness.Run(["fit", "--train", train, "--model", PathOf("weighted.zip"), "--weights", .. Unimodal]);
        Assert.True(weighted.ExitCode == 0, weighted.Error);
        Assert.Contains($"warning: --weights: every edge of '{train}' weighs 1 (its header: 'user<TAB>item'; weights are read from a third column named weight), "
            + "so the embedding trains as it would without --weights.", weighted.Error, StringComparison.Ordinal);
        var plain = CliHarness.Run(["fit", "--train", train, "--model", PathOf("plain.zip"), .. Unimodal]);
        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.DoesNotContain("--weights", plain.Error, StringComparison.Ordinal);
        foreach (string model in new[] { "weighted", "plain" })
            Assert.Equal(0, CliHarness.Run("recommend", "--model", PathOf($"{model}.zip"), "--users", users, "--out", PathOf($"{model}.tsv")).ExitCode);
        Assert.Equal(File.ReadAllLines(PathOf("plain.tsv")), File.ReadAllLines(PathOf("weighted.tsv")));

        var renamed = CliHarness.Run(["fit", "--train", counts, "--model", PathOf("counts.zip"), "--weights", .. Unimodal]);
        Assert.True(renamed.ExitCode == 0, renamed.Error);
        Assert.Contains("(its header: 'user<TAB>item<TAB>count'; weights are read from a third column named weight)", renamed.Error, StringComparison.Ordinal);

        File.WriteAllLines(PathOf("repeated.tsv"), [.. File.ReadAllLines(train), "mix0\ta0", "mix0\ta0"]);
        var repeated = CliHarness.Run(["fit", "--train", PathOf("repeated.tsv"), "--model", PathOf("repeated.zip"), "--weights", .. Unimodal]);
        Assert.True(repeated.ExitCode == 0, repeated.Error);
        Assert.Contains("except that a (user, item) pair on several lines weighs its number of lines (2 repeated lines; everything else, and the embedding without --weights, counts a pair once)",
            repeated.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A file whose every edge weighs 1, with repeated lines, under --weights: each command says the repeats on one line (evaluate
    /// and sweep --test said them twice, in the every-edge-weighs-1 warning and the test-file checks' repeated-lines one), which
    /// says both what the embedding does with a repeated pair and what everything else does.
    /// </summary>
    [Fact]
    public void Weights_of_ones_with_repeated_lines_say_the_repeats_once_in_every_command()
    {
        string ones = PathOf("ones.tsv"), test = WriteTest("test.tsv");
        File.WriteAllLines(ones, [.. File.ReadAllLines(WriteMixedUsers("unrepeated.tsv", heavy: 1)), "mix0\ta0\t1", "mix0\ta0\t1"]);
        void SaidOnce(CliHarness.Outcome run)
        {
            Assert.True(run.ExitCode == 0, run.Error);
            string line = Assert.Single(run.ErrorLines, l => l.Contains("repeated", StringComparison.Ordinal));
            Assert.Contains($"every edge of '{ones}' weighs 1", line, StringComparison.Ordinal);
            Assert.Contains("a (user, item) pair on several lines weighs its number of lines (2 repeated lines; everything else, and the embedding "
                + "without --weights, counts a pair once).", line, StringComparison.Ordinal);
        }
        SaidOnce(CliHarness.Run("evaluate", "--train", ones, "--test", test, "--weights", "--algorithm", "truncated-svd", "--dim", "2", "--clusters", "4",
            "--tuned-clusters", "0", "--history-mmr-lambda", "0.5", "--plot-users", "0", "--threads", "1"));
        SaidOnce(CliHarness.Run(["fit", "--train", ones, "--model", PathOf("m.zip"), "--weights", .. Unimodal]));
        string[] sweep = ["sweep", "--train", ones, "--weights", "--space", "lambda=0,0.8", "--k", "10", "--algorithm", "truncated-svd", "--dim", "2", "--clusters", "4",
            "--threads", "1"];
        SaidOnce(CliHarness.Run([.. sweep, "--out", PathOf("sweep")]));
        SaidOnce(CliHarness.Run([.. sweep, "--test", test, "--out", PathOf("sweep-test")]));
    }

    /// <summary>
    /// Weights far apart (one edge 100,000 times the median) are warned of by every command under --weights, once and in the
    /// command line's names: the file, the heaviest edge's user and item, the --weights flag and the file's weight column (not
    /// the library's WeightColumnName / weightColumnName, its 'Weight' column or a row of its data view, which fit and sweep
    /// showed from the MLContext log, fit --retriever fused twice); sweep.json records the weights, and has no such key
    /// without the flag.
    /// </summary>
    [Fact]
    public void Every_command_warns_of_extreme_weights_and_sweep_json_records_them()
    {
        string train = WriteMixedUsers("train.tsv", heavy: 100_000), test = WriteTest("test.tsv");
        const string Largest = "the largest weight, 1E+05";
        string expected = $"warning: '{train}': Column 'weight' (option --weights): {Largest} (user 'mix0', item 'a0')";
        void WarnedOnceInItsNames(CliHarness.Outcome run)
        {
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
            Assert.Single(run.ErrorLines, l => l.Contains(Largest, StringComparison.Ordinal));
            Assert.DoesNotContain("olumnName", run.Error, StringComparison.Ordinal);
        }
        WarnedOnceInItsNames(CliHarness.Run(["fit", "--train", train, "--model", PathOf("m.zip"), "--weights", .. Unimodal]));
        // Two GraphEmbedding stages (the history list's vectors and the DCM model), and a warm start's fit outside them.
        WarnedOnceInItsNames(CliHarness.Run("fit", "--train", train, "--model", PathOf("fused.zip"), "--weights", "--retriever", "fused", "--candidates", "5",
            "--algorithm", "truncated-svd", "--dim", "2", "--history-mmr-lambda", "0.5", "--dcm-epochs", "1", "--threads", "1"));
        WarnedOnceInItsNames(CliHarness.Run("fit", "--train", train, "--model", PathOf("warm.zip"), "--weights", "--retriever", "round-robin", "--dcm", "--dcm-warm-start",
            "--candidates", "5", "--algorithm", "truncated-svd", "--dim", "2", "--dcm-epochs", "1", "--threads", "1"));

        WarnedOnceInItsNames(CliHarness.Run("evaluate", "--train", train, "--test", test, "--weights", "--algorithm", "truncated-svd", "--dim", "2", "--clusters", "4",
            "--tuned-clusters", "0", "--history-mmr-lambda", "0.5", "--threads", "1"));

        string[] sweepArgs = ["sweep", "--train", train, "--space", "lambda=0,0.8", "--k", "10", "--algorithm", "truncated-svd", "--dim", "2", "--clusters", "4", "--threads", "1"];
        var sweep = CliHarness.Run([.. sweepArgs, "--weights", "--out", PathOf("weighted")]);
        WarnedOnceInItsNames(sweep);
        Assert.Contains("training edges of " + train + ", the embeddings trained on their weights (--weights).", sweep.Out, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(PathOf("weighted"), "sweep.json"))))
            Assert.True(json.RootElement.GetProperty("weights").GetBoolean());

        var plain = CliHarness.Run([.. sweepArgs, "--out", PathOf("plain")]);
        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.DoesNotContain(Largest, plain.Error, StringComparison.Ordinal);

        // The column is named as the header spells it (it is read whatever its case).
        string capital = PathOf("capital.tsv");
        File.WriteAllLines(capital, ["user\titem\tWeight", .. File.ReadAllLines(train).Skip(1)]);
        var spelled = CliHarness.Run(["fit", "--train", capital, "--model", PathOf("capital.zip"), "--weights", .. Unimodal]);
        Assert.True(spelled.ExitCode == 0, spelled.Error);
        Assert.Contains($"warning: '{capital}': Column 'Weight' (option --weights): {Largest}", spelled.Error, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(PathOf("plain"), "sweep.json"))))
            Assert.False(json.RootElement.TryGetProperty("weights", out _));
    }

    /// <summary>
    /// Writes <paramref name="name"/>: 40 users, each with 8 items of one group of 15 and 2 of the other, every edge weighing
    /// 1, 4 or 16 at random: the weights change every history's interests (their shares and fold-ins) if anything reads them.
    /// </summary>
    private string WriteVariedWeights(string name)
    {
        var random = new Random(7);
        var lines = new List<string> { "user\titem\tweight" };
        for (int u = 0; u < 40; u++)
        {
            char own = u % 2 == 0 ? 'a' : 'b', other = own == 'a' ? 'b' : 'a';
            foreach (var (group, count) in new[] { (own, 8), (other, 2) })
                foreach (int i in Enumerable.Range(0, 15).OrderBy(_ => random.Next()).Take(count))
                    lines.Add($"u{u}\t{group}{i}\t{new[] { 1, 4, 16 }[random.Next(3)]}");
        }
        File.WriteAllLines(PathOf(name), lines);
        return PathOf(name);
    }

    /// <summary>Negative sampling whose steps (learning rate 1e-30) leave the seeded initial vectors as they are: vectors the weights cannot move.</summary>
    private static readonly string[] FrozenVectors = ["--algorithm", "negative-sampling", "--lr", "1e-30", "--epochs", "1", "--dim", "4", "--threads", "1"];

    /// <summary>
    /// The history interests read the edges unweighted under --weights, in the choice of history_mmr's lambda too (evaluate
    /// and fit with a named --algorithm, whose hold-out the library carves) and in sweep's history-mmr trials: with vectors
    /// the weights cannot move, every figure is the unweighted run's. (They read the weighted histories: the lambda was
    /// chosen, and the trials scored, for interests the history stage never builds, since it reads no weights.)
    /// </summary>
    [Fact]
    public void Weights_do_not_reach_the_history_interests_of_the_lambda_choice_or_the_sweep_trials()
    {
        string train = WriteVariedWeights("varied.tsv");
        File.WriteAllLines(PathOf("test.tsv"), ["user\titem", .. Enumerable.Range(0, 40).Select(u => $"u{u}\t{(u % 2 == 0 ? 'a' : 'b')}14")]);
        static string LambdaLine(CliHarness.Outcome run)
        {
            Assert.True(run.ExitCode == 0, run.Error);
            // The figures of the choice, without its seconds.
            string line = run.Out.Split('\n').Single(l => l.Contains("history_mmr lambda", StringComparison.Ordinal));
            return line[..line.LastIndexOf(" (", StringComparison.Ordinal)];
        }
        string[] evaluate = ["evaluate", "--train", train, "--test", PathOf("test.tsv"), "--clusters", "4", "--tuned-clusters", "0", .. FrozenVectors];
        Assert.Equal(LambdaLine(CliHarness.Run(evaluate)), LambdaLine(CliHarness.Run([.. evaluate, "--weights"])));
        string[] fit = ["fit", "--train", train, "--retriever", "history-mmr", "--candidates", "5", .. FrozenVectors];
        Assert.Equal(LambdaLine(CliHarness.Run([.. fit, "--model", PathOf("plain.zip")])), LambdaLine(CliHarness.Run([.. fit, "--model", PathOf("weighted.zip"), "--weights"])));

        string Leaderboard(string output, params string[] extra)
        {
            var run = CliHarness.Run(["sweep", "--train", train, "--space", "method=history-mmr;mmr-lambda=0.5,0.8", "--k", "10", "--clusters", "4", "--out", PathOf(output),
                .. FrozenVectors, .. extra]);
            Assert.True(run.ExitCode == 0, run.Error);
            return File.ReadAllText(Path.Combine(PathOf(output), "leaderboard.tsv"));
        }
        // Each trial's settings and validation figures (not its seconds).
        static IEnumerable<string> Figures(string leaderboard)
        {
            var rows = leaderboard.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToArray();
            int[] columns = [.. new[] { "Trial", "method", "mmr-lambda", "Recall", "Ndcg", "Diversity" }.Select(c => Array.IndexOf(rows[0], c))];
            Assert.DoesNotContain(-1, columns);
            return rows.Skip(1).Select(r => string.Join('\t', columns.Select(c => r[c]))).Order(StringComparer.Ordinal);
        }
        var (plain, weighted) = (Leaderboard("plain"), Leaderboard("weighted", "--weights"));
        Assert.Contains("history-mmr", weighted, StringComparison.Ordinal);
        Assert.Equal(Figures(plain), Figures(weighted));
    }

    /// <summary>
    /// A weight that is not a positive number fails the run naming the file and line (with the flag or without: the file is
    /// read the same); --weights with given embeddings, which train nothing, is refused; reproduce, whose data has no
    /// weights, has no --weights.
    /// </summary>
    [Fact]
    public void Bad_weights_name_the_line_and_weights_without_training_are_refused()
    {
        string train = WriteMixedUsers("train.tsv");
        var lines = File.ReadAllLines(train);
        lines[3] = lines[3][..lines[3].LastIndexOf('\t')] + "\tNaN";
        File.WriteAllLines(PathOf("nan.tsv"), lines);
        var nan = CliHarness.Run(["fit", "--train", PathOf("nan.tsv"), "--model", PathOf("m.zip"), "--weights", .. Unimodal]);
        Assert.Equal(1, nan.ExitCode);
        Assert.Contains($"{PathOf("nan.tsv")}, line 4: the weight must be a positive finite number, found 'NaN'.", nan.Error, StringComparison.Ordinal);

        File.WriteAllLines(PathOf("vectors.tsv"), ["id\tv0", "x\t1"]);
        var given = CliHarness.Run("evaluate", "--train", train, "--test", WriteTest("test.tsv"), "--weights", "--user-embeddings", PathOf("vectors.tsv"),
            "--item-embeddings", PathOf("vectors.tsv"));
        Assert.Equal(2, given.ExitCode);
        Assert.Contains("--weights trains the embeddings on the training file's weights, but --user-embeddings and --item-embeddings give them", given.Error, StringComparison.Ordinal);

        Assert.NotEmpty(CliHarness.Parse("reproduce", "--weights").Errors);
        foreach (string command in new[] { "evaluate", "fit", "sweep" })
            Assert.Contains(CliHarness.Parse(command, "--help").CommandResult.Command.Options, o => o.Name == "--weights");
    }
}
