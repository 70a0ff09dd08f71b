namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// Inputs the commands read otherwise than their author may expect, each said on standard error: a training file's weights
/// (checked, not used), ids padded with spaces, given vectors that are all zeros, more neighbours than there are users.
/// </summary>
public sealed class CliInputWarningsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-input-warnings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>The users and items of a training file (one edge per line under a header), and min(users, items).</summary>
    private static (int Users, int Items, int Rank) RankOf(string train)
    {
        int users = File.ReadLines(train).Skip(1).Select(l => l.Split('\t')[0]).Distinct().Count();
        int items = File.ReadLines(train).Skip(1).Select(l => l.Split('\t')[1]).Distinct().Count();
        return (users, items, Math.Min(users, items));
    }

    [Fact]
    public void Evaluate_warns_of_test_weights_and_of_test_users_who_cannot_fill_a_list_of_K()
    {
        // 40 items: with K = 10, 20, 50 no user can fill a list of 50, and a user who has seen 25 cannot fill one of 20.
        var train = new List<string> { "user\titem" };
        var test = new List<string> { "user\titem\tweight" };
        for (int u = 0; u < 30; u++)
        {
            int seen = u == 0 ? 25 : 6;
            for (int j = 0; j < seen; j++) train.Add($"u{u}\ti{(u + j) % 40}");
            test.Add($"u{u}\ti{(u + seen) % 40}\t{(u == 1 ? 3 : 1)}");
        }
        train.AddRange(Enumerable.Range(30, 10).Select(i => $"cover\ti{i}")); // every item has a training edge
        File.WriteAllLines(PathOf("train.tsv"), train);
        File.WriteAllLines(PathOf("test.tsv"), test);
        var run = CliHarness.Run("evaluate", "--train", PathOf("train.tsv"), "--test", PathOf("test.tsv"), "--algorithm", "truncated-svd", "--dim", "4",
            "--clusters", "4", "--tuned-clusters", "0", "--history-mmr-lambda", "0.5", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"1 of the 30 edges of '{PathOf("test.tsv")}' weigh other than 1, but held-out edges are unweighted", run.Error, StringComparison.Ordinal);
        Assert.Contains("1 test user of 30 has fewer than K = 20 items not seen in training (of 40)", run.Error, StringComparison.Ordinal);
        Assert.Contains("30 test users of 30 have fewer than K = 50 items not seen in training (of 40)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("K = 10 items", run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A --dim that auto (the default algorithm) does not read is said once, in the command line's names, by fit (whose
    /// library warning of it, in option names, is not forwarded); with a named algorithm --dim is read and nothing is said.
    /// </summary>
    [Fact]
    public void Fit_says_once_in_flags_that_auto_does_not_read_dim()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var run = CliHarness.Run("fit", "--train", train, "--model", PathOf("auto.zip"), "--dim", "6", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("warning: --dim 6 is not read: --algorithm auto (the default) chooses the dimension itself", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n'), line => line.Contains("--dim 6 is not read", StringComparison.Ordinal));
        Assert.DoesNotContain("but Algorithm is Auto", run.Error, StringComparison.Ordinal);

        var named = CliHarness.Run("fit", "--train", train, "--model", PathOf("svd.zip"), "--algorithm", "truncated-svd", "--dim", "6", "--threads", "1");
        Assert.True(named.ExitCode == 0, named.Error);
        Assert.DoesNotContain("is not read", named.Error, StringComparison.Ordinal);
        var sgdTrial = CliHarness.Run("fit", "--train", train, "--model", PathOf("sgd.zip"), "--dim", "6", "--auto-sgd", "--epochs", "2", "--threads", "1");
        Assert.True(sgdTrial.ExitCode == 0, sgdTrial.Error);
        Assert.DoesNotContain("is not read", sgdTrial.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// evaluate trains on the engine, which logs nothing: a --dim above min(users, items) of the training file is said by the
    /// command, by its flag, once, as fit says it through the library's log (until 2026-12-06 evaluate said nothing).
    /// </summary>
    [Fact]
    public void Evaluate_says_once_by_its_flag_a_dim_above_the_training_files_rank()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        var (users, items, rank) = RankOf(train);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "implicit-als", "--dim", $"{rank + 5}", "--clusters", "4",
            "--tuned-clusters", "0", "--history-mmr-lambda", "0.5", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Single(run.Error.Split('\n'), line => line.Contains($"warning: --dim {rank + 5} exceeds min(users, items) = {rank} of the training edges ({users} users and {items} items", StringComparison.Ordinal));
        Assert.Contains($"Set --dim to at most {rank}.", run.Error, StringComparison.Ordinal);

        var within = CliHarness.Run("evaluate", "--train", train, "--test", test, "--algorithm", "implicit-als", "--dim", $"{rank}", "--clusters", "4",
            "--tuned-clusters", "0", "--history-mmr-lambda", "0.5", "--threads", "1");
        Assert.True(within.ExitCode == 0, within.Error);
        Assert.DoesNotContain("exceeds min(users, items)", within.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// sweep: the base settings' --dim above min(users, items) is said once, by its flag, through the Sweep's own warning
    /// (until 2026-12-06 nothing was said); not when the space varies the dimension, which the base value then does not set.
    /// </summary>
    [Fact]
    public void Sweep_says_once_by_its_flag_a_base_dim_above_the_training_files_rank()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        int rank = RankOf(train).Rank;
        string[] common = ["sweep", "--train", train, "--algorithm", "implicit-als", "--dim", $"{rank + 5}", "--clusters", "4", "--k", "5", "--threads", "1"];
        var run = CliHarness.Run([.. common, "--space", "lambda=0,0.5", "--out", PathOf("sweep")]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Single(run.Error.Split('\n'), line => line.Contains($"Sweep option Dimension (from --dim): Dimension {rank + 5} exceeds min(users, items) = {rank}", StringComparison.Ordinal));

        var varied = CliHarness.Run([.. common, "--space", "dimension=4,8", "--out", PathOf("sweep-dim")]);
        Assert.True(varied.ExitCode == 0, varied.Error);
        Assert.DoesNotContain("exceeds min(users, items)", varied.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_warns_of_unused_weights_and_of_ids_padded_with_spaces()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var lines = File.ReadAllLines(train);
        // A weight column, one edge weighing 3; and "i5 " beside "i5".
        var weighted = new List<string> { "user\titem\tweight" };
        weighted.AddRange(lines.Skip(1).Select((l, n) => $"{l}\t{(n == 0 ? 3 : 1)}"));
        weighted.Add("u0\ti5 \t1");
        File.WriteAllLines(PathOf("weighted.tsv"), weighted);

        var run = CliHarness.Run("fit", "--train", PathOf("weighted.tsv"), "--model", PathOf("m.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"1 of the {weighted.Count - 1:N0} edges of '{PathOf("weighted.tsv")}' weigh other than 1, but fit treats every edge as one engagement", run.Error);
        Assert.Contains("spaces pad 1 item id of", run.Error);
        Assert.Contains("1 of them name another item without the spaces ('i5 ' and 'i5')", run.Error);
        Assert.DoesNotContain("user id of", run.Error);

        // The same file as recommend's --history: its weights are not read either, and said so.
        File.WriteAllLines(PathOf("users.tsv"), ["user", "u0", "new-user"]);
        var served = CliHarness.Run("recommend", "--model", PathOf("m.zip"), "--users", PathOf("users.tsv"), "--history", PathOf("weighted.tsv"),
            "--out", PathOf("lists.tsv"));
        Assert.True(served.ExitCode == 0, served.Error);
        Assert.Contains($"edges of '{PathOf("weighted.tsv")}' weigh other than 1, but recommend --history treats every edge as one engagement", served.Error);

        // The file as split: neither warning.
        var plain = CliHarness.Run("fit", "--train", train, "--model", PathOf("p.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1");
        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.DoesNotContain("weigh other than 1", plain.Error);
        Assert.DoesNotContain("spaces pad", plain.Error);
    }

    [Fact]
    public void Evaluate_on_given_vectors_with_zeros_warns_of_the_users_and_clusters_the_items_that_have_a_direction()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        var edges = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')).ToArray();
        var users = edges.Select(e => e[0]).Distinct().ToArray();
        var items = edges.Select(e => e[1]).Distinct().ToArray();
        var random = new Random(4);
        string Vector(bool zero) => string.Join('\t', Enumerable.Range(0, 4).Select(_ => zero ? "0" : (random.NextDouble() - 0.5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        string testUser = File.ReadAllLines(test)[1].Split('\t')[0];
        File.WriteAllLines(PathOf("users.tsv"), ["id\tv0\tv1\tv2\tv3", .. users.Select(u => $"{u}\t{Vector(u == testUser)}")]);
        // Every item but 10 all zeros: the tuned row's default clusters (500) are capped at the 10 with a direction.
        File.WriteAllLines(PathOf("items.tsv"), ["id\tv0\tv1\tv2\tv3", .. items.Select((i, n) => $"{i}\t{Vector(n >= 10)}")]);

        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--user-embeddings", PathOf("users.tsv"), "--item-embeddings", PathOf("items.tsv"),
            "--neighbors", "500", "--clusters", "2", "--history-interest-weight", "-1", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"(the first '{testUser}') has an all-zero vector in '{PathOf("users.tsv")}'", run.Error);
        Assert.Contains($"--neighbors 500 exceeds the {users.Length - 1} other users with training edges", run.Error);
        Assert.Contains($"Clustering {items.Length} items into 10 clusters for the tuned row", run.Out + run.Error);
    }

    [Fact]
    public void Evaluate_says_when_a_given_tuned_cluster_count_exceeds_the_items()
    {
        // Until 2026-12-06 a given --tuned-clusters above the items was cut to one cluster per item without a word (the main
        // --clusters refuses such a count); the default's cap on a small catalogue stays quiet.
        var (train, test) = CliHarness.WriteSplit(_directory);
        var edges = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')).ToArray();
        var random = new Random(6);
        string Rows(IEnumerable<string> ids) => string.Join('\n', ids.Select(id => id + "\t" + string.Join('\t', Enumerable.Range(0, 4)
            .Select(_ => (random.NextDouble() - 0.5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        var items = edges.Select(e => e[1]).Distinct().ToArray();
        File.WriteAllText(PathOf("users.tsv"), "id\tv0\tv1\tv2\tv3\n" + Rows(edges.Select(e => e[0]).Distinct()) + "\n");
        File.WriteAllText(PathOf("items.tsv"), "id\tv0\tv1\tv2\tv3\n" + Rows(items) + "\n");
        string[] Run(params string[] extra)
        {
            var run = CliHarness.Run(["evaluate", "--train", train, "--test", test, "--user-embeddings", PathOf("users.tsv"), "--item-embeddings", PathOf("items.tsv"),
                "--clusters", "2", "--history-interest-weight", "-1", "--threads", "1", "--plot-users", "0", .. extra]);
            Assert.True(run.ExitCode == 0, run.Error);
            return run.ErrorLines;
        }

        Assert.Contains($"  warning: --tuned-clusters 5,000 exceeds the {items.Length} items with a direction to cluster: the tuned row uses {items.Length} clusters.",
            Run("--tuned-clusters", "5000"));
        Assert.DoesNotContain(Run(), l => l.Contains("--tuned-clusters 500 exceeds", StringComparison.Ordinal));
    }

    /// <summary>
    /// fit counted lines as edges: 5,000 repeated lines read "on 36,585 edges" for 31,585 distinct pairs trained on (a
    /// first-day review). It reports the pairs, and says the repeats as evaluate does.
    /// </summary>
    [Fact]
    public void Fit_reports_distinct_pairs_and_warns_of_repeated_lines_as_evaluate_does()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        var lines = File.ReadAllLines(train);
        int pairs = lines.Length - 1;
        File.WriteAllLines(PathOf("repeated.tsv"), [.. lines, .. lines.Skip(1).Take(7)]);
        var run = CliHarness.Run("fit", "--train", PathOf("repeated.tsv"), "--model", PathOf("m.zip"), "--algorithm", "truncated-svd", "--dim", "4",
            "--retriever", "unimodal", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"Fitted ", run.Out, StringComparison.Ordinal);
        Assert.Contains($" on {pairs:N0} edges", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain($" on {pairs + 7:N0} edges", run.Out + run.Error, StringComparison.Ordinal);
        Assert.Contains($"warning: 7 lines of '{PathOf("repeated.tsv")}' repeated a (user, item) pair already read: each pair counts once.", run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A third column not named weight ('user item score') was dropped without a word, where one named weight is warned of: the
    /// commands that read a training file say, naming the file and the column, that it is not read and what is.
    /// </summary>
    [Fact]
    public void A_column_other_than_weight_is_said_to_be_unread()
    {
        var (train, _) = CliHarness.WriteSplit(_directory);
        File.WriteAllLines(PathOf("scored.tsv"), ["user\titem\tscore", .. File.ReadAllLines(train).Skip(1).Select(l => l + "\t5")]);
        var run = CliHarness.Run("fit", "--train", PathOf("scored.tsv"), "--model", PathOf("m.zip"), "--algorithm", "truncated-svd", "--dim", "4",
            "--retriever", "unimodal", "--threads", "1");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"warning: '{PathOf("scored.tsv")}': its column 'score' is not read: an edge file is read as its columns user and item, "
            + "and a third column named 'weight'", run.Error, StringComparison.Ordinal);
        // The file's own columns read as before: no warning for a plain or a weighted file.
        File.WriteAllLines(PathOf("weighted.tsv"), ["user\titem\tweight", .. File.ReadAllLines(train).Skip(1).Select(l => l + "\t1")]);
        var weighted = CliHarness.Run("fit", "--train", PathOf("weighted.tsv"), "--model", PathOf("w.zip"), "--algorithm", "truncated-svd", "--dim", "4",
            "--retriever", "unimodal", "--threads", "1");
        Assert.True(weighted.ExitCode == 0, weighted.Error);
        Assert.DoesNotContain("is not read", weighted.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Given vectors lacking an item of the training file: the error blamed the training file ("train.tsv: the item 'i343' is
    /// unknown (it has no embedding / no training edge)"); it names --item-embeddings as lacking the vector and the training
    /// file as where the item has edges.
    /// </summary>
    [Fact]
    public void Evaluate_on_given_vectors_names_the_embeddings_file_lacking_an_item()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        var edges = File.ReadAllLines(train).Skip(1).Select(l => l.Split('\t')).ToArray();
        var users = edges.Select(e => e[0]).Distinct().ToArray();
        var items = edges.Select(e => e[1]).Distinct().ToArray();
        string Vector(int n) => string.Join('\t', Enumerable.Range(0, 4).Select(d => ((n * 7 + d * 3) % 11 - 5).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllLines(PathOf("users.tsv"), ["id\tv0\tv1\tv2\tv3", .. users.Select((u, n) => $"{u}\t{Vector(n)}")]);
        File.WriteAllLines(PathOf("items.tsv"), ["id\tv0\tv1\tv2\tv3", .. items.Skip(1).Select((i, n) => $"{i}\t{Vector(n)}")]);
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--user-embeddings", PathOf("users.tsv"), "--item-embeddings", PathOf("items.tsv"),
            "--clusters", "2", "--threads", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"--item-embeddings '{PathOf("items.tsv")}' has no vector for the item '{items[0]}', which has edges in the training file '{train}'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no embedding / no training edge", run.Error, StringComparison.Ordinal);
    }
}
