using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The assignment step of spherical k-means over fixed point blocks, with per-block partial results reduced in block
/// order. A point is scored only against the groups of centroids that could still beat its own (bounds in the manner of
/// Elkan and Hamerly, on the sphere, per group of the kernel's panels).
/// </summary>
/// <remarks>
/// <para>A centroid moving from c to c' changes a unit point's score by at most |c' - c|. After a point is scored against
/// a group of centroids it keeps, for that group, the group's best score (for its own centroid's group: its runner-up
/// among every centroid scored), and every update step adds the group's largest move. At the next assignment the
/// point's score with its own centroid is computed as the kernel computes it (<see cref="NearestCentroidKernel.Score"/>);
/// a group whose bound, plus twice the rounding error of one score, is below that score cannot hold a better centroid.
/// A point with no such group keeps its centroid; otherwise its tile of the kernel scores its own group and every group
/// that might, and the others keep their bounds.</para>
/// <para>So the assignments, scores and objective are those of a full scan, bit for bit; only the work differs. Late
/// iterations, where few centroids move far, score a small part of the table. An update that reassigns a point (the
/// repair of an empty cluster) discards every bound. The bounds take one float per point and group; the groups are the
/// kernel's panels (32 or 16 centroids) unless that exceeds <see cref="BoundBudgetBytes"/>.</para>
/// </remarks>
internal sealed class KMeansAssigner
{
    /// <summary>Most memory the bounds may take (one float per point and group); more panels are grouped together.</summary>
    public const long BoundBudgetBytes = 256L << 20;

    private readonly UnitPoints _points;
    private readonly int _clusters;
    private readonly int _workers;
    private readonly bool _prune;
    private readonly NearestCentroidKernel _kernel;
    private readonly int _groups;
    private readonly int _panelsPerGroup;
    private readonly int _groupWidth;
    private readonly int[][] _cluster;
    private readonly float[][] _score;
    private readonly float[][] _runnerUp;
    private readonly int[][] _pending;
    private readonly float[][] _gathered;
    private readonly bool[][] _need;
    private readonly bool[][] _tileGroups;
    private readonly float[][] _groupMax;
    private readonly int[][] _foundCluster;
    private readonly float[][] _foundScore;
    private readonly double[] _blockObjective;
    private readonly int[] _blockMoves;
    private readonly int[] _blockScans;
    private readonly Action<int, int> _body;
    // Per point and group: an upper bound on the score of every centroid of the group but the point's own.
    private readonly float[] _bound;
    private readonly float[] _groupMove;
    // Twice the largest rounding error of one score (a chain of d fused multiply-adds of unit vectors), plus the
    // rounding of the bounds' own float sums.
    private readonly float _slack;
    private bool _boundsValid;
    private float[] _centroids = [];
    private int[] _assignment = [];
    private float[] _similarity = [];

    /// <param name="points">The unit points.</param>
    /// <param name="clusters">Number of centroids.</param>
    /// <param name="workers">Worker threads.</param>
    /// <param name="prune">False scores every point against every centroid at every iteration (the tests' reference).</param>
    /// <param name="boundBudgetBytes">Most memory the bounds may take (tests shrink it to group panels).</param>
    public KMeansAssigner(UnitPoints points, int clusters, int workers, bool prune, long boundBudgetBytes = BoundBudgetBytes)
    {
        _points = points;
        _clusters = clusters;
        _workers = workers;
        _prune = prune;
        int d = points.Dimension;
        _kernel = new NearestCentroidKernel(clusters, d, workers);
        int panels = _kernel.Panels;
        long perPanelBytes = 4L * Math.Max(1, points.Count);
        long budget = Math.Max(1, boundBudgetBytes);
        _panelsPerGroup = prune ? (int)Math.Max(1, Math.Min(panels, (perPanelBytes * panels + budget - 1) / budget)) : panels;
        _groups = (panels + _panelsPerGroup - 1) / _panelsPerGroup;
        _groupWidth = _panelsPerGroup * _kernel.PanelWidth;
        const int block = NearestCentroidKernel.BlockPoints;
        const int tiles = block / NearestCentroidKernel.PointTile;
        _cluster = new int[workers][];
        _score = new float[workers][];
        _runnerUp = new float[workers][];
        _pending = new int[workers][];
        _gathered = new float[workers][];
        _need = new bool[workers][];
        _tileGroups = new bool[workers][];
        _groupMax = new float[workers][];
        _foundCluster = new int[workers][];
        _foundScore = new float[workers][];
        for (int w = 0; w < workers; w++)
        {
            _cluster[w] = new int[block];
            _score[w] = new float[block];
            _runnerUp[w] = new float[block];
            _pending[w] = new int[block];
            _foundCluster[w] = new int[block];
            _foundScore[w] = new float[block];
            if (!prune) continue;
            _gathered[w] = new float[block * d];
            _need[w] = new bool[block * _groups];
            _tileGroups[w] = new bool[tiles * _groups];
            _groupMax[w] = new float[block * _groups];
        }
        int blocks = (points.Count + block - 1) / block;
        _blockObjective = new double[blocks];
        _blockMoves = new int[blocks];
        _blockScans = new int[blocks];
        _bound = prune ? new float[(long)points.Count * _groups] : [];
        _groupMove = new float[_groups];
        // |fl(x . c) - x . c| <= gamma_d |x| |c|, gamma_d = d u / (1 - d u), u = 2^-24: doubled for the margin.
        _slack = (float)(2 * 2.0 * (d + 2) * Math.ScaleB(1.0, -24) + Math.ScaleB(1.0, -20));
        _body = AssignBlock;
    }

