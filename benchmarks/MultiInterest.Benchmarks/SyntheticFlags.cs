using System.CommandLine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary><c>--edges --communities --tail --zipf --noise --max-interests</c> of <c>synth</c> and <c>scale</c> (the seed is the command's --seed).</summary>
internal sealed class SyntheticFlags
{
    private static readonly SyntheticGraphOptions Defaults = new();

    public CliOption<int> Edges { get; } = BenchOpt.RequiredCount("--edges", "Edges of the synthetic graph (k and M suffixes: 100k, 1M, 20M).", min: 1);

    public CliOption<int> Communities { get; } = BenchOpt.Count("--communities", Defaults.Communities, "Planted communities (0 = min(2000, items/14)).", min: 0);

    public CliOption<double> Tail { get; } = Opt.Double("--tail", Defaults.DegreeTail, "Power-law exponent of the user degrees.");

    public CliOption<double> Zipf { get; } = Opt.Double("--zipf", Defaults.PopularityExponent, "Zipf exponent of the item popularity.");

    public CliOption<double> Noise { get; } = Opt.Double("--noise", Defaults.Noise, "Share of edges outside the user's communities.", min: 0, max: 1);

    public CliOption<int> MaxInterests { get; } = BenchOpt.Count("--max-interests", Defaults.MaxInterests, "Most communities per user.", min: 1);

    /// <summary>Every option of the group.</summary>
    public IReadOnlyList<Option> All { get; }

    public SyntheticFlags() => All = [Edges, Communities, Tail, Zipf, Noise, MaxInterests];

    /// <summary>The graph's options, validated.</summary>
    public SyntheticGraphOptions Read(ParseResult r, int seed)
    {
        var options = new SyntheticGraphOptions
        {
            Edges = r.Value(Edges),
            Seed = seed,
            Communities = r.Value(Communities),
            DegreeTail = r.Value(Tail),
            PopularityExponent = r.Value(Zipf),
            Noise = r.Value(Noise),
            MaxInterests = r.Value(MaxInterests),
        };
        BenchOpt.Validate(options.Validate, "Synthetic graph option");
        return options;
    }
}
