namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The update step of spherical k-means: repairs empty clusters, then sets every centroid to the normalised sum
/// of its members. Buffers are allocated once and reused by every iteration.
/// </summary>
/// <remarks>
/// Sums run per cluster over its members in ascending point order (a counting sort builds the member lists), in
/// double precision, with clusters spread over the workers. The result therefore does not depend on the thread
/// count, and an unchanged assignment reproduces bit-identical centroids (so the objective cannot drift down).
/// </remarks>
internal sealed class CentroidUpdater
{
    private const int BlockClusters = 32;

    private readonly int _clusters;
    private readonly int _dimension;
    private readonly int _workers;
    private readonly int[] _counts;
    private readonly int[] _offsets;
    private readonly int[] _members;
    private readonly double[][] _sums;

    public CentroidUpdater(int clusters, int points, int dimension, int workers)
    {
        _clusters = clusters;
        _dimension = dimension;
        _workers = workers;
        _counts = new int[clusters];
        _offsets = new int[clusters + 1];
        _members = new int[points];
        _sums = new double[workers][];
        for (int w = 0; w < workers; w++) _sums[w] = new double[dimension];
    }

    /// <summary>Repairs empty clusters, then recomputes <paramref name="centroids"/> in place.</summary>
    /// <returns>The number of empty clusters repaired.</returns>
    public int Update(UnitPoints points, int[] assignment, float[] similarity, float[] centroids, CancellationToken ct)
    {
        int repaired = RepairEmptyClusters(points, assignment, similarity);
        BuildMemberLists(points, assignment);
        BlockParallel.For((_clusters + BlockClusters - 1) / BlockClusters, _workers, (worker, block) =>
        {
            double[] sum = _sums[worker];
            float[] values = points.Values;
            int d = _dimension;
            int end = Math.Min(_clusters, (block + 1) * BlockClusters);
            for (int c = block * BlockClusters; c < end; c++)
            {
                Array.Clear(sum);
                for (int m = _offsets[c]; m < _offsets[c + 1]; m++)
                {
                    int row = _members[m] * d;
                    for (int j = 0; j < d; j++) sum[j] += values[row + j];
                }
                double sq = 0;
                foreach (double v in sum) sq += v * v;
                // A cluster whose members cancel out exactly (or that has only zero vectors) keeps its centroid.
                if (!(sq > 0)) continue;
                double inv = 1.0 / Math.Sqrt(sq);
                for (int j = 0; j < d; j++) centroids[c * d + j] = (float)(sum[j] * inv);
            }
        }, ct);
        return repaired;
    }

    /// <summary>
    /// Gives every cluster without a non-zero member the lowest-similarity non-zero point of the currently largest
    /// cluster (ties: lowest cluster index, then lowest point index). The moved point becomes the whole cluster, so
    /// its centroid is the point itself and the objective cannot decrease. The largest cluster has at least two
    /// members whenever a cluster is empty, because there are at least as many non-zero points as clusters.
    /// </summary>
    private int RepairEmptyClusters(UnitPoints points, int[] assignment, float[] similarity)
    {
        Array.Clear(_counts);
        bool[] isZero = points.IsZero;
        for (int i = 0; i < assignment.Length; i++)
            if (!isZero[i]) _counts[assignment[i]]++;

        int repaired = 0;
        for (int empty = 0; empty < _clusters; empty++)
        {
            if (_counts[empty] != 0) continue;
            int largest = 0;
            for (int c = 1; c < _clusters; c++)
                if (_counts[c] > _counts[largest]) largest = c;

            int donor = -1;
            for (int i = 0; i < assignment.Length; i++)
            {
                if (assignment[i] != largest || isZero[i]) continue;
                if (donor < 0 || similarity[i] < similarity[donor]) donor = i;
            }
            assignment[donor] = empty;
            similarity[donor] = 1f;
            _counts[largest]--;
            _counts[empty]++;
            repaired++;
        }
        return repaired;
    }

    private void BuildMemberLists(UnitPoints points, int[] assignment)
    {
        bool[] isZero = points.IsZero;
        Array.Clear(_offsets);
        for (int i = 0; i < assignment.Length; i++)
            if (!isZero[i]) _offsets[assignment[i] + 1]++;
        for (int c = 0; c < _clusters; c++) _offsets[c + 1] += _offsets[c];
        // _counts is reused as the fill cursor.
        Array.Copy(_offsets, _counts, _clusters);
        for (int i = 0; i < assignment.Length; i++)
            if (!isZero[i]) _members[_counts[assignment[i]]++] = i;
    }
}
