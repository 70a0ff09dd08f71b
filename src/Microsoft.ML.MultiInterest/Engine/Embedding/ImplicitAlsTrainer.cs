using System.Diagnostics;
using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// <see cref="EmbeddingAlgorithm.ImplicitAls"/>: implicit alternating least squares (Hu, Koren and Volinsky 2008) with
/// Rendle et al.'s (2022) frequency-scaled regularisation; see <see cref="ImplicitAlsOptions"/> for the objective.
/// Each half-step fixes one side and solves every row of the other exactly:
/// x_u = (Σ_(i∈I_u) w_ui y_i y_iᵀ + α0 YᵀY + λ_u I)⁻¹ Σ_(i∈I_u) w_ui y_i, where the Gramian YᵀY (the term over all
/// pairs) is computed once per half-step, so a row costs O(|I_u| d² + d³) instead of O(|I| d²).
/// </summary>
/// <remarks>
/// Deterministic for a seed whatever the thread count: each row's solve reads only the fixed other side and the
/// row's own previous vector, and the Gramians and the objective are reduced over fixed blocks in block order.
/// Factors are kept in doubles (the normal equations square the condition number); the result is converted to floats.
/// </remarks>
internal static class ImplicitAlsTrainer
{
    /// <summary>Rows per parallel block of the row solves: small, since one row costs O(d³) and degrees are skewed.</summary>
    private const int RowsPerBlock = 32;

    /// <summary>Stream number of the initialisation's random generator (distinct from the other trainers').</summary>
    private const long InitStream = 0xA15;

