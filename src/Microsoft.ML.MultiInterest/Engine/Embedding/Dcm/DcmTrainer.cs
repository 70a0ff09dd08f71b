using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Trains <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>: random unit item vectors and seeds, then epochs over
/// the shuffled edges; each edge (u, j) clusters (up to L of) u's other items, scores j and uniform negatives against the
/// K interests and updates every row it touched (<see cref="DcmEdgeModel"/>). Threaded as the other trainers: with one
/// thread deterministic, with more Hogwild over slices of the shuffled edges. The result is a
/// <see cref="MixtureEmbeddingResult"/> (C_s = K, C_d = 1) whose user components are the interests of each user's whole
/// training history and whose weights are the clusters' soft masses, so <see cref="RoundRobinRetriever"/>, the ONNX
/// round-robin export and the protocol serve it as they serve learned mixtures.
/// </summary>
internal static class DcmTrainer
{
    /// <summary>Trains for <c>o.Epochs</c> epochs; with a <paramref name="scorer"/>, keeps the best epoch by validation Recall@K (early stopping as the mixture trainer).</summary>
    public static (GraphEmbeddingResult Result, int Epoch) Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads,
        IProgress<EpochStats>? progress, ValidationScorer? scorer, ValidationCurve curve, CancellationToken ct)
    {
        var dcm = o.Dcm;
        var init = new EmbeddingRandom(o.Seed, -1);
        var items = new EmbeddingTable(graph.ItemCount, o.Dimension);
        var seeds = new EmbeddingTable(dcm.Interests, o.Dimension);
        InitializeUnit(items, ref init);
        InitializeUnit(seeds, ref init);
        if (dcm.InitialItems is { } start) EmbeddingWarmStart.Apply(items, start, components: 1, spread: 0);
        var temperature = new[] { dcm.Temperature };

        int edgeCount = graph.EdgeCount;
        var edgeUsers = new int[edgeCount];
        var offsets = graph.Offsets;
        for (int u = 0; u < graph.UserCount; u++) edgeUsers.AsSpan(offsets[u], offsets[u + 1] - offsets[u]).Fill(u);

        var workers = new Worker[threads];
        for (int t = 0; t < threads; t++) workers[t] = new Worker(graph, o, items, seeds, temperature, edgeUsers, new EmbeddingRandom(o.Seed, t + 1));

        // No capacity from Epochs: int.MaxValue epochs (train until early stopping) would reserve an impossible list.
        var stats = new List<EpochStats>();
        return EpochLoop.Run(edgeCount, o, threads, (t, slice, _, token) => workers[t].Run(slice, token),
            () => Snapshot(graph, items, seeds, temperature[0], o, stats, threads), scorer == null ? null : m => scorer.Score(m.Mixture!, threads),
            "dcm", stats, progress, curve, ct);
    }

    /// <summary>The settings in words, for reports.</summary>
    public static string Describe(GraphEmbeddingOptions o)
    {
        var m = o.Dcm;
        return InvariantText.Of(() => $"dcm d={o.Dimension} K={m.Interests} T={m.Iterations} tau={m.Temperature}{(m.LearnTemperature ? " (learned)" : "")} beta={m.PriorWeight} L={m.MaxHistory} "
            + $"pooling={m.Pooling} gamma={m.Gamma}{(m.WeightExponent != 1 ? $" weight_exponent={m.WeightExponent}" : "")} margin={o.Margin} epochs={o.Epochs} lr={o.LearningRate} negatives={o.UniformNegatives}u"
            + (m.InitialItems != null ? " warm-start=given items" : ""));
    }

    /// <summary>
    /// The interests of every user of <paramref name="graph"/> (its whole history; seeds and uniform weights for a user
    /// without items) as a mixture model over the unit item vectors. Users are independent, so the result does not depend on
    /// <paramref name="threads"/>.
    /// </summary>
    internal static MixtureEmbeddingResult Interests(BipartiteGraph graph, EmbeddingTable items, EmbeddingTable seeds, float tau, DcmOptions dcm, int threads)
    {
        int k = dcm.Interests, d = items.Dimension, s = items.Stride;
        var userComponents = new EmbeddingMatrix(checked(graph.UserCount * k), d);
        var weights = new double[graph.UserCount * k];
        int maxDegree = 1;
        for (int u = 0; u < graph.UserCount; u++) maxDegree = Math.Max(maxDegree, graph.DegreeOf(u));
        var seedUnit = new float[k * s];
        var seedNorms = new float[k];
        UnitRows.Normalize(seeds.Values, seedUnit, seedNorms, k, s);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        Parallel.For(0, graph.UserCount, parallel,
            () => (Clustering: new SoftClustering(k, dcm.Iterations, maxDegree, s), Rows: new float[maxDegree * s], Norms: new float[maxDegree]),
            (u, _, scratch) =>
            {
                var history = graph.ItemsOf(u);
                int n = history.Length;
                if (n == 0)
                {
                    for (int c = 0; c < k; c++)
                    {
                        seedUnit.AsSpan(c * s, d).CopyTo(userComponents.Row(u * k + c));
                        weights[u * k + c] = 1.0 / k;
                    }
                    return scratch;
                }
                for (int i = 0; i < n; i++) items.Values.AsSpan(history[i] * s, s).CopyTo(scratch.Rows.AsSpan(i * s, s));
                UnitRows.Normalize(scratch.Rows, scratch.Rows, scratch.Norms, n, s);
                scratch.Clustering.Forward(scratch.Rows, n, seedUnit, tau, dcm.PriorWeight);
                var interests = scratch.Clustering.Interests;
                DcmClustering.Masses(scratch.Clustering, weights.AsSpan(u * k, k), dcm.WeightExponent);
                for (int c = 0; c < k; c++) interests.Slice(c * s, d).CopyTo(userComponents.Row(u * k + c));
                return scratch;
            }, _ => { });
        var itemUnits = items.ToMatrix();
        for (int i = 0; i < itemUnits.Rows; i++) VectorMath.NormalizeInPlace(itemUnits.Row(i));
        return new MixtureEmbeddingResult(k, 1, userComponents, itemUnits, weights);
    }

    private static GraphEmbeddingResult Snapshot(BipartiteGraph graph, EmbeddingTable items, EmbeddingTable seeds, float tau, GraphEmbeddingOptions o,
        List<EpochStats> stats, int threads)
    {
        var mixture = Interests(graph, items, seeds, tau, o.Dcm, threads);
        int k = mixture.SourceComponents, d = mixture.Dimension;
        var mean = new EmbeddingMatrix(graph.UserCount, d);
        for (int u = 0; u < graph.UserCount; u++)
        {
            var row = mean.Row(u);
            for (int c = 0; c < k; c++) TensorPrimitives.MultiplyAdd(mixture.UserComponents.ReadRow(u * k + c), (float)mixture.WeightsOfUser(u)[c], row, row);
        }
        var settings = Describe(o) + (o.Dcm.LearnTemperature ? InvariantText.Of(() => $" tau_learned={tau:G4}") : "");
        return new GraphEmbeddingResult(mean, mixture.ItemComponents.Clone(), stats.ToArray())
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering,
            Settings = settings,
            Mixture = mixture,
            Dcm = new DcmModel(mixture.ItemComponents, UnitSeeds(seeds), tau, o.Dcm.PriorWeight, o.Dcm.Iterations, o.Dcm.WeightExponent),
        };
    }

    private static EmbeddingMatrix UnitSeeds(EmbeddingTable seeds)
    {
        var m = seeds.ToMatrix();
        for (int r = 0; r < m.Rows; r++) VectorMath.NormalizeInPlace(m.Row(r));
        return m;
    }

    private static void InitializeUnit(EmbeddingTable table, ref EmbeddingRandom random)
    {
        table.InitializeNormal(1f, ref random);
        for (int r = 0; r < table.Rows; r++) UnitRows.Project(table.Values.AsSpan(r * table.Stride, table.Stride));
    }

    /// <summary>One thread's trainer: allocated once, nothing allocated per edge.</summary>
    private sealed class Worker
    {
        private readonly BipartiteGraph _graph;
        private readonly GraphEmbeddingOptions _o;
        private readonly EmbeddingTable _items, _seeds;
        private readonly float[] _temperature;
        private readonly int[] _edgeUsers, _candidateIds;
        private readonly HistorySampler _history;
        private readonly DcmEdgeModel _model;
        private readonly int _negatives, _stride;
        private EmbeddingRandom _random;

        public Worker(BipartiteGraph graph, GraphEmbeddingOptions o, EmbeddingTable items, EmbeddingTable seeds, float[] temperature, int[] edgeUsers, EmbeddingRandom random)
        {
            _graph = graph;
            _o = o;
            _items = items;
            _seeds = seeds;
            _temperature = temperature;
            _edgeUsers = edgeUsers;
            _random = random;
            _stride = items.Stride;
            _negatives = o.UniformNegatives;
            _history = new HistorySampler(graph, o.Dcm.MaxHistory);
            _candidateIds = new int[1 + _negatives];
            _model = new DcmEdgeModel(o.Dcm, o.Margin, _history.Ids.Length, _negatives, _stride);
        }

        public double Run(ReadOnlySpan<int> edges, CancellationToken ct)
        {
            double loss = 0;
            var edgeItems = _graph.EdgeItems;
            var edgeWeights = _graph.HasWeights ? _graph.EdgeWeights : default;
            var offsets = _graph.Offsets;
            int s = _stride, k = _o.Dcm.Interests;
            for (int t = 0; t < edges.Length; t++)
            {
                if ((t & 1023) == 0 && ct.IsCancellationRequested) break;
                int e = edges[t], u = _edgeUsers[e];
                int n = _history.Sample(offsets[u], offsets[u + 1], e, ref _random);
                if (n == 0) continue;
                _candidateIds[0] = edgeItems[e];
                for (int j = 1; j <= _negatives; j++) _candidateIds[j] = _random.NextInt(_graph.ItemCount);
                for (int i = 0; i < n; i++) _items.Values.AsSpan(_history.Ids[i] * s, s).CopyTo(_model.History.AsSpan(i * s, s));
                for (int j = 0; j <= _negatives; j++) _items.Values.AsSpan(_candidateIds[j] * s, s).CopyTo(_model.Candidates.AsSpan(j * s, s));
                _seeds.Values.AsSpan(0, k * s).CopyTo(_model.Seeds);
                float tau = _temperature[0];
                float weight = edgeWeights.IsEmpty ? 1f : edgeWeights[e];
                float l = _model.Compute(n, _negatives, tau, weight);
                loss += l;
                if (l == 0f) continue;
                float lr = _o.LearningRate;
                for (int i = 0; i < n; i++) Apply(_items, _history.Ids[i], _model.HistoryGradients.AsSpan(i * s, s), lr);
                for (int j = 0; j <= _negatives; j++) Apply(_items, _candidateIds[j], _model.CandidateGradients.AsSpan(j * s, s), lr);
                for (int c = 0; c < k; c++) Apply(_seeds, c, _model.SeedGradients.AsSpan(c * s, s), lr);
                if (_o.Dcm.LearnTemperature)
                {
                    // Plain SGD on log τ, clamped to the option's range.
                    float logTau = MathF.Log(tau) - 0.01f * lr * _model.TemperatureGradient * tau;
                    _temperature[0] = Math.Clamp(MathF.Exp(logTau), 1e-3f, 1e3f);
                }
            }
            return loss;
        }

        private void Apply(EmbeddingTable table, int row, ReadOnlySpan<float> gradient, float lr)
        {
            RowUpdate.Apply(table, row, gradient, _o.Optimizer, lr);
            UnitRows.Project(table.Values.AsSpan(row * _stride, _stride));
        }
    }
}
