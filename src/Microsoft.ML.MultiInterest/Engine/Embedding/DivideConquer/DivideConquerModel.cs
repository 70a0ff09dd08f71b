using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A trained <see cref="EmbeddingAlgorithm.DivideConquer"/> model: what it needs to compute any history's per-cluster
/// queries <c>e_u^k</c> and user-intent distribution p_uk, including for a user unseen in training (pooling encoders).
/// Carried by <see cref="GraphEmbeddingResult.DivideConquer"/>; served by <see cref="BuildMixtures"/> and a
/// <see cref="ClusterQuotaRetriever"/> over <see cref="Items"/> and <see cref="Clustering"/>. Thread-safe (read-only after training).
/// </summary>
public sealed class DivideConquerModel
{
    private readonly double[] _prior;

    /// <summary>Cluster ids by descending prior (ties to the lower id): the order of the clusters a history does not touch.</summary>
    private readonly int[] _priorOrder;

    internal DivideConquerModel(DivideConquerEncoder encoder, EmbeddingMatrix items, EmbeddingMatrix? historyItems, EmbeddingMatrix? userVectors,
        EmbeddingMatrix? prompts, EmbeddingMatrix? attentionQuery, EmbeddingMatrix? positions, EmbeddingMatrix? attentionMixing,
        ItemClustering clustering, double[] prior, double intentSmoothing, int components)
    {
        if (encoder == DivideConquerEncoder.SelfAttention && (positions == null || attentionMixing == null || attentionQuery == null))
            throw new ArgumentException("A SelfAttention model needs its positions, attention query and mixing matrix.", nameof(positions));
        Positions = positions;
        AttentionMixing = attentionMixing;
        Encoder = encoder;
        Items = items;
        HistoryItems = historyItems;
        UserVectors = userVectors;
        Prompts = prompts;
        AttentionQuery = attentionQuery;
        Clustering = clustering;
        _prior = prior;
        _priorOrder = Enumerable.Range(0, prior.Length).OrderByDescending(c => prior[c]).ThenBy(c => c).ToArray();
        IntentSmoothing = intentSmoothing;
        Components = components;
    }

    /// <summary>The user encoder f.</summary>
    public DivideConquerEncoder Encoder { get; }

    /// <summary>The item (output) vectors e_i that queries score, one row per item.</summary>
    public EmbeddingMatrix Items { get; }

    /// <summary>The history (input) vectors s_i of the pooling encoders, one row per item; null for <see cref="DivideConquerEncoder.UserVector"/>.</summary>
    public EmbeddingMatrix? HistoryItems { get; }

    /// <summary>The users' own vectors of <see cref="DivideConquerEncoder.UserVector"/> (one row per training user); null otherwise.</summary>
    public EmbeddingMatrix? UserVectors { get; }

    /// <summary>The learned prompts t_k, one row per cluster; null when the model was trained without prompts (t_k = 1).</summary>
    public EmbeddingMatrix? Prompts { get; }

    /// <summary>The attention query q (one row) of <see cref="DivideConquerEncoder.AttentionPooling"/> and <see cref="DivideConquerEncoder.SelfAttention"/>; null otherwise.</summary>
    public EmbeddingMatrix? AttentionQuery { get; }

    /// <summary>The position vectors p_r of <see cref="DivideConquerEncoder.SelfAttention"/>, row r for recency rank r (0 = the most recent item); null otherwise. Their count is the longest history the encoder reads.</summary>
    public EmbeddingMatrix? Positions { get; }

    /// <summary>The d × d matrix W of <see cref="DivideConquerEncoder.SelfAttention"/> (query <c>v = q + W h</c>); null otherwise.</summary>
    public EmbeddingMatrix? AttentionMixing { get; }

    /// <summary>The item clusters the model was trained and is served with.</summary>
    public ItemClustering Clustering { get; }

    /// <summary>s, the pseudo-count of the intent distribution <c>p_uk = (n_uk + s·π_k) / (n_u + s)</c>.</summary>
    public double IntentSmoothing { get; }

    /// <summary>m, the clusters per user (the most likely ones) that get a query.</summary>
    public int Components { get; }

