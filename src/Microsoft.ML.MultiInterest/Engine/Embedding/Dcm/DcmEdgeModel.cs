using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The loss of one training edge of <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> and its exact gradients:
/// raw rows in (history, target and negatives, seeds), unit copies, the soft clustering of the history, the K cosines of
/// each candidate pooled, the margin ranking loss <c>w Σ_n max(0, pool⁻(M_n) + margin − pool⁺(M_0))</c>, and the reverse
/// pass back to the raw rows and τ. Buffers are public to the worker (it gathers rows into them) and to the gradient tests.
/// </summary>
internal sealed class DcmEdgeModel
{
    private readonly int _k, _stride, _maxCandidates;
    private readonly DcmOptions _dcm;
    private readonly MixturePooling _positive, _negative;
    private readonly float _margin;
    private readonly float[] _historyUnit, _historyNorms, _candidateUnit, _candidateNorms, _seedUnit, _seedNorms;
    private readonly float[] _scores, _dScores, _gradInterests, _dByInterest;
    private readonly int[] _active, _interestRows;

    /// <summary>Allocates for up to <paramref name="maxHistory"/> history rows and <paramref name="maxNegatives"/> negatives.</summary>
    public DcmEdgeModel(DcmOptions dcm, float margin, int maxHistory, int maxNegatives, int stride)
    {
        _dcm = dcm;
        _k = dcm.Interests;
        _stride = stride;
        _margin = margin;
        _positive = dcm.Pooling;
        _negative = PoolingFunctions.NegativePooling(dcm.Pooling);
        _maxCandidates = 1 + maxNegatives;
        Clustering = new SoftClustering(_k, dcm.Iterations, maxHistory, stride);
        History = new float[Math.Max(1, maxHistory) * stride];
        _historyUnit = new float[History.Length];
        _historyNorms = new float[Math.Max(1, maxHistory)];
        HistoryGradients = new float[History.Length];
        Candidates = new float[_maxCandidates * stride];
        _candidateUnit = new float[Candidates.Length];
        _candidateNorms = new float[_maxCandidates];
        CandidateGradients = new float[Candidates.Length];
        Seeds = new float[_k * stride];
        _seedUnit = new float[Seeds.Length];
        _seedNorms = new float[_k];
        SeedGradients = new float[Seeds.Length];
        _scores = new float[_maxCandidates * _k];
        _dScores = new float[_scores.Length];
        _gradInterests = new float[_k * stride];
        _dByInterest = new float[_k * _maxCandidates];
        _active = new int[_maxCandidates];
        _interestRows = Enumerable.Range(0, _k).ToArray();
    }

    /// <summary>The clustering (its interests after <see cref="Compute"/>).</summary>
    public SoftClustering Clustering { get; }

    /// <summary>Raw history rows (n × stride).</summary>
    public float[] History { get; }

    /// <summary>Raw candidate rows: the target, then the negatives.</summary>
    public float[] Candidates { get; }

    /// <summary>Raw seed rows (K × stride).</summary>
    public float[] Seeds { get; }

    /// <summary>dL/dHistory after <see cref="Compute"/>.</summary>
    public float[] HistoryGradients { get; }

    /// <summary>dL/dCandidates after <see cref="Compute"/>.</summary>
    public float[] CandidateGradients { get; }

    /// <summary>dL/dSeeds after <see cref="Compute"/>.</summary>
    public float[] SeedGradients { get; }

    /// <summary>dL/dτ after <see cref="Compute"/>.</summary>
    public float TemperatureGradient { get; private set; }

    /// <summary>The loss of the prepared edge (<paramref name="n"/> history rows, <paramref name="negatives"/> negatives) and its gradients.</summary>
    public float Compute(int n, int negatives, float tau, float weight)
    {
        int k = _k, s = _stride, candidates = 1 + negatives;
        UnitRows.Normalize(History, _historyUnit, _historyNorms, n, s);
        UnitRows.Normalize(Candidates, _candidateUnit, _candidateNorms, candidates, s);
        UnitRows.Normalize(Seeds, _seedUnit, _seedNorms, k, s);
        Clustering.Forward(_historyUnit, n, _seedUnit, tau, _dcm.PriorWeight);
        var interests = Clustering.Interests;
        ChunkKernels.Scores(_candidateUnit, candidates, interests, k, s, _scores, k);

        var dPositive = _dScores.AsSpan(0, k);
        float positive = PoolingFunctions.Pool(_positive, _scores.AsSpan(0, k), _dcm.Gamma, _dcm.Theta, dPositive);
        float loss = 0f, active = 0f;
        for (int c = 1; c < candidates; c++)
        {
            var d = _dScores.AsSpan(c * k, k);
            float pooled = PoolingFunctions.Pool(_negative, _scores.AsSpan(c * k, k), _dcm.Gamma, _dcm.Theta, d);
            float hinge = pooled + _margin - positive;
            if (hinge > 0f)
            {
                loss += weight * hinge;
                active += weight;
                TensorPrimitives.Multiply(d, weight, d);
            }
            else
            {
                d.Clear();
            }
        }
        TensorPrimitives.Multiply(dPositive, -active, dPositive);

        // dL/dInterests and dL/dCandidates (unit) as weighted sums over the candidates with a gradient (the target when any
        // hinge is active, and the active negatives), then through the clustering and the normalisations.
        Array.Clear(_gradInterests);
        Array.Clear(HistoryGradients, 0, n * s);
        Array.Clear(CandidateGradients, 0, candidates * s);
        int used = 0;
        for (int c = 0; c < candidates; c++)
        {
            var d = _dScores.AsSpan(c * k, k);
            if (!d.ContainsAnyExcept(0f)) continue;
            _active[used] = c;
            for (int j = 0; j < k; j++) _dByInterest[j * _maxCandidates + used] = d[j];
            used++;
            ChunkKernels.AddWeightedRows(CandidateGradients.AsSpan(c * s, s), interests, _interestRows, d, k, s);
        }
        for (int j = 0; j < k; j++)
            ChunkKernels.AddWeightedRows(_gradInterests.AsSpan(j * s, s), _candidateUnit, _active, _dByInterest.AsSpan(j * _maxCandidates, used), used, s);
        TemperatureGradient = active == 0f ? 0f : Clustering.Backward(_gradInterests, _historyUnit, HistoryGradients, SeedGradients);
        if (active == 0f) Array.Clear(SeedGradients);
        UnitRows.ChainRule(HistoryGradients, _historyUnit, _historyNorms, n, s);
        UnitRows.ChainRule(CandidateGradients, _candidateUnit, _candidateNorms, candidates, s);
        UnitRows.ChainRule(SeedGradients, _seedUnit, _seedNorms, k, s);
        return loss;
    }
}
