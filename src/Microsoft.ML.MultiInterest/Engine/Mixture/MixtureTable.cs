namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Per-user mixtures: for each user up to <see cref="MaxComponents"/> components, each a cluster, a
/// weight (the weights of a user sum to 1) and a unit-length component embedding. Components are
/// stored in descending weight order (ties to the lower cluster id). A table of dimension 0 holds the clusters and
/// weights only (<see cref="HasEmbeddings"/> is false): what kNN smoothing needs of every user's unsmoothed mixture,
/// at m * 12 bytes per user instead of m * (12 + 4 d). A table may also store rows for a subset of the users only
/// (<see cref="ForUsers"/>); every other user reads as having no components.
/// </summary>
public sealed class MixtureTable
{
    private readonly int[] _counts;
    private readonly int[] _clusters;
    private readonly double[] _weights;
    private readonly float[] _embeddings;

    /// <summary>
    /// The users with a row, ascending (slot = index, found by binary search, so a table of few users over a wide user
    /// range costs nothing per user of the range); null when every user has its own row (slot = user).
    /// </summary>
    private readonly int[]? _storedUsers;

    /// <summary>Creates an empty table (every user with zero components).</summary>
    /// <param name="userCount">Number of users (rows).</param>
    /// <param name="maxComponents">m, the largest number of components per user.</param>
    /// <param name="dimension">Dimension of the component embeddings; 0 for a table of clusters and weights only.</param>
    public MixtureTable(int userCount, int maxComponents, int dimension)
        : this(userCount, maxComponents, dimension, null, userCount)
    {
    }

    /// <summary>A view of <paramref name="source"/>'s clusters and weights (the same arrays) without its embeddings.</summary>
    private MixtureTable(MixtureTable source)
    {
        UserCount = source.UserCount;
        MaxComponents = source.MaxComponents;
        Dimension = 0;
        StoredUsers = source.StoredUsers;
        _storedUsers = source._storedUsers;
        _counts = source._counts;
        _clusters = source._clusters;
        _weights = source._weights;
        _embeddings = [];
    }

    private MixtureTable(int userCount, int maxComponents, int dimension, int[]? storedUsers, int slots)
    {
        if (userCount < 0) throw new ArgumentOutOfRangeException(nameof(userCount), userCount, "The user count cannot be negative.");
        if (maxComponents < 1) throw new ArgumentOutOfRangeException(nameof(maxComponents), maxComponents, "At least one component is needed.");
        if (dimension < 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension cannot be negative (0 = clusters and weights only).");
        // The component vectors are one array: a component count such as 100,000,000 (a sweep's or a typo's) would overflow
        // its length; say so, naming the setting, before anything is allocated.
        long vectors = (long)slots * maxComponents * Math.Max(dimension, 1);
        if (vectors > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(maxComponents), maxComponents, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"A mixture table of {slots:N0} users x {maxComponents:N0} components x {Math.Max(dimension, 1):N0} dimensions needs {vectors:N0} entries, past the largest array ({Array.MaxLength:N0}): use fewer components (Components, m; a user's mixture has at most one per cluster) or serve fewer users at a time."));
        UserCount = userCount;
        MaxComponents = maxComponents;
        Dimension = dimension;
        StoredUsers = slots;
        _storedUsers = storedUsers;
        _counts = new int[slots];
        _clusters = new int[checked(slots * maxComponents)];
        _weights = new double[slots * maxComponents];
        _embeddings = new float[checked(slots * maxComponents * dimension)];
    }

