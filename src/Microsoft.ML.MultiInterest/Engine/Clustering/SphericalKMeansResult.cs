namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The outcome of <see cref="SphericalKMeans.Fit"/>.</summary>
public sealed class SphericalKMeansResult
{
    internal SphericalKMeansResult(EmbeddingMatrix centroids, int[] assignments, float[] similarities,
        IReadOnlyList<KMeansIterationStats> iterations, double initializationSeconds)
    {
        Centroids = centroids;
        Assignments = assignments;
        Similarities = similarities;
        Iterations = iterations;
        InitializationSeconds = initializationSeconds;
    }

    /// <summary>
    /// One unit-length centroid per cluster: the normalised sum of the unit-normalised points in <see cref="Assignments"/>.
    /// </summary>
    public EmbeddingMatrix Centroids { get; }

    /// <summary>
    /// The cluster of every point. When there are at least as many non-zero points as clusters, no cluster is empty.
    /// Zero-vector points are always in cluster 0.
    /// </summary>
    public int[] Assignments { get; }

    /// <summary>Cosine similarity of every point to the centroid of its cluster (0 for a zero-vector point).</summary>
    public float[] Similarities { get; }

    /// <summary>Per-iteration statistics, in order; fewer than the maximum when the run converged early.</summary>
    public IReadOnlyList<KMeansIterationStats> Iterations { get; }

    /// <summary>Wall-clock seconds spent in the k-means++ initialisation.</summary>
    public double InitializationSeconds { get; }

    /// <summary>Mean of <see cref="Similarities"/>: the spherical k-means objective of the returned clustering.</summary>
    public double Objective
    {
        get
        {
            double sum = 0;
            foreach (float s in Similarities) sum += s;
            return Similarities.Length == 0 ? 0 : sum / Similarities.Length;
        }
    }
}
