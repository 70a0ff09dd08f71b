namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Per-user mixtures: for each user up to <see cref="MaxComponents"/> components, each a cluster, a
/// weight (the weights of a user sum to 1) and a unit-length component embedding. Components are
/// stored in descending weight order (ties to the lower cluster id). A table of dimension 0 holds the clusters and
/// weights only (<see cref="HasEmbeddings"/> is false): what kNN smoothing needs of every user's unsmoothed mixture,
/// at m * 12 bytes per user instead of m * (12 + 4 d).
/// </summary>
public sealed class MixtureTable
{
    private readonly int[] _counts;
    private readonly int[] _clusters;
    private readonly double[] _weights;
    private readonly float[] _embeddings;

    /// <summary>Creates an empty table (every user with zero components).</summary>
    /// <param name="userCount">Number of users (rows).</param>
    /// <param name="maxComponents">m, the largest number of components per user.</param>
    /// <param name="dimension">Dimension of the component embeddings; 0 for a table of clusters and weights only.</param>
    public MixtureTable(int userCount, int maxComponents, int dimension)
    {
        if (userCount < 0) throw new ArgumentOutOfRangeException(nameof(userCount), userCount, "The user count cannot be negative.");
        if (maxComponents < 1) throw new ArgumentOutOfRangeException(nameof(maxComponents), maxComponents, "At least one component is needed.");
        if (dimension < 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension cannot be negative (0 = clusters and weights only).");
        UserCount = userCount;
        MaxComponents = maxComponents;
        Dimension = dimension;
        _counts = new int[userCount];
        _clusters = new int[checked(userCount * maxComponents)];
        _weights = new double[userCount * maxComponents];
        _embeddings = new float[checked(userCount * maxComponents * dimension)];
    }

    /// <summary>Number of users (rows).</summary>
    public int UserCount { get; }

    /// <summary>The largest number of components a user may have (m).</summary>
    public int MaxComponents { get; }

    /// <summary>Embedding dimension (0 when the table holds clusters and weights only).</summary>
    public int Dimension { get; }

    /// <summary>Whether the table holds component embeddings (false for a clusters-and-weights table).</summary>
    public bool HasEmbeddings => Dimension > 0;

    /// <summary>Number of components of <paramref name="user"/> (0 for a user without training items).</summary>
    public int ComponentCount(int user) => _counts[user];

    /// <summary>The clusters of the user's components, by descending weight.</summary>
    public ReadOnlySpan<int> Clusters(int user) => _clusters.AsSpan(user * MaxComponents, _counts[user]);

    /// <summary>The component weights, aligned with <see cref="Clusters"/>; they sum to 1.</summary>
    public ReadOnlySpan<double> Weights(int user) => _weights.AsSpan(user * MaxComponents, _counts[user]);

    /// <summary>The unit-length embedding of component <paramref name="component"/> of <paramref name="user"/>.</summary>
    public ReadOnlySpan<float> Embedding(int user, int component)
    {
        RequireEmbeddings();
        return _embeddings.AsSpan((user * MaxComponents + component) * Dimension, Dimension);
    }

    /// <summary>All component embeddings of <paramref name="user"/> as consecutive rows.</summary>
    public ReadOnlySpan<float> Embeddings(int user)
    {
        RequireEmbeddings();
        return _embeddings.AsSpan(user * MaxComponents * Dimension, _counts[user] * Dimension);
    }

    /// <summary>Sets the number of components of <paramref name="user"/>; then fill them with the writable views.</summary>
    internal void SetCount(int user, int count)
    {
        if ((uint)count > (uint)MaxComponents) throw new ArgumentOutOfRangeException(nameof(count));
        _counts[user] = count;
    }

    internal Span<int> WritableClusters(int user) => _clusters.AsSpan(user * MaxComponents, MaxComponents);

    internal Span<double> WritableWeights(int user) => _weights.AsSpan(user * MaxComponents, MaxComponents);

    internal Span<float> WritableEmbedding(int user, int component)
    {
        RequireEmbeddings();
        return _embeddings.AsSpan((user * MaxComponents + component) * Dimension, Dimension);
    }

    private void RequireEmbeddings()
    {
        if (!HasEmbeddings)
            throw new InvalidOperationException("This mixture table holds clusters and weights only (dimension 0); build it with component embeddings (MixtureBuilder.BuildMle) to read them.");
    }
}
