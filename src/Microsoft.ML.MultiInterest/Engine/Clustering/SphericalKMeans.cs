using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Spherical k-means: clusters directions by cosine similarity. Points are scaled to unit length, centroids are
/// unit vectors, and the objective is the mean cosine similarity of each point to its centroid.
/// </summary>
/// <remarks>
/// <para>Initialisation is seeded k-means++ on the sphere (see <see cref="SphericalKMeansOptions.Seed"/>), or the given
/// <see cref="SphericalKMeansOptions.InitialCentroids"/>. Each Lloyd
/// iteration assigns every point to the centroid with the largest dot product (ties to the lower centroid index),
/// repairs empty clusters, and sets each centroid to the normalised sum of its members. With exact assignment and
/// update the objective never decreases between iterations.</para>
/// <para>The assignment is exact but skips work: a centroid that moved by |c' - c| changes a unit point's cosine by at
/// most that much, so each point keeps an upper bound on the best cosine in each group of centroids and is scored
/// only against the groups whose bound reaches its own centroid's cosine (none, once the centroids near it stop
/// moving). The result is that of scoring every pair, bit for bit (<see cref="KMeansIterationStats.PointsScanned"/>
/// counts the points scored).</para>
/// <para>Zero-vector points have no direction: they are assigned to cluster 0 with similarity 0, count as 0 in the
/// objective and never influence a centroid. The number of clusters may not exceed the number of non-zero points.</para>
/// <para>The result depends only on the input and the options other than <see cref="SphericalKMeansOptions.Threads"/>:
/// all parallel work is split into fixed blocks whose results are combined in a fixed order.</para>
/// </remarks>
public static class SphericalKMeans
{
    /// <summary>Clusters the rows of <paramref name="points"/>.</summary>
    /// <param name="points">One row per point; rows need not be normalised. The table is not modified.</param>
    /// <param name="options">Number of clusters, iterations, tolerance, seed and threads.</param>
    /// <param name="progress">Optional sink receiving the statistics of each finished iteration.</param>
    /// <param name="ct">Cancels the run (checked between blocks of work).</param>
    /// <returns>Unit centroids, the cluster and similarity of every point, and per-iteration statistics.</returns>
    /// <exception cref="ArgumentException">
    /// The table is empty, holds NaN or infinite values, or has fewer (non-zero) rows than clusters; or
    /// <see cref="SphericalKMeansOptions.InitialCentroids"/> has the wrong shape, a non-finite value or a zero row.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="SphericalKMeansOptions.Validate"/>).</exception>
    public static SphericalKMeansResult Fit(EmbeddingMatrix points, SphericalKMeansOptions options, IProgress<KMeansIterationStats>? progress = null, CancellationToken ct = default)
        => FitCore(points, options, progress, prune: true, ct);

    /// <summary>As the public overload; <paramref name="prune"/> = false scores every point against every centroid at
    /// every iteration (the reference the pruned assignment is tested against, bit for bit), and
    /// <paramref name="boundBudgetBytes"/> caps the bounds' memory (tests shrink it so that groups span several panels).</summary>
    internal static SphericalKMeansResult FitCore(EmbeddingMatrix points, SphericalKMeansOptions options, IProgress<KMeansIterationStats>? progress, bool prune, CancellationToken ct,
        long boundBudgetBytes = KMeansAssigner.BoundBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = points.Rows;
        int d = points.Dimension;
        int k = options.Clusters;
        if (n == 0) throw new ArgumentException("Cannot cluster an empty set of points.", nameof(points));
        if (k > n)
            throw new ArgumentException($"Cannot make {k} clusters from {n} points: more clusters than items.", nameof(options));
        points.ThrowIfNotFinite("points to cluster");

        var unit = new UnitPoints(points);
        if (k > unit.NonZeroCount)
            throw new ArgumentException(
                $"Cannot make {k} clusters from {unit.NonZeroCount} points with a non-zero embedding ({n - unit.NonZeroCount} of {n} are all zeros): more clusters than items.",
                nameof(options));

        int workers = Math.Max(1, options.EffectiveThreads);
        var clock = Stopwatch.StartNew();
        var centroids = new float[k * d];
        if (options.InitialCentroids is { } given) CopyInitialCentroids(given, k, d, centroids);
        else KMeansPlusPlus.Seed(unit, k, options.Seed, workers, centroids, ct);
        double initializationSeconds = clock.Elapsed.TotalSeconds;

        var assignment = new int[n];
        var similarity = new float[n];
        Array.Fill(assignment, -1);
        var assigner = new KMeansAssigner(unit, k, workers, prune, boundBudgetBytes);
        var updater = new CentroidUpdater(k, n, d, workers);
        var before = new float[k * d];
        // Grown as iterations run: MaxIterations may be int.MaxValue ("until converged"), which as a capacity was an OutOfMemoryException.
        var stats = new List<KMeansIterationStats>();
        double previous = double.NaN;

        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            clock.Restart();
            var (objective, reassignments, scanned) = assigner.Assign(centroids, assignment, similarity, ct);
            centroids.CopyTo(before, 0);
            int repaired = updater.Update(unit, assignment, similarity, centroids, ct);
            assigner.CentroidsMoved(before, centroids, reassigned: repaired > 0);
            stats.Add(new KMeansIterationStats
            {
                Iteration = iteration,
                Objective = objective,
                Reassignments = reassignments,
                EmptyClustersRepaired = repaired,
                PointsScanned = scanned,
                Seconds = clock.Elapsed.TotalSeconds,
            });
            progress?.Report(stats[^1]);
            // No point moved and no cluster was repaired: the update rebuilt the same centroids from the same members, so
            // every further iteration would repeat this one (whatever the tolerance, 0 included).
            if (iteration > 1 && reassignments == 0 && repaired == 0) break;
            if (options.Tolerance > 0 && iteration > 1 && objective - previous <= options.Tolerance * Math.Abs(previous)) break;
            previous = objective;
        }

        // Similarities against the final centroids (the ones returned), not the ones used by the last assignment.
        var final = new EmbeddingMatrix(k, d, centroids);
        for (int i = 0; i < n; i++)
            similarity[i] = unit.IsZero[i] ? 0f : VectorMath.Dot(unit.ReadRow(i), final.ReadRow(assignment[i]));
        return new SphericalKMeansResult(final, assignment, similarity, stats, initializationSeconds);
    }

    /// <summary>Copies and normalises <see cref="SphericalKMeansOptions.InitialCentroids"/>, checking its shape and values.</summary>
    private static void CopyInitialCentroids(EmbeddingMatrix given, int k, int d, float[] centroids)
    {
        const string option = nameof(SphericalKMeansOptions.InitialCentroids);
        if (given.Rows != k)
            throw new ArgumentException($"{option} has {given.Rows} rows but Clusters is {k}: give one starting centroid per cluster.", option);
        if (given.Dimension != d)
            throw new ArgumentException($"{option} has dimension {given.Dimension} but the points have dimension {d}.", option);
        for (int c = 0; c < k; c++)
        {
            var row = centroids.AsSpan(c * d, d);
            given.ReadRow(c).CopyTo(row);
            for (int j = 0; j < d; j++)
            {
                if (!float.IsFinite(row[j]))
                    throw new ArgumentException($"{option} holds a non-finite value ({row[j]}) in row {c}, column {j}.", option);
            }
            if (VectorMath.NormalizeInPlace(row) == 0f)
                throw new ArgumentException($"{option} row {c} is all zeros: a starting centroid needs a direction.", option);
        }
    }
}
