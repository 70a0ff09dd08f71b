namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Sums per-user Recall@K, NDCG@K and Diversity@K for a fixed set of cutoffs, and the per-user earth
/// mover's distance, and reports their means over users.
/// </summary>
/// <remarks>
/// Not thread-safe. To evaluate in parallel, give each worker its own accumulator and combine them with
/// <see cref="Merge"/> in a fixed order: floating-point sums depend on order, so a fixed merge order
/// (for example by worker index) keeps the reported figures bit-identical from run to run.
/// </remarks>
public sealed class MetricsAccumulator
{
    private readonly int[] _cutoffs;
    private readonly double[] _recallSums;
    private readonly double[] _ndcgSums;
    private readonly double[] _diversitySums;
    private double _earthMoversDistanceSum;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="cutoffs">The list lengths K to report, strictly ascending and positive (for example 10, 20, 50).</param>
    /// <exception cref="ArgumentException">No cutoff is given, or the cutoffs are not positive and strictly ascending.</exception>
    public MetricsAccumulator(params int[] cutoffs)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (cutoffs.Length == 0) throw new ArgumentException("At least one cutoff is needed.", nameof(cutoffs));
        for (int c = 0; c < cutoffs.Length; c++)
        {
            if (cutoffs[c] < 1 || (c > 0 && cutoffs[c] <= cutoffs[c - 1]))
                throw new ArgumentException("Cutoffs must be positive and strictly ascending.", nameof(cutoffs));
        }

