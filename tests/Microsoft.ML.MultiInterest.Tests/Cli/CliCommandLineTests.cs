using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The CLI's command line on System.CommandLine: per-command help, --opt=value, --version and the exit codes 0, 1, 2.</summary>
public sealed class CliCommandLineTests
{
    [Fact]
    public void Evaluate_help_lists_the_data_and_embedding_options_with_the_library_defaults()
    {
        var run = CliHarness.Run("evaluate", "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (string option in new[] { "--train", "--test", "--algorithm", "--dim", "--degree-negatives", "--als-reg", "--clusters", "--neighbor-index", "--unseen", "--dcm" })
            Assert.Contains(option, run.Out, StringComparison.Ordinal);
        string dimLine = run.Out.Split('\n').Single(l => l.TrimStart().StartsWith("--dim ", StringComparison.Ordinal));
        Assert.Contains($"[default: {GraphEmbeddingDefaults.Dimension.ToString(CultureInfo.InvariantCulture)}]", dimLine, StringComparison.Ordinal);
        // Another command's options are not offered.
        Assert.DoesNotContain("--onnx-dir", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("--space", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data/ciao/train.tsv.gz", "ciao")]
    [InlineData("runs/video/train.txt", "video")]
    [InlineData("data/my-edges.tsv", "my-edges.tsv")]
    [InlineData("data/training.tsv", "training.tsv")]
    [InlineData("scratch/citeulike/data/train.tsv.gz", "citeulike")]
    [InlineData("runs/ml-1m/split/train.tsv", "ml-1m")]
    public void Evaluate_names_the_data_after_its_folder_when_the_training_file_is_called_train(string path, string name) =>
        Assert.Equal(name, ExperimentCommands.DatasetName(path));

    [Fact]
    public void Fit_accepts_the_degree_negatives_its_help_lists()
    {
        var help = CliHarness.Run("fit", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--degree-negatives", help.Out, StringComparison.Ordinal);
        var parse = CliHarness.Parse("fit", "--train", "a.tsv", "--model", "m.zip", "--degree-negatives", "7");
        Assert.Empty(parse.Errors);
        Assert.Equal(7, parse.GetValue<int>("--degree-negatives"));
    }

    /// <summary>
    /// sweep's help offers only the algorithms a sweep takes (found by a review of sweeps: it listed mixture-embedding and
    /// differentiable-clustering, which the sweep then refused); fit's still offers them.
    /// </summary>
    [Fact]
    public void Sweep_help_lists_only_the_algorithms_a_sweep_takes()
    {
        var help = CliHarness.Run("sweep", "--help");
        Assert.Equal(0, help.ExitCode);
        string line = help.Out.Split('\n').Single(l => l.TrimStart().StartsWith("--algorithm", StringComparison.Ordinal));
        Assert.Contains("One of: auto, negative-sampling, truncated-svd, implicit-als. [default: auto]", line, StringComparison.Ordinal);
        Assert.DoesNotContain("mixture-embedding", help.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("differentiable-clustering", help.Out, StringComparison.Ordinal);
        var refused = CliHarness.Run("sweep", "--train", "a.tsv", "--algorithm", "mixture-embedding");
        Assert.Equal(CliRunner.BadUsage, refused.ExitCode);
        Assert.Contains("--algorithm must be one of auto, negative-sampling, truncated-svd, implicit-als, not 'mixture-embedding'.",
            Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("differentiable-clustering", CliHarness.Run("fit", "--help").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_sign_values_parse_as_separate_ones()
    {
        var joined = CliHarness.Parse("evaluate", "--train=a.tsv", "--test=b.tsv", "--dim=7", "--lambda=0.25", "--unseen=drop");
        var spaced = CliHarness.Parse("evaluate", "--train", "a.tsv", "--test", "b.tsv", "--dim", "7", "--lambda", "0.25", "--unseen", "drop");
        Assert.Empty(joined.Errors);
        Assert.Empty(spaced.Errors);
        Assert.Equal("a.tsv", joined.GetValue<string>("--train"));
        Assert.Equal(spaced.GetValue<string>("--train"), joined.GetValue<string>("--train"));
        Assert.Equal(spaced.GetValue<int>("--dim"), joined.GetValue<int>("--dim"));
        Assert.Equal(0.25, joined.GetValue<double>("--lambda"));
        Assert.Equal(UnseenHeldOut.Drop, joined.GetValue<UnseenHeldOut>("--unseen"));
    }

    [Theory]
    [InlineData("evaluate", "--train", "a.tsv", "--test", "b.tsv", "--no-such-option", "1")]
    [InlineData("evaluate", "--train", "a.tsv", "--test", "b.tsv", "--dim", "many")]
    [InlineData("evaluate", "--train", "a.tsv", "--test", "b.tsv", "--lambda", "1.5")]
    [InlineData("evaluate", "--train", "a.tsv", "--test", "b.tsv", "--unseen", "sometimes")]
    [InlineData("evaluate", "--test", "b.tsv")]
    [InlineData("sweep", "--train", "a.tsv", "--budget", "soon")]
    [InlineData("recommend", "--model", "m.zip", "--users", "u.tsv", "--out", "c.tsv", "--engine", "--onnx")]
    [InlineData("recommend", "--model", "m.zip", "--users", "u.tsv", "--out", "c.tsv", "--batch", "64")]
    [InlineData("recommend", "--model", "m.zip", "--users", "u.tsv", "--out", "c.tsv", "--onnx-prepack-below-mb", "0")]
    [InlineData("recommend", "--model", "m.zip", "--users", "u.tsv", "--out", "c.tsv", "--onnx", "--onnx-prepack-below-mb", "-1")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--retriever", "unimodal", "--conditions", "c.tsv")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--retriever", "quota", "--history-mmr-lambda", "0.5")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--alpha", "0.5")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--head-share", "0.2")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--retriever", "unimodal", "--clusters", "30")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--retriever", "mmr", "--neighbor-index", "clustered")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--retriever", "mmr", "--interest-weight", "0.5", "--alpha", "1")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--retriever", "history-mmr", "--dcm-interests", "3")]
    [InlineData("fit", "--train", "a.tsv", "--model", "m.zip", "--retriever", "fused", "--mix-components", "3")]
    [InlineData("recommend", "--model", "m.zip", "--users", "u.tsv", "--out", "c.tsv", "--engine", "--onnx-dir", "dir")]
    [InlineData("no-such-command")]
    public void Bad_usage_exits_2_with_one_line_naming_the_problem_and_the_help(params string[] args)
    {
        var run = CliHarness.Run(args);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("--help", run.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    /// <summary>
    /// A value outside an option's range is refused by the flag that gave it: at parse time where the command line knows the
    /// range (open ends included: a share of the edges held out cannot be all or none of them), else by the library option
    /// with the flag that holds its value.
    /// </summary>
    [Theory]
    [InlineData("--svd-smoothing -5", "(from --svd-smoothing): DegreeSmoothing must be")]
    [InlineData("--validation-fraction 1", "--validation-fraction must be below 1, not 1.")]
    [InlineData("--auto-tolerance 1", "--auto-tolerance must be below 1, not 1.")]
    [InlineData("--retriever round-robin --dcm --dcm-validation-fraction 1", "--dcm-validation-fraction must be below 1, not 1.")]
    [InlineData("--retriever round-robin --mixture-embeddings --mix-validation-fraction 1", "--mix-validation-fraction must be below 1, not 1.")]
    public void A_value_outside_an_options_range_is_named_by_its_flag(string options, string expected)
    {
        var run = CliHarness.Run(["fit", "--train", "a.tsv", "--model", "m.zip", "--algorithm", "truncated-svd", .. options.Split(' ')]);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", run.ErrorLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--validation-fraction", "0", "--validation-fraction must be above 0, not 0.")]
    [InlineData("--budget", "0s", "--budget must be a positive time, like 10m, 600s or 1h, not '0s'.")]
    public void Sweep_refuses_an_empty_hold_out_and_an_empty_budget_by_name(string option, string value, string expected)
    {
        var run = CliHarness.Run("sweep", "--train", "a.tsv", "--test", "b.tsv", option, value);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>
    /// A budget longer than a sweep can time is a usage error naming --budget, before any file is read (found by a review of
    /// sweeps: 1440h failed after the validation split naming a timer's 'delay', 1e300h ended the process with an OverflowException).
    /// </summary>
    [Theory]
    [InlineData("1440h")]
    [InlineData("1e300h")]
    public void Sweep_refuses_a_budget_longer_than_it_can_time_by_name(string value)
    {
        var run = CliHarness.Run("sweep", "--train", "a.tsv", "--budget", value);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        string error = Assert.Single(run.ErrorLines);
        Assert.Contains("sweep option TimeBudget (from --budget): TimeBudget (", error, StringComparison.Ordinal);
        Assert.Contains("must be at most 49.7 days", error, StringComparison.Ordinal);
        // Just inside the limit it is accepted: the run goes on to its files (a.tsv does not exist).
        var accepted = CliHarness.Run("sweep", "--train", "a.tsv", "--budget", "1190h");
        Assert.Equal(CliRunner.Failure, accepted.ExitCode);
        Assert.Contains("--train", Assert.Single(accepted.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>
    /// An option that would do nothing in this sweep is refused, not silently ignored (found by a walkthrough of sweeps: a
    /// --diversity-weight without --metric recall-diversity, an --unseen without --test, ran as if not given).
    /// </summary>
    [Theory]
    [InlineData("--diversity-weight 0.8", "--diversity-weight weighs Diversity@K in --metric recall-diversity, and the metric is recall: add --metric recall-diversity, or leave --diversity-weight out.")]
    [InlineData("--metric ndcg --diversity-weight 0.8", "and the metric is ndcg")]
    [InlineData("--unseen drop", "--unseen says how --test scores its edges of users or items unseen in training: add --test FILE, or leave --unseen out.")]
    public void Sweep_refuses_an_option_that_would_do_nothing(string options, string expected)
    {
        var run = CliHarness.Run(["sweep", "--train", "a.tsv", .. options.Split(' ')]);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        // With what it goes with, it is accepted: the run goes on to its files (a.tsv does not exist).
        var accepted = CliHarness.Run(["sweep", "--train", "a.tsv", .. options.Replace("--metric ndcg ", "", StringComparison.Ordinal).Split(' '), "--metric", "recall-diversity", "--test", "b.tsv"]);
        Assert.Equal(CliRunner.Failure, accepted.ExitCode);
        Assert.Contains("--train", Assert.Single(accepted.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>
    /// A grid too large to finish is a usage error naming --space, its exact size and the flags that bound it, before any file is
    /// read (it started, and would run for days; past 2^63 configurations its size read 9,223,372,036,854,775,807).
    /// </summary>
    [Fact]
    public void Sweep_refuses_a_grid_too_large_to_finish_unless_trials_or_a_budget_bound_it()
    {
        string hundredths = string.Join(',', Enumerable.Range(0, 101).Select(i => (i / 100.0).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string space = $"lambda={hundredths};alpha=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1;mmr-lambda={hundredths}";
        var run = CliHarness.Run("sweep", "--train", "a.tsv", "--space", space);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        string error = Assert.Single(run.ErrorLines);
        Assert.Contains("--space: the grid over this space has 102,010 configurations (lambda 101 x alpha 10 x mmr-lambda 101), more than the 100,000 it runs without a limit",
            error, StringComparison.Ordinal);
        Assert.Contains("Give --trials or --budget, or search it with --strategy random, local or halving.", error, StringComparison.Ordinal);
        // Bounded, or drawn from, it is accepted: the run goes on to its files (a.tsv does not exist).
        foreach (string[] bound in new[] { new[] { "--trials", "5" }, ["--budget", "1m"], ["--strategy", "random"] })
        {
            var bounded = CliHarness.Run(["sweep", "--train", "a.tsv", "--space", space, .. bound]);
            Assert.Equal(CliRunner.Failure, bounded.ExitCode);
            Assert.Contains("--train", Assert.Single(bounded.ErrorLines), StringComparison.Ordinal);
        }
    }

    /// <summary>An empty --space entry ("a=1;;b=2") is a usage error naming --space and the entry's position, before any file is read (it was skipped).</summary>
    [Fact]
    public void Sweep_refuses_an_empty_space_entry_by_flag_and_position()
    {
        var run = CliHarness.Run("sweep", "--train", "a.tsv", "--space", "lambda=0,1;;neighbors=10");
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains("--space: The search space's entry 2 of 3 is empty", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_named()
    {
        var run = CliHarness.Run("fit", "--train", "a.tsv", "--model", "m.zip", "--degree-negativs", "3");
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains("'--degree-negativs'", run.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains("multiinterest fit --help", run.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_exits_1_with_one_error_line()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"mi-missing-{Guid.NewGuid():N}.tsv");
        var run = CliHarness.Run("split", "--edges", missing, "--train", "a.tsv", "--test", "b.tsv");
        Assert.Equal(CliRunner.Failure, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", run.ErrorLines[0], StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(missing), run.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_input_file_is_named_by_its_option_before_the_command_runs()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mi-inputs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var (train, _) = CliHarness.WriteSplit(directory);
            string output = Path.Combine(directory, "sweep"), missing = Path.Combine(directory, "no-such-test.tsv");
            // The sweep would run every trial and refit before reading --test: the check comes first, and nothing is written.
            var sweep = CliHarness.Run("sweep", "--train", train, "--test", missing, "--space", "lambda=0.5", "--out", output);
            Assert.Equal(CliRunner.Failure, sweep.ExitCode);
            Assert.Equal($"error: --test: the file '{missing}' does not exist.", Assert.Single(sweep.ErrorLines));
            Assert.False(Directory.Exists(output));
            // fit checks its input before its output, whose check makes the model's folder.
            string modelFolder = Path.Combine(directory, "new");
            var typo = CliHarness.Run("fit", "--train", missing, "--model", Path.Combine(modelFolder, "m.zip"));
            Assert.Equal(CliRunner.Failure, typo.ExitCode);
            Assert.False(Directory.Exists(modelFolder));
            var folder = CliHarness.Run("fit", "--train", directory, "--model", Path.Combine(directory, "m.zip"));
            Assert.Equal(CliRunner.Failure, folder.ExitCode);
            Assert.Equal($"error: --train '{directory}' is a folder: give a file.", Assert.Single(folder.ErrorLines));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Version_prints_the_library_informational_version()
    {
        var run = CliHarness.Run("--version");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(CliRunner.LibraryVersion, run.Out.Trim());
        // The package version (the csproj's <VersionPrefix>, which the file version follows); the assembly version stays 1.0.0.0.
        string fileVersion = typeof(GraphEmbeddingDefaults).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyFileVersionAttribute), false)
            .Cast<System.Reflection.AssemblyFileVersionAttribute>().Single().Version;
        Assert.StartsWith(new Version(fileVersion).ToString(3), run.Out.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void No_arguments_show_the_commands_and_exit_2()
    {
        var run = CliHarness.Run();
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        foreach (string command in new[] { "reproduce", "evaluate", "split", "fit", "recommend", "export-onnx", "sweep" })
            Assert.Contains(command, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_command_reads_as_the_command_help()
    {
        var viaWord = CliHarness.Run("help", "split");
        var viaOption = CliHarness.Run("split", "--help");
        Assert.Equal(0, viaWord.ExitCode);
        Assert.Equal(viaOption.Out, viaWord.Out);
        Assert.Contains("--edges", viaWord.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// Asking for the help (or the version) beside a word the command line does not know is bad usage, as the word alone is:
    /// it printed the program's help or version and exited 0 (System.CommandLine lets --help and --version win over every
    /// parse error), so a script asking for `help splt` or `fit --modle x --help` read success.
    /// </summary>
    [Theory]
    [InlineData("'splt'", "multiinterest", "help", "splt")]
    [InlineData("'splt'", "multiinterest", "splt", "--help")]
    [InlineData("'--modle'", "multiinterest fit", "fit", "--modle", "--help")]
    [InlineData("'--modle'", "multiinterest fit", "help", "fit", "--modle")]
    [InlineData("'splt'", "multiinterest", "splt", "--version")]
    [InlineData("'splt'", "multiinterest", "--version", "splt")]
    public void Help_of_an_unknown_command_or_option_is_bad_usage(string word, string command, params string[] args)
    {
        var run = CliHarness.Run(args);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Equal($"Unrecognized command or argument {word}. See '{command} --help'.", Assert.Single(run.ErrorLines).TrimEnd());
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void Help_still_wins_over_a_missing_required_option()
    {
        var run = CliHarness.Run("split", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--edges", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_help_shows_single_precision_defaults_as_written_and_no_report_only_sweeps()
    {
        var help = CliHarness.Run("fit", "--help");
        Assert.Equal(0, help.ExitCode);
        string learningRate = help.Out.Split('\n').Single(l => l.TrimStart().StartsWith("--cond-lr", StringComparison.Ordinal));
        Assert.EndsWith("[default: 0.05]", learningRate.TrimEnd());
        Assert.DoesNotContain("0.05000000074505806", help.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("--dcm-fusion-weight-sweep", help.Out, StringComparison.Ordinal);
        Assert.Contains("--dcm-fusion-weight-sweep", CliHarness.Run("evaluate", "--help").Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// Since 1.3.0 fit's default pipeline has no clusters, mixtures or quotas: fit's help says which retrievers read the
    /// kNN-Embed flags (they are refused elsewhere), where it listed "--clusters ... [default: 2000]" as if every fit used them.
    /// evaluate's help, whose rows all fit them, is unchanged.
    /// </summary>
    [Theory]
    [InlineData("--clusters", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--iterations", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--components", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--neighbors", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--lambda", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--neighbor-index", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--neighbor-lists", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--neighbor-probes", "kNN-Embed (--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0): ")]
    [InlineData("--alpha", "The quota stage (--retriever quota): ")]
    [InlineData("--head-share", "The quota stage (--retriever quota): ")]
    public void Fit_help_names_the_retrievers_that_read_each_knn_embed_flag(string flag, string prefix)
    {
        string Line(string command) => CliHarness.Run(command, "--help").Out.Split('\n').Single(l => l.TrimStart().StartsWith(flag + " ", StringComparison.Ordinal));
        Assert.Contains(prefix, Line("fit"), StringComparison.Ordinal);
        Assert.DoesNotContain("--retriever", Line("evaluate"), StringComparison.Ordinal);
        // The rewording keeps the default the help lists (--alpha's was once replaced whole, "[default: 1]" with it).
        Assert.Matches(@"\[default: [^\]]+\]$", Line("fit").TrimEnd());
    }

    [Fact]
    public void Fit_help_speaks_of_the_model_it_builds_not_of_evaluates_rows()
    {
        var fit = CliHarness.Run("fit", "--help").Out;
        var evaluate = CliHarness.Run("evaluate", "--help").Out;
        // evaluate adds report rows and takes comma lists; fit builds one model from one value each.
        Assert.Contains("Add the row \"DCM (round robin)\"", evaluate, StringComparison.Ordinal);
        Assert.Contains("A comma list gives one row per value.", evaluate, StringComparison.Ordinal);
        Assert.DoesNotContain("Add the row", fit, StringComparison.Ordinal);
        // FitWording rewrites evaluate's phrases; a reworded evaluate option must not slip through unrewritten.
        Assert.DoesNotContain("history_mmr row", fit, StringComparison.Ordinal);
        Assert.DoesNotContain("The row \"", fit, StringComparison.Ordinal);
        Assert.DoesNotContain("A comma list gives one row per value.", fit, StringComparison.Ordinal);
        Assert.Contains("With --retriever round-robin: the learned model is DCM", fit, StringComparison.Ordinal);
        Assert.Contains("One value (evaluate takes a comma list, one row per value).", fit, StringComparison.Ordinal);
        // Report-only options are not offered by fit, so they cannot be given and ignored.
        foreach (string reportOnly in new[] { "--learned-quotas", "--dcm-mmr-lambdas", "--mix-control-margin", "--mix-warm-start" })
        {
            Assert.Contains(reportOnly, evaluate, StringComparison.Ordinal);
            Assert.DoesNotContain(reportOnly, fit, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A setting of what a command does not build is refused by name before anything is read. fit: the other learned
    /// model's (--dcm-* beside --mixture-embeddings, --mix-* beside --dcm), and the single vector's when round robin trains
    /// from scratch (only --dcm --dcm-warm-start reads it); a dimension above the largest accepted. evaluate: a row's
    /// settings without the row. Any command: more worker threads than the library accepts (1,024).
    /// </summary>
    [Theory]
    [InlineData("fit", "--retriever round-robin --mixture-embeddings --dcm-interests 7", "--dcm-interests sets the DCM model")]
    [InlineData("fit", "--retriever round-robin --dcm --mix-components 2", "--mix-components sets the mixture embeddings")]
    [InlineData("fit", "--retriever round-robin --dcm --algorithm implicit-als", "--algorithm sets the single vector (round robin reads it only with --dcm --dcm-warm-start), which this fit (--retriever round-robin --dcm) does not train")]
    [InlineData("fit", "--retriever round-robin --mixture-embeddings --dim 8", "--dim sets the single vector")]
    [InlineData("fit", "--dim 70000", "--dim must be at most 65,536, not 70000.")]
    [InlineData("fit", "--threads 1025", "--threads must be at most 1,024, not 1025.")]
    [InlineData("evaluate", "--threads 2147483647", "--threads must be at most 1,024, not 2147483647.")]
    [InlineData("recommend", "--threads 5000", "--threads must be at most 1,024, not 5000.")]
    [InlineData("fit", "--retriever round-robin --mixture-embeddings --mix-dim 50000000", "--mix-dim must be at most 65,536")]
    [InlineData("evaluate", "--dc-clusters 5", "--dc-clusters sets the --divide-conquer row, which this run does not add")]
    [InlineData("evaluate", "--dcm-interests 3", "--dcm-interests sets the --dcm row")]
    [InlineData("evaluate", "--dcm-fusion-weight-sweep 0.5", "--dcm-fusion-weight-sweep sets the --dcm row")]
    [InlineData("evaluate", "--mix-weight-gamma-sweep 0.5", "--mix-weight-gamma-sweep sets the --mixture-embeddings row")]
    [InlineData("evaluate", "--cond-epochs 2", "--cond-epochs sets the --conditional row")]
    [InlineData("evaluate", "--learned-quotas", "--learned-quotas serves the learned models' rows: add --dcm or --mixture-embeddings")]
    public void Settings_of_what_the_command_does_not_build_are_refused_by_name(string command, string options, string expected)
    {
        string[] files = command switch
        {
            "fit" => ["--train", "a.tsv", "--model", "m.zip"],
            "recommend" => ["--model", "m.zip", "--users", "u.tsv", "--out", "c.tsv"],
            _ => ["--train", "a.tsv", "--test", "b.tsv"],
        };
        var run = CliHarness.Run([command, .. files, .. options.Split(' ')]);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>
    /// A script written for fit before 1.3.0, whose default was the kNN-Embed quota pipeline, gives its flags without
    /// <c>--retriever</c>: every refusal then says the stage is the default, and a kNN-Embed flag's names the way back
    /// (<c>--retriever quota</c>), since leaving the flag out would quietly fit another pipeline than the script's. With a
    /// retriever named, the advice stays "leave it out".
    /// </summary>
    [Theory]
    [InlineData("--clusters 500", "which this fit (--retriever history-mmr, the default) does not train: add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--iterations 5", "add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--components 10", "add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--neighbors 5", "add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--lambda 0.5", "add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--neighbor-index clustered", "add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--alpha 0.5", "which this fit (--retriever history-mmr, the default) does not train: add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--head-share 0.2", "add --retriever quota (fit's default before 1.3.0), or leave it out.")]
    [InlineData("--history-vector mean", "--history-vector mean: this fit (--retriever history-mmr, the default) reads every history by its fold-in")]
    [InlineData("--cond-max 3", "--cond-max sets --retriever conditional, which this fit (--retriever history-mmr, the default) does not train")]
    [InlineData("--retriever unimodal --clusters 500", "which this fit (--retriever unimodal) does not train: leave it out.")]
    [InlineData("--retriever history-mmr --history-vector mean", "--history-vector mean: this fit (--retriever history-mmr) reads every history by its fold-in")]
    public void A_pre_1_3_script_without_a_retriever_is_told_the_default_and_the_way_back(string options, string expected)
    {
        var run = CliHarness.Run(["fit", "--train", "a.tsv", "--model", "m.zip", .. options.Split(' ')]);
        Assert.Equal(CliRunner.BadUsage, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }
}
