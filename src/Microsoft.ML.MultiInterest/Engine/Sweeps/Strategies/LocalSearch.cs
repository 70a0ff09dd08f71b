namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A cost-frugal local search in the spirit of FLAML's CFO (Wu, Wang, Huang 2021), over the discrete space: it starts at
/// the configuration nearest the defaults (cheap, known-good), tries its neighbours one parameter one step away in a
/// seeded random order, moves to the first that improves the objective, and at a local optimum (no neighbour improves)
/// restarts from a random configuration not tried yet. Each configuration is evaluated once.
/// </summary>
internal sealed class LocalSearch : ISweepStrategy
{
    private readonly SweepSearchSpace _space;
    private readonly Random _random;
    private readonly Dictionary<string, double> _scores = new();
    private int[] _current;
    private double _currentScore = double.NegativeInfinity;
    private bool _currentScored;
    private Queue<int[]> _neighbours = new();

    public LocalSearch(SweepSearchSpace space, int[] start, int seed)
    {
        _space = space;
        _random = new Random(seed);
        _current = start;
    }

    public SweepProposal? Next()
    {
        while (true)
        {
            if (!_currentScored)
            {
                if (_scores.TryGetValue(SweepStrategies.Key(_current), out double known)) Arrive(known);
                else return new SweepProposal(_current);
                continue;
            }
            while (_neighbours.Count > 0)
            {
                var candidate = _neighbours.Dequeue();
                if (!_scores.TryGetValue(SweepStrategies.Key(candidate), out double known)) return new SweepProposal(candidate);
                if (known > _currentScore)
                {
                    _current = candidate;
                    Arrive(known);
                }
            }
            // A local optimum: restart somewhere new, if anything is left.
            var restart = Unvisited();
            if (restart == null) return null;
            _current = restart;
            _currentScored = false;
        }
    }

    public void Report(SweepProposal proposal, double objective)
    {
        _scores[SweepStrategies.Key(proposal.Indices)] = objective;
        if (!_currentScored && SweepStrategies.Key(proposal.Indices) == SweepStrategies.Key(_current)) Arrive(objective);
        else if (_currentScored && objective > _currentScore)
        {
            _current = proposal.Indices;
            Arrive(objective);
        }
    }

    /// <summary>Records the score of the current configuration and queues its untried neighbours in a random order.</summary>
    private void Arrive(double score)
    {
        _currentScore = score;
        _currentScored = true;
        var moves = new List<int[]>();
        for (int p = 0; p < _current.Length; p++)
        {
            foreach (int step in new[] { -1, 1 })
            {
                int value = _current[p] + step;
                if (value < 0 || value >= _space.Parameters[p].Values.Count) continue;
                var next = (int[])_current.Clone();
                next[p] = value;
                moves.Add(next);
            }
        }
        for (int i = moves.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (moves[i], moves[j]) = (moves[j], moves[i]);
        }
        _neighbours = new Queue<int[]>(moves);
    }

    private int[]? Unvisited()
    {
        long size = _space.Size;
        if (_scores.Count >= size) return null;
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            var draw = SweepStrategies.Draw(_space, _random);
            if (!_scores.ContainsKey(SweepStrategies.Key(draw))) return draw;
        }
        if (size > 1 << 20) return null;
        for (long o = 0; o < size; o++)
        {
            var indices = SweepStrategies.FromOrdinal(_space, o);
            if (!_scores.ContainsKey(SweepStrategies.Key(indices))) return indices;
        }
        return null;
    }
}