    /// <summary>Assigns every point; returns the mean similarity, the number of changed assignments and the number of
    /// points scored against at least one group of centroids.</summary>
    public (double Objective, int Reassignments, int Scanned) Assign(float[] centroids, int[] assignment, float[] similarity, CancellationToken ct)
    {
        _kernel.Pack(centroids);
        _centroids = centroids;
        _assignment = assignment;
        _similarity = similarity;
        BlockParallel.For(_blockObjective.Length, _workers, _body, ct);
        _boundsValid = _prune;
        double sum = 0;
        int moves = 0, scans = 0;
        for (int b = 0; b < _blockObjective.Length; b++)
        {
            sum += _blockObjective[b];
            moves += _blockMoves[b];
            scans += _blockScans[b];
        }
        return (sum / _points.Count, moves, scans);
    }

    /// <summary>
    /// Carries the bounds over an update step that moved the centroids from <paramref name="before"/> to
    /// <paramref name="after"/>; <paramref name="reassigned"/> says the update moved points between clusters itself.
    /// </summary>
    public void CentroidsMoved(float[] before, float[] after, bool reassigned)
    {
        if (!_prune) return;
        if (reassigned)
        {
            _boundsValid = false;
            return;
        }
        int d = _points.Dimension;
        Array.Clear(_groupMove);
        bool anyMove = false;
        for (int c = 0; c < _clusters; c++)
        {
            double sq = 0;
            for (int j = c * d, end = j + d; j < end; j++)
            {
                double delta = (double)after[j] - before[j];
                sq += delta * delta;
            }
            if (sq == 0) continue;
            // A unit point's norm is 1 within a float rounding; the factor covers it and the square root's rounding, the
            // added 2^-22 the rounding of the float sum it is added to (bounds stay below 2 in magnitude).
            float move = (float)(Math.Sqrt(sq) * (1 + 1e-6) + Math.ScaleB(1.0, -22));
            ref float groupMove = ref _groupMove[c / _groupWidth];
            groupMove = Math.Max(groupMove, move);
            anyMove = true;
        }
        if (!anyMove) return;
        var bound = _bound.AsSpan();
        for (int i = 0; i < _points.Count; i++)
            TensorPrimitives.Add(bound.Slice(i * _groups, _groups), _groupMove, bound.Slice(i * _groups, _groups));
    }

    private void AssignBlock(int worker, int block)
    {
        int start = block * NearestCentroidKernel.BlockPoints;
        int count = Math.Min(NearestCentroidKernel.BlockPoints, _points.Count - start);
        var cluster = _cluster[worker].AsSpan(0, count);
        var score = _score[worker].AsSpan(0, count);
        int scans;
        if (!_prune)
        {
            _kernel.AssignBlock(worker, _points.Values, start, count, cluster, score);
            scans = _points.IsZero.AsSpan(start, count).Count(false);
        }
        else scans = AssignWithBounds(worker, start, count, cluster, score);

        double sum = 0;
        int moves = 0;
        for (int r = 0; r < count; r++)
        {
            int i = start + r;
            int c = cluster[r];
            float s = score[r];
            if (_points.IsZero[i])
            {
                // No direction: every score is 0; pin to cluster 0 explicitly rather than rely on signed zeros.
                c = 0;
                s = 0f;
            }
            if (_assignment[i] != c) moves++;
            _assignment[i] = c;
            _similarity[i] = s;
            sum += s;
        }
        _blockObjective[block] = sum;
        _blockMoves[block] = moves;
        _blockScans[block] = scans;
    }

