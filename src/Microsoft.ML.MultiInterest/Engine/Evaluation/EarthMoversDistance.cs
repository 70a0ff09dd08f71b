namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Exact earth mover's distance (Wasserstein-1) between two weighted point sets, with the Euclidean
/// distance as ground cost. It solves the transportation problem exactly by successive shortest
/// augmenting paths on the bipartite residual graph; it is not an entropic or greedy approximation.
/// </summary>
/// <remarks>
/// <para>
/// Both weight vectors are normalised to sum 1 inside, so only their proportions matter: the result is
/// the cost of moving one unit of mass. Distances are computed and accumulated in double.
/// </para>
/// <para>
/// The solver is tuned for few points on one side (a user's components, 5 or so) and many on the other
/// (held-out items, up to a few hundred): with m the smaller and n the larger side, every shortest-path
/// search runs Bellman-Ford over the m points only, in O(m·n + m³) per augmentation, and there are
/// typically about n augmentations. A single point on either side is answered directly (the weighted
/// mean distance).
/// </para>
/// <para>
/// Robustness: masses and flows at or below 1e-12 count as zero, so every augmentation moves more than
/// that much mass and the solver terminates; the error this introduces is at most about 1e-12 times the
/// largest distance per point.
/// </para>
/// <para>
/// An instance keeps its buffers between calls to avoid allocating per user. It is not thread-safe: use
/// one instance per thread.
/// </para>
/// </remarks>
public sealed class EarthMoversDistance
{
    // Mass at or below this is treated as zero: it bounds the number of augmentations (each moves more).
    private const double MassEpsilon = 1e-12;

    // Path-cost improvements smaller than this are ties, resolved towards fewer hops.
    private const double CostTolerance = 1e-12;

    private const int NoPredecessor = -1;
    private const int SameAsPreviousRound = -2;

    // Inside the solver "sources" are the smaller side (s rows) and "targets" the larger (t columns).
    private double[] _cost = [];       // s x t ground costs, row-major
    private double[] _flow = [];       // s x t flow
    private double[] _supply = [];     // remaining mass per source
    private double[] _demand = [];     // remaining mass per target
    private double[] _transfer = [];   // s x s: cheapest source-to-source move through one target
    private int[] _transferVia = [];   // s x s: the target realising _transfer
    private double[] _distance = [];   // rounds x s: Bellman-Ford distances from sources with supply
    private int[] _predecessor = [];   // rounds x s: previous source, or a marker
    private int[] _predecessorVia = []; // rounds x s: target between the previous source and this one

    /// <summary>
    /// The earth mover's distance between weighted source points and weighted target points.
    /// </summary>
    /// <param name="sourcePoints">Source points as consecutive rows of <paramref name="dimension"/> floats.</param>
    /// <param name="sourceWeights">One non-negative weight per source point; normalised to sum 1 inside.</param>
    /// <param name="targetPoints">Target points as consecutive rows of <paramref name="dimension"/> floats.</param>
    /// <param name="targetWeights">One non-negative weight per target point; normalised to sum 1 inside.</param>
    /// <param name="dimension">Number of coordinates per point; at least 1.</param>
    /// <returns>The minimum cost of transporting the (normalised) source mass onto the target mass.</returns>
    /// <exception cref="ArgumentException">
    /// A weight is negative or NaN, the weights of a side are all zero (or sum to infinity), a point span's
    /// length does not match its weight count times <paramref name="dimension"/>, or a coordinate is not finite.
    /// </exception>
    public double Compute(
        ReadOnlySpan<float> sourcePoints,
        ReadOnlySpan<double> sourceWeights,
        ReadOnlySpan<float> targetPoints,
        ReadOnlySpan<double> targetWeights,
        int dimension)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Dimension must be at least 1.");
        int s = sourceWeights.Length;
        int t = targetWeights.Length;
        CheckPoints(sourcePoints, s, dimension, nameof(sourcePoints));
        CheckPoints(targetPoints, t, dimension, nameof(targetPoints));
        // The problem is symmetric; the search is cheap in the number of rows, so the smaller side is the rows.
        bool swap = s > t;
        int rows = swap ? t : s, columns = swap ? s : t;
        EnsureCapacity(rows, columns);
        NormalizeInto(sourceWeights, swap ? _demand : _supply, nameof(sourceWeights));
        NormalizeInto(targetWeights, swap ? _supply : _demand, nameof(targetWeights));

