using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Per-user retrieval metrics with fixed definitions (the project's figures are checked against an
/// independent implementation, so these formulas must not drift):
/// Recall@K, NDCG@K (binary gains), Diversity@K (kNN-Embed, Eq. 8) and goodness of fit (earth mover's distance).
/// </summary>
public static class RetrievalMetrics
{
    // Above this dimension the mean vector is rented instead of stack-allocated.
    private const int StackDimensionLimit = 512;

    /// <summary>The longest list whose rows <see cref="Diversity"/> sorts on the stack.</summary>
    private const int StackListLimit = 1024;

    /// <summary>
    /// Recall = |candidates ∩ held-out| / |held-out|. A candidate listed twice counts once.
    /// </summary>
    /// <param name="candidates">The retrieved item indices (the first K of the list, for Recall@K).</param>
    /// <param name="heldOut">The user's held-out item indices, sorted ascending without duplicates; at least one.</param>
    /// <param name="unseen">Further held-out items no list can hold (unseen in training), counted as misses in the denominator; default 0.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException"><paramref name="heldOut"/> is empty or not strictly ascending, or <paramref name="unseen"/> is negative.</exception>
    public static double Recall(ReadOnlySpan<int> candidates, ReadOnlySpan<int> heldOut, int unseen = 0)
    {
        CheckHeldOut(heldOut);
        CheckUnseen(unseen);
        int hits = 0;
        for (int p = 0; p < candidates.Length; p++)
        {
            int item = candidates[p];
            // Only hits need the duplicate scan, and lists are short (K <= a few hundred).
            if (heldOut.BinarySearch(item) >= 0 && candidates[..p].IndexOf(item) < 0) hits++;
        }

        return (double)hits / (heldOut.Length + unseen);
    }

    /// <summary>
    /// NDCG@K with binary gains: Σ_{p&lt;K, candidate p held out} 1/log2(p + 2), divided by the ideal
    /// Σ_{p&lt;min(K, |held-out|)} 1/log2(p + 2) (the definition of the NGCF/LightGCN evaluation code).
    /// A candidate listed twice counts once.
    /// </summary>
    /// <param name="candidates">The retrieved item indices, best first; only the first <paramref name="cutoff"/> count.</param>
    /// <param name="heldOut">The user's held-out item indices, sorted ascending without duplicates; at least one.</param>
    /// <param name="cutoff">K.</param>
    /// <param name="unseen">Further held-out items no list can hold (unseen in training): they count in the ideal DCG; default 0.</param>
    /// <returns>A value in [0, 1].</returns>
    /// <exception cref="ArgumentException"><paramref name="heldOut"/> is empty or not strictly ascending, or <paramref name="unseen"/> is negative.</exception>
    public static double Ndcg(ReadOnlySpan<int> candidates, ReadOnlySpan<int> heldOut, int cutoff, int unseen = 0)
    {
        CheckHeldOut(heldOut);
        CheckUnseen(unseen);
        if (cutoff < 1) throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff, "The cutoff K must be at least 1.");
        var list = candidates[..Math.Min(cutoff, candidates.Length)];
        double dcg = 0, ideal = 0;
        for (int p = 0; p < list.Length; p++)
        {
            int item = list[p];
            if (heldOut.BinarySearch(item) >= 0 && list[..p].IndexOf(item) < 0) dcg += 1 / Math.Log2(p + 2);
        }
        int relevant = (int)Math.Min(cutoff, (long)heldOut.Length + unseen);
        for (int p = 0; p < relevant; p++) ideal += 1 / Math.Log2(p + 2);
        return dcg / ideal;
    }

    /// <summary>
    /// Diversity = (1/n) Σ_k ‖i_k − mean‖, where i_k are the unit-length embeddings of the n candidates
    /// and mean is their mean (kNN-Embed, Eq. 8). Computed in double, over the candidates in row order, so the figure is
    /// the set's: a re-ordered list gets the same bits (summed in list order, a pure re-ordering differed from its
    /// source by float noise, about 1e-18).
    /// </summary>
    /// <param name="candidates">The retrieved item indices (the first K of the list, for Diversity@K); valid rows of <paramref name="unitItems"/>.</param>
    /// <param name="unitItems">
    /// Item embeddings whose rows the caller has already scaled to unit length (for example with
    /// <see cref="EmbeddingMatrix.Normalized"/>); they are used as given.
    /// </param>
    /// <returns>The mean distance to the centroid; 0 for an empty or one-item list.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A candidate is not a row of <paramref name="unitItems"/>.</exception>
    public static double Diversity(ReadOnlySpan<int> candidates, EmbeddingMatrix unitItems)
    {
        ArgumentNullException.ThrowIfNull(unitItems);
        int n = candidates.Length;
        if (n == 0) return 0;
        foreach (int item in candidates)
        {
            if ((uint)item >= (uint)unitItems.Rows)
                throw new ArgumentOutOfRangeException(nameof(candidates), item, $"Candidate must be in [0, {unitItems.Rows}).");
        }

        int d = unitItems.Dimension;
        double[]? rented = null;
        int[]? rentedRows = null;
        Span<double> mean = d <= StackDimensionLimit
            ? stackalloc double[d]
            : (rented = System.Buffers.ArrayPool<double>.Shared.Rent(d)).AsSpan(0, d);
        Span<int> rows = n <= StackListLimit
            ? stackalloc int[n]
            : (rentedRows = System.Buffers.ArrayPool<int>.Shared.Rent(n)).AsSpan(0, n);
        try
        {
            candidates.CopyTo(rows);
            rows.Sort();
            VectorMath.SumRowsWidened(unitItems.Values, rows, mean);
            TensorPrimitives.Divide(mean, n, mean);

            // Four distances per call (each the single call's bits), added in row order.
            double total = 0;
            int k = 0;
            for (; k + 4 <= n; k += 4)
            {
                VectorMath.SquaredDistancesWidened(unitItems.ReadRow(rows[k]), unitItems.ReadRow(rows[k + 1]), unitItems.ReadRow(rows[k + 2]),
                    unitItems.ReadRow(rows[k + 3]), mean, out double s0, out double s1, out double s2, out double s3);
                total += Math.Sqrt(s0);
                total += Math.Sqrt(s1);
                total += Math.Sqrt(s2);
                total += Math.Sqrt(s3);
            }
            for (; k < n; k++) total += Math.Sqrt(VectorMath.SquaredDistanceWidened(unitItems.ReadRow(rows[k]), mean));
            return total / n;
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<double>.Shared.Return(rented);
            if (rentedRows is not null) System.Buffers.ArrayPool<int>.Shared.Return(rentedRows);
        }
    }

    /// <summary>
    /// Goodness of fit of a multi-interest user: the earth mover's distance between the user's mixture
    /// (component embeddings with their weights) and the uniform distribution over the unit-length
    /// embeddings of the user's held-out items. Lower is better.
    /// </summary>
    /// <param name="solver">The solver to use (one per thread; its buffers are reused).</param>
    /// <param name="components">The component embeddings u^c as consecutive rows of <c>unitItems.Dimension</c> floats.</param>
    /// <param name="weights">The component weights w_c (normalised to sum 1 inside).</param>
    /// <param name="unitItems">Item embeddings already scaled to unit length by the caller.</param>
    /// <param name="heldOut">The user's held-out item indices; at least one.</param>
    /// <returns>The earth mover's distance.</returns>
    public static double GoodnessOfFit(
        EarthMoversDistance solver,
        ReadOnlySpan<float> components,
        ReadOnlySpan<double> weights,
        EmbeddingMatrix unitItems,
        ReadOnlySpan<int> heldOut)
    {
        ArgumentNullException.ThrowIfNull(solver);
        return solver.ComputeToUniform(components, weights, unitItems, heldOut);
    }

    /// <summary>
    /// Goodness of fit of a unimodal user: the earth mover's distance between the user's embedding,
    /// scaled to unit length, with weight 1 and the uniform distribution over the unit-length embeddings
    /// of the held-out items. With a single source point this is the mean distance to the held-out items.
    /// </summary>
    /// <param name="userEmbedding">The user's embedding (any length; normalised here in double, a zero vector stays zero).</param>
    /// <param name="unitItems">Item embeddings already scaled to unit length by the caller.</param>
    /// <param name="heldOut">The user's held-out item indices; at least one.</param>
    /// <returns>The earth mover's distance.</returns>
    /// <exception cref="ArgumentException">The lengths do not match, <paramref name="heldOut"/> is empty, or the embedding is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A held-out item is not a row of <paramref name="unitItems"/>.</exception>
    public static double UnimodalGoodnessOfFit(ReadOnlySpan<float> userEmbedding, EmbeddingMatrix unitItems, ReadOnlySpan<int> heldOut)
    {
        ArgumentNullException.ThrowIfNull(unitItems);
        int d = unitItems.Dimension;
        if (userEmbedding.Length != d)
            throw new ArgumentException($"Expected {d} values but got {userEmbedding.Length}.", nameof(userEmbedding));
        if (heldOut.IsEmpty) throw new ArgumentException("At least one held-out item is needed.", nameof(heldOut));

        double sq = 0;
        foreach (float v in userEmbedding) sq += (double)v * v;
        if (!double.IsFinite(sq)) throw new ArgumentException("The user embedding must be finite.", nameof(userEmbedding));
        double scale = sq > 0 ? 1 / Math.Sqrt(sq) : 0;

        double total = 0;
        foreach (int item in heldOut)
        {
            if ((uint)item >= (uint)unitItems.Rows)
                throw new ArgumentOutOfRangeException(nameof(heldOut), item, $"Held-out item must be in [0, {unitItems.Rows}).");
            var row = unitItems.ReadRow(item);
            double dist = 0;
            for (int k = 0; k < d; k++)
            {
                double diff = userEmbedding[k] * scale - row[k];
                dist += diff * diff;
            }

            total += Math.Sqrt(dist);
        }

        return total / heldOut.Length;
    }

    private static void CheckUnseen(int unseen)
    {
        if (unseen < 0) throw new ArgumentOutOfRangeException(nameof(unseen), unseen, "The count of unseen held-out items cannot be negative.");
    }

    private static void CheckHeldOut(ReadOnlySpan<int> heldOut)
    {
        if (heldOut.IsEmpty) throw new ArgumentException("At least one held-out item is needed.", nameof(heldOut));
        for (int k = 1; k < heldOut.Length; k++)
        {
            if (heldOut[k] <= heldOut[k - 1])
                throw new ArgumentException("Held-out items must be sorted ascending without duplicates.", nameof(heldOut));
        }
    }
}
