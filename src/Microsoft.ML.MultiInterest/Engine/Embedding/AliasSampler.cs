namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Draws indices in proportion to fixed non-negative weights in O(1) per draw (Walker's alias method).
/// Used for degree^0.75 negatives; read-only after construction, so threads can share it.
/// </summary>
internal sealed class AliasSampler
{
    private readonly float[] _probability;
    private readonly int[] _alias;

    private AliasSampler(float[] probability, int[] alias)
    {
        _probability = probability;
        _alias = alias;
    }

    /// <summary>Number of indices that can be drawn.</summary>
    public int Count => _alias.Length;

    /// <summary>Builds a sampler over <c>degree[i]^exponent</c>; when all weights are zero it falls back to uniform.</summary>
    public static AliasSampler FromDegrees(ReadOnlySpan<int> degrees, float exponent)
    {
        int n = degrees.Length;
        var weights = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            weights[i] = degrees[i] > 0 ? Math.Pow(degrees[i], exponent) : 0;
            total += weights[i];
        }
        if (total <= 0)
        {
            Array.Fill(weights, 1.0);
            total = n;
        }

        var probability = new float[n];
        var alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / total;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            probability[s] = (float)scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            (scaled[l] < 1.0 ? small : large).Push(l);
        }
        // Left-overs are 1 up to rounding.
        while (large.Count > 0) { int l = large.Pop(); probability[l] = 1f; alias[l] = l; }
        while (small.Count > 0) { int s = small.Pop(); probability[s] = 1f; alias[s] = s; }
        return new AliasSampler(probability, alias);
    }

    /// <summary>Draws one index.</summary>
    public int Sample(ref EmbeddingRandom random)
    {
        int column = random.NextInt(_alias.Length);
        return random.NextFloat() < _probability[column] ? column : _alias[column];
    }
}
