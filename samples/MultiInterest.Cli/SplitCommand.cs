using System.CommandLine;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary><c>split</c>: the protocol's hold-out applied to a user's own edge file.</summary>
internal static class SplitCommand
{
    /// <summary>The seed of the split unless --seed is given (the one the repository's splits were made with).</summary>
    public static readonly int Seed = new HoldOutSplitOptions().Seed;

    public static Command Create(CliConsole console)
    {
        var edges = Opt.InputFile("--edges", "Edge file to split (user<TAB>item, header line, .gz allowed).", required: true);
        var train = Opt.Path("--train", "Where to write the training edges.", required: true);
        var test = Opt.Path("--test", "Where to write the held-out edges.", required: true);
        var seed = Opt.Int("--seed", Seed, "Seed of the hold-out.");
        var keepSelfLoops = Opt.Flag("--keep-self-loops",
            "Keep edges whose user id equals their item id. The protocol drops them (self-citations, where both ids name papers); "
            + "keep them when users and items are numbered separately, where such a pair is a real edge.");
        var command = new Command("split", "The protocol's per-user hold-out of an edge file: each user with at least 3 distinct edges holds out 20% of them "
            + "(rounded up), drawn at random with --seed (the file's line order, such as time, is not used); a held-out edge whose item would then be "
            + "missing from training goes back to training; repeated (user, item) pairs count once (in a file with weights, their weights added); self-loops are dropped unless --keep-self-loops.") { edges, train, test, seed, keepSelfLoops };
        command.SetAction(r =>
        {
            Opt.CheckInputFiles(r);
            OutputFile.CheckNotOverwriting(Opt.InputFiles(r), ("--train", r.Value(train)), ("--test", r.Value(test)));
            OutputFile.CheckWritable(r.Value(train)!, "--train");
            OutputFile.CheckWritable(r.Value(test)!, "--test");
            return Run(r.Value(edges)!, r.Value(train)!, r.Value(test)!, r.Value(seed), r.GetValue(keepSelfLoops), console.Out, console.Error);
        });
        return command;
    }

    private static int Run(string edges, string train, string test, int seed, bool keepSelfLoops, TextWriter log, TextWriter warnings)
    {
        var options = new HoldOutSplitOptions { Seed = seed, DropSelfLoops = !keepSelfLoops };
        var split = HoldOutSplitter.Split(EdgeFile.Read(edges), options);
        OutputFile.WriteBothReplacing(train, path => EdgeFile.Write(path, split.Train), test, path => EdgeFile.Write(path, split.Test));
        log.WriteLine($"{split.Train.Count:N0} training edges -> {train}; {split.Test.Count:N0} test edges -> {test}; {split.ReturnedToTraining:N0} returned to training (item unseen); seed {seed}.");
        if (keepSelfLoops)
        {
            int kept = split.Train.Count(e => e.User == e.Item) + split.Test.Count(e => e.User == e.Item);
            if (kept > 0) log.WriteLine($"{kept:N0} pairs with user id = item id kept as edges (--keep-self-loops).");
        }
        if (split.Test.Count == 0)
            warnings.WriteLine($"warning: nothing was held out, so '{test}' holds no edges (a user needs {options.MinimumUserEdges} or more distinct edges to hold any "
                + "out, and an edge whose item would then be missing from training goes back to it); evaluate needs at least one test edge.");
        TrainingFileChecks.WarnColumnsNotWritten(edges, warnings);
        // Say what was left out, so that no edge goes missing silently.
        if (split.DuplicatesDropped > 0)
            warnings.WriteLine($"{Counted.Of(split.DuplicatesDropped, "repeated (user, item) line")} merged into the pair's first line (each pair is kept once; "
                + "in a file with weights, with the weights added, as the library's graphs add the weights of repeats).");
        if (split.SelfLoopsDropped > 0)
            warnings.WriteLine($"{split.SelfLoopsDropped:N0} self-loops left out (user id = item id). If users and items are numbered separately these are real edges: "
                + "add --keep-self-loops.");
        return 0;
    }
}
