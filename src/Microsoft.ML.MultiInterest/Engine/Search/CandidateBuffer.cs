namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One query's candidates during an exact scan, the cheap alternative to offering each to a <see cref="TopKSelector"/>:
/// scores at or above <see cref="Bound"/> are appended as <see cref="ScoreKeys"/>, and when the buffer is full a
/// quickselect keeps the best <c>k + spare</c> and raises the bound to the worst of them. Nothing is sifted per
/// candidate, so a long list (the history pool's k = 100) costs a few nanoseconds per candidate instead of a heap
/// update. At the end <see cref="Prove"/> reads the selector's list off the kept candidates with
/// <see cref="CertifiedRanking"/>, which proves it against the bound on everything dropped; the spare candidates are
/// what lets the proof reach past the k-th. Reusable; not thread-safe.
/// </summary>
internal sealed class CandidateBuffer
{
    /// <summary>
    /// The buffer holds this many times the kept candidates before it is cut back. Measured on cit-HepPh's history pool
    /// (k = 100): 2 appends about 860 candidates per query and cuts 7 times, 4 appends about 1,200 and cuts 4 times, and 2
    /// was the faster (each append costs a filter call).
    /// </summary>
    private const int Growth = 2;

    private ulong[] _keys = [];
    private ulong[] _scratch = [];
    private int _count;
    private int _capacity;
    private int _keep;
    private int _k;
    private bool _dropped;

    /// <summary>Candidates below this score can no longer be among the kept ones (negative infinity until the first cut).</summary>
    public float Bound { get; private set; }

    /// <summary>
    /// How many candidates are kept past k, so that the proof can reach the k-th: 8 + k / 16. The proof only needs the
    /// k-th score clearly above the worst kept one, which a handful of spares give unless scores tie; more spares cost
    /// appends (4, 8 and 16 spares measured within 10% of each other for k = 100).
    /// </summary>
    public static int Spare(int k) => 8 + k / 16;

    /// <summary>Empties the buffer for a list of <paramref name="k"/> entries.</summary>
    public void Reset(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        _k = k;
        _keep = k + Spare(k);
        _capacity = Growth * _keep;
        if (_keys.Length < _capacity)
        {
            _keys = new ulong[_capacity];
            _scratch = new ulong[_capacity];
        }
        _count = 0;
        _dropped = false;
        Bound = k == 0 ? float.PositiveInfinity : float.NegativeInfinity;
    }

    /// <summary>Appends an eligible candidate. The scan appends only scores at or above <see cref="Bound"/>; a lower one would only be cut again.</summary>
    public void Add(float score, int index)
    {
        _keys[_count++] = ScoreKeys.Key(score, index);
        if (_count == _capacity) Cut();
    }

    /// <summary>
    /// Writes into <paramref name="outItems"/> and <paramref name="outScores"/> the list a <see cref="TopKSelector"/> reset
    /// for the buffer's k would drain after being offered every eligible candidate, and returns
    /// its length; or returns -1 when the kept candidates cannot prove it (a run of near-ties across the cut), for the
    /// caller to rescan with the selector. <paramref name="items"/> and <paramref name="scores"/> are scratch of at least
    /// <c>k + <see cref="Spare"/>(k)</c> entries, as are the outputs.
    /// </summary>
    public int Prove(CertifiedRanking ranking, Span<int> items, Span<float> scores, Span<int> outItems, Span<float> outScores)
    {
        if (_k == 0) return 0;
        if (_count > _keep) Cut();
        var keys = _keys.AsSpan(0, _count);
        // Best first: descending score, then ascending index.
        keys.Sort();
        for (int i = 0; i < keys.Length; i++)
        {
            items[i] = ScoreKeys.Index(keys[i]);
            scores[i] = ScoreKeys.Score(keys[i]);
        }
        // Every eligible candidate not kept scored at most the bound: below it when it came, or cut at or under it.
        double othersAtMost = _dropped ? Bound : double.NegativeInfinity;
        int needed = Math.Min(_k, _count);
        // The common case, checked directly: the first entries clearly apart from each other and from the rest, so the
        // selector ranks them by score alone, in this order. Otherwise the full proof, near-tied groups and all.
        if (ClearlyApart(scores[.._count], needed, othersAtMost))
        {
            items[..needed].CopyTo(outItems);
            scores[..needed].CopyTo(outScores);
            return needed;
        }
        int proven = ranking.Rank(items[.._count], scores[.._count], othersAtMost, outItems, outScores);
        return proven >= needed ? needed : -1;
    }

    /// <summary>True when each of the first <paramref name="n"/> sorted scores is clearly above the next one, and the n-th above <paramref name="othersAtMost"/>.</summary>
    private static bool ClearlyApart(ReadOnlySpan<float> sorted, int n, double othersAtMost)
    {
        for (int i = 0; i < n; i++)
        {
            double next = i + 1 < sorted.Length ? sorted[i + 1] : othersAtMost;
            if (!CertifiedRanking.ClearlyAbove(sorted[i], next)) return false;
        }
        return n == 0 || CertifiedRanking.ClearlyAbove(sorted[n - 1], othersAtMost);
    }

    /// <summary>Keeps the best <c>k + spare</c> candidates and raises the bound to the worst of them.</summary>
    private void Cut()
    {
        ScoreKeys.SelectSmallest(_keys.AsSpan(0, _count), _keep, _scratch);
        _count = _keep;
        Bound = ScoreKeys.Score(_keys[_keep - 1]);
        _dropped = true;
    }
}
