namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Keeps the <c>k</c> best (score, index) pairs seen so far in a bounded min-heap. Higher scores win;
/// equal scores go to the lower index, which is the row-order tie rule of the evaluation protocol.
/// Scores within <see cref="RelativeTolerance"/> of each other count as equal, so that last-bit rounding
/// (a different summation order, float against double) never decides an order the protocol calls a tie.
/// Reusable: call <see cref="Reset"/> between queries; nothing is allocated per offer.
/// Not thread-safe: use one selector per thread.
/// </summary>
internal sealed class TopKSelector
{
    private readonly float[] _scores;
    private readonly int[] _indices;
    private int _count;
    private int _k;

    // Set by Load: the held pairs are sorted worst first (a valid heap), so Drain can copy them.
    private bool _sorted;

    /// <summary>Creates a selector able to keep up to <paramref name="capacity"/> pairs.</summary>
    public TopKSelector(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _scores = new float[capacity];
        _indices = new int[capacity];
        _k = capacity;
    }

    /// <summary>How many pairs are held now.</summary>
    public int Count => _count;

    /// <summary>The number of pairs kept at most since the last <see cref="Reset"/>.</summary>
    public int K => _k;

    /// <summary>Empties the selector and sets how many pairs to keep (at most the capacity).</summary>
    public void Reset(int k)
    {
        if ((uint)k > (uint)_scores.Length) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be within 0..{_scores.Length}.");
        _k = k;
        _count = 0;
        _sorted = false;
    }

    /// <summary>
    /// Empties the selector and holds the given pairs instead, best first: what it holds after every eligible pair was
    /// offered, when the caller has proven that list (<see cref="CertifiedRanking"/>). At most <see cref="K"/> pairs,
    /// ranked strictly by <see cref="Better"/>; <see cref="Drain"/> then copies them back without sifting.
    /// </summary>
    public void Load(ReadOnlySpan<int> indices, ReadOnlySpan<float> scores)
    {
        int n = indices.Length;
        if (scores.Length != n) throw new ArgumentException("Every index needs a score.", nameof(scores));
        if (n > _k) throw new ArgumentOutOfRangeException(nameof(indices), n, $"At most k = {_k} pairs can be held.");
        // Worst first: every later slot is better than the earlier ones, so each child is better than its parent.
        for (int i = 0; i < n; i++)
        {
            _scores[i] = scores[n - 1 - i];
            _indices[i] = indices[n - 1 - i];
        }
        _count = n;
        _sorted = true;
    }

    /// <summary>
    /// Scores closer than this fraction of their magnitude are ties: about two float ulps, enough to absorb
    /// a different summation order of the same vectors, too little to reorder genuinely different scores.
    /// </summary>
    public const float RelativeTolerance = 2e-7f;

    /// <summary>
    /// A cheap pre-check for hot loops: false when <paramref name="score"/> cannot enter whatever its index.
    /// </summary>
    public bool MightEnter(float score)
    {
        if (_count < _k) return _k > 0;
        float worst = _scores[0];
        return score >= worst - RelativeTolerance * Math.Max(Math.Abs(score), Math.Abs(worst));
    }

    /// <summary>
    /// A bound for vectorised pre-filters: a score below it cannot enter (<see cref="MightEnter"/> is false for it),
    /// whatever its index. Negative infinity while the selector is not full, positive infinity when k is 0. It lies
    /// four times the tie tolerance below the worst held score, a margin that covers the tolerance test for scores of
    /// either sign and the rounding of the bound itself.
    /// </summary>
    public float EntryBound
    {
        get
        {
            if (_k == 0) return float.PositiveInfinity;
            if (_count < _k) return float.NegativeInfinity;
            float worst = _scores[0];
            return worst - 4 * RelativeTolerance * Math.Abs(worst);
        }
    }

    /// <summary>True when (a, ia) ranks before (b, ib): a clearly higher score, or a tie and the lower index.</summary>
    /// <remarks>
    /// The contract every ranking of the library relies on:
    /// <list type="bullet">
    /// <item>Irreflexive and antisymmetric: <c>Better(a, i, a, i)</c> is false, and at most one of <c>Better(x, y)</c>,
    /// <c>Better(y, x)</c> holds; for distinct indices exactly one does.</item>
    /// <item>A total order wherever scores are either within the tolerance of each other or clearly apart. It is not
    /// transitive across a chain of near-ties (a ≈ b, b ≈ c, a clearly above c): there the kept set equals an exact
    /// sort's except for near-tied pairs at the boundary, and which of those stay may depend on the order of offers.
    /// Every path of the library offers in index order, so its lists are reproducible.</item>
    /// <item>Scores must be finite: a NaN compares as a tie with everything and would be ordered by index alone. Inputs
    /// are checked for non-finite values where they enter (embedding tables, weights), so no NaN reaches here.</item>
    /// </list>
    /// </remarks>
    public static bool Better(float a, int ia, float b, int ib)
    {
        float tolerance = RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b));
        if (a > b + tolerance) return true;
        if (b > a + tolerance) return false;
        return ia < ib;
    }

    /// <summary>Offers one pair.</summary>
    public void Offer(float score, int index)
    {
        _sorted = false;
        if (_count < _k)
        {
            int i = _count++;
            // Sift up: the root holds the worst pair.
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Better(_scores[parent], _indices[parent], score, index)) break;
                _scores[i] = _scores[parent];
                _indices[i] = _indices[parent];
                i = parent;
            }
            _scores[i] = score;
            _indices[i] = index;
            return;
        }
        if (_k == 0 || !Better(score, index, _scores[0], _indices[0])) return;
        SiftDown(score, index);
    }

    private void SiftDown(float score, int index)
    {
        int i = 0;
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= _count) break;
            int worst = left;
            int right = left + 1;
            if (right < _count && Better(_scores[left], _indices[left], _scores[right], _indices[right])) worst = right;
            if (!Better(score, index, _scores[worst], _indices[worst])) break;
            _scores[i] = _scores[worst];
            _indices[i] = _indices[worst];
            i = worst;
        }
        _scores[i] = score;
        _indices[i] = index;
    }

    /// <summary>
    /// Writes the held pairs best first into the given spans and empties the selector.
    /// </summary>
    /// <returns>The number of pairs written.</returns>
    public int Drain(Span<int> indices, Span<float> scores)
    {
        int n = _count;
        if (indices.Length < n || (!scores.IsEmpty && scores.Length < n)) throw new ArgumentException("Output spans are too short.");
        if (_sorted)
        {
            for (int pos = 0; pos < n; pos++)
            {
                indices[pos] = _indices[n - 1 - pos];
                if (!scores.IsEmpty) scores[pos] = _scores[n - 1 - pos];
            }
            _count = 0;
            _sorted = false;
            return n;
        }
        // Pop the worst repeatedly, filling from the back.
        for (int pos = n - 1; pos >= 0; pos--)
        {
            indices[pos] = _indices[0];
            if (!scores.IsEmpty) scores[pos] = _scores[0];
            _count--;
            if (_count > 0) SiftDown(_scores[_count], _indices[_count]);
        }
        return n;
    }
}
