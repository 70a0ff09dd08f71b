namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// <see cref="AutoEmbedding"/>'s truncated-SVD trials. Screening: for each degree smoothing, a cheap factorisation at
/// <see cref="ScreeningRank"/> and the exponent grid. Then one factorisation at <see cref="FirstTopRank"/> with the best
/// smoothing: the rank ladder with the best exponents, and the exponent grid again at the best rank. Smaller ranks are
/// prefixes of one factorisation, so a ladder costs one factorisation. <see cref="Extend"/> factorises at twice the
/// largest rank (up to <see cref="GraphEmbeddingOptions.AutoMaxDimension"/>) when the largest rank won.
/// </summary>
internal sealed class SpectralSearch
{
    /// <summary>Ranks tried, capped by <see cref="GraphEmbeddingOptions.AutoMaxDimension"/> and min(users, items).</summary>
    internal static readonly int[] RankLadder = [32, 64, 128, 256, 384, 512, 768, 1024, 1536, 2048];

    /// <summary>The rank at which smoothings and exponents are first compared (cheap, and their ordering carries over).</summary>
    internal const int ScreeningRank = 128;

    /// <summary>
    /// The largest rank of the first full factorisation. Graphs whose validation still gains at this rank while the SVD
    /// leads the other algorithms get larger ones (<see cref="Extend"/>); the others do not pay for them.
    /// </summary>
    internal const int FirstTopRank = 384;

    /// <summary>Spectral exponents γ tried.</summary>
    internal static readonly double[] SpectralExponents = [0, 1];

    /// <summary>Item popularity exponents c tried.</summary>
    internal static readonly double[] ItemDegreeExponents = [0, 0.25, 0.5, 0.75];

    /// <summary>
    /// Degree smoothings s tried (each needs its own factorisation, so they are screened at the cheap rank). s = 1 was
    /// also screened at first: it won the rank-128 screening on ml-100k only, and there the search without it ends
    /// at a better validation figure (0.293 against 0.285); it cost cit-HepPh's reproduce 2.5 s.
    /// </summary>
    internal static readonly double[] DegreeSmoothings = [10, 50];

    private readonly BipartiteGraph _train;
    private readonly GraphEmbeddingOptions _options;
    private readonly ValidationScorer _scorer;
    private readonly int _threads;
    private readonly ValidationCurve _curve;
    private readonly CancellationToken _ct;
    private readonly int _maxRank;
    private readonly Dictionary<(int Rank, double Smoothing, double Gamma, double C), AutoTrial> _trials = new();
    private (int Rank, double Smoothing, double Gamma, double C) _best;
    private double _bestRecall = double.NegativeInfinity;
    private readonly int _screeningRank;
    private readonly int _firstTopRank;
    private int _topRank;

    /// <param name="train">The validation split's training graph.</param>
    /// <param name="options">The user's options (seed, SVD settings, largest rank, tolerance).</param>
    /// <param name="scorer">Scores trials on the validation edges.</param>
    /// <param name="threads">Threads of the factorisations and the scoring.</param>
    /// <param name="curve">Receives one point per trial.</param>
    /// <param name="ct">Checked between trials.</param>
    /// <param name="screeningRank">Rank of the screening factorisations (tests use small ones).</param>
    /// <param name="firstTopRank">Largest rank of the first full factorisation (tests use small ones).</param>
    public SpectralSearch(BipartiteGraph train, GraphEmbeddingOptions options, ValidationScorer scorer, int threads,
        ValidationCurve curve, CancellationToken ct, int screeningRank = ScreeningRank, int firstTopRank = FirstTopRank)
    {
        _screeningRank = screeningRank;
        _firstTopRank = firstTopRank;
        _train = train;
        _options = options;
        _scorer = scorer;
        _threads = threads;
        _curve = curve;
        _ct = ct;
        _maxRank = Math.Min(options.AutoMaxDimension, Math.Min(train.UserCount, train.ItemCount));
        _best = (0, options.Svd.DegreeSmoothing, options.Svd.SpectralExponent, options.Svd.ItemDegreeExponent);
    }

