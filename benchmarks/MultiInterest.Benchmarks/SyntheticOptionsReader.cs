namespace MultiInterest.Benchmarks;

/// <summary>Reads <see cref="SyntheticGraphOptions"/> from <c>--edges --seed --communities --tail --zipf --noise --max-interests</c>.</summary>
internal static class SyntheticOptionsReader
{
    /// <summary>The options; <c>--edges</c> is required (k and M suffixes allowed: 1M, 5M, 20M).</summary>
    public static SyntheticGraphOptions Read(OptionList o)
    {
        var defaults = new SyntheticGraphOptions();
        var options = new SyntheticGraphOptions
        {
            Edges = o.Int("edges", 0),
            Seed = o.Int("seed", 1),
            Communities = o.Int("communities", 0),
            DegreeTail = o.Double("tail", defaults.DegreeTail),
            PopularityExponent = o.Double("zipf", defaults.PopularityExponent),
            Noise = o.Double("noise", defaults.Noise),
            MaxInterests = o.Int("max-interests", defaults.MaxInterests),
        };
        if (options.Edges == 0) throw new ArgumentException("--edges N is required (e.g. 1M, 5M, 20M).");
        options.Validate();
        return options;
    }
}
