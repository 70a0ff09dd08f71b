using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Each user's interests read from its own history: the history's items are split by spherical k-means of their unit
/// vectors (min(<see cref="HistoryInterestOptions.MaxInterests"/>, max(1, n / <see cref="HistoryInterestOptions.ItemsPerInterest"/>))
/// groups for n items), and each group gets the vector implicit ALS would give a user whose history were that group
/// alone (<see cref="HistoryInterestOptions"/>: the least-squares fold-in with the embeddings' own α0, λ and ν). Where
/// kNN-Embed's components are global item clusters queried by the user's vector, these are the user's own interests,
/// each queried by a vector fitted to it; the interest's weight is its share of the history. Users without training
/// items have no interests. Deterministic; threads change only the speed.
/// </summary>
public sealed class HistoryInterests
{
    private readonly float[] _vectors;
    private readonly double[] _weights;
    private readonly int[] _counts;
    private HistoryInterestOptions _options = new();

    private HistoryInterests(IReadOnlyList<int> users, int maxInterests, int dimension)
    {
        Users = users;
        MaxInterests = maxInterests;
        Dimension = dimension;
        _vectors = new float[(long)users.Count * maxInterests * dimension];
        _weights = new double[users.Count * maxInterests];
        _counts = new int[users.Count];
    }

    /// <summary>The options the interests were read with (after fitting to the user vectors, if asked; a copy).</summary>
    public HistoryInterestOptions Options => _options.Clone();

    /// <summary>The user (graph row) of each entry.</summary>
    public IReadOnlyList<int> Users { get; }

    /// <summary>The most interests any user has.</summary>
    public int MaxInterests { get; }

    /// <summary>The vectors' dimension.</summary>
    public int Dimension { get; }

    /// <summary>How many interests entry <paramref name="query"/> has (0 for a user without training items).</summary>
    public int InterestCount(int query) => _counts[query];

    /// <summary>The interests' vectors of entry <paramref name="query"/>, one after another.</summary>
    public ReadOnlySpan<float> Vectors(int query) => _vectors.AsSpan(query * MaxInterests * Dimension, _counts[query] * Dimension);

    /// <summary>The interests' weights (their shares of the history, summing to 1) of entry <paramref name="query"/>.</summary>
    public ReadOnlySpan<double> Weights(int query) => _weights.AsSpan(query * MaxInterests, _counts[query]);

    /// <summary>
    /// The interests as a mixture over <paramref name="userCount"/> users (unit vectors, weights; no cluster: -1), the
    /// representation the protocol's goodness of fit (EMD) measures.
    /// </summary>
    internal MixtureTable ToMixtureTable(int userCount)
    {
        var table = MixtureTable.ForUsers(userCount, Users, MaxInterests, Dimension);
        for (int q = 0; q < Users.Count; q++)
        {
            int user = Users[q], count = _counts[q];
            table.SetCount(user, count);
            table.WritableClusters(user)[..count].Fill(-1);
            Weights(q).CopyTo(table.WritableWeights(user));
            for (int c = 0; c < count; c++)
            {
                var target = table.WritableEmbedding(user, c);
                Vectors(q).Slice(c * Dimension, Dimension).CopyTo(target);
                VectorMath.NormalizeInPlace(target);
            }
        }
        return table;
    }