    /// <summary>Every trial measured so far.</summary>
    public IEnumerable<AutoTrial> Trials => _trials.Values;

    /// <summary>
    /// Ranks tried below a screening factorisation that is already the full one (min(users, items) at most the screening
    /// rank): the ladder's smaller rungs and two below them, so that even a graph of a few dozen users or items gets ranks
    /// well below its size.
    /// </summary>
    internal static readonly int[] SmallGraphRanks = [8, 16, .. RankLadder];

    /// <summary>Screens smoothings and exponents at the screening rank, then climbs the ladder up to the first top rank.</summary>
    public void Screen()
    {
        int screeningRank = Math.Min(_screeningRank, _maxRank);
        var screened = new Dictionary<double, SpectralFactors>();
        foreach (double smoothing in DegreeSmoothings)
            Grid(screened[smoothing] = Factorise(screeningRank, smoothing), screeningRank, smoothing);
        _topRank = screeningRank;
        int first = Math.Min(_firstTopRank, _maxRank);
        if (first > screeningRank)
        {
            Climb(first, from: 0); // the whole ladder: small ranks win on small dense graphs
            return;
        }
        // The screening factorisation is the largest allowed (AutoMaxDimension at most the screening rank) or the full one; its
        // prefixes are the smaller ranks, each for the cost of a scan: the ladder's, as a climb would try them, and on a graph
        // no wider than the screening rank two more below, since its full rank only reproduces the training edges (every
        // unseen item then scores about 0, a ranking of float noise).
        var factors = screened[_best.Smoothing];
        var below = Math.Min(_train.UserCount, _train.ItemCount) <= screeningRank ? SmallGraphRanks : RankLadder;
        foreach (int rank in below.Where(r => r < screeningRank))
            Try(factors, rank, _best.Smoothing, _best.Gamma, _best.C);
        if (_best.Rank < screeningRank) Grid(factors, _best.Rank, _best.Smoothing);
    }

    /// <summary>
    /// True when a larger factorisation is worth its cost: the best trial sits at the largest rank factorised, gained at
    /// least <see cref="GraphEmbeddingOptions.AutoTolerance"/> over the rank below it, a larger rank is allowed, and the
    /// SVD is within the confirmation band of <paramref name="othersBest"/> (the other algorithms' best figure).
    /// </summary>
    public bool ShouldExtend(double othersBest)
    {
        if (_topRank >= _maxRank || _best.Rank != _topRank) return false;
        if (_bestRecall < (1 - AutoEmbedding.ConfirmationBand * _options.AutoTolerance) * othersBest) return false;
        int below = RankLadder.Where(r => r < _topRank).DefaultIfEmpty(0).Max();
        return !_trials.TryGetValue((below, _best.Smoothing, _best.Gamma, _best.C), out var previous)
            || _bestRecall >= (1 + _options.AutoTolerance) * previous.Recall;
    }

    /// <summary>Factorises at twice the largest rank so far (capped) and climbs the ladder to it.</summary>
    public void Extend() => Climb(Math.Min(2 * _topRank, _maxRank), from: _topRank);

    /// <summary>Factorises at <paramref name="top"/>, tries the ladder's ranks above <paramref name="from"/> with the best
    /// exponents, and the exponent grid at the best rank if it moved.</summary>
    private void Climb(int top, int from)
    {
        var factors = Factorise(top, _best.Smoothing);
        foreach (int rank in RankLadder.Where(r => r > from && r < top).Append(top))
            Try(factors, rank, _best.Smoothing, _best.Gamma, _best.C);
        _topRank = top;
        if (_best.Rank > from) Grid(factors, _best.Rank, _best.Smoothing);
    }

