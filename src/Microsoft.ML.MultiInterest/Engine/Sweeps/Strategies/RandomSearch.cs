namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Configurations drawn uniformly without replacement (seeded).</summary>
internal sealed class RandomSearch : ISweepStrategy
{
    /// <summary>Spaces up to this size are shuffled whole; larger ones are drawn with a memory of the drawn.</summary>
    private const long ShuffleLimit = 1 << 20;

    /// <summary>Consecutive repeated draws after which a huge space counts as exhausted.</summary>
    private const int MaxRepeats = 1000;

    private readonly SweepSearchSpace _space;
    private readonly Random _random;
    private readonly long[]? _order;
    private readonly HashSet<string> _drawn = new();
    private long _next;

    public RandomSearch(SweepSearchSpace space, int seed)
    {
        _space = space;
        _random = new Random(seed);
        if (space.Size > ShuffleLimit) return;
        _order = new long[space.Size];
        for (long i = 0; i < _order.Length; i++) _order[i] = i;
        for (long i = _order.Length - 1; i > 0; i--)
        {
            long j = _random.NextInt64(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    public SweepProposal? Next()
    {
        if (_order != null) return _next < _order.Length ? new SweepProposal(SweepStrategies.FromOrdinal(_space, _order[_next++])) : null;
        for (int attempt = 0; attempt < MaxRepeats; attempt++)
        {
            var indices = SweepStrategies.Draw(_space, _random);
            if (_drawn.Add(SweepStrategies.Key(indices))) return new SweepProposal(indices);
        }
        return null;
    }

    public void Report(SweepProposal proposal, double objective)
    {
    }
}
