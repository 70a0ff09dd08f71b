using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A trained conditional user representation (Pinterest's conditional retrieval; <see cref="ConditionalOptions"/>): a
/// vector t_c and a history weight β_c per condition, so that a user u gets one query per condition,
/// <c>e_u^c = (u + β_c h_u^c) ⊙ (1 + t_c)</c>, h_u^c the mean of u's items in c (zero when it has none: a followed topic
/// the user never engaged with). <see cref="Represent"/> turns the users' conditions into a <see cref="MixtureTable"/>
/// (component = condition, weight = its share, embedding = unit(e_u^c)) for <see cref="ConditionalRetriever"/>.
/// Immutable and thread-safe.
/// </summary>
public sealed class ConditionalModel
{
    private readonly EmbeddingMatrix _vectors;
    private readonly float[] _betas;

    internal ConditionalModel(ItemConditions conditions, EmbeddingMatrix vectors, float[] betas, EpochStats[] stats, double scoreScale)
    {
        Conditions = conditions;
        _vectors = vectors;
        _betas = betas;
        Stats = stats;
        ScoreScale = scoreScale;
    }

    /// <summary>The items' conditions the model was trained with.</summary>
    public ItemConditions Conditions { get; }

    /// <summary>The dimension of the user and item vectors.</summary>
    public int Dimension => _vectors.Dimension;

    /// <summary>t_c of condition <paramref name="condition"/>.</summary>
    /// <param name="condition">A condition index, 0 to the condition count - 1.</param>
    /// <returns>A view of the vector, no copy.</returns>
    public ReadOnlySpan<float> ConditionVector(int condition) => _vectors.ReadRow(condition);

    /// <summary>β_c of condition <paramref name="condition"/>.</summary>
    /// <param name="condition">A condition index, 0 to the condition count - 1.</param>
    /// <returns>The weight.</returns>
    public float HistoryWeight(int condition) => _betas[condition];

    /// <summary>The mean |⟨u, i⟩| of the training edges, the unit of the softmax temperature.</summary>
    public double ScoreScale { get; }

    /// <summary>Loss and speed per epoch.</summary>
    public IReadOnlyList<EpochStats> Stats { get; }

    /// <summary>Trains the condition parameters over fixed user and item vectors.</summary>
    /// <param name="train">Training edges.</param>
    /// <param name="userEmbeddings">One row per user of <paramref name="train"/>.</param>
    /// <param name="itemEmbeddings">One row per item of <paramref name="train"/>.</param>
    /// <param name="conditions">The items' conditions (one or none per item).</param>
    /// <param name="options">Training settings; defaults when null.</param>
    /// <param name="progress">Optional per-epoch report.</param>
    /// <param name="cancellationToken">Stops between edges.</param>
    /// <returns>The trained model.</returns>
    public static ConditionalModel Fit(BipartiteGraph train, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings, ItemConditions conditions,
        ConditionalOptions? options = null, IProgress<EpochStats>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        ArgumentNullException.ThrowIfNull(conditions);
        options ??= new ConditionalOptions();
        options.Validate();
        if (userEmbeddings.Rows != train.UserCount)
            throw new ArgumentException($"There are {userEmbeddings.Rows} user embeddings for {train.UserCount} users.", nameof(userEmbeddings));
        if (itemEmbeddings.Rows != train.ItemCount)
            throw new ArgumentException($"There are {itemEmbeddings.Rows} item embeddings for {train.ItemCount} items.", nameof(itemEmbeddings));
        if (userEmbeddings.Dimension != itemEmbeddings.Dimension)
            throw new ArgumentException($"User embeddings have dimension {userEmbeddings.Dimension}, items {itemEmbeddings.Dimension}.", nameof(userEmbeddings));
        if (conditions.ItemCount != train.ItemCount)
            throw new ArgumentException($"The conditions cover {conditions.ItemCount} items, the graph {train.ItemCount}.", nameof(conditions));
        userEmbeddings.ThrowIfNotFinite("user embeddings");
        itemEmbeddings.ThrowIfNotFinite("item embeddings");
        return ConditionalTrainer.Fit(train, userEmbeddings, itemEmbeddings, conditions, options, progress, cancellationToken);
    }

    /// <summary>Writes e_u^c = (u + β_c h) ⊙ (1 + t_c) for a user vector and its history mean in c.</summary>
    internal void WriteQuery(ReadOnlySpan<float> user, ReadOnlySpan<float> historyMean, int condition, Span<float> destination)
    {
        TensorPrimitives.MultiplyAdd(historyMean, _betas[condition], user, destination);
        TensorPrimitives.MultiplyAdd(destination, _vectors.ReadRow(condition), destination, destination);
    }

    /// <summary>
    /// The users' conditional representations: per user its conditions with weights and unit(e_u^c). By default a user's
    /// conditions are the (at most <paramref name="maxConditions"/>) most frequent ones of its training items, weighted
    /// by their share (ties to the lower condition index); a user given <paramref name="followed"/> conditions (explicit
    /// topics it follows) gets those instead, with equal weights. A user with neither has no component.
    /// </summary>
    /// <param name="train">Training edges (the histories).</param>
    /// <param name="userEmbeddings">One row per user.</param>
    /// <param name="itemEmbeddings">One row per item.</param>
    /// <param name="users">The users to represent.</param>
    /// <param name="maxConditions">Conditions per user from its history, at least 1.</param>
    /// <param name="followed">Optional, aligned with <paramref name="users"/>: the conditions each user follows (null entry = from its history).</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>A mixture table whose cluster ids are condition indices, rows for <paramref name="users"/>.</returns>
    public MixtureTable Represent(BipartiteGraph train, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings, IReadOnlyList<int> users,
        int maxConditions = ConditionalDefaults.MaxConditions, IReadOnlyList<int[]?>? followed = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        ArgumentNullException.ThrowIfNull(users);
        if (maxConditions < 1) throw new ArgumentOutOfRangeException(nameof(maxConditions), maxConditions, "A user needs at least one condition (maxConditions >= 1).");
        if (userEmbeddings.Dimension != Dimension || itemEmbeddings.Dimension != Dimension)
            throw new ArgumentException($"The model has dimension {Dimension}; the user embeddings {userEmbeddings.Dimension}, the items {itemEmbeddings.Dimension}.", nameof(userEmbeddings));
        if (itemEmbeddings.Rows != Conditions.ItemCount || train.ItemCount != Conditions.ItemCount)
            throw new ArgumentException($"The model's conditions cover {Conditions.ItemCount} items; the item embeddings have {itemEmbeddings.Rows}, the graph {train.ItemCount}.", nameof(itemEmbeddings));
        if (followed != null && followed.Count != users.Count)
            throw new ArgumentException($"There are {followed.Count} followed-condition lists for {users.Count} users.", nameof(followed));
        // No user has more conditions than there are: a larger maxConditions allocates nothing for them.
        int width = Math.Min(maxConditions, Conditions.Count);
        for (int q = 0; q < users.Count; q++)
        {
            int u = users[q];
            if ((uint)u >= (uint)train.UserCount || u >= userEmbeddings.Rows)
                throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {Math.Min(train.UserCount, userEmbeddings.Rows)} users.");
            var list = followed?[q];
            if (list == null) continue;
            if (list.Length == 0) throw new ArgumentException($"User row {u} follows no condition: pass null to use its history instead.", nameof(followed));
            foreach (int c in list)
                if ((uint)c >= (uint)Conditions.Count)
                    throw new ArgumentException($"User row {u} follows unknown condition {c}: there are {Conditions.Count} conditions (0..{Conditions.Count - 1}).", nameof(followed));
            if (list.Distinct().Count() != list.Length) throw new ArgumentException($"User row {u} follows a condition twice.", nameof(followed));
            width = Math.Max(width, list.Length);
        }

        var table = MixtureTable.ForUsers(train.UserCount, users, width, Dimension);
        var done = new bool[train.UserCount];
        var distinct = users.Select((u, q) => (u, q)).Where(p => !done[p.u] && (done[p.u] = true)).ToArray();
        Parallel.For(0, distinct.Length, Parallelism.Options(threads), () => new Scratch(Conditions.Count, Dimension, width), (k, _, s) =>
        {
            var (u, q) = distinct[k];
            RepresentOne(train, userEmbeddings, itemEmbeddings, u, maxConditions, followed?[q], table, s);
            return s;
        }, _ => { });
        return table;
    }

    private void RepresentOne(BipartiteGraph train, EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings, int u, int maxConditions, int[]? followed,
        MixtureTable table, Scratch s)
    {
        var history = train.ItemsOf(u);
        int n;
        if (followed != null)
        {
            n = followed.Length;
            followed.CopyTo(s.Chosen, 0);
            // Equal weights: ascending condition order, the mixtures' tie rule.
            Array.Sort(s.Chosen, 0, n);
            for (int j = 0; j < n; j++) s.Weights[j] = 1.0 / n;
        }
        else
        {
            // Counts of the user's conditions, cleared through the touched list.
            int touched = 0;
            foreach (int item in history)
            {
                int c = Conditions.ConditionOf(item);
                if (c == ItemConditions.None) continue;
                if (s.Counts[c]++ == 0) s.Touched[touched++] = c;
            }
            n = Math.Min(maxConditions, touched);
            var order = s.Touched.AsSpan(0, touched);
            var counts = s.Counts;
            order.Sort((a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
            double total = 0;
            for (int j = 0; j < n; j++) total += counts[order[j]];
            for (int j = 0; j < n; j++)
            {
                s.Chosen[j] = order[j];
                s.Weights[j] = counts[order[j]] / total;
            }
            foreach (int c in order) counts[c] = 0;
        }
        table.SetCount(u, n);
        var user = userEmbeddings.ReadRow(u);
        for (int j = 0; j < n; j++)
        {
            int c = s.Chosen[j];
            table.WritableClusters(u)[j] = c;
            table.WritableWeights(u)[j] = s.Weights[j];
            ConditionalTrainer.LeaveOneOutMean(train, u, -1, c, Conditions, itemEmbeddings, s.Mean);
            var destination = table.WritableEmbedding(u, j);
            WriteQuery(user, s.Mean, c, destination);
            VectorMath.NormalizeInPlace(destination);
        }
    }

    private sealed class Scratch(int conditions, int dimension, int width)
    {
        public int[] Counts { get; } = new int[conditions];
        public int[] Touched { get; } = new int[conditions];
        public int[] Chosen { get; } = new int[Math.Max(width, 1)];
        public double[] Weights { get; } = new double[Math.Max(width, 1)];
        public float[] Mean { get; } = new float[dimension];
    }
}