    /// <summary>π_k, cluster k's share of the training edges (the intent distribution's prior).</summary>
    public ReadOnlySpan<double> ClusterPrior => _prior;

    /// <summary>
    /// Every listed user's top-m clusters by p_uk (ties to the lower cluster id), as a mixture: weights p_uk renormalised
    /// over the m, embeddings the unit queries <c>e_u^k</c> (unit length does not change the ranking inside a cluster).
    /// A user without history items has no components. The result does not depend on <paramref name="threads"/>.
    /// </summary>
    /// <param name="history">The users' histories (the training graph, or fresh ones with the same item indices).</param>
    /// <param name="users">The users to encode (rows of <paramref name="history"/>).</param>
    /// <param name="threads">Degree of parallelism (0 = all cores).</param>
    /// <param name="intentHistory">
    /// Optional histories p_uk is counted on instead of <paramref name="history"/> (same users and items), e.g. each user's
    /// most recent items when the next item is wanted; the queries still pool <paramref name="history"/>.
    /// </param>
    /// <param name="sequences">
    /// The users' items in time order, oldest first (user row = index), ending with the items of <paramref name="history"/>
    /// (e.g. <see cref="DivideConquerOptions.Sequences"/>): required by <see cref="DivideConquerEncoder.SelfAttention"/>,
    /// which reads the last <c>history.DegreeOf(u)</c> of them in that order (at most <see cref="Positions"/>' count);
    /// ignored by the other encoders.
    /// </param>
    /// <param name="intents">
    /// Optional p_uk given instead of counted (row = history user, one column per cluster), e.g. a
    /// <see cref="NextClusterIntent"/>'s prediction; <paramref name="intentHistory"/> is then not read.
    /// </param>
    /// <returns>A mixture table with rows for <paramref name="users"/>, cluster ids the model's clusters.</returns>
    public MixtureTable BuildMixtures(BipartiteGraph history, IReadOnlyList<int> users, int threads = 0, BipartiteGraph? intentHistory = null,
        IReadOnlyList<int[]>? sequences = null, EmbeddingMatrix? intents = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(users);
        CheckHistory(history, users, sequences);
        if (intentHistory != null && (intentHistory.UserCount != history.UserCount || intentHistory.ItemCount != history.ItemCount))
            throw new ArgumentException($"The intent histories are {intentHistory.UserCount} users x {intentHistory.ItemCount} items, the histories {history.UserCount} x {history.ItemCount}.",
                nameof(intentHistory));
        int k = Clustering.ClusterCount, m = Math.Min(Components, k), d = Items.Dimension;
        if (intents != null && (intents.Rows != history.UserCount || intents.Dimension != k))
            throw new ArgumentException($"The intents are {intents.Rows} x {intents.Dimension}: give one row per history user ({history.UserCount}) and one column per cluster ({k}).",
                nameof(intents));
        var intentOf = intentHistory ?? history;
        var table = MixtureTable.ForUsers(history.UserCount, users, m, d);
        int maxDegree = MaxDegree(history, users);
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new Scratch(this, maxDegree), (q, _, s) =>
        {
            int u = users[q];
            int n = s.Load(this, history, u, sequences);
            if (n == 0) { table.SetCount(u, 0); return s; }
            int count = intents != null ? s.TopClusters(intents.ReadRow(u), m) : s.TopClusters(this, intentOf.ItemsOf(u), m);
            table.SetCount(u, count);
            var clusters = table.WritableClusters(u);
            var weights = table.WritableWeights(u);
            double total = 0;
            for (int j = 0; j < count; j++) total += s.Probability[s.Order[j]];
            for (int j = 0; j < count; j++)
            {
                int c = s.Order[j];
                clusters[j] = c;
                weights[j] = s.Probability[c] / total;
                var row = table.WritableEmbedding(u, j);
                s.Pooling.Forward(PromptOf(c, s.Ones), Query, Mixing, row);
                VectorMath.NormalizeInPlace(row);
            }
            return s;
        }, _ => { });
        return table;
    }

    /// <summary>
    /// One query vector per user of <paramref name="history"/> for single-vector (unimodal) retrieval: the encoder without
    /// prompts (t = 1) when the model has none, else the p_uk-weighted sum of its top-m clusters' queries (not normalised).
    /// Users without history get a zero row. <paramref name="sequences"/> as for <see cref="BuildMixtures"/>.
    /// </summary>
    /// <param name="history">The users' histories (the training graph, or fresh ones with the same item indices); not null.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <param name="sequences">The users' items in time order, as for <see cref="BuildMixtures"/>; null when the encoder does not read them.</param>
    /// <returns>A new matrix of one row per user of <paramref name="history"/>.</returns>
    public EmbeddingMatrix UserQueries(BipartiteGraph history, int threads = 0, IReadOnlyList<int[]>? sequences = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var users = Enumerable.Range(0, history.UserCount).ToArray();
        CheckHistory(history, users, sequences);
        int k = Clustering.ClusterCount, m = Math.Min(Components, k), d = Items.Dimension;
        var result = new EmbeddingMatrix(history.UserCount, d);
        int maxDegree = MaxDegree(history, users);
        Parallel.For(0, users.Length, Parallelism.Options(threads), () => new Scratch(this, maxDegree), (u, _, s) =>
        {
            if (s.Load(this, history, u, sequences) == 0) return s;
            var row = result.Row(u);
            if (Prompts == null)
            {
                s.Pooling.Forward(s.Ones, Query, Mixing, row);
                return s;
            }
            int count = s.TopClusters(this, history.ItemsOf(u), m);
            double total = 0;
            for (int j = 0; j < count; j++) total += s.Probability[s.Order[j]];
            for (int j = 0; j < count; j++)
            {
                int c = s.Order[j];
                s.Pooling.Forward(PromptOf(c, s.Ones), Query, Mixing, s.Output);
                TensorPrimitives.MultiplyAdd(s.Output, (float)(s.Probability[c] / total), row, row);
            }
            return s;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// The query <c>e_u^k</c> of each listed user for one given cluster each (row j: <paramref name="users"/>[j] for
    /// <paramref name="clusters"/>[j], not normalised), whatever that cluster's intent: e.g. to rank items inside a
    /// cluster the user has not touched, or inside the cluster of a held-out item. Without prompts every cluster's query
    /// is the shared one. Users without history get a zero row. <paramref name="sequences"/> as for <see cref="BuildMixtures"/>.
    /// </summary>
    /// <param name="history">The users' histories (the training graph, or fresh ones with the same item indices); not null.</param>
    /// <param name="users">The users (rows of <paramref name="history"/>), aligned with <paramref name="clusters"/>.</param>
    /// <param name="clusters">One cluster per entry of <paramref name="users"/>.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <param name="sequences">The users' items in time order, as for <see cref="BuildMixtures"/>; null when the encoder does not read them.</param>
    /// <returns>A new matrix of one row per entry of <paramref name="users"/>.</returns>
    public EmbeddingMatrix ClusterQueries(BipartiteGraph history, IReadOnlyList<int> users, IReadOnlyList<int> clusters, int threads = 0,
        IReadOnlyList<int[]>? sequences = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(clusters);
        if (clusters.Count != users.Count)
            throw new ArgumentException($"There are {clusters.Count} clusters for {users.Count} users: give one cluster per user.", nameof(clusters));
        for (int j = 0; j < clusters.Count; j++)
            if ((uint)clusters[j] >= (uint)Clustering.ClusterCount)
                throw new ArgumentOutOfRangeException(nameof(clusters), clusters[j], $"Cluster {clusters[j]} (entry {j}) is outside the model's {Clustering.ClusterCount} clusters.");
        CheckHistory(history, users, sequences);
        var result = new EmbeddingMatrix(users.Count, Items.Dimension);
        int maxDegree = MaxDegree(history, users);
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new Scratch(this, maxDegree), (j, _, s) =>
        {
            if (s.Load(this, history, users[j], sequences) > 0) s.Pooling.Forward(PromptOf(clusters[j], s.Ones), Query, Mixing, result.Row(j));
            return s;
        }, _ => { });
        return result;
    }

    /// <summary>The same trained tables served with another intent pseudo-count s and m (retrieval-time settings, tuned without retraining).</summary>
    internal DivideConquerModel WithIntent(double intentSmoothing, int components) =>
        new(Encoder, Items, HistoryItems, UserVectors, Prompts, AttentionQuery, Positions, AttentionMixing, Clustering, _prior, intentSmoothing, components);

    /// <summary>p_uk of a history over all clusters into <paramref name="probability"/> (length K).</summary>
    internal void Intent(ReadOnlySpan<int> history, Span<double> probability)
    {
        double s = IntentSmoothing, n = history.Length;
        if (n + s == 0) { _prior.CopyTo(probability); return; }
        // Whole counts first, then (n_uk + s·π_k) / (n + s) in one expression: the ONNX encoder computes the same bits.
        probability.Slice(0, _prior.Length).Clear();
        foreach (int item in history) probability[Clustering.ClusterOf(item)] += 1;
        for (int c = 0; c < _prior.Length; c++) probability[c] = (probability[c] + s * _prior[c]) / (n + s);
    }

    private ReadOnlySpan<float> Query => AttentionQuery == null ? default : AttentionQuery.ReadRow(0);

    private ReadOnlySpan<float> Mixing => AttentionMixing == null ? default : AttentionMixing.Values;

    private ReadOnlySpan<float> PromptOf(int cluster, float[] ones) => Prompts == null ? ones : Prompts.ReadRow(cluster);

    private void CheckHistory(BipartiteGraph history, IReadOnlyList<int> users, IReadOnlyList<int[]>? sequences)
    {
        if (history.ItemCount != Items.Rows)
            throw new ArgumentException($"The history graph has {history.ItemCount} items, the model {Items.Rows}.", nameof(history));
        if (Positions != null)
        {
            if (sequences == null)
                throw new ArgumentException($"A {Encoder} model reads each history in time order: give the users' sequences.", nameof(sequences));
            if (sequences.Count != history.UserCount)
                throw new ArgumentException($"There are {sequences.Count} sequences for the history's {history.UserCount} users.", nameof(sequences));
            var seen = new bool[MaxDegree(history, users)];
            foreach (int u in users)
            {
                var sequence = sequences[u] ?? throw new ArgumentException($"Sequence {u} is null.", nameof(sequences));
                int degree = history.DegreeOf(u);
                if (sequence.Length < degree)
                    throw new ArgumentException($"Sequence {u} has {sequence.Length} items, fewer than the {degree} of user row {u}'s history.", nameof(sequences));
                // The queries are pooled from the sequence's tail and the intent counted from the history: they must be the same
                // items, each once (ItemsOf is sorted, so an item's place is found by binary search).
                var items = history.ItemsOf(u);
                seen.AsSpan(0, degree).Clear();
                foreach (int item in sequence.AsSpan(sequence.Length - degree))
                {
                    if ((uint)item >= (uint)Items.Rows)
                        throw new ArgumentException($"Sequence {u} holds item {item}, outside the model's {Items.Rows} items.", nameof(sequences));
                    int at = items.BinarySearch(item);
                    if (at < 0 || seen[at])
                        throw new ArgumentException($"Sequence {u} must end with the {degree} items of user row {u}'s history, each once: its last {degree} hold item {item} "
                            + (at < 0 ? "that is not in the history." : "twice."), nameof(sequences));
                    seen[at] = true;
                }
            }
        }
        if (UserVectors == null) return;
        foreach (int u in users)
            if ((uint)u >= (uint)UserVectors.Rows)
                throw new ArgumentOutOfRangeException(nameof(users), u, $"User row {u} has no vector: a {Encoder} model knows its {UserVectors.Rows} training users only.");
    }

    private static int MaxDegree(BipartiteGraph history, IReadOnlyList<int> users)
    {
        int max = 1;
        foreach (int u in users) max = Math.Max(max, history.DegreeOf(u));
        return max;
    }

    /// <summary>One thread's buffers: the gathered tokens, the encoder, p over the clusters and their order.</summary>
    private sealed class Scratch
    {
        private readonly float[] _tokens;
        private readonly int _d;
        private readonly int[] _seen, _touched;
        private readonly Comparer<int> _byProbability;
        private int _stamp;

        public Scratch(DivideConquerModel model, int maxDegree)
        {
            _d = model.Items.Dimension;
            int tokens = model.UserVectors != null ? 1 : maxDegree;
            _tokens = new float[tokens * _d];
            Pooling = new PromptPooling(model.Encoder, tokens, _d);
            Ones = new float[_d];
            Array.Fill(Ones, 1f);
            Output = new float[_d];
            int k = model.Clustering.ClusterCount;
            Probability = new double[k];
            Order = new int[k];
            _seen = new int[k];
            _touched = new int[k];
            var p = Probability;
            _byProbability = Comparer<int>.Create((x, y) => p[x] != p[y] ? p[y].CompareTo(p[x]) : x.CompareTo(y));
        }

        public PromptPooling Pooling { get; }
        public float[] Ones { get; }
        public float[] Output { get; }
        public double[] Probability { get; }
        public int[] Order { get; }

        /// <summary>Gathers user <paramref name="u"/>'s tokens into the encoder; returns its history length (0: nothing loaded).</summary>
        public int Load(DivideConquerModel model, BipartiteGraph history, int u, IReadOnlyList<int[]>? sequences)
        {
            var items = history.ItemsOf(u);
            if (items.Length == 0) return 0;
            if (model.Positions is { } positions)
            {
                // The last items in time order, oldest first, each plus the position vector of its recency rank.
                var sequence = sequences![u];
                int n = Math.Min(items.Length, positions.Rows);
                var recent = sequence.AsSpan(sequence.Length - n);
                for (int j = 0; j < n; j++)
                {
                    var token = _tokens.AsSpan(j * _d, _d);
                    TensorPrimitives.Add(model.HistoryItems!.ReadRow(recent[j]), positions.ReadRow(n - 1 - j), token);
                }
                Pooling.Load(_tokens, n);
                return items.Length;
            }
            if (model.UserVectors != null)
            {
                model.UserVectors.ReadRow(u).CopyTo(_tokens);
                Pooling.Load(_tokens, 1);
                return items.Length;
            }
            for (int j = 0; j < items.Length; j++) model.HistoryItems!.ReadRow(items[j]).CopyTo(_tokens.AsSpan(j * _d, _d));
            Pooling.Load(_tokens, items.Length);
            return items.Length;
        }

        /// <summary>Takes p_uk as given and puts the top <paramref name="m"/> clusters with p &gt; 0 first in <see cref="Order"/> (p descending, ties to the lower id); returns how many.</summary>
        public int TopClusters(ReadOnlySpan<float> intent, int m)
        {
            int count = 0;
            for (int c = 0; c < Probability.Length; c++)
            {
                Probability[c] = intent[c];
                if (intent[c] > 0) Order[count++] = c;
            }
            Array.Sort(Order, 0, count, _byProbability);
            return Math.Min(count, m);
        }

        /// <summary>
        /// Computes p_uk and puts the top <paramref name="m"/> clusters (p descending, ties to the lower id) first in
        /// <see cref="Order"/>; returns how many (those with p &gt; 0, at most m). The history's own clusters are sorted, the
        /// others all have p = s·π_k/(n + s) and so come in the model's precomputed prior order: a merge of the two, O(n log n + m).
        /// </summary>
        public int TopClusters(DivideConquerModel model, ReadOnlySpan<int> items, int m)
        {
            model.Intent(items, Probability);
            _stamp++;
            int touched = 0;
            foreach (int item in items)
            {
                int c = model.Clustering.ClusterOf(item);
                if (_seen[c] == _stamp) continue;
                _seen[c] = _stamp;
                _touched[touched++] = c;
            }
            Array.Sort(_touched, 0, touched, _byProbability);
            var prior = model._priorOrder;
            int count = 0, a = 0, b = 0;
            while (count < m)
            {
                while (b < prior.Length && _seen[prior[b]] == _stamp) b++;
                bool hasA = a < touched, hasB = b < prior.Length && Probability[prior[b]] > 0;
                if (!hasA && !hasB) break;
                Order[count++] = hasA && (!hasB || _byProbability.Compare(_touched[a], prior[b]) < 0) ? _touched[a++] : prior[b++];
            }
            return count;
        }
    }
}