        _cutoffs = (int[])cutoffs.Clone();
        _recallSums = new double[cutoffs.Length];
        _ndcgSums = new double[cutoffs.Length];
        _diversitySums = new double[cutoffs.Length];
    }

    /// <summary>The cutoffs K, ascending.</summary>
    public IReadOnlyList<int> Cutoffs => _cutoffs;

    /// <summary>Number of users added (including those merged in).</summary>
    public long UserCount { get; private set; }

    /// <summary>
    /// Adds one user: Recall@K, NDCG@K and Diversity@K of the first K candidates for every cutoff K (all
    /// candidates when the list is shorter than K), and the user's earth mover's distance.
    /// </summary>
    /// <param name="candidates">The user's ranked candidate items, best first; valid rows of <paramref name="unitItems"/>.</param>
    /// <param name="heldOut">The user's held-out items, sorted ascending without duplicates; at least one.</param>
    /// <param name="unitItems">Item embeddings already scaled to unit length by the caller.</param>
    /// <param name="earthMoversDistance">The user's goodness of fit (see <see cref="RetrievalMetrics.GoodnessOfFit"/>); finite and non-negative.</param>
    /// <exception cref="ArgumentException">An input is invalid; the accumulator is then left unchanged.</exception>
    public void Add(ReadOnlySpan<int> candidates, ReadOnlySpan<int> heldOut, EmbeddingMatrix unitItems, double earthMoversDistance)
    {
        CheckDistance(earthMoversDistance);
        int count = _cutoffs.Length;
        // Compute everything before touching the sums so that a throwing input leaves no partial user.
        Span<double> recalls = count <= 64 ? stackalloc double[count] : new double[count];
        Span<double> ndcgs = count <= 64 ? stackalloc double[count] : new double[count];
        Span<double> diversities = count <= 64 ? stackalloc double[count] : new double[count];
        for (int c = 0; c < count; c++)
        {
            var top = candidates[..Math.Min(_cutoffs[c], candidates.Length)];
            recalls[c] = RetrievalMetrics.Recall(top, heldOut);
            ndcgs[c] = RetrievalMetrics.Ndcg(top, heldOut, _cutoffs[c]);
            diversities[c] = RetrievalMetrics.Diversity(top, unitItems);
        }

        Add(recalls, ndcgs, diversities, earthMoversDistance);
    }

    /// <summary>Adds one user from values already computed.</summary>
    /// <param name="recalls">Recall@K for each cutoff, in the order of <see cref="Cutoffs"/>.</param>
    /// <param name="ndcgs">NDCG@K for each cutoff (see <see cref="RetrievalMetrics.Ndcg"/>), in the order of <see cref="Cutoffs"/>.</param>
    /// <param name="diversities">Diversity@K for each cutoff, in the order of <see cref="Cutoffs"/>.</param>
    /// <param name="earthMoversDistance">The user's goodness of fit; finite and non-negative.</param>
    /// <exception cref="ArgumentException">
    /// A length does not match the cutoff count, or a value is out of range (a recall or NDCG outside [0, 1], a diversity
    /// or distance negative or not finite); the accumulator is then left unchanged.
    /// </exception>
    public void Add(ReadOnlySpan<double> recalls, ReadOnlySpan<double> ndcgs, ReadOnlySpan<double> diversities, double earthMoversDistance)
    {
        int count = _cutoffs.Length;
        if (recalls.Length != count) throw new ArgumentException($"Expected {count} recalls but got {recalls.Length}.", nameof(recalls));
        if (ndcgs.Length != count) throw new ArgumentException($"Expected {count} NDCG values but got {ndcgs.Length}.", nameof(ndcgs));
        if (diversities.Length != count) throw new ArgumentException($"Expected {count} diversities but got {diversities.Length}.", nameof(diversities));
        foreach (double r in recalls)
            if (!(r >= 0 && r <= 1)) throw new ArgumentException($"Recall must be in [0, 1] but is {r}.", nameof(recalls));
        foreach (double g in ndcgs)
            if (!(g >= 0 && g <= 1)) throw new ArgumentException($"NDCG must be in [0, 1] but is {g}.", nameof(ndcgs));
        foreach (double d in diversities)
            if (!(d >= 0 && double.IsFinite(d))) throw new ArgumentException($"Diversity must be finite and non-negative but is {d}.", nameof(diversities));
        CheckDistance(earthMoversDistance);

        for (int c = 0; c < count; c++)
        {
            _recallSums[c] += recalls[c];
            _ndcgSums[c] += ndcgs[c];
            _diversitySums[c] += diversities[c];
        }

        _earthMoversDistanceSum += earthMoversDistance;
        UserCount++;
    }

    /// <summary>
    /// Adds the users of <paramref name="other"/> to this accumulator (<paramref name="other"/> is unchanged).
    /// Merge per-thread accumulators in a fixed order for reproducible means.
    /// </summary>
    /// <param name="other">An accumulator with the same cutoffs; not this one.</param>
    /// <exception cref="ArgumentException">The cutoffs differ, or <paramref name="other"/> is this accumulator.</exception>
    public void Merge(MetricsAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this)) throw new ArgumentException("Cannot merge an accumulator into itself.", nameof(other));
        if (!_cutoffs.AsSpan().SequenceEqual(other._cutoffs))
            throw new ArgumentException("Both accumulators must have the same cutoffs.", nameof(other));
        for (int c = 0; c < _cutoffs.Length; c++)
        {
            _recallSums[c] += other._recallSums[c];
            _ndcgSums[c] += other._ndcgSums[c];
            _diversitySums[c] += other._diversitySums[c];
        }

        _earthMoversDistanceSum += other._earthMoversDistanceSum;
        UserCount += other.UserCount;
    }

    /// <summary>Mean Recall@<paramref name="cutoff"/> over users; NaN when no user was added.</summary>
    /// <param name="cutoff">One of <see cref="Cutoffs"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cutoff"/> is not tracked.</exception>
    /// <returns>The mean, or NaN.</returns>
    public double MeanRecall(int cutoff) => Mean(_recallSums[IndexOf(cutoff)]);

    /// <summary>Mean NDCG@<paramref name="cutoff"/> over users (see <see cref="RetrievalMetrics.Ndcg"/>); NaN when no user was added.</summary>
    /// <param name="cutoff">One of <see cref="Cutoffs"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cutoff"/> is not tracked.</exception>
    /// <returns>The mean, or NaN.</returns>
    public double MeanNdcg(int cutoff) => Mean(_ndcgSums[IndexOf(cutoff)]);

    /// <summary>Mean Diversity@<paramref name="cutoff"/> over users; NaN when no user was added.</summary>
    /// <param name="cutoff">One of <see cref="Cutoffs"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cutoff"/> is not tracked.</exception>
    /// <returns>The mean, or NaN.</returns>
    public double MeanDiversity(int cutoff) => Mean(_diversitySums[IndexOf(cutoff)]);

    /// <summary>Mean earth mover's distance (goodness of fit) over users; NaN when no user was added.</summary>
    public double MeanEarthMoversDistance => Mean(_earthMoversDistanceSum);

    private double Mean(double sum) => UserCount == 0 ? double.NaN : sum / UserCount;

    private int IndexOf(int cutoff)
    {
        int index = Array.IndexOf(_cutoffs, cutoff);
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff, "This cutoff is not tracked.");
        return index;
    }

    private static void CheckDistance(double earthMoversDistance)
    {
        if (!(earthMoversDistance >= 0 && double.IsFinite(earthMoversDistance)))
            throw new ArgumentException($"The earth mover's distance must be finite and non-negative but is {earthMoversDistance}.", nameof(earthMoversDistance));
    }
}