        for (int i = 0; i < s; i++)
        {
            var a = sourcePoints.Slice(i * dimension, dimension);
            for (int j = 0; j < t; j++)
            {
                double c = EuclideanDistance(a, targetPoints.Slice(j * dimension, dimension));
                _cost[swap ? j * s + i : i * t + j] = c;
            }
        }

        return Solve(rows, columns);
    }

    /// <summary>
    /// The earth mover's distance between weighted source points and the uniform distribution over the
    /// rows <paramref name="targetRows"/> of <paramref name="targets"/> (each listed row gets mass 1/t;
    /// a row listed twice gets twice the mass).
    /// </summary>
    /// <param name="sourcePoints">Source points as consecutive rows of <c>targets.Dimension</c> floats.</param>
    /// <param name="sourceWeights">One non-negative weight per source point; normalised to sum 1 inside.</param>
    /// <param name="targets">The table the target points are read from.</param>
    /// <param name="targetRows">The rows of <paramref name="targets"/> that form the target distribution; at least one.</param>
    /// <returns>The minimum cost of transporting the (normalised) source mass onto the uniform target mass.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Compute"/>, or <paramref name="targetRows"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target row is outside the table.</exception>
    public double ComputeToUniform(
        ReadOnlySpan<float> sourcePoints,
        ReadOnlySpan<double> sourceWeights,
        EmbeddingMatrix targets,
        ReadOnlySpan<int> targetRows)
    {
        ArgumentNullException.ThrowIfNull(targets);
        int dimension = targets.Dimension;
        int s = sourceWeights.Length;
        int t = targetRows.Length;
        if (t == 0) throw new ArgumentException("At least one target row is needed.", nameof(targetRows));
        CheckPoints(sourcePoints, s, dimension, nameof(sourcePoints));
        bool swap = s > t; // keep the smaller side as the rows, as in Compute
        int rows = swap ? t : s, columns = swap ? s : t;
        EnsureCapacity(rows, columns);
        NormalizeInto(sourceWeights, swap ? _demand : _supply, nameof(sourceWeights));
        var uniform = (swap ? _supply : _demand).AsSpan(0, t);
        uniform.Fill(1.0 / t);

        for (int j = 0; j < t; j++)
        {
            int row = targetRows[j];
            if ((uint)row >= (uint)targets.Rows)
                throw new ArgumentOutOfRangeException(nameof(targetRows), row, $"Target row must be in [0, {targets.Rows}).");
            var b = targets.ReadRow(row);
            CheckFinite(b, nameof(targets));
            for (int i = 0; i < s; i++)
            {
                double c = EuclideanDistance(sourcePoints.Slice(i * dimension, dimension), b);
                _cost[swap ? j * s + i : i * t + j] = c;
            }
        }

        return Solve(rows, columns);
    }

    /// <summary>Solves the transportation problem held in the buffers (costs, supplies, demands).</summary>
    private double Solve(int s, int t)
    {
        // One side is a single point: every unit of mass must travel to (or from) it.
        if (s == 1) return WeightedSum(_demand.AsSpan(0, t), _cost.AsSpan(0, t));
        if (t == 1) return WeightedSum(_supply.AsSpan(0, s), _cost.AsSpan(0, s));

        var flow = _flow.AsSpan(0, s * t);
        flow.Clear();
        while (true)
        {
            if (!AnyAbove(_supply.AsSpan(0, s)) || !AnyAbove(_demand.AsSpan(0, t))) break;
            int rounds = ShortestDistancesToSources(s, t);
            if (!FindCheapestEnd(s, t, rounds, out int endSource, out int endTarget)) break; // unreachable in a complete bipartite graph
            Augment(s, t, rounds, endSource, endTarget);
        }

        double total = 0;
        for (int k = 0; k < s * t; k++) total += flow[k] * _cost[k];
        return total;
    }

    /// <summary>
    /// Bellman-Ford over the sources: distance 0 for sources with supply left, and an edge i -> i2
    /// for every target j that currently receives flow from i2 (move mass from i to j, cancel i2 -> j).
    /// Round r holds the best distances using at most r such moves; predecessors are kept per round so
    /// that a path read back always descends through the rounds and cannot loop.
    /// </summary>
    /// <returns>The last round computed.</returns>
    private int ShortestDistancesToSources(int s, int t)
    {
        var transfer = _transfer.AsSpan(0, s * s);
        transfer.Fill(double.PositiveInfinity);
        for (int i2 = 0; i2 < s; i2++)
        {
            var flowRow = _flow.AsSpan(i2 * t, t);
            var costRow = _cost.AsSpan(i2 * t, t);
            for (int j = 0; j < t; j++)
            {
                if (flowRow[j] <= MassEpsilon) continue;
                for (int i = 0; i < s; i++)
                {
                    if (i == i2) continue;
                    double move = _cost[i * t + j] - costRow[j];
                    if (move < transfer[i * s + i2])
                    {
                        transfer[i * s + i2] = move;
                        _transferVia[i * s + i2] = j;
                    }
                }
            }
        }

        for (int i = 0; i < s; i++)
        {
            _distance[i] = _supply[i] > MassEpsilon ? 0 : double.PositiveInfinity;
            _predecessor[i] = NoPredecessor;
        }

        int round = 0;
        for (int r = 1; r < s; r++)
        {
            bool changed = false;
            int previous = (r - 1) * s;
            int current = r * s;
            for (int i2 = 0; i2 < s; i2++)
            {
                _distance[current + i2] = _distance[previous + i2];
                _predecessor[current + i2] = SameAsPreviousRound;
            }

            for (int i = 0; i < s; i++)
            {
                double di = _distance[previous + i];
                if (double.IsPositiveInfinity(di)) continue;
                for (int i2 = 0; i2 < s; i2++)
                {
                    double w = transfer[i * s + i2];
                    if (double.IsPositiveInfinity(w)) continue;
                    double candidate = di + w;
                    // Only a clear improvement counts, so near-ties keep the path with fewer moves.
                    if (candidate < _distance[current + i2] - CostTolerance)
                    {
                        _distance[current + i2] = candidate;
                        _predecessor[current + i2] = i;
                        _predecessorVia[current + i2] = _transferVia[i * s + i2];
                        changed = true;
                    }
                }
            }

            round = r;
            if (!changed) break;
        }

        return round;
    }

    /// <summary>The cheapest final hop from a reached source to a target that still needs mass.</summary>
    private bool FindCheapestEnd(int s, int t, int round, out int endSource, out int endTarget)
    {
        endSource = -1;
        endTarget = -1;
        double best = double.PositiveInfinity;
        int bestHops = int.MaxValue;
        var demand = _demand.AsSpan(0, t);
        for (int i = 0; i < s; i++)
        {
            double di = _distance[round * s + i];
            if (double.IsPositiveInfinity(di)) continue;
            int hops = HopCount(s, round, i);
            var costRow = _cost.AsSpan(i * t, t);
            for (int j = 0; j < t; j++)
            {
                if (demand[j] <= MassEpsilon) continue;
                double value = di + costRow[j];
                // Clearly cheaper wins; within the tolerance the path with fewer moves wins.
                if (value < best - CostTolerance || (value <= best + CostTolerance && hops < bestHops))
                {
                    best = value;
                    bestHops = hops;
                    endSource = i;
                    endTarget = j;
                }
            }
        }

        return endSource >= 0;
    }

    /// <summary>Number of source-to-source moves on the stored path ending at <paramref name="source"/>.</summary>
    private int HopCount(int s, int round, int source)
    {
        int hops = 0;
        for (int r = round; r > 0; r--)
        {
            int p = _predecessor[r * s + source];
            if (p == SameAsPreviousRound) continue;
            hops++;
            source = p;
        }

        return hops;
    }

    /// <summary>Pushes the largest possible amount of mass along the stored path to <paramref name="endTarget"/>.</summary>
    private void Augment(int s, int t, int round, int endSource, int endTarget)
    {
        double delta = _demand[endTarget];
        int source = endSource;
        for (int r = round; r > 0; r--)
        {
            int p = _predecessor[r * s + source];
            if (p == SameAsPreviousRound) continue;
            delta = Math.Min(delta, _flow[source * t + _predecessorVia[r * s + source]]);
            source = p;
        }

        delta = Math.Min(delta, _supply[source]);

        _flow[endSource * t + endTarget] += delta;
        _demand[endTarget] -= delta;
        source = endSource;
        for (int r = round; r > 0; r--)
        {
            int p = _predecessor[r * s + source];
            if (p == SameAsPreviousRound) continue;
            int via = _predecessorVia[r * s + source];
            _flow[source * t + via] -= delta; // cancel source -> via ...
            _flow[p * t + via] += delta;      // ... and send it from the previous source instead
            source = p;
        }

        _supply[source] -= delta;
    }

    private static bool AnyAbove(ReadOnlySpan<double> mass)
    {
        foreach (double m in mass)
            if (m > MassEpsilon) return true;
        return false;
    }

    private static double WeightedSum(ReadOnlySpan<double> weights, ReadOnlySpan<double> costs)
    {
        double total = 0;
        for (int k = 0; k < weights.Length; k++) total += weights[k] * costs[k];
        return total;
    }

    private static double EuclideanDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double d = (double)a[k] - b[k];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }

    private void EnsureCapacity(int s, int t)
    {
        int cells = checked(s * t);
        if (_cost.Length < cells)
        {
            _cost = new double[cells];
            _flow = new double[cells];
        }

        if (_supply.Length < s)
        {
            _supply = new double[s];
            _transfer = new double[s * s];
            _transferVia = new int[s * s];
            _distance = new double[s * s];
            _predecessor = new int[s * s];
            _predecessorVia = new int[s * s];
        }

        if (_demand.Length < t) _demand = new double[t];
    }

    private static void CheckPoints(ReadOnlySpan<float> points, int count, int dimension, string name)
    {
        if (points.Length != (long)count * dimension)
            throw new ArgumentException($"Expected {count} points x {dimension} = {(long)count * dimension} values but got {points.Length}.", name);
        CheckFinite(points, name);
    }

    private static void CheckFinite(ReadOnlySpan<float> values, string name)
    {
        foreach (float v in values)
            if (!float.IsFinite(v)) throw new ArgumentException($"Point coordinates must be finite but found {v}.", name);
    }

    /// <summary>Validates weights and writes them, divided by their sum, into <paramref name="destination"/>.</summary>
    private static void NormalizeInto(ReadOnlySpan<double> weights, Span<double> destination, string name)
    {
        if (weights.Length == 0) throw new ArgumentException("At least one point is needed.", name);
        double sum = 0;
        foreach (double w in weights)
        {
            if (!(w >= 0)) throw new ArgumentException($"Weights must be non-negative numbers but found {w}.", name);
            sum += w;
        }

        if (!(sum > 0) || double.IsPositiveInfinity(sum))
            throw new ArgumentException($"Weights must have a positive finite sum but the sum is {sum}.", name);
        for (int k = 0; k < weights.Length; k++) destination[k] = weights[k] / sum;
    }
}
