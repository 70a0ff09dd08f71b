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
    // Stored without padding: entry q's interests are rows _first[q].._first[q + 1] of one matrix, which the pool search
    // takes as its queries as it is (a padded copy is made only for the ONNX tables).
    private readonly int[] _first;
    private readonly float[] _vectors;
    private readonly double[] _weights;
    // Set for interests kept as their counts and weights alone (WeightsOnly): _vectors is then empty.
    private readonly bool _weightsOnly;
    private HistoryInterestOptions _options = new();

    private HistoryInterests(IReadOnlyList<int> users, int maxInterests, int dimension, int[] first)
    {
        Users = users;
        MaxInterests = maxInterests;
        Dimension = dimension;
        _first = first;
        _vectors = new float[(long)first[^1] * dimension];
        _weights = new double[first[^1]];
    }

    // The same interests under another MaxInterests (at least the largest count): the arrays are shared, not copied.
    private HistoryInterests(HistoryInterests source, int maxInterests)
    {
        Users = source.Users;
        MaxInterests = maxInterests;
        Dimension = source.Dimension;
        _first = source._first;
        _vectors = source._vectors;
        _weights = source._weights;
        _weightsOnly = source._weightsOnly;
        _options = source._options;
    }

    // Counts and weights without vectors (WeightsOnly).
    private HistoryInterests(IReadOnlyList<int> users, int maxInterests, int dimension, int[] first, double[] weights, HistoryInterestOptions options)
    {
        Users = users;
        MaxInterests = maxInterests;
        Dimension = dimension;
        _first = first;
        _vectors = [];
        _weights = weights;
        _weightsOnly = true;
        _options = options.Clone();
    }

    /// <summary>
    /// Interests held as their counts and weights alone, without vectors: what a row's exported mixtures and its MMR
    /// interest term read once the pools are searched (<see cref="ToWeightsTable"/>, <see cref="InterestCount"/>,
    /// <see cref="Weights"/>). Entry q of <paramref name="users"/> has <paramref name="counts"/>[q] interests, whose weights
    /// follow one another in <paramref name="weights"/>.
    /// </summary>
    internal static HistoryInterests WeightsOnly(IReadOnlyList<int> users, int maxInterests, int dimension, ReadOnlySpan<int> counts, double[] weights,
        HistoryInterestOptions options)
    {
        if (counts.Length != users.Count) throw new ArgumentException($"There are {counts.Length} counts for {users.Count} users.", nameof(counts));
        var first = Offsets(counts);
        if (first[^1] != weights.Length) throw new ArgumentException($"The counts add up to {first[^1]} interests, the weights to {weights.Length}.", nameof(weights));
        return new HistoryInterests(users, maxInterests, dimension, first, weights, options);
    }

    /// <summary>Whether the interests hold their vectors (false for <see cref="WeightsOnly"/>).</summary>
    internal bool HasVectors => !_weightsOnly;

    private float[] VectorArray => _weightsOnly
        ? throw new InvalidOperationException("These history interests hold their counts and weights only (HistoryInterests.WeightsOnly): they have no vectors to read.")
        : _vectors;

    // Offsets of entries holding counts[q] interests each.
    private static int[] Offsets(ReadOnlySpan<int> counts)
    {
        var first = new int[counts.Length + 1];
        for (int q = 0; q < counts.Length; q++) first[q + 1] = checked(first[q] + counts[q]);
        return first;
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
    /// <param name="query">An entry index, 0 to the number of users read - 1.</param>
    /// <returns>The count of the entry's interests.</returns>
    public int InterestCount(int query) => _first[query + 1] - _first[query];

    /// <summary>The interests' vectors of entry <paramref name="query"/>, one after another.</summary>
    /// <param name="query">An entry index, 0 to the number of users read - 1.</param>
    /// <returns>A view of <see cref="InterestCount"/> x <see cref="Dimension"/> values, no copy.</returns>
    public ReadOnlySpan<float> Vectors(int query) => VectorArray.AsSpan(_first[query] * Dimension, InterestCount(query) * Dimension);

    /// <summary>The interests' weights (their shares of the history, summing to 1) of entry <paramref name="query"/>.</summary>
    /// <param name="query">An entry index, 0 to the number of users read - 1.</param>
    /// <returns>A view of <see cref="InterestCount"/> weights, no copy.</returns>
    public ReadOnlySpan<double> Weights(int query) => _weights.AsSpan(_first[query], InterestCount(query));

    /// <summary>Every interest vector as one matrix, entry by entry (rows <see cref="FirstInterests"/>[q] onwards are entry q's); not a copy.</summary>
    internal EmbeddingMatrix Matrix => new(_first[^1], Dimension, VectorArray);

    /// <summary>Entry q's first row of <see cref="Matrix"/>, and one past the last entry's (the array itself: read only).</summary>
    internal int[] FirstInterests => _first;

    /// <summary>
    /// The interests as a mixture over <paramref name="userCount"/> users without its vectors (no cluster: -1; the history
    /// shares as weights): what a row's exported mixtures hold. The goodness of fit reads the vectors through
    /// <see cref="UnitVectors"/>.
    /// </summary>
    internal MixtureTable ToWeightsTable(int userCount)
    {
        var table = MixtureTable.ForUsers(userCount, Users, MaxInterests, 0);
        for (int q = 0; q < Users.Count; q++)
        {
            int user = Users[q], count = InterestCount(q);
            table.SetCount(user, count);
            table.WritableClusters(user)[..count].Fill(-1);
            Weights(q).CopyTo(table.WritableWeights(user));
        }
        return table;
    }

    /// <summary>Entry <paramref name="query"/>'s interest vectors at unit length, written to <paramref name="destination"/> (room for <see cref="MaxInterests"/>): the mixture the protocol's goodness of fit (EMD) measures.</summary>
    internal ReadOnlySpan<float> UnitVectors(int query, Span<float> destination)
    {
        int d = Dimension, count = InterestCount(query);
        var unit = destination[..(count * d)];
        Vectors(query).CopyTo(unit);
        for (int c = 0; c < count; c++) VectorMath.NormalizeInPlace(unit.Slice(c * d, d));
        return unit;
    }

    /// <summary>
    /// Learned interests in the same shape: each user's C_s components of <paramref name="model"/> as its interests, their
    /// weights (renormalised to sum to 1) as the shares, so history-interest MMR can serve a learned model (DCM's or the
    /// mixture embeddings') over the model's own item vectors.
    /// </summary>
    internal static HistoryInterests FromComponents(MixtureEmbeddingResult model, IReadOnlyList<int> users)
    {
        int cs = model.SourceComponents, d = model.Dimension;
        var interests = new HistoryInterests(users, cs, d, Offsets(Enumerable.Repeat(cs, users.Count).ToArray()));
        for (int q = 0; q < users.Count; q++)
        {
            int u = users[q];
            if ((uint)u >= (uint)model.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: the model has {model.UserCount} users.");
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
        for (int q = 0; q < users; q++)
            if (counts[q] < 0 || counts[q] > maxInterests)
                throw new ArgumentException($"User row {q} has {counts[q]} interests, outside 0..{maxInterests}.", nameof(counts));
        var first = Offsets(counts.ToArray().Select(c => (int)c).ToArray());
        var interests = new HistoryInterests(Enumerable.Range(0, users).ToArray(), maxInterests, dimension, first);
        for (int q = 0; q < users; q++)
        {
            int count = (int)counts[q];
            vectors.Slice(q * maxInterests * dimension, count * dimension).CopyTo(interests._vectors.AsSpan(first[q] * dimension));
            weights.Slice(q * maxInterests, count).CopyTo(interests._weights.AsSpan(first[q]));
        }
        return interests;
    }

    /// <summary>These interests with room for <paramref name="maxInterests"/> per user (at least <see cref="MaxInterests"/>): the same vectors, weights and counts (shared, not copied).</summary>
    internal HistoryInterests Padded(int maxInterests)
    {
        if (maxInterests < MaxInterests) throw new ArgumentOutOfRangeException(nameof(maxInterests), maxInterests, $"Padding cannot drop interests: {MaxInterests} are held.");
        return maxInterests == MaxInterests ? this : new HistoryInterests(this, maxInterests);
    }

    /// <summary>The interests' tables as <see cref="FromTables"/> reads them: counts, vectors <c>[users, MaxInterests, Dimension]</c> and weights <c>[users, MaxInterests]</c> (zeros after each user's count).</summary>
    internal (long[] Counts, float[] Vectors, double[] Weights) ToTables()
    {
        int users = Users.Count, k = MaxInterests, d = Dimension;
        var counts = new long[users];
        var vectors = new float[(long)users * k * d];
        var weights = new double[users * k];
        for (int q = 0; q < users; q++)
        {
            counts[q] = InterestCount(q);
            Vectors(q).CopyTo(vectors.AsSpan(q * k * d));
            Weights(q).CopyTo(weights.AsSpan(q * k));
        }
        return (counts, vectors, weights);
    }

    /// <summary>Reads the interests of <paramref name="users"/> from their histories in <paramref name="train"/>.</summary>
    /// <param name="train">The training graph: its users' items are the histories (edge weights weight the fold-in).</param>
    /// <param name="items">The item vectors the embeddings were trained with.</param>
    /// <param name="users">The users (rows of <paramref name="train"/>) to read.</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <param name="userEmbeddings">The users' own vectors (rows of <paramref name="train"/>); needed only with <see cref="HistoryInterestOptions.MatchUserVectors"/>, whose fold-in is fitted on a sample of every user with a history.</param>
    /// <returns>The interests, one entry per user of <paramref name="users"/>, in that order.</returns>
    public static HistoryInterests Build(BipartiteGraph train, EmbeddingMatrix items, IReadOnlyList<int> users, HistoryInterestOptions? options = null, int threads = 0,
        EmbeddingMatrix? userEmbeddings = null) =>
        BuilderFor(train, items, users, options, threads, userEmbeddings).Build(train, users, threads, userEmbeddings);

    /// <summary>
    /// The builder <see cref="Build"/> reads <paramref name="users"/>' interests with, its arguments checked and, with
    /// <see cref="HistoryInterestOptions.MatchUserVectors"/>, its fold-ins fitted to the users' own vectors (an even sample
    /// of every user with a history in <paramref name="train"/>, whichever users are read): reading any
    /// subset of the users with it gives their entries of <see cref="Build"/>'s result, bit for bit, since each entry reads
    /// its own history alone.
    /// </summary>
    internal static HistoryInterestBuilder BuilderFor(BipartiteGraph train, EmbeddingMatrix items, IReadOnlyList<int> users, HistoryInterestOptions? options,
        int threads, EmbeddingMatrix? userEmbeddings)
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
        return options.MatchUserVectors ? builder.MatchedTo(train, userEmbeddings!, threads) : builder;
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
        int longest = 1;
        var historyStart = new long[users.Count + 1];
        for (int q = 0; q < users.Count; q++)
        {
            int degree = train.DegreeOf(users[q]);
            longest = Math.Max(longest, degree);
            historyStart[q + 1] = historyStart[q] + degree;
        }
        // First the groups of every history (each history item's interest, empty groups dropped), so that the interests
        // can be stored without padding; then each group's fold-in.
        var groups = new int[historyStart[^1]];
        var counts = new int[users.Count];
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new GroupScratch(longest, most, d), (q, _, s) =>
        {
            counts[q] = Group(train.ItemsOf(users[q]), builder.Unit, options, groups.AsSpan((int)historyStart[q], (int)(historyStart[q + 1] - historyStart[q])), s);
            return s;
        }, _ => { });
        var result = new HistoryInterests(users, most, d, Offsets(counts)) { _options = options.Clone() };
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new Scratch(builder.FoldIn, longest, d), (q, _, s) =>
        {
            result.FoldIn(train, builder.FoldIn, groups.AsSpan((int)historyStart[q], (int)(historyStart[q + 1] - historyStart[q])), q, s);
            if (options.MatchUserVectors) result.ScaleToOwnVector(train, builder.FoldIn, userEmbeddings!, q, s);
            return s;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// The interest of each item of one <paramref name="history"/> (in its order), as <see cref="Read"/> groups that history with
    /// <paramref name="builder"/>'s options: group g is the interest at place g of the entry's interests (empty k-means groups
    /// dropped, the rest numbered in order), so the items with group g are the ones interest g's vector was folded in from.
    /// Empty for an empty history.
    /// </summary>
    internal static int[] GroupsOf(HistoryInterestBuilder builder, ReadOnlySpan<int> history)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var groups = new int[history.Length];
        if (history.IsEmpty) return groups;
        var options = builder.Options;
        Group(history, builder.Unit, options, groups, new GroupScratch(history.Length, options.MaxInterests, builder.Items.Dimension));
        return groups;
    }

    /// <summary>Scales entry <paramref name="q"/>'s interests by the factor mapping its whole-history fold-in onto its own vector.</summary>
    private void ScaleToOwnVector(BipartiteGraph train, InterestFoldIn foldIn, EmbeddingMatrix userEmbeddings, int q, Scratch s)
    {
        int user = Users[q];
        if (InterestCount(q) == 0) return;
        var whole = s.Whole.AsSpan(0, Dimension);
        foldIn.Solve(train.ItemsOf(user), train.HasWeights ? train.WeightsOf(user) : default, whole, s.FoldIn);
        float factor = FoldInCalibration.Scale(whole, userEmbeddings.ReadRow(user));
        var vectors = _vectors.AsSpan(_first[q] * Dimension, InterestCount(q) * Dimension);
        TensorPrimitives.Multiply(vectors, factor, vectors);
    }

    private static void CheckUsers(BipartiteGraph train, IReadOnlyList<int> users)
    {
        foreach (int u in users)
            if ((uint)u >= (uint)train.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {train.UserCount} users.");
    }

    /// <summary>
    /// Splits <paramref name="history"/> into min(max, n / items-per-interest) groups by spherical k-means and writes each
    /// item's group to <paramref name="groups"/>, numbering the non-empty groups 0, 1, ... in the k-means' order (k-means
    /// may leave a group empty; it is not an interest). Returns how many there are.
    /// </summary>
    private static int Group(ReadOnlySpan<int> history, EmbeddingMatrix unit, HistoryInterestOptions options, Span<int> groups, GroupScratch s)
    {
        int n = history.Length;
        if (n == 0) return 0;
        int k = Math.Min(options.MaxInterests, Math.Max(1, n / options.ItemsPerInterest));
        if (k == 1)
        {
            groups.Clear();
            return 1;
        }
        HistoryKMeans.Cluster(unit, history, k, options.Iterations, groups, s.Centres, s.Similarity, s.Sums);
        var label = s.Label.AsSpan(0, k);
        label.Fill(-1);
        foreach (int c in groups) label[c] = 0;
        int stored = 0;
        for (int c = 0; c < k; c++)
            if (label[c] == 0) label[c] = stored++;
        for (int i = 0; i < n; i++) groups[i] = label[groups[i]];
        return stored;
    }

    /// <summary>Entry <paramref name="q"/>'s interests from its history's <paramref name="groups"/>: each group's fold-in, weighted by its share of the history.</summary>
    private void FoldIn(BipartiteGraph train, InterestFoldIn foldIn, ReadOnlySpan<int> groups, int q, Scratch s)
    {
        int user = Users[q], d = Dimension, first = _first[q], stored = InterestCount(q);
        var history = train.ItemsOf(user);
        var historyWeights = train.HasWeights ? train.WeightsOf(user) : default;
        double total = 0;
        for (int g = 0; g < stored; g++)
        {
            int size = 0;
            for (int i = 0; i < history.Length; i++)
            {
                if (groups[i] != g) continue;
                s.Subset[size] = history[i];
                if (!historyWeights.IsEmpty) s.SubsetWeights[size] = historyWeights[i];
                size++;
            }
            var x = _vectors.AsSpan((first + g) * d, d);
            foldIn.Solve(s.Subset.AsSpan(0, size), historyWeights.IsEmpty ? default : s.SubsetWeights.AsSpan(0, size), x, s.FoldIn);
            double weight = 0;
            if (historyWeights.IsEmpty) weight = size;
            else for (int i = 0; i < size; i++) weight += s.SubsetWeights[i];
            _weights[first + g] = weight;
            total += weight;
        }
        for (int g = 0; g < stored; g++) _weights[first + g] /= total;
    }

    private sealed class GroupScratch(int longest, int most, int d)
    {
        public float[] Centres { get; } = new float[most * d];
        public double[] Similarity { get; } = new double[longest];
        public double[] Sums { get; } = new double[d];
        public int[] Label { get; } = new int[most];
    }

    private sealed class Scratch(InterestFoldIn foldIn, int longest, int d)
    {
        public int[] Subset { get; } = new int[longest];
        public float[] SubsetWeights { get; } = new float[longest];
        public float[] Whole { get; } = new float[d];
        public InterestFoldIn.Scratch FoldIn { get; } = foldIn.CreateScratch(Math.Min(longest, 64));
    }
}
