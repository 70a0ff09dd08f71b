namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Seeded k-means++ initialisation on the unit sphere.
/// </summary>
/// <remarks>
/// The distance of a point to the chosen centroids is d(x) = 1 - max cos(x, c). The next centroid is a point
/// drawn with probability proportional to d(x) (not d(x) squared): for unit vectors ||x - c||^2 = 2(1 - cos), so
/// this is exactly the classic k-means++ "D^2" rule in chordal (Euclidean) distance. A running minimum distance per
/// point makes the whole seeding O(n k d): each new centroid costs one parallel pass over the points, which also
/// produces per-block weight totals so the draw needs only a scan over blocks and then inside one block.
/// Those passes read a bfloat16 copy of the points (<see cref="BFloat16Rows"/>) to halve memory traffic, so the
/// sampling weights are accurate to about 1e-3; the seeds themselves are exact points.
/// Blocks are fixed and summed in order, so the chosen points depend on the seed only, not on the thread count.
/// </remarks>
internal static class KMeansPlusPlus
{
    private const int BlockPoints = 1024;

    /// <summary>Writes <paramref name="clusters"/> initial unit centroids (row-major) into <paramref name="centroids"/>.</summary>
    public static void Seed(UnitPoints points, int clusters, int seed, int workers, float[] centroids, CancellationToken ct)
    {
        int n = points.Count;
        int d = points.Dimension;
        var minDistance = new float[n];
        var chosen = new bool[n];
        int blocks = (n + BlockPoints - 1) / BlockPoints;
        var blockWeight = new double[blocks];
        var rng = new SplitMix64(seed);
        float[] values = points.Values;
        bool[] isZero = points.IsZero;
        var compact = new BFloat16Rows(values, n, d);

        // Zero-vector points have no direction: weight 0, never chosen.
        for (int i = 0; i < n; i++) minDistance[i] = isZero[i] ? 0f : float.PositiveInfinity;

        int current = NthNonZero(isZero, rng.NextInt(points.NonZeroCount));
        var update = (int worker, int block) =>
        {
            var c = new ReadOnlySpan<float>(values, current * d, d);
            int end = Math.Min(n, (block + 1) * BlockPoints);
            double sum = 0;
            for (int i = block * BlockPoints; i < end; i++)
            {
                if (isZero[i]) continue;
                if (chosen[i])
                {
                    minDistance[i] = 0f;
                    continue;
                }
                float distance = Math.Max(0f, 1f - compact.Dot(i, c));
                if (distance < minDistance[i]) minDistance[i] = distance;
                sum += minDistance[i];
            }
            blockWeight[block] = sum;
        };

        for (int s = 0; s < clusters; s++)
        {
            ct.ThrowIfCancellationRequested();
            if (s > 0) current = Draw(rng.NextDouble(), minDistance, chosen, isZero, blockWeight);
            chosen[current] = true;
            Array.Copy(values, current * d, centroids, s * d, d);
            if (s + 1 < clusters) BlockParallel.For(blocks, workers, update, ct);
        }
    }

    /// <summary>Draws a point with probability proportional to its weight; deterministic given <paramref name="u"/>.</summary>
    private static int Draw(double u, float[] weight, bool[] chosen, bool[] isZero, double[] blockWeight)
    {
        double total = 0;
        foreach (double w in blockWeight) total += w;
        if (!(total > 0))
        {
            // Every remaining point coincides with a centroid (duplicates): take the first unused one; the
            // resulting duplicate centroid leaves an empty cluster that the Lloyd update repairs.
            for (int i = 0; i < chosen.Length; i++)
                if (!chosen[i] && !isZero[i]) return i;
            throw new InvalidOperationException("No point left to seed a centroid.");
        }

        double target = u * total;
        int last = -1;
        for (int b = 0; b < blockWeight.Length; b++)
        {
            if (!(blockWeight[b] > 0)) continue;
            last = b;
            if (target < blockWeight[b]) return DrawInBlock(target, weight, b);
            target -= blockWeight[b];
        }
        // Rounding pushed the target past the end: fall back to the last block with weight.
        return DrawInBlock(double.MaxValue, weight, last);
    }

    private static int DrawInBlock(double target, float[] weight, int block)
    {
        int end = Math.Min(weight.Length, (block + 1) * BlockPoints);
        double acc = 0;
        int lastPositive = -1;
        for (int i = block * BlockPoints; i < end; i++)
        {
            if (!(weight[i] > 0)) continue;
            lastPositive = i;
            acc += weight[i];
            if (target < acc) return i;
        }
        return lastPositive;
    }

    private static int NthNonZero(bool[] isZero, int nth)
    {
        for (int i = 0; i < isZero.Length; i++)
        {
            if (isZero[i]) continue;
            if (nth-- == 0) return i;
        }
        throw new InvalidOperationException("There is no non-zero point.");
    }
}
