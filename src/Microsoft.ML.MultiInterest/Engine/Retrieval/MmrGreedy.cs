using System.Numerics;
using System.Runtime.CompilerServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The per-slot sweep of MMR's greedy pass (<see cref="MmrRetriever"/>) over a pool, in vectors: the redundancy update
/// after the last pick and the first item with the best MMR value, in one pass over the pool. Lane by lane they are the
/// scalar rule's own double operations in its order (<c>max(red, cos)</c>, then <c>lambda * rel - (1 - lambda) * red</c>,
/// then the interest bonus), so the values and the pick are bit for bit the scalar loop's; only the branch per item is
/// gone (the greedy pass is re-run for every user, slot and lambda: about 10^9 item visits in <c>reproduce</c>).
/// </summary>
internal static class MmrGreedy
{
    /// <summary>
    /// Raises <paramref name="redundancy"/> to <paramref name="raise"/> item by item where the row's cosine is greater
    /// (nothing when <paramref name="raise"/> is empty), then returns the first unpicked item with the largest value
    /// <c>lambda * relevance - (1 - lambda) * redundancy</c> (relevance alone when <paramref name="first"/>), plus
    /// <paramref name="addend"/> where <paramref name="hasAddend"/> is set (when <paramref name="addend"/> is not empty).
    /// Picked items (<paramref name="picked"/> all ones) are skipped, and their redundancy may take any value of the row.
    /// Values must be finite (no NaN) for unpicked items.
    /// </summary>
    public static int Best(ReadOnlySpan<double> relevance, Span<double> redundancy, ReadOnlySpan<float> raise, ReadOnlySpan<double> addend,
        ReadOnlySpan<long> hasAddend, ReadOnlySpan<long> picked, double lambda, bool first)
    {
        int n = relevance.Length;
        double drop = 1 - lambda;
        double best = double.NegativeInfinity;
        int bestIndex = -1;
        int r = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Each lane keeps its largest value and the first index reaching it (a strictly greater value replaces), so the
            // lanes' winner with the lowest index among equal maxima is the scalar scan's first maximum, in one pass. Two
            // vectors of doubles per step: one vector of the row's floats widens to them.
            int lanes = Vector<double>.Count;
            var max = new Vector<double>(double.NegativeInfinity);
            var at = new Vector<long>(-1);
            for (; r + 2 * lanes <= n; r += 2 * lanes)
            {
                Vector<double> low, high;
                if (raise.IsEmpty)
                {
                    low = new Vector<double>(redundancy[r..]);
                    high = new Vector<double>(redundancy[(r + lanes)..]);
                }
                else
                {
                    Vector.Widen(new Vector<float>(raise[r..]), out var cosineLow, out var cosineHigh);
                    low = Raised(redundancy, r, cosineLow);
                    high = Raised(redundancy, r + lanes, cosineHigh);
                }
                Offer(relevance, low, addend, hasAddend, picked, lambda, drop, first, r, ref max, ref at);
                Offer(relevance, high, addend, hasAddend, picked, lambda, drop, first, r + lanes, ref max, ref at);
            }
            for (int lane = 0; lane < lanes; lane++)
            {
                if (at[lane] < 0) continue;
                if (max[lane] > best || (max[lane] == best && at[lane] < bestIndex)) (best, bestIndex) = (max[lane], (int)at[lane]);
            }
        }
        for (; r < n; r++)
        {
            if (!raise.IsEmpty && raise[r] > redundancy[r]) redundancy[r] = raise[r];
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

    /// <summary><c>max(redundancy, cosine)</c> for one vector of items (the scalar rule's test), stored and returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Raised(Span<double> redundancy, int at, Vector<double> cosine)
    {
        var current = new Vector<double>(redundancy[at..]);
        var raised = Vector.ConditionalSelect(Vector.GreaterThan(cosine, current), cosine, current);
        raised.CopyTo(redundancy[at..]);
        return raised;
    }

    /// <summary>One vector of items' values offered to the lanes' running maxima and the first index reaching each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(ReadOnlySpan<double> relevance, Vector<double> redundancy, ReadOnlySpan<double> addend, ReadOnlySpan<long> hasAddend,
        ReadOnlySpan<long> picked, double lambda, double drop, bool first, int at, ref Vector<double> max, ref Vector<long> maxAt)
    {
        var value = new Vector<double>(relevance[at..]) * lambda;
        if (!first) value -= redundancy * drop;
        if (!addend.IsEmpty) value = Vector.ConditionalSelect(new Vector<long>(hasAddend[at..]), value + new Vector<double>(addend[at..]), value);
        value = Vector.ConditionalSelect(new Vector<long>(picked[at..]), new Vector<double>(double.NegativeInfinity), value);
        var greater = Vector.GreaterThan(value, max);
        max = Vector.ConditionalSelect(greater, value, max);
        maxAt = Vector.ConditionalSelect(greater, Vector<long>.Indices + new Vector<long>(at), maxAt);
    }
}