    /// <summary>
    /// Creates an empty table over <paramref name="userCount"/> users that stores rows for <paramref name="users"/>
    /// only (duplicates share one row): the memory grows with the users served, not with all users.
    /// </summary>
    /// <param name="userCount">Number of users (valid user indices are 0..userCount-1).</param>
    /// <param name="users">The users that get a row.</param>
    /// <param name="maxComponents">m, the largest number of components per user.</param>
    /// <param name="dimension">Dimension of the component embeddings; 0 for a table of clusters and weights only.</param>
    /// <returns>A new table with no components yet.</returns>
    public static MixtureTable ForUsers(int userCount, IReadOnlyList<int> users, int maxComponents, int dimension)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (userCount < 0) throw new ArgumentOutOfRangeException(nameof(userCount), userCount, "The user count cannot be negative.");
        foreach (int user in users)
        {
            if ((uint)user >= (uint)userCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {user}: there are {userCount} users.");
        }
        var stored = users.Distinct().Order().ToArray();
        // Every user listed: slot = user, no search.
        return new MixtureTable(userCount, maxComponents, dimension, stored.Length == userCount ? null : stored, stored.Length);
    }

    /// <summary>Number of users (valid user indices are 0..UserCount-1).</summary>
    public int UserCount { get; }

    /// <summary>Number of users with a stored row (<see cref="UserCount"/> unless built by <see cref="ForUsers"/>).</summary>
    public int StoredUsers { get; }

    /// <summary>The largest number of components a user may have (m).</summary>
    public int MaxComponents { get; }

    /// <summary>Embedding dimension (0 when the table holds clusters and weights only).</summary>
    public int Dimension { get; }

    /// <summary>Whether the table holds component embeddings (false for a clusters-and-weights table).</summary>
    public bool HasEmbeddings => Dimension > 0;

    /// <summary>Number of components of <paramref name="user"/> (0 for a user without training items or without a row).</summary>
    /// <param name="user">A user index; any value (a user without a row has 0).</param>
    /// <returns>The count of the user's components.</returns>
    public int ComponentCount(int user)
    {
        int slot = SlotOf(user);
        return slot < 0 ? 0 : _counts[slot];
    }

    /// <summary>The clusters of the user's components, by descending weight.</summary>
    /// <param name="user">A user index; any value (a user without a row has none).</param>
    /// <returns>A view of the clusters, no copy; empty for a user without a row.</returns>
    public ReadOnlySpan<int> Clusters(int user)
    {
        int slot = SlotOf(user);
        return slot < 0 ? default : _clusters.AsSpan(slot * MaxComponents, _counts[slot]);
    }

    /// <summary>The component weights, aligned with <see cref="Clusters"/>; they sum to 1.</summary>
    /// <param name="user">A user index; any value (a user without a row has none).</param>
    /// <returns>A view of the weights, no copy; empty for a user without a row.</returns>
    public ReadOnlySpan<double> Weights(int user)
    {
        int slot = SlotOf(user);
        return slot < 0 ? default : _weights.AsSpan(slot * MaxComponents, _counts[slot]);
    }

    /// <summary>The unit-length embedding of component <paramref name="component"/> of <paramref name="user"/>.</summary>
    /// <param name="user">A user index.</param>
    /// <param name="component">A component index, 0 to <see cref="ComponentCount"/> - 1.</param>
    /// <returns>A view of <see cref="Dimension"/> values, no copy.</returns>
    public ReadOnlySpan<float> Embedding(int user, int component)
    {
        RequireEmbeddings();
        int slot = SlotOf(user);
        int count = slot < 0 ? 0 : _counts[slot];
        if ((uint)component >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(component), component, $"User {user} has {count} components.");
        return _embeddings.AsSpan((slot * MaxComponents + component) * Dimension, Dimension);
    }

    /// <summary>All component embeddings of <paramref name="user"/> as consecutive rows.</summary>
    /// <param name="user">A user index; any value (a user without a row has none).</param>
    /// <returns>A view of <see cref="ComponentCount"/> x <see cref="Dimension"/> values, no copy.</returns>
    public ReadOnlySpan<float> Embeddings(int user)
    {
        RequireEmbeddings();
        int slot = SlotOf(user);
        return slot < 0 ? default : _embeddings.AsSpan(slot * MaxComponents * Dimension, _counts[slot] * Dimension);
    }

    /// <summary>Sets the number of components of <paramref name="user"/>; then fill them with the writable views.</summary>
    internal void SetCount(int user, int count)
    {
        if ((uint)count > (uint)MaxComponents) throw new ArgumentOutOfRangeException(nameof(count));
        _counts[WritableSlotOf(user)] = count;
    }