    /// <summary>
    /// Keeps the centroid of every point of the block whose bounds prove it and scores the others against the groups
    /// that might beat it, renewing their bounds. Returns how many points were scored.
    /// </summary>
    private int AssignWithBounds(int worker, int start, int count, Span<int> cluster, Span<float> score)
    {
        int d = _points.Dimension;
        int groups = _groups;
        var pending = _pending[worker];
        var need = _need[worker].AsSpan(0, count * groups);
        int m = 0;
        for (int r = 0; r < count; r++)
        {
            int i = start + r;
            if (_points.IsZero[i])
            {
                // No direction, nothing to score: the caller pins it to cluster 0.
                cluster[r] = 0;
                score[r] = 0f;
                continue;
            }
            var pointNeed = need.Slice(m * groups, groups);
            if (!_boundsValid)
            {
                pointNeed.Fill(true);
                pending[m++] = r;
                continue;
            }
            int a = _assignment[i];
            float own = NearestCentroidKernel.Score(_points.ReadRow(i), _centroids.AsSpan(a * d, d));
            float threshold = own - _slack;
            var bound = _bound.AsSpan(i * groups, groups);
            bool any = false;
            for (int g = 0; g < groups; g++)
            {
                bool mayBeat = bound[g] >= threshold;
                pointNeed[g] = mayBeat;
                any |= mayBeat;
            }
            if (!any)
            {
                cluster[r] = a;
                score[r] = own;
                continue;
            }
            // Its own group is always scored with the rest: the runner-up there becomes that group's bound.
            pointNeed[a / _groupWidth] = true;
            pending[m++] = r;
        }
        if (m == 0) return 0;

        bool inPlace = m == count;
        float[] rows = _points.Values;
        int first = start;
        if (!inPlace)
        {
            rows = _gathered[worker];
            first = 0;
            for (int g = 0; g < m; g++) _points.ReadRow(start + pending[g]).CopyTo(rows.AsSpan(g * d, d));
        }
        // A tile scores a group when any of its points needs it.
        int tiles = (m + NearestCentroidKernel.PointTile - 1) / NearestCentroidKernel.PointTile;
        var tileGroups = _tileGroups[worker].AsSpan(0, tiles * groups);
        tileGroups.Clear();
        for (int p = 0; p < m; p++)
        {
            var tileRow = tileGroups.Slice(p / NearestCentroidKernel.PointTile * groups, groups);
            var pointNeed = need.Slice(p * groups, groups);
            for (int g = 0; g < groups; g++) tileRow[g] |= pointNeed[g];
        }
        int rowsScored = tiles * NearestCentroidKernel.PointTile;
        var groupMax = _groupMax[worker].AsSpan(0, rowsScored * groups);
        groupMax.Fill(float.NegativeInfinity);
        var foundCluster = _foundCluster[worker].AsSpan(0, m);
        var foundScore = _foundScore[worker].AsSpan(0, m);
        var runnerUp = _runnerUp[worker].AsSpan(0, m);
        // Rows past m in a gathered block are earlier points' rows: scored by the tiles, never read.
        _kernel.AssignBlock(worker, rows, first, m, foundCluster, foundScore, runnerUp, tileGroups, groups, _panelsPerGroup, groupMax);

        for (int p = 0; p < m; p++)
        {
            int r = pending[p];
            int i = start + r;
            int c = foundCluster[p];
            cluster[r] = c;
            score[r] = foundScore[p];
            var bound = _bound.AsSpan(i * groups, groups);
            var tileRow = tileGroups.Slice(p / NearestCentroidKernel.PointTile * groups, groups);
            var max = groupMax.Slice(p * groups, groups);
            for (int g = 0; g < groups; g++)
                if (tileRow[g]) bound[g] = max[g];
            // Every centroid of the winner's group was scored (it is the old centroid's group or a scored one).
            bound[c / _groupWidth] = runnerUp[p];
        }
        return m;
    }
}