    /// <summary>
    /// Learned interests in the same shape: each user's C_s components of <paramref name="model"/> as its interests, their
    /// weights (renormalised to sum to 1) as the shares, so history-interest MMR can serve a learned model (DCM's or the
    /// mixture embeddings') over the model's own item vectors.
    /// </summary>
    internal static HistoryInterests FromComponents(MixtureEmbeddingResult model, IReadOnlyList<int> users)
    {
        int cs = model.SourceComponents, d = model.Dimension;
        var interests = new HistoryInterests(users, cs, d);
        for (int q = 0; q < users.Count; q++)
        {
            int u = users[q];
            if ((uint)u >= (uint)model.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: the model has {model.UserCount} users.");
            interests._counts[q] = cs;
            model.ComponentsOfUser(u).CopyTo(interests._vectors.AsSpan(q * cs * d, cs * d));
            var weights = model.WeightsOfUser(u);
            double total = 0;
            foreach (double w in weights) total += w;
            for (int c = 0; c < cs; c++) interests._weights[q * cs + c] = total > 0 ? weights[c] / total : 1.0 / cs;
        }
        return interests;
    }

    /// <summary>
    /// Interests read back from tables (an ONNX encoder's): user row r's <paramref name="counts"/>[r] interests are the first
    /// rows of its block of <paramref name="vectors"/> (<c>[users, maxInterests, dimension]</c>) with the first entries of its
    /// row of <paramref name="weights"/> (<c>[users, maxInterests]</c>); the users are rows 0..users-1.
    /// </summary>
    internal static HistoryInterests FromTables(int maxInterests, int dimension, ReadOnlySpan<long> counts, ReadOnlySpan<float> vectors, ReadOnlySpan<double> weights)
    {
        int users = counts.Length;
        if (vectors.Length != (long)users * maxInterests * dimension || weights.Length != users * maxInterests)
            throw new ArgumentException($"Interest tables of {vectors.Length} values and {weights.Length} weights do not hold {users} users x {maxInterests} interests of dimension {dimension}.");
        var interests = new HistoryInterests(Enumerable.Range(0, users).ToArray(), maxInterests, dimension);
        for (int q = 0; q < users; q++)
        {
            if (counts[q] < 0 || counts[q] > maxInterests)
                throw new ArgumentException($"User row {q} has {counts[q]} interests, outside 0..{maxInterests}.", nameof(counts));
            interests._counts[q] = (int)counts[q];
        }
        vectors.CopyTo(interests._vectors);
        weights.CopyTo(interests._weights);
        return interests;
    }

    /// <summary>These interests with room for <paramref name="maxInterests"/> per user (at least <see cref="MaxInterests"/>): the same vectors, weights and counts.</summary>
    internal HistoryInterests Padded(int maxInterests)
    {
        if (maxInterests < MaxInterests) throw new ArgumentOutOfRangeException(nameof(maxInterests), maxInterests, $"Padding cannot drop interests: {MaxInterests} are held.");
        if (maxInterests == MaxInterests) return this;
        var padded = new HistoryInterests(Users, maxInterests, Dimension) { _options = _options };
        for (int q = 0; q < Users.Count; q++)
        {
            padded._counts[q] = _counts[q];
            Vectors(q).CopyTo(padded._vectors.AsSpan(q * maxInterests * Dimension));
            Weights(q).CopyTo(padded._weights.AsSpan(q * maxInterests));
        }
        return padded;
    }

    /// <summary>The interests' tables as <see cref="FromTables"/> reads them: counts, vectors <c>[users, MaxInterests, Dimension]</c> and weights <c>[users, MaxInterests]</c>.</summary>
    internal (long[] Counts, float[] Vectors, double[] Weights) ToTables() =>
        (_counts.Select(c => (long)c).ToArray(), (float[])_vectors.Clone(), (double[])_weights.Clone());

    /// <summary>Reads the interests of <paramref name="users"/> from their histories in <paramref name="train"/>.</summary>
    /// <param name="train">The training graph: its users' items are the histories (edge weights weight the fold-in).</param>
    /// <param name="items">The item vectors the embeddings were trained with.</param>
    /// <param name="users">The users (rows of <paramref name="train"/>) to read.</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <param name="userEmbeddings">The users' own vectors (rows of <paramref name="train"/>); needed only with <see cref="HistoryInterestOptions.MatchUserVectors"/>.</param>
    public static HistoryInterests Build(BipartiteGraph train, EmbeddingMatrix items, IReadOnlyList<int> users, HistoryInterestOptions? options = null, int threads = 0,
        EmbeddingMatrix? userEmbeddings = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(users);
        options ??= new HistoryInterestOptions();
        options.Validate();
        if (train.ItemCount != items.Rows)
            throw new ArgumentException($"The training graph has {train.ItemCount} items, the item embeddings {items.Rows} rows.", nameof(items));
        CheckUsers(train, users);
        if (options.MatchUserVectors)
        {
            if (userEmbeddings == null)
                throw new ArgumentException("HistoryInterestOptions.MatchUserVectors needs the users' own vectors: pass userEmbeddings.", nameof(userEmbeddings));
            if (userEmbeddings.Dimension != items.Dimension || userEmbeddings.Rows != train.UserCount)
                throw new ArgumentException($"The user embeddings are {userEmbeddings.Rows} x {userEmbeddings.Dimension}; expected {train.UserCount} x {items.Dimension}.", nameof(userEmbeddings));
            userEmbeddings.ThrowIfNotFinite("user embeddings", users);
        }
        var builder = new HistoryInterestBuilder(items, options, threads);
        if (options.MatchUserVectors) builder = builder.MatchedTo(train, userEmbeddings!, users, threads);
        return builder.Build(train, users, threads, userEmbeddings);
    }

    /// <summary>Reads the interests of <paramref name="users"/> with the item side of <paramref name="builder"/>.</summary>
    internal static HistoryInterests Read(HistoryInterestBuilder builder, BipartiteGraph train, IReadOnlyList<int> users, int threads, EmbeddingMatrix? userEmbeddings = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(users);
        if (train.ItemCount != builder.Items.Rows)
            throw new ArgumentException($"The history graph has {train.ItemCount} items, the item embeddings {builder.Items.Rows} rows.", nameof(train));
        CheckUsers(train, users);
        var options = builder.Options;
        if (options.MatchUserVectors && userEmbeddings == null)
            throw new ArgumentException("HistoryInterestOptions.MatchUserVectors needs the users' own vectors to scale the interests.", nameof(userEmbeddings));
        int d = builder.Items.Dimension, most = options.MaxInterests;
        var result = new HistoryInterests(users, most, d) { _options = options.Clone() };
        int longest = 1;
        foreach (int u in users) longest = Math.Max(longest, train.DegreeOf(u));
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new Scratch(builder.FoldIn, longest, most, d), (q, _, s) =>
        {
            result.Read(train, builder.Unit, builder.FoldIn, options, q, s);
            if (options.MatchUserVectors) result.ScaleToOwnVector(train, builder.FoldIn, userEmbeddings!, q, s);
            return s;
        }, _ => { });
        return result;
    }

