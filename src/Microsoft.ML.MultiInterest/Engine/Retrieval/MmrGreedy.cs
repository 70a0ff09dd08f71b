using System.Numerics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The two per-slot sweeps of MMR's greedy pass (<see cref="MmrRetriever"/>) over a pool, in vectors: the first item with
/// the best MMR value, and the redundancy update after a pick. Lane by lane they are the scalar rule's own
/// double operations in its order (<c>lambda * rel - (1 - lambda) * red</c>, then the interest bonus), so the values and
/// the pick are bit for bit the scalar loop's; only the branch per item is gone (the greedy pass is re-run for every
/// user, slot and lambda: about 10^9 item visits in <c>reproduce</c>).
/// </summary>
internal static class MmrGreedy
{
    /// <summary>
    /// The first unpicked item with the largest value <c>lambda * relevance - (1 - lambda) * redundancy</c> (relevance
    /// alone when <paramref name="first"/>), plus <paramref name="addend"/> where <paramref name="hasAddend"/> is set
    /// (when <paramref name="addend"/> is not empty). Picked items (<paramref name="picked"/> all ones) are skipped.
    /// Values must be finite (no NaN) for unpicked items.
    /// </summary>
    public static int Best(ReadOnlySpan<double> relevance, ReadOnlySpan<double> redundancy, ReadOnlySpan<double> addend, ReadOnlySpan<long> hasAddend,
        ReadOnlySpan<long> picked, double lambda, bool first)
    {
        int n = relevance.Length;
        double drop = 1 - lambda;
        double best = double.NegativeInfinity;
        int bestIndex = -1;
        int r = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Each lane keeps its largest value and the first index reaching it (a strictly greater value replaces), so the
            // lanes' winner with the lowest index among equal maxima is the scalar scan's first maximum, in one pass.
            int lanes = Vector<double>.Count;
            var skipped = new Vector<double>(double.NegativeInfinity);
            var max = skipped;
            var at = new Vector<long>(-1);
            var index = Vector<long>.Indices;
            var step = new Vector<long>(lanes);
            for (; r + lanes <= n; r += lanes)
            {
                var value = new Vector<double>(relevance[r..]) * lambda;
                if (!first) value -= new Vector<double>(redundancy[r..]) * drop;
                if (!addend.IsEmpty) value = Vector.ConditionalSelect(new Vector<long>(hasAddend[r..]), value + new Vector<double>(addend[r..]), value);
                value = Vector.ConditionalSelect(new Vector<long>(picked[r..]), skipped, value);
                var greater = Vector.GreaterThan(value, max);
                max = Vector.ConditionalSelect(greater, value, max);
                at = Vector.ConditionalSelect(greater, index, at);
                index += step;
            }
            for (int lane = 0; lane < lanes; lane++)
            {
                if (at[lane] < 0) continue;
                if (max[lane] > best || (max[lane] == best && at[lane] < bestIndex)) (best, bestIndex) = (max[lane], (int)at[lane]);
            }
        }
        for (; r < n; r++)
        {
            if (picked[r] != 0) continue;
            double value = first ? lambda * relevance[r] : lambda * relevance[r] - drop * redundancy[r];
            if (!addend.IsEmpty && hasAddend[r] != 0) value += addend[r];
            if (value > best) (best, bestIndex) = (value, r);
        }
        if (bestIndex >= 0) return bestIndex;
        // Every unpicked value is negative infinity: the scalar rule takes the first unpicked item.
        for (int i = 0; i < n; i++)
            if (picked[i] == 0) return i;
        throw new InvalidOperationException("No item is left unpicked.");
    }

    /// <summary>
    /// <c>redundancy = max(redundancy, row)</c> item by item, where the row's cosine is greater (the scalar rule's test). The
    /// caller reads the redundancy of unpicked items only, so picked ones may take any value of the row.
    /// </summary>
    public static void Raise(Span<double> redundancy, ReadOnlySpan<float> row)
    {
        int n = redundancy.Length;
        int r = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int lanes = Vector<double>.Count;
            for (; r + 2 * lanes <= n; r += 2 * lanes)
            {
                Vector.Widen(new Vector<float>(row[r..]), out var low, out var high);
                var a = new Vector<double>(redundancy[r..]);
                var b = new Vector<double>(redundancy[(r + lanes)..]);
                Vector.ConditionalSelect(Vector.GreaterThan(low, a), low, a).CopyTo(redundancy[r..]);
                Vector.ConditionalSelect(Vector.GreaterThan(high, b), high, b).CopyTo(redundancy[(r + lanes)..]);
            }
        }
        for (; r < n; r++)
        {
            double cosine = row[r];
            if (cosine > redundancy[r]) redundancy[r] = cosine;
        }
    }
}
