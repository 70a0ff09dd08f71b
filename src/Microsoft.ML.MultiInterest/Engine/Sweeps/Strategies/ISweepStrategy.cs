namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>A configuration to evaluate: one value index per parameter of the space, and the share of validation users to score.</summary>
internal sealed record SweepProposal(int[] Indices, double Fidelity = 1, int Rung = 0);

/// <summary>
/// A search strategy, ask-and-tell: <see cref="Next"/> proposes a configuration (null when nothing is left),
/// <see cref="Report"/> gives back its objective. The runner calls them alternately, one trial at a time.
/// </summary>
internal interface ISweepStrategy
{
    SweepProposal? Next();

    void Report(SweepProposal proposal, double objective);
}

/// <summary>Creates the strategy an option names.</summary>
internal static class SweepStrategies
{
    public static ISweepStrategy Create(SweepStrategy strategy, SweepSearchSpace space, SweepOptions options, int[] start, int seed) => strategy switch
    {
        SweepStrategy.Grid => new GridSearch(space),
        SweepStrategy.Random => new RandomSearch(space, seed),
        SweepStrategy.SuccessiveHalving => new SuccessiveHalving(space, options.HalvingConfigurations, options.HalvingFactor, seed),
        SweepStrategy.LocalSearch => new LocalSearch(space, start, seed),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Strategy is not a known strategy."),
    };

    /// <summary>A key of a configuration's indices.</summary>
    public static string Key(int[] indices) => string.Join(",", indices);

    /// <summary>Configuration number <paramref name="ordinal"/> of the grid (last parameter fastest).</summary>
    public static int[] FromOrdinal(SweepSearchSpace space, long ordinal)
    {
        var indices = new int[space.Parameters.Count];
        for (int p = indices.Length - 1; p >= 0; p--)
        {
            int n = space.Parameters[p].Values.Count;
            indices[p] = (int)(ordinal % n);
            ordinal /= n;
        }
        return indices;
    }

    /// <summary>A uniformly drawn configuration.</summary>
    public static int[] Draw(SweepSearchSpace space, Random random) =>
        space.Parameters.Select(p => random.Next(p.Values.Count)).ToArray();
}