    /// <summary>Scales entry <paramref name="q"/>'s interests by the factor mapping its whole-history fold-in onto its own vector.</summary>
    private void ScaleToOwnVector(BipartiteGraph train, InterestFoldIn foldIn, EmbeddingMatrix userEmbeddings, int q, Scratch s)
    {
        int user = Users[q];
        if (_counts[q] == 0) return;
        var whole = s.Whole.AsSpan(0, Dimension);
        foldIn.Solve(train.ItemsOf(user), train.HasWeights ? train.WeightsOf(user) : default, whole, s.FoldIn);
        float factor = FoldInCalibration.Scale(whole, userEmbeddings.ReadRow(user));
        var vectors = _vectors.AsSpan(q * MaxInterests * Dimension, _counts[q] * Dimension);
        TensorPrimitives.Multiply(vectors, factor, vectors);
    }

    private static void CheckUsers(BipartiteGraph train, IReadOnlyList<int> users)
    {
        foreach (int u in users)
            if ((uint)u >= (uint)train.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {train.UserCount} users.");
    }

    private void Read(BipartiteGraph train, EmbeddingMatrix unit, InterestFoldIn foldIn, HistoryInterestOptions options, int q, Scratch s)
    {
        int user = Users[q], d = Dimension;
        var history = train.ItemsOf(user);
        var historyWeights = train.HasWeights ? train.WeightsOf(user) : default;
        int n = history.Length;
        if (n == 0) return;
        int k = Math.Min(MaxInterests, Math.Max(1, n / options.ItemsPerInterest));
        var assignment = s.Assignment.AsSpan(0, n);
        if (k == 1) assignment.Clear();
        else HistoryKMeans.Cluster(unit, history, k, options.Iterations, assignment, s.Centres, s.Similarity, s.Sums);
        int stored = 0;
        double total = 0;
        for (int c = 0; c < k; c++)
        {
            int size = 0;
            for (int i = 0; i < n; i++)
            {
                if (assignment[i] != c) continue;
                s.Subset[size] = history[i];
                if (!historyWeights.IsEmpty) s.SubsetWeights[size] = historyWeights[i];
                size++;
            }
            if (size == 0) continue;   // k-means may leave a group empty; it is not an interest
            var x = _vectors.AsSpan((q * MaxInterests + stored) * d, d);
            foldIn.Solve(s.Subset.AsSpan(0, size), historyWeights.IsEmpty ? default : s.SubsetWeights.AsSpan(0, size), x, s.FoldIn);
            double weight = 0;
            if (historyWeights.IsEmpty) weight = size;
            else for (int i = 0; i < size; i++) weight += s.SubsetWeights[i];
            _weights[q * MaxInterests + stored] = weight;
            total += weight;
            stored++;
        }
        for (int c = 0; c < stored; c++) _weights[q * MaxInterests + c] /= total;
        _counts[q] = stored;
    }

    private sealed class Scratch(InterestFoldIn foldIn, int longest, int most, int d)
    {
        public int[] Assignment { get; } = new int[longest];
        public float[] Centres { get; } = new float[most * d];
        public double[] Similarity { get; } = new double[longest];
        public double[] Sums { get; } = new double[d];
        public int[] Subset { get; } = new int[longest];
        public float[] SubsetWeights { get; } = new float[longest];
        public float[] Whole { get; } = new float[d];
        public InterestFoldIn.Scratch FoldIn { get; } = foldIn.CreateScratch(Math.Min(longest, 64));
    }
}
