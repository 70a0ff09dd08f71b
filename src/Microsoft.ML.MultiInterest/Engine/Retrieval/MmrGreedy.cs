using System.Numerics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The two per-slot sweeps of MMR's greedy pass (<see cref="MmrRetriever"/>) over a pool, in vectors: each item's MMR
/// value and the first best one, and the redundancy update after a pick. Lane by lane they are the scalar rule's own
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
    /// Values must be finite (no NaN) for unpicked items; <paramref name="values"/> is scratch of the pool's length.
    /// </summary>
    public static int Best(ReadOnlySpan<double> relevance, ReadOnlySpan<double> redundancy, ReadOnlySpan<double> addend, ReadOnlySpan<long> hasAddend,
        ReadOnlySpan<long> picked, Span<double> values, double lambda, bool first)
    {
        int n = relevance.Length;
        double drop = 1 - lambda;
        double best = double.NegativeInfinity;
        int r = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int lanes = Vector<double>.Count;
            var skipped = new Vector<double>(double.NegativeInfinity);
            var max = skipped;
            for (; r + lanes <= n; r += lanes)
            {
                var value = new Vector<double>(relevance[r..]) * lambda;
                if (!first) value -= new Vector<double>(redundancy[r..]) * drop;
                if (!addend.IsEmpty) value = Vector.ConditionalSelect(new Vector<long>(hasAddend[r..]), value + new Vector<double>(addend[r..]), value);
                value = Vector.ConditionalSelect(new Vector<long>(picked[r..]), skipped, value);
                value.CopyTo(values[r..]);
                max = Vector.Max(max, value);
            }
            for (int lane = 0; lane < lanes; lane++) best = Math.Max(best, max[lane]);
        }
        for (; r < n; r++)
        {
            double value = first ? lambda * relevance[r] : lambda * relevance[r] - drop * redundancy[r];
            if (!addend.IsEmpty && hasAddend[r] != 0) value += addend[r];
            if (picked[r] != 0) value = double.NegativeInfinity;
            values[r] = value;
            best = Math.Max(best, value);
        }
        // The first item reaching the maximum: the scalar rule's "strictly greater replaces" scan.
        for (int i = 0; i < n; i++)
            if (values[i] == best && picked[i] == 0) return i;
        throw new InvalidOperationException("No unpicked item has a finite MMR value.");
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
