namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>What one Lloyd iteration of <see cref="SphericalKMeans"/> did.</summary>
public sealed record KMeansIterationStats
{
    /// <summary>1-based iteration number.</summary>
    public required int Iteration { get; init; }

    /// <summary>
    /// Mean cosine similarity of every point to its nearest centroid at this iteration's assignment step
    /// (zero-vector points count as 0). Never decreases from one iteration to the next.
    /// </summary>
    public required double Objective { get; init; }

    /// <summary>Points whose cluster changed at the assignment step (all points at iteration 1).</summary>
    public required int Reassignments { get; init; }

    /// <summary>Empty clusters that were given a point at this iteration's update step.</summary>
    public required int EmptyClustersRepaired { get; init; }

    /// <summary>
    /// Points scored against some of the centroids at the assignment step (every non-zero point at iteration 1, and
    /// after an empty cluster was repaired). The others kept their centroid because bounds proved that no other
    /// centroid could score higher, and a scored point is scored only against the groups of centroids that might
    /// (see <see cref="SphericalKMeans"/>); the assignment is that of a full scan either way.
    /// </summary>
    public int PointsScanned { get; init; }

    /// <summary>Wall-clock seconds of the iteration (assignment plus update).</summary>
    public required double Seconds { get; init; }
}
