using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Spherical k-means over one user's history (unit item vectors), deterministic and allocation-free: the first
/// history item seeds the first centre, each further centre is the item least similar to those chosen (farthest-point
/// seeding, ties to the earlier item), then Lloyd iterations (ties to the lower centre) until no item moves.
/// </summary>
internal static class HistoryKMeans
{
    /// <summary>
    /// Clusters the <paramref name="history"/> rows of <paramref name="unitItems"/> into <paramref name="k"/> groups,
    /// writing each item's group to <paramref name="assignment"/>. <paramref name="centres"/> holds k × d scratch and
    /// <paramref name="similarity"/> history-length scratch.
    /// </summary>
    public static void Cluster(EmbeddingMatrix unitItems, ReadOnlySpan<int> history, int k, int iterations,
        Span<int> assignment, Span<float> centres, Span<double> similarity, Span<double> sums)
    {
        int n = history.Length, d = unitItems.Dimension;
        unitItems.ReadRow(history[0]).CopyTo(centres[..d]);
        for (int i = 0; i < n; i++) similarity[i] = VectorMath.Dot(unitItems.ReadRow(history[i]), centres[..d]);
        for (int c = 1; c < k; c++)
        {
            int far = 0;
            for (int i = 1; i < n; i++) if (similarity[i] < similarity[far]) far = i;
            var centre = centres.Slice(c * d, d);
            unitItems.ReadRow(history[far]).CopyTo(centre);
            for (int i = 0; i < n; i++) similarity[i] = Math.Max(similarity[i], VectorMath.Dot(unitItems.ReadRow(history[i]), centre));
        }
        assignment[..n].Fill(-1);
        for (int t = 0; t < iterations; t++)
        {
            bool moved = false;
            for (int i = 0; i < n; i++)
            {
                var x = unitItems.ReadRow(history[i]);
                int best = 0;
                float bestDot = VectorMath.Dot(x, centres[..d]);
                for (int c = 1; c < k; c++)
                {
                    float dot = VectorMath.Dot(x, centres.Slice(c * d, d));
                    if (dot > bestDot) (best, bestDot) = (c, dot);
                }
                moved |= assignment[i] != best;
                assignment[i] = best;
            }
            if (!moved) break;
            for (int c = 0; c < k; c++)
            {
                var sum = sums[..d];
                sum.Clear();
                bool any = false;
                for (int i = 0; i < n; i++)
                {
                    if (assignment[i] != c) continue;
                    VectorMath.AddScaledWidened(sum, unitItems.ReadRow(history[i]), 1);
                    any = true;
                }
                // An empty group keeps its centre; so does a group of opposite vectors (zero sum).
                if (any && TensorPrimitives.Dot<double>(sum, sum) > 0) VectorMath.StoreNormalized(sum, centres.Slice(c * d, d));
            }
        }
    }
}