    internal Span<int> WritableClusters(int user) => _clusters.AsSpan(WritableSlotOf(user) * MaxComponents, MaxComponents);

    internal Span<double> WritableWeights(int user) => _weights.AsSpan(WritableSlotOf(user) * MaxComponents, MaxComponents);

    internal Span<float> WritableEmbedding(int user, int component)
    {
        RequireEmbeddings();
        return _embeddings.AsSpan((WritableSlotOf(user) * MaxComponents + component) * Dimension, Dimension);
    }

    private int SlotOf(int user)
    {
        if ((uint)user >= (uint)UserCount) throw new ArgumentOutOfRangeException(nameof(user), user, $"Unknown user row {user}: there are {UserCount} users.");
        if (_storedUsers == null) return user;
        int slot = Array.BinarySearch(_storedUsers, user);
        return slot >= 0 ? slot : -1;
    }

    /// <summary>
    /// The mixtures of <paramref name="users"/>, one row per entry, <paramref name="maxComponents"/> wide (at least the widest
    /// of them; this table's width when 0).
    /// </summary>
    internal MixtureTable Gather(IReadOnlyList<int> users, int maxComponents = 0)
    {
        var copy = new MixtureTable(users.Count, maxComponents > 0 ? maxComponents : MaxComponents, Dimension);
        for (int q = 0; q < users.Count; q++)
        {
            int user = users[q], n = ComponentCount(user);
            if (n > copy.MaxComponents) throw new ArgumentOutOfRangeException(nameof(maxComponents), maxComponents, $"User {user} has {n} components, more than {maxComponents}.");
            copy.CopyRow(this, user, q);
        }
        return copy;
    }

    /// <summary>
    /// This table's clusters and weights without its component embeddings (<see cref="HasEmbeddings"/> false): a view over
    /// the same arrays, so that a holder of the view does not keep the m x d floats per user alive.
    /// </summary>
    internal MixtureTable WithoutEmbeddings() => HasEmbeddings ? new MixtureTable(this) : this;

    /// <summary>
    /// A copy of the rows of <paramref name="users"/> only, embeddings included, over the same user range (every other user
    /// reads as having no components; <see cref="ForUsers"/>).
    /// </summary>
    internal MixtureTable Subset(IReadOnlyList<int> users)
    {
        var copy = ForUsers(UserCount, users, MaxComponents, Dimension);
        foreach (int user in copy.RowUsers()) copy.CopyRow(this, user, user);
        return copy;
    }

    /// <summary>
    /// Sets the row of <paramref name="user"/> to <paramref name="source"/>'s row of <paramref name="sourceUser"/>: its
    /// components, and their embeddings when both tables hold them (of one dimension).
    /// </summary>
    internal void CopyRow(MixtureTable source, int sourceUser, int user)
    {
        int n = source.ComponentCount(sourceUser);
        source.Clusters(sourceUser).CopyTo(WritableClusters(user));
        source.Weights(sourceUser).CopyTo(WritableWeights(user));
        if (HasEmbeddings && source.HasEmbeddings) source.Embeddings(sourceUser).CopyTo(_embeddings.AsSpan(WritableSlotOf(user) * MaxComponents * Dimension));
        SetCount(user, n);
    }

    /// <summary>The users with a row of their own, ascending.</summary>
    internal IReadOnlyList<int> RowUsers() => _storedUsers ?? (IReadOnlyList<int>)Enumerable.Range(0, UserCount).ToArray();

    private int WritableSlotOf(int user)
    {
        int slot = SlotOf(user);
        if (slot < 0) throw new InvalidOperationException($"User row {user} has no row in this table (it was created for other users).");
        return slot;
    }

    private void RequireEmbeddings()
    {
        if (!HasEmbeddings)
            throw new InvalidOperationException("This mixture table holds clusters and weights only (dimension 0); build it with component embeddings (MixtureBuilder.BuildMle) to read them.");
    }
}
