namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>synth --edges N [--seed N --communities N --tail X --zipf X --noise X --max-interests N --out DIR]</c>: generates a
/// synthetic power-law graph with planted communities in memory, splits it, and reports its shape and the seconds
/// taken as JSON; with <c>--out</c> it also writes the split as TSV files (for small graphs: smoke tests, <c>evaluate</c>).
/// </summary>
internal static class SynthCommand
{
    public static int Run(string[] args)
    {
        var o = new OptionList(args);
        var options = SyntheticOptionsReader.Read(o);
        string? outDirectory = o.String("out");
        o.RejectUnknown();

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
