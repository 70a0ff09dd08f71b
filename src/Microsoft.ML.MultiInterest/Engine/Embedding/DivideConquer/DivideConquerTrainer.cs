using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Trains <see cref="EmbeddingAlgorithm.DivideConquer"/> (<see cref="DivideConquerOptions"/>): item output vectors, item
/// input vectors (or user vectors for <see cref="DivideConquerEncoder.UserVector"/>), the cluster prompts and the attention
/// query, by epochs over the shuffled edges (<see cref="EpochLoop"/>); each edge (u, i) encodes up to L of u's other items
/// with the prompt of i's cluster, scores i and N negatives from <see cref="ClusterNegativeSampler"/> and updates every row
/// it touched (<see cref="DivideConquerEdgeModel"/>). Threaded as the other trainers: with one thread deterministic, with
/// more Hogwild over slices of the shuffled edges.
/// </summary>
internal static class DivideConquerTrainer
{
    /// <summary>
    /// The item clustering the model trains with: <see cref="DivideConquerOptions.ItemClusters"/> when given (checked), else
    /// a spherical k-means into <see cref="DivideConquerOptions.Clusters"/> of an implicit-ALS embedding of
    /// <paramref name="graph"/> at <see cref="GraphEmbeddingOptions.Dimension"/> (the first pass).
    /// </summary>
    public static (int[] Assignments, int Clusters) ResolveClusters(BipartiteGraph graph, GraphEmbeddingOptions o, int threads, CancellationToken ct)
    {
        var given = o.DivideConquer.ItemClusters;
        if (given != null)
        {
            if (given.Length != graph.ItemCount)
                throw new ArgumentException($"DivideConquer.ItemClusters has {given.Length} entries for {graph.ItemCount} items: give one cluster id per item.", nameof(DivideConquerOptions.ItemClusters));
            return (given, o.DivideConquer.GivenClusterCount ?? ClusterCount(given));
        }
        var first = o.Clone();
        first.Algorithm = EmbeddingAlgorithm.ImplicitAls;
        first.ValidationFraction = 0;
        var items = ImplicitAlsTrainer.Fit(graph, first, threads, null, null, [], ct).Result.ItemEmbeddings;
        int k = Math.Min(o.DivideConquer.Clusters, graph.ItemCount);
        var clusters = SphericalKMeans.Fit(items, new SphericalKMeansOptions { Clusters = k, Seed = o.Seed, Threads = threads }, ct: ct);
        return (clusters.Assignments, k);
    }

    /// <summary>K of a given clustering: its largest id + 1 (1 for no items).</summary>
    internal static int ClusterCount(int[] given) => given.Length == 0 ? 1 : given.Max() + 1;

