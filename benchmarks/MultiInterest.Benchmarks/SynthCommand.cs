using System.CommandLine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>synth --edges N [--seed N --communities N --tail X --zipf X --noise X --max-interests N --out DIR]</c>: generates a
/// synthetic power-law graph with planted communities in memory, splits it, and reports its shape and the seconds
/// taken as JSON; with <c>--out</c> it also writes the split as TSV files (for small graphs: smoke tests, <c>evaluate</c>).
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var graph = new SyntheticFlags();
        var seed = BenchOpt.Count("--seed", new SyntheticGraphOptions().Seed, "Seed of the generator and the split.");
        var output = Opt.Path("--out", "Also write train.tsv.gz, test.tsv.gz and planted_clusters.tsv (small graphs only).", "DIR");
        var command = new Command("synth", "Synthetic power-law graph with planted communities (cit-HepPh's ~34k users and ~28k items per 330k edges), "
            + "generated in memory and split by the protocol's hold-out; reports its shape.")
            .With([.. graph.All, seed, output]);
        command.SetAction(r => Run(graph.Read(r, r.Value(seed)), r.Value(output)));
        return command;
    }

    private static int Run(SyntheticGraphOptions options, string? outDirectory)
    {
        var build = SyntheticBuild.Create(options);
        if (outDirectory != null) SyntheticFiles.Write(outDirectory, build.Train, build.Test, build.Graph.ItemCommunity);
        JsonReport.Print(new
        {
            Graph = build.Describe(options),
            GenerateSeconds = JsonReport.Round(build.GenerateSeconds),
            SplitSeconds = JsonReport.Round(build.SplitSeconds),
            Written = outDirectory,
            Memory = MemoryProbe.Take(),
        });
        return 0;
    }
}
