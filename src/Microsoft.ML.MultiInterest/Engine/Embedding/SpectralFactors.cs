namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The truncated SVD of a degree-normalised interaction matrix, kept so that embeddings of any smaller rank and any
/// spectral or popularity exponent can be read off without factorising again (the automatic search tries many).
/// </summary>
internal sealed class SpectralFactors
{
    private readonly SvdResult _svd;
    private readonly double[] _itemDegrees;
    private readonly double _smoothing;

    private SpectralFactors(SvdResult svd, double[] itemDegrees, double smoothing)
    {
        _svd = svd;
        _itemDegrees = itemDegrees;
        _smoothing = smoothing;
    }

    /// <summary>The largest rank available.</summary>
    public int Rank => _svd.Rank;

    /// <summary>Factorises <paramref name="graph"/> at rank <paramref name="rank"/> with the normalisation of <paramref name="options"/>.</summary>
    public static SpectralFactors Compute(BipartiteGraph graph, int rank, TruncatedSvdOptions options, int seed, int threads, CancellationToken ct)
    {
        int smaller = Math.Min(graph.UserCount, graph.ItemCount);
        if (rank > smaller)
            throw new ArgumentOutOfRangeException(nameof(GraphEmbeddingOptions.Dimension), rank,
                $"Dimension {rank} exceeds min(users, items) = {smaller}: a truncated SVD has at most that many components.");
        var userDegrees = new double[graph.UserCount];
        for (int u = 0; u < userDegrees.Length; u++) userDegrees[u] = graph.DegreeOf(u);
        var itemDegrees = graph.ItemDegrees().Select(d => (double)d).ToArray();
        double a = options.DegreeNormalization, s = options.DegreeSmoothing;
        var matrix = SparseMatrix.FromGraph(graph, Scales(userDegrees, s, -a), Scales(itemDegrees, s, -a));
        var svd = RandomizedSvd.Compute(matrix, rank, options.Oversampling, options.PowerIterations, seed, threads, ct);
        return new SpectralFactors(svd, itemDegrees, s);
    }

    /// <summary>(degree + s)^exponent, and 0 for an entity without edges (it has no entries to scale and no vector to learn).</summary>
    private static double[] Scales(double[] degrees, double smoothing, double exponent)
    {
        var scales = new double[degrees.Length];
        for (int j = 0; j < degrees.Length; j++)
            scales[j] = degrees[j] > 0 ? Math.Pow(degrees[j] + smoothing, exponent) : 0;
        return scales;
    }

    /// <summary>User vectors U_k Σ_k^(γ/2) and item vectors (deg + s)^c V_k Σ_k^(γ/2), as floats.</summary>
    public (EmbeddingMatrix Users, EmbeddingMatrix Items) Embed(int rank, double spectralExponent, double itemDegreeExponent)
    {
        if (rank < 1 || rank > Rank) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be within 1..{Rank}.");
        var weights = Weights(rank, spectralExponent);
        var users = Slice(_svd.U, _svd.Rank, rank, weights, null);
        var items = Slice(_svd.V, _svd.Rank, rank, weights, Scales(_itemDegrees, _smoothing, itemDegreeExponent));
        return (users, items);
    }

    /// <summary>
    /// Item vectors V_k Σ_k^(γ/2) without the popularity factor, for scoring every exponent c in one scan: the item vectors
    /// of <see cref="Embed"/> are these times <see cref="ItemScales"/>(c), row by row.
    /// </summary>
    public (EmbeddingMatrix Users, EmbeddingMatrix Items) EmbedUnscaled(int rank, double spectralExponent)
    {
        if (rank < 1 || rank > Rank) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank must be within 1..{Rank}.");
        var weights = Weights(rank, spectralExponent);
        return (Slice(_svd.U, _svd.Rank, rank, weights, null), Slice(_svd.V, _svd.Rank, rank, weights, null));
    }

    /// <summary>Each item's popularity factor (deg + s)^c, 0 for an item without edges, as floats.</summary>
    public float[] ItemScales(double itemDegreeExponent) => Scales(_itemDegrees, _smoothing, itemDegreeExponent).Select(x => (float)x).ToArray();

    private double[] Weights(int rank, double spectralExponent)
    {
        var weights = new double[rank];
        for (int k = 0; k < rank; k++)
        {
            double sigma = _svd.SingularValues[k];
            weights[k] = sigma > 0 ? Math.Pow(sigma, spectralExponent / 2) : 0;
        }
        return weights;
    }

    private static EmbeddingMatrix Slice(float[] factor, int width, int rank, double[] weights, double[]? rowScales)
    {
        int rows = factor.Length / width;
        var result = new EmbeddingMatrix(rows, rank);
        for (int r = 0; r < rows; r++)
        {
            var row = result.Row(r);
            double scale = rowScales == null ? 1 : rowScales[r];
            for (int k = 0; k < rank; k++) row[k] = (float)(factor[r * width + k] * weights[k] * scale);
        }
        return result;
    }
}