    /// <summary>Trains for <c>o.Epochs</c> epochs (<c>o.DivideConquer.ItemClusters</c> must be set); with a <paramref name="scorer"/>, keeps the best epoch by validation Recall@K of the quota retrieval.</summary>
    public static (GraphEmbeddingResult Result, int Epoch) Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads,
        IProgress<EpochStats>? progress, ValidationScorer? scorer, ValidationCurve curve, CancellationToken ct) =>
        Fit(graph, o, threads, progress, scorer == null ? null : r => scorer.Score(r.DivideConquer!, threads), curve, ct);

    /// <summary>As the other overload, with any per-epoch validation figure (e.g. unimodal retrieval of the shared query, for the baseline rows of a protocol runner).</summary>
    public static (GraphEmbeddingResult Result, int Epoch) Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads,
        IProgress<EpochStats>? progress, Func<GraphEmbeddingResult, ValidationScore>? score, ValidationCurve curve, CancellationToken ct)
    {
        var dc = o.DivideConquer;
        var (assignments, k) = ResolveClusters(graph, o, threads, ct);
        var init = new EmbeddingRandom(o.Seed, -1);
        var tables = new Tables(graph, o, k, ref init);
        var sampling = ItemClustering.Create(assignments, k, new EmbeddingMatrix(graph.ItemCount, 1));
        var sampler = new ClusterNegativeSampler(sampling, dc.GlobalNegativeShare);

        int edgeCount = graph.EdgeCount;
        var edgeUsers = new int[edgeCount];
        var offsets = graph.Offsets;
        for (int u = 0; u < graph.UserCount; u++) edgeUsers.AsSpan(offsets[u], offsets[u + 1] - offsets[u]).Fill(u);
        var prior = new double[k];
        foreach (int item in graph.EdgeItems) prior[assignments[item]] += 1.0 / edgeCount;
        // With time order the model is served from each user's last L items, as it was trained on the L before each edge.
        var order = dc.Sequences == null || dc.Encoder == DivideConquerEncoder.UserVector ? null : new SequenceOrder(graph, dc.Sequences);
        var served = order?.RecentGraph(dc.MaxHistory) ?? graph;

        var workers = new Worker[threads];
        for (int t = 0; t < threads; t++) workers[t] = new Worker(graph, o, tables, assignments, sampler, edgeUsers, order, new EmbeddingRandom(o.Seed, t + 1));
        // No capacity from Epochs: int.MaxValue epochs (train until early stopping) would reserve an impossible list.
        var stats = new List<EpochStats>();
        return EpochLoop.Run(edgeCount, o, threads, (t, slice, epoch, token) => workers[t].Run(slice, epoch, token),
            () => Snapshot(served, order, tables, assignments, k, prior, o, stats, threads), score,
            "divide-conquer", stats, progress, curve, ct);
    }

    /// <summary>The settings in words, for reports.</summary>
    public static string Describe(GraphEmbeddingOptions o)
    {
        var m = o.DivideConquer;
        return InvariantText.Of(() => $"divide-conquer d={o.Dimension} encoder={m.Encoder} prompts={(m.Prompts ? "on" : "off")} global-negatives={m.GlobalNegativeShare:G3} "
            + $"clusters={(m.ItemClusters == null ? m.Clusters.ToString(System.Globalization.CultureInfo.InvariantCulture) : "given")} L={m.MaxHistory} "
            + $"intent-smoothing={m.IntentSmoothing:G3} m={m.Components} epochs={o.Epochs} lr={o.LearningRate} negatives={o.UniformNegatives}");
    }

    private static GraphEmbeddingResult Snapshot(BipartiteGraph graph, SequenceOrder? order, Tables t, int[] assignments, int k, double[] prior, GraphEmbeddingOptions o,
        List<EpochStats> stats, int threads)
    {
        var dc = o.DivideConquer;
        var items = t.Items.ToMatrix();
        var model = new DivideConquerModel(dc.Encoder, items, t.Inputs?.ToMatrix(), t.Users?.ToMatrix(), t.Prompts?.ToMatrix(), t.Query?.ToMatrix(),
            t.Positions?.ToMatrix(), t.Mixing?.ToMatrix(), ItemClustering.Create(assignments, k, items), prior, dc.IntentSmoothing, dc.Components);
        return new GraphEmbeddingResult(model.UserQueries(graph, threads, order?.Sequences()), items.Clone(), stats.ToArray())
        {
            Algorithm = EmbeddingAlgorithm.DivideConquer,
            Settings = Describe(o),
            DivideConquer = model,
        };
    }

    /// <summary>The trained tables: output items always; input items or user vectors by encoder; prompts (ones at the start), the query, and the self-attention positions and W (zero at the start) when used.</summary>
    private sealed class Tables
    {
        public Tables(BipartiteGraph graph, GraphEmbeddingOptions o, int clusters, ref EmbeddingRandom init)
        {
            var dc = o.DivideConquer;
            int d = o.Dimension;
            Items = new EmbeddingTable(graph.ItemCount, d);
            Items.InitializeNormal(DivideConquerDefaults.InitScale, ref init);
            if (dc.Encoder == DivideConquerEncoder.UserVector)
            {
                Users = new EmbeddingTable(graph.UserCount, d);
                Users.InitializeNormal(DivideConquerDefaults.InitScale, ref init);
            }
            else
            {
                Inputs = new EmbeddingTable(graph.ItemCount, d);
                Inputs.InitializeNormal(DivideConquerDefaults.InitScale, ref init);
            }
            if (dc.Prompts)
            {
                Prompts = new EmbeddingTable(clusters, d);
                for (int c = 0; c < clusters; c++) Prompts.Values.AsSpan(c * Prompts.Stride, d).Fill(1f);
            }
            if (dc.Encoder is DivideConquerEncoder.AttentionPooling or DivideConquerEncoder.SelfAttention) Query = new EmbeddingTable(1, d);
            if (dc.Encoder == DivideConquerEncoder.SelfAttention)
            {
                // Zero positions and W: training starts from attention pooling with a zero query, i.e. from the mean.
                Positions = new EmbeddingTable(dc.MaxHistory, d);
                Mixing = new EmbeddingTable(d, d);
            }
        }

        public EmbeddingTable Items { get; }
        public EmbeddingTable? Inputs { get; }
        public EmbeddingTable? Users { get; }
        public EmbeddingTable? Prompts { get; }
        public EmbeddingTable? Query { get; }
        public EmbeddingTable? Positions { get; }
        public EmbeddingTable? Mixing { get; }
    }

    /// <summary>One thread's trainer: allocated once, nothing allocated per edge.</summary>
    private sealed class Worker
    {
        private readonly BipartiteGraph _graph;
        private readonly GraphEmbeddingOptions _o;
        private readonly Tables _t;
        private readonly int[] _clusterOf, _edgeUsers, _candidateIds;
        private readonly ClusterNegativeSampler _sampler;
        private readonly HistorySampler? _history;
        private readonly DivideConquerEdgeModel _model;
        private readonly int _stride;
        private EmbeddingRandom _random;

        public Worker(BipartiteGraph graph, GraphEmbeddingOptions o, Tables tables, int[] clusterOf, ClusterNegativeSampler sampler, int[] edgeUsers,
            SequenceOrder? order, EmbeddingRandom random)
        {
            _graph = graph;
            _o = o;
            _t = tables;
            _clusterOf = clusterOf;
            _sampler = sampler;
            _edgeUsers = edgeUsers;
            _random = random;
            _stride = tables.Items.Stride;
            int negatives = o.UniformNegatives;
            _candidateIds = new int[1 + negatives];
            int tokens = 1;
            if (tables.Users == null)
            {
                _history = new HistorySampler(graph, o.DivideConquer.MaxHistory, order);
                tokens = _history.Ids.Length;
            }
            _model = new DivideConquerEdgeModel(o.DivideConquer.Encoder, tokens, negatives, _stride);
            if (tables.Prompts == null) _model.Prompt.AsSpan(0, o.Dimension).Fill(1f);
        }

        public double Run(ReadOnlySpan<int> edges, int epoch, CancellationToken ct)
        {
            double loss = 0;
            var edgeItems = _graph.EdgeItems;
            var edgeWeights = _graph.HasWeights ? _graph.EdgeWeights : default;
            var offsets = _graph.Offsets;
            int s = _stride;
            var negatives = _candidateIds.AsSpan(1);
            for (int t = 0; t < edges.Length; t++)
            {
                if ((t & 1023) == 0 && ct.IsCancellationRequested) break;
                int e = edges[t], u = _edgeUsers[e], target = edgeItems[e], cluster = _clusterOf[target];
                int n;
                if (_history == null)
                {
                    _t.Users!.Values.AsSpan(u * s, s).CopyTo(_model.Tokens);
                    n = 1;
                }
                else
                {
                    n = _history.Sample(offsets[u], offsets[u + 1], e, ref _random);
                    if (n == 0) continue;
                    for (int i = 0; i < n; i++) _t.Inputs!.Values.AsSpan(_history.Ids[i] * s, s).CopyTo(_model.Tokens.AsSpan(i * s, s));
                    // Self-attention: token i (oldest first) also carries the position vector of its recency rank n−1−i.
                    if (_t.Positions != null)
                        for (int i = 0; i < n; i++)
                        {
                            var token = _model.Tokens.AsSpan(i * s, s);
                            TensorPrimitives.Add(token, _t.Positions.Values.AsSpan((n - 1 - i) * s, s), token);
                        }
                }
                int count = _sampler.Sample(cluster, _graph.ItemsOf(u), negatives, ref _random);
                _candidateIds[0] = target;
                for (int j = 0; j <= count; j++) _t.Items.Values.AsSpan(_candidateIds[j] * s, s).CopyTo(_model.Candidates.AsSpan(j * s, s));
                _t.Prompts?.Values.AsSpan(cluster * s, s).CopyTo(_model.Prompt);
                _t.Query?.Values.AsSpan(0, s).CopyTo(_model.Query);
                _t.Mixing?.Values.CopyTo(_model.Mixing, 0);
                float weight = edgeWeights.IsEmpty ? 1f : edgeWeights[e];
                loss += _model.Compute(n, count, weight);

                float lr = LearningRateSchedule.At(_o, epoch, t, edges.Length);
                var optimizer = _o.Optimizer;
                if (_history == null) RowUpdate.Apply(_t.Users!, u, _model.TokenGradients.AsSpan(0, s), optimizer, lr);
                else for (int i = 0; i < n; i++) RowUpdate.Apply(_t.Inputs!, _history.Ids[i], _model.TokenGradients.AsSpan(i * s, s), optimizer, lr);
                for (int j = 0; j <= count; j++) RowUpdate.Apply(_t.Items, _candidateIds[j], _model.CandidateGradients.AsSpan(j * s, s), optimizer, lr);
                if (_t.Prompts != null) RowUpdate.Apply(_t.Prompts, cluster, _model.PromptGradient, optimizer, lr);
                if (_t.Query != null) RowUpdate.Apply(_t.Query, 0, _model.QueryGradient, optimizer, lr);
                if (_t.Positions != null)
                    for (int i = 0; i < n; i++) RowUpdate.Apply(_t.Positions, n - 1 - i, _model.TokenGradients.AsSpan(i * s, s), optimizer, lr);
                if (_t.Mixing != null)
                    for (int r = 0; r < _o.Dimension; r++) RowUpdate.Apply(_t.Mixing, r, _model.MixingGradient.AsSpan(r * s, s), optimizer, lr);
            }
            return loss;
        }
    }
}