    /// <summary>
    /// Trains for <c>o.Als.Iterations</c> alternations (<c>o.Als.WarmStartIterations</c> when set and warm-started). With a <paramref name="scorer"/>, measures validation Recall@K
    /// after every iteration into <paramref name="curve"/>, returns the best iteration's tables and stops early after
    /// <c>o.EarlyStoppingPatience</c> iterations without a gain.
    /// </summary>
    /// <returns>The embeddings (one <see cref="EpochStats"/> per iteration, whose loss is the objective per edge) and the iteration they come from.</returns>
    public static (GraphEmbeddingResult Result, int Iteration) Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads,
        IProgress<EpochStats>? progress, ValidationScorer? scorer, ValidationCurve curve, CancellationToken ct)
    {
        var a = o.Als;
        int d = o.Dimension;
        var state = Initialize(graph, o);
        (EmbeddingMatrix Users, EmbeddingMatrix Items)? best = null;
        double bestScore = double.NegativeInfinity;
        int bestIteration = 0;
        int iterations = a.IterationsToRun;
        var stats = new List<EpochStats>(iterations);
        var gramY = DenseRows.Gram(state.Items, graph.ItemCount, d, threads, ct);
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            SolveRows(state.Ratings, state.Users, state.Items, gramY, d, state.UserPenalty, a, threads, ct);
            var gramX = DenseRows.Gram(state.Users, graph.UserCount, d, threads, ct);
            // The items' first solve starts from zero, as the users' does: conjugate gradients stopped after a few steps
            // depend on their start, and rows with identical entries must get identical vectors (the protocol's ties).
            // Later solves warm-start from values that are then identical for such rows.
            // Warm-started rows keep their start instead: it is the solution they are expected to stay near.
            if (iteration == 0) ClearUnstarted(state.Items, state.Started, d);
            SolveRows(state.Transposed, state.Items, state.Users, gramX, d, state.ItemPenalty, a, threads, ct);
            // The next iteration's user half-step needs this Gramian anyway; the objective reuses it.
            gramY = DenseRows.Gram(state.Items, graph.ItemCount, d, threads, ct);
            double objective = Objective(state, gramX, gramY, d, a.UnobservedWeight, threads, ct);
            double seconds = clock.Elapsed.TotalSeconds;
            var iterationStats = new EpochStats(iteration + 1, objective / graph.EdgeCount, seconds, graph.EdgeCount / Math.Max(seconds, 1e-9));
            stats.Add(iterationStats);
            progress?.Report(iterationStats);
            if (scorer == null) continue;

            // Keep the best iteration's tables; stop after Patience iterations without a gain.
            var (users, items) = (ToMatrix(state.Users, graph.UserCount, d), ToMatrix(state.Items, graph.ItemCount, d));
            var score = scorer.Score(users, items, threads);
            curve.Add(new ValidationPoint($"implicit-als iteration {iteration + 1}", iteration + 1, score.Recall, score.Ndcg) { Dimension = d });
            if (best == null || score.Recall > bestScore)
            {
                (best, bestScore, bestIteration) = ((users, items), score.Recall, iteration + 1);
            }
            else if (o.EarlyStoppingPatience > 0 && iteration + 1 - bestIteration >= o.EarlyStoppingPatience) break;
        }
        var (userTable, itemTable) = best ?? (ToMatrix(state.Users, graph.UserCount, d), ToMatrix(state.Items, graph.ItemCount, d));
        var result = new GraphEmbeddingResult(userTable, itemTable, stats)
        {
            Algorithm = EmbeddingAlgorithm.ImplicitAls,
            Settings = Describe(o),
            Als = AlsWarmStart.WithoutStart(a).Clone(),
        };
        return (result, best == null ? iterations : bestIteration);
    }

    /// <summary>The settings in words, for reports.</summary>
    public static string Describe(GraphEmbeddingOptions o)
    {
        var a = o.Als;
        string solver = a.Solver == ImplicitAlsSolver.Cholesky ? "cholesky" : $"cg({a.CgSteps})";
        return InvariantText.Of(() => $"implicit-als d={o.Dimension} iterations={a.IterationsToRun} reg={a.Regularization:G3} nu={a.RegularizationExponent:G3} alpha0={a.UnobservedWeight:G3} solver={solver}")
            + (a.InitialItems == null ? "" : a.IterationsToRun == a.Iterations ? " warm-start=given items"
                : InvariantText.Of(() => $" warm-start=given items (WarmStartIterations; {a.Iterations} without the start)"));
    }

    /// <summary>
    /// The training state: both factor tables (row-major doubles), the rating matrix both ways, each row's λ_row, and which
    /// item rows started from <see cref="ImplicitAlsOptions.InitialItems"/> (null without a warm start).
    /// </summary>
    internal sealed record State(SparseMatrix Ratings, SparseMatrix Transposed, double[] Users, double[] Items, double[] UserPenalty, double[] ItemPenalty,
        bool[]? Started = null);

    /// <summary>
    /// The rating matrix (edge weights), the per-row penalties and the start: items seeded N(0, (σ*/√d)²), or their
    /// <see cref="ImplicitAlsOptions.InitialItems"/> row (drawn first either way), which the first user half-step solves
    /// against, and users zero, the start of their first solve.
    /// </summary>
    internal static State Initialize(BipartiteGraph graph, GraphEmbeddingOptions o)
    {
        var a = o.Als;
        int d = o.Dimension;
        var ratings = SparseMatrix.FromGraph(graph);
        var transposed = ratings.Transpose();
        var users = new double[(long)graph.UserCount * d];
        var items = new double[(long)graph.ItemCount * d];
        var random = new EmbeddingRandom(o.Seed, InitStream);
        double std = a.InitScale / Math.Sqrt(d);
        for (int k = 0; k < items.Length; k++) items[k] = std * random.NextGaussian();
        var started = a.InitialItems is { } start ? AlsWarmStart.Apply(items, d, start) : null;
        return new State(ratings, transposed, users, items, Penalties(ratings, graph.ItemCount, a), Penalties(transposed, graph.UserCount, a), started);
    }

    /// <summary>Zeroes the item rows that did not start from a given vector (all of them without a warm start).</summary>
    private static void ClearUnstarted(double[] items, bool[]? started, int d)
    {
        if (started == null)
        {
            Array.Clear(items);
            return;
        }
        for (int row = 0; row < started.Length; row++)
            if (!started[row]) Array.Clear(items, row * d, d);
    }

    /// <summary>λ (degree + α0 × <paramref name="otherSide"/>)^ν per row: Rendle et al.'s scaling by the row's share of the loss.</summary>
    internal static double[] Penalties(SparseMatrix r, int otherSide, ImplicitAlsOptions a)
    {
        var penalties = new double[r.Rows];
        for (int row = 0; row < r.Rows; row++)
            penalties[row] = a.Regularization * Math.Pow(r.ColumnsOf(row).Length + a.UnobservedWeight * otherSide, a.RegularizationExponent);
        return penalties;
    }

    /// <summary>
    /// One half-step: every row of <paramref name="target"/> (r.Rows × d) becomes the minimiser of the objective with
    /// <paramref name="source"/> (r.Columns × d) fixed. <paramref name="gram"/> is sourceᵀ source (d × d, both triangles).
    /// Rows without entries become zero (their minimiser). Conjugate gradient starts from the row's current value.
    /// </summary>
    internal static void SolveRows(SparseMatrix r, double[] target, double[] source, double[] gram, int d, double[] penalties,
        ImplicitAlsOptions a, int threads, CancellationToken ct)
    {
        // α0 YᵀY once per half-step, shared read-only by every row.
        var scaledGram = new double[d * d];
        TensorPrimitives.Multiply(gram, a.UnobservedWeight, scaledGram);
        int blocks = (r.Rows + RowsPerBlock - 1) / RowsPerBlock;
        int workers = Math.Max(1, Math.Min(threads, blocks));
        // Per-worker scratch: nothing is allocated per row.
        var scratch = new double[workers][];
        for (int w = 0; w < workers; w++) scratch[w] = new double[d * d + 3 * CgGroup * d];
        bool cholesky = a.Solver == ImplicitAlsSolver.Cholesky;
        BlockParallel.For(blocks, workers, (worker, block) =>
        {
            var s = scratch[worker].AsSpan();
            int from = block * RowsPerBlock, to = Math.Min(r.Rows, from + RowsPerBlock);
            if (!cholesky)
            {
                for (int row = from; row < to; row += CgGroup)
                    SolveConjugateGradient(r, row, Math.Min(CgGroup, to - row), source, scaledGram, penalties, d, a.CgSteps, s[..(3 * CgGroup * d)], target);
                return;
            }
            for (int row = from; row < to; row++)
            {
                var x = target.AsSpan(row * d, d);
                var columns = r.ColumnsOf(row);
                if (columns.Length == 0)
                {
                    x.Clear();
                    continue;
                }
                SolveCholesky(columns, r.ValuesOf(row), source, scaledGram, penalties[row], d, s[..(d * d)], s.Slice(d * d, d), x);
            }
        }, ct);
    }

    /// <summary>x = A⁻¹ b with A = α0 G + λ I + Σ w y yᵀ and b = Σ w y, by Cholesky (A's upper triangle in <paramref name="m"/>).</summary>
    private static void SolveCholesky(ReadOnlySpan<int> columns, ReadOnlySpan<double> weights, double[] source, double[] scaledGram,
        double penalty, int d, Span<double> m, Span<double> b, Span<double> x)
    {
        scaledGram.CopyTo(m);
        for (int k = 0; k < d; k++) m[k * d + k] += penalty;
        b.Clear();
        int n = columns.Length, e = 0;
        // Four rank-one updates per pass over the upper triangle: a quarter of the loads and stores of m.
        for (; e + 4 <= n; e += 4)
        {
            var y0 = source.AsSpan(columns[e] * d, d);
            var y1 = source.AsSpan(columns[e + 1] * d, d);
            var y2 = source.AsSpan(columns[e + 2] * d, d);
            var y3 = source.AsSpan(columns[e + 3] * d, d);
            double w0 = weights[e], w1 = weights[e + 1], w2 = weights[e + 2], w3 = weights[e + 3];
            for (int i = 0; i < d; i++)
                DenseRows.AddFour(m.Slice(i * d + i, d - i), w0 * y0[i], y0[i..], w1 * y1[i], y1[i..], w2 * y2[i], y2[i..], w3 * y3[i], y3[i..]);
            DenseRows.AddFour(b, w0, y0, w1, y1, w2, y2, w3, y3);
        }
        for (; e < n; e++)
        {
            var y = source.AsSpan(columns[e] * d, d);
            double w = weights[e];
            for (int i = 0; i < d; i++)
            {
                var row = m.Slice(i * d + i, d - i);
                TensorPrimitives.MultiplyAdd(y[i..], w * y[i], row, row);
            }
            TensorPrimitives.MultiplyAdd(y, w, b, b);
        }
        CholeskyInPlace(m, d);
        CholeskySolve(m, d, b, x);
    }

    /// <summary>
    /// Overwrites the upper triangle of the symmetric <paramref name="m"/> (row-major d × d) with U, where Uᵀ U = M; the
    /// strict lower triangle is neither read nor written.
    /// </summary>
    /// <remarks>
    /// Right-looking, four pivots at a time: the trailing rows take the panel's four updates in one contiguous pass each
    /// (<see cref="DenseRows.AddFour"/>), so the work is long SIMD row operations rather than many short dot products.
    /// Pivots are floored, so a singular M (λ = α0 = 0) still factors.
    /// </remarks>
    internal static void CholeskyInPlace(Span<double> m, int d)
    {
        double maxDiagonal = 0;
        for (int i = 0; i < d; i++) maxDiagonal = Math.Max(maxDiagonal, m[i * d + i]);
        double floor = 1e-12 * maxDiagonal + 1e-300;
        for (int k0 = 0; k0 < d; k0 += 4)
        {
            int panelEnd = Math.Min(d, k0 + 4);
            // Factor the panel's rows, updating only the later panel rows (across their full length).
            for (int k = k0; k < panelEnd; k++)
            {
                double pivot = Math.Sqrt(Math.Max(m[k * d + k], floor));
                var rowK = m.Slice(k * d + k, d - k);
                TensorPrimitives.Multiply(rowK, 1 / pivot, rowK);
                rowK[0] = pivot;
                for (int i = k + 1; i < panelEnd; i++)
                {
                    var rowI = m.Slice(i * d + i, d - i);
                    TensorPrimitives.MultiplyAdd(rowK[(i - k)..], -rowK[i - k], rowI, rowI);
                }
            }
            // Trailing rows: M[i, i..] −= Σ_(k in panel) U[k, i] U[k, i..].
            if (panelEnd - k0 == 4)
            {
                for (int i = panelEnd; i < d; i++)
                {
                    var r0 = m.Slice(k0 * d + i, d - i);
                    var r1 = m.Slice((k0 + 1) * d + i, d - i);
                    var r2 = m.Slice((k0 + 2) * d + i, d - i);
                    var r3 = m.Slice((k0 + 3) * d + i, d - i);
                    DenseRows.AddFour(m.Slice(i * d + i, d - i), -r0[0], r0, -r1[0], r1, -r2[0], r2, -r3[0], r3);
                }
            }
            else
            {
                for (int k = k0; k < panelEnd; k++)
                    for (int i = panelEnd; i < d; i++)
                    {
                        var rowK = m.Slice(k * d + i, d - i);
                        var rowI = m.Slice(i * d + i, d - i);
                        TensorPrimitives.MultiplyAdd(rowK, -rowK[0], rowI, rowI);
                    }
            }
        }
    }

    /// <summary>x = (Uᵀ U)⁻¹ b for the factor of <see cref="CholeskyInPlace"/>; <paramref name="b"/> is overwritten.</summary>
    internal static void CholeskySolve(ReadOnlySpan<double> u, int d, Span<double> b, Span<double> x)
    {
        // Uᵀ z = b row by row of U: each solved coordinate is removed from the rest with one contiguous row.
        for (int k = 0; k < d; k++)
        {
            double zk = b[k] / u[k * d + k];
            b[k] = zk;
            TensorPrimitives.MultiplyAdd(u.Slice(k * d + k + 1, d - k - 1), -zk, b[(k + 1)..], b[(k + 1)..]);
        }
        // U x = z.
        for (int i = d - 1; i >= 0; i--)
            x[i] = (b[i] - TensorPrimitives.Dot(u.Slice(i * d + i + 1, d - i - 1), x[(i + 1)..])) / u[i * d + i];
    }

    /// <summary>Rows whose conjugate-gradient solves run in lockstep, sharing each pass over the Gramian.</summary>
    private const int CgGroup = 4;

    /// <summary>
    /// <paramref name="steps"/> conjugate-gradient steps on A x = b (as <see cref="SolveCholesky"/>) for each of rows
    /// <paramref name="first"/>..first+count-1, from their current values; A is applied as α0 G p + λ p + Σ w y (yᵀp),
    /// never formed. The rows advance in lockstep so that one pass over G serves all of them
    /// (<see cref="DenseRows.SymmetricMultiply(ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double}, int)"/>);
    /// each row's arithmetic is exactly that of solving it alone, and a row that has converged stops changing.
    /// Rows without entries become zero (their minimiser).
    /// </summary>
    private static void SolveConjugateGradient(SparseMatrix ratings, int first, int count, double[] source, double[] scaledGram,
        double[] penalties, int d, int steps, Span<double> scratch, double[] target)
    {
        var xs = target.AsSpan(first * d, count * d);
        var rs = scratch[..(count * d)];
        var ps = scratch.Slice(CgGroup * d, count * d);
        var aps = scratch.Slice(2 * CgGroup * d, count * d);
        Span<double> rsOld = stackalloc double[CgGroup];
        Span<bool> active = stackalloc bool[CgGroup];

        // r = b − A x = Σ w (1 − yᵀx) y − α0 G x − λ x.
        DenseRows.SymmetricMultiply(scaledGram, d, xs, rs, count);
        bool any = false;
        for (int t = 0; t < count; t++)
        {
            int row = first + t;
            var x = xs.Slice(t * d, d);
            var columns = ratings.ColumnsOf(row);
            if (columns.Length == 0)
            {
                x.Clear();
                active[t] = false;
                continue;
            }
            var r = rs.Slice(t * d, d);
            var weights = ratings.ValuesOf(row);
            TensorPrimitives.MultiplyAdd(x, penalties[row], r, r);
            TensorPrimitives.Negate(r, r);
            for (int e = 0; e < columns.Length; e++)
            {
                var y = source.AsSpan(columns[e] * d, d);
                TensorPrimitives.MultiplyAdd(y, weights[e] * (1 - TensorPrimitives.Dot(y, x)), r, r);
            }
            r.CopyTo(ps.Slice(t * d, d));
            rsOld[t] = TensorPrimitives.Dot(r, r);
            // Absolute threshold as in the implicit library: the row is already solved to rounding.
            active[t] = rsOld[t] >= 1e-20;
            any |= active[t];
        }

        for (int step = 0; step < steps && any; step++)
        {
            DenseRows.SymmetricMultiply(scaledGram, d, ps, aps, count);
            any = false;
            for (int t = 0; t < count; t++)
            {
                if (!active[t]) continue;
                int row = first + t;
                var x = xs.Slice(t * d, d);
                var r = rs.Slice(t * d, d);
                var p = ps.Slice(t * d, d);
                var ap = aps.Slice(t * d, d);
                var columns = ratings.ColumnsOf(row);
                var weights = ratings.ValuesOf(row);
                TensorPrimitives.MultiplyAdd(p, penalties[row], ap, ap);
                for (int e = 0; e < columns.Length; e++)
                {
                    var y = source.AsSpan(columns[e] * d, d);
                    TensorPrimitives.MultiplyAdd(y, weights[e] * TensorPrimitives.Dot(y, p), ap, ap);
                }
                double curvature = TensorPrimitives.Dot(p, ap);
                if (!(curvature > 0))
                {
                    active[t] = false;
                    continue;
                }
                double alpha = rsOld[t] / curvature;
                TensorPrimitives.MultiplyAdd(p, alpha, x, x);
                TensorPrimitives.MultiplyAdd(ap, -alpha, r, r);
                double rsNew = TensorPrimitives.Dot(r, r);
                if (rsNew < 1e-20)
                {
                    active[t] = false;
                    continue;
                }
                TensorPrimitives.MultiplyAdd(p, rsNew / rsOld[t], r, p);
                rsOld[t] = rsNew;
                any = true;
            }
        }
    }

    /// <summary>
    /// The objective, exactly: the observed term by one pass over the edges, and α0 Σ_(all u,i) ⟨x_u, y_i⟩² =
    /// α0 tr(XᵀX YᵀY) = α0 Σ_jk (XᵀX)_jk (YᵀY)_jk from the two Gramians, so no pass over all pairs is needed.
    /// </summary>
    internal static double Objective(State s, double[] gramX, double[] gramY, int d, double unobservedWeight, int threads, CancellationToken ct)
    {
        double unobserved = unobservedWeight * TensorPrimitives.Dot(gramX, gramY);
        var r = s.Ratings;
        double observed = BlockSum(r.Rows, threads, (from, to) =>
        {
            double sum = 0;
            for (int u = from; u < to; u++)
            {
                var x = s.Users.AsSpan(u * d, d);
                var columns = r.ColumnsOf(u);
                var weights = r.ValuesOf(u);
                for (int e = 0; e < columns.Length; e++)
                {
                    double residual = TensorPrimitives.Dot(x, s.Items.AsSpan(columns[e] * d, d)) - 1;
                    sum += weights[e] * residual * residual;
                }
                sum += s.UserPenalty[u] * TensorPrimitives.Dot(x, x);
            }
            return sum;
        }, ct);
        double itemPenalty = BlockSum(s.Transposed.Rows, threads, (from, to) =>
        {
            double sum = 0;
            for (int i = from; i < to; i++)
            {
                var y = s.Items.AsSpan(i * d, d);
                sum += s.ItemPenalty[i] * TensorPrimitives.Dot(y, y);
            }
            return sum;
        }, ct);
        return observed + unobserved + itemPenalty;
    }

    /// <summary>Σ over fixed row blocks of <paramref name="blockSum"/>, added in block order (thread-count independent).</summary>
    private static double BlockSum(int rows, int threads, Func<int, int, double> blockSum, CancellationToken ct)
    {
        int blocks = DenseRows.BlockCount(rows);
        var partial = new double[blocks];
        BlockParallel.For(blocks, threads, (_, b) =>
        {
            var (from, to) = DenseRows.BlockRange(b, rows);
            partial[b] = blockSum(from, to);
        }, ct);
        double total = 0;
        foreach (double v in partial) total += v;
        return total;
    }

    /// <summary>A float copy of a row-major double table.</summary>
    internal static EmbeddingMatrix ToMatrix(double[] values, int rows, int d)
    {
        var matrix = new EmbeddingMatrix(rows, d);
        var target = matrix.Values;
        for (int k = 0; k < target.Length; k++) target[k] = (float)values[k];
        return matrix;
    }
}