    private void Try(SpectralFactors factors, int rank, double smoothing, double gamma, double c)
    {
        var key = (rank, smoothing, gamma, c);
        if (_trials.ContainsKey(key)) return;
        _ct.ThrowIfCancellationRequested();
        var (users, items) = factors.Embed(rank, gamma, c);
        Record(factors, key, _scorer.Score(users, items, _threads));
    }

    /// <summary>Adds a measured trial to the curve and the trials, and makes it the best if it is.</summary>
    private void Record(SpectralFactors factors, (int Rank, double Smoothing, double Gamma, double C) key, ValidationScore score)
    {
        var (rank, smoothing, gamma, c) = key;
        string name = InvariantText.Of(() => $"truncated-svd d={rank} s={smoothing:G3} gamma={gamma:G3} c={c:G3}");
        _curve.Add(new ValidationPoint(name, _curve.Count + 1, score.Recall, score.Ndcg) { Dimension = rank });
        // The final fit sketches as many columns as the factorisation this trial is a prefix of: a sketch of only rank + p
        // columns resolves a flat spectrum less well than what was measured (Amazon Video Games: test Recall@20 0.152
        // against 0.166 at the measured width, d = 64 out of a rank-384 factorisation).
        int oversampling = Math.Min(TruncatedSvdOptions.MaxOversampling, factors.Rank + _options.Svd.Oversampling - rank);
        _trials[key] = new AutoTrial(name, rank, score.Recall, () => factors.Embed(rank, gamma, c), f =>
        {
            f.Algorithm = EmbeddingAlgorithm.TruncatedSvd;
            f.Dimension = rank;
            f.Svd.Oversampling = oversampling;
            f.Svd.DegreeSmoothing = smoothing;
            f.Svd.SpectralExponent = gamma;
            f.Svd.ItemDegreeExponent = c;
        }) { Spectral = new SpectralTrialVectors(factors, rank, gamma, c) };
        if (score.Recall > _bestRecall) (_best, _bestRecall) = (key, score.Recall);
    }

    /// <summary>
    /// Every exponent pair at one rank. The popularity exponent c only rescales each item's vector, so the exponents c of
    /// one γ are scored in one scan (<see cref="ValidationScorer.Score(EmbeddingMatrix, EmbeddingMatrix, IReadOnlyList{float[]}, int)"/>):
    /// figures equal to separate scans' up to float rounding, at a quarter of the scans.
    /// </summary>
    private void Grid(SpectralFactors factors, int rank, double smoothing)
    {
        foreach (double gamma in SpectralExponents)
        {
            var missing = ItemDegreeExponents.Where(c => !_trials.ContainsKey((rank, smoothing, gamma, c))).ToArray();
            if (missing.Length == 0) continue;
            _ct.ThrowIfCancellationRequested();
            var scores = MeasureExponents(factors, rank, gamma, missing, _scorer, _threads);
            for (int j = 0; j < missing.Length; j++) Record(factors, (rank, smoothing, gamma, missing[j]), scores[j]);
        }
    }

    /// <summary>
    /// The validation figures of the trials at <paramref name="rank"/> and γ = <paramref name="gamma"/> of one factorisation
    /// for each popularity exponent c of <paramref name="exponents"/>, in one scan: c only multiplies each item's vector by
    /// a factor (<see cref="SpectralFactors.ItemScales"/>), applied here to the dot products.
    /// </summary>
    internal static ValidationScore[] MeasureExponents(SpectralFactors factors, int rank, double gamma, IReadOnlyList<double> exponents, ValidationScorer scorer,
        int threads)
    {
        var (users, items) = factors.EmbedUnscaled(rank, gamma);
        return scorer.Score(users, items, exponents.Select(factors.ItemScales).ToArray(), threads);
    }

    private SpectralFactors Factorise(int rank, double smoothing)
    {
        var svd = _options.Svd.Clone();
        svd.DegreeSmoothing = smoothing;
        return SpectralFactors.Compute(_train, rank, svd, _options.Seed, _threads, _ct);
    }
}
