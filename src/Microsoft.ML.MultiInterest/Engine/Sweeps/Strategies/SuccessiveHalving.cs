namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Successive halving (Jamieson and Talwalkar 2016) with the share of validation users as the resource: n random
/// configurations are scored on 1/eta^L of the users, the best n/eta on eta times more, and so on until the last rung
/// (one or a few configurations) scores all of them. Only full-fidelity trials compete for the best.
/// </summary>
internal sealed class SuccessiveHalving : ISweepStrategy
{
    private readonly int _factor;
    private readonly int _lastRung;
    private readonly int[] _rungSizes;
    private int _rung;
    private readonly Queue<int[]> _pending = new();
    private readonly List<(int[] Indices, double Objective)> _results = new();

    public SuccessiveHalving(SweepSearchSpace space, int configurations, int factor, int seed)
    {
        _factor = factor;
        int n = (int)Math.Min(configurations, space.Size);
        var sizes = new List<int>();
        for (int size = n; size >= 1; size /= factor)
        {
            sizes.Add(size);
            if (size < factor) break;
        }
        _rungSizes = sizes.ToArray();
        _lastRung = _rungSizes.Length - 1;
        var random = new RandomSearch(space, seed);
        for (int i = 0; i < n; i++) _pending.Enqueue(random.Next()!.Indices);
    }

    /// <summary>The share of validation users of rung <paramref name="rung"/>.</summary>
    public double Fidelity(int rung) => Math.Pow(_factor, rung - _lastRung);

    public SweepProposal? Next()
    {
        if (_pending.Count == 0)
        {
            if (_rung >= _lastRung || _results.Count == 0) return null;
            _rung++;
            foreach (var (indices, _) in _results.OrderByDescending(r => r.Objective).Take(_rungSizes[_rung])) _pending.Enqueue(indices);
            _results.Clear();
        }
        return new SweepProposal(_pending.Dequeue(), Fidelity(_rung), _rung);
    }

    public void Report(SweepProposal proposal, double objective) => _results.Add((proposal.Indices, objective));
}
