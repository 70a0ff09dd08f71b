using System.Runtime.CompilerServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Reads the head of a <see cref="TopKSelector"/> list over a whole item set off a few candidates, and proves it: given
/// the candidates' exact scores (the engine's own arithmetic) and an upper bound on the exact score of every other
/// eligible item, it writes the longest prefix of the candidates, in the selector's order, that the selector's list must
/// start with whatever the other items score and in whatever order they are offered. Used to serve the engine's exact
/// lists from candidates another scorer found (ONNX Runtime, whose float sums round differently). Reusable; not
/// thread-safe; nothing is allocated per call once the buffers have grown.
/// </summary>
/// <remarks>
/// <para>Why a prefix is certain. Call a score <em>clearly above</em> another when their difference exceeds twice the
/// selector's tie tolerance of the larger magnitude (<see cref="ClearlyAbove"/>): then <see cref="TopKSelector.Better"/>
/// puts it first whatever the indices, the rounding of the tolerance test included, and so for every lower score too.
/// Sort the candidates by score and cut them into groups wherever one score is clearly above the next. Let U be the
/// first groups, as long as (a) the last score of each is clearly above the bound on the other items, and (b) inside each
/// group <see cref="TopKSelector.Better"/> is a total order (checked on every pair). Then every item of U is clearly
/// better than every eligible item outside U, and <see cref="TopKSelector.Better"/> restricted to U is a strict total
/// order (group by group, then the order inside the group).</para>
/// <para>For such a U, a selector of any capacity K drains a list that starts with U in that order (all of U when
/// K &gt;= |U|, else U's best K), whatever the other items are and in whatever order they are offered. In the selector's
/// heap every edge has the child ranked before its parent. Each edge a sift creates is either checked directly or follows
/// from two edges through a middle item (child before middle before parent), and only the latter can fail, where
/// transitivity fails. Such an edge from an item outside U down to an item of U would need the middle item both in U and
/// ranked after an item outside U, which never happens; within U transitivity holds. So no item of U is ever the parent of
/// an item outside U, and the edges among items of U stay valid. While the heap holds an item outside U its root is outside
/// U: an item of U offered to a full heap beats the root and enters, and only items outside U are evicted. Once the heap
/// holds only items of U it is a valid heap under a total order and keeps U's best K. Draining pops every item outside U
/// first, then those of U from the worst, so the list starts with U in order.</para>
/// <para>What is not certified (a group reaching the bound, a chain of near-ties on which the selector's order is not
/// transitive) is left to the caller, who scans the whole set with the engine.</para>
/// </remarks>
internal sealed class CertifiedRanking
{
    private ulong[] _keys = [];
    private int[] _group = [];

    /// <summary>
    /// Writes into <paramref name="outItems"/> and <paramref name="outScores"/> (at least as long as the candidates) the
    /// longest certified prefix of the selector's list.
    /// </summary>
    /// <param name="items">The candidates' item indices (distinct).</param>
    /// <param name="scores">Their exact scores, as the engine computes them.</param>
    /// <param name="othersAtMost">An upper bound on the exact score of every eligible item that is not a candidate; negative infinity when there is none.</param>
    /// <param name="outItems">Receives the prefix's items.</param>
    /// <param name="outScores">Receives their scores.</param>
    /// <returns>The prefix length L: the first min(L, K) entries of a selector of capacity K offered every eligible item are these.</returns>
    // Optimised at once rather than tiered: a serving call runs it a few thousand times between ONNX Runtime runs, and much of
    // a short call would otherwise run unoptimised code (2,000 cit-HepPh users: faster in 4 of 4 alternating pairs, docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Rank(ReadOnlySpan<int> items, ReadOnlySpan<float> scores, double othersAtMost, Span<int> outItems, Span<float> outScores)
    {
        int n = items.Length;
        if (scores.Length != n) throw new ArgumentException("Every candidate needs a score.", nameof(scores));
        if (outItems.Length < n || outScores.Length < n) throw new ArgumentException("Output spans are too short.");
        if (_keys.Length < n)
        {
            _keys = new ulong[Math.Max(n, 2 * _keys.Length)];
            _group = new int[_keys.Length];
        }
        // Score descending, then candidate position; one sort of integer keys, no comparer to allocate.
        var keys = _keys.AsSpan(0, n);
        for (int p = 0; p < n; p++) keys[p] = ((ulong)~OrderedBits(scores[p]) << 32) | (uint)p;
        keys.Sort();

        int written = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && !ClearlyAbove(scores[Position(keys[end - 1])], scores[Position(keys[end])])) end++;
            if (!ClearlyAbove(scores[Position(keys[end - 1])], othersAtMost)) break;
            var group = _group.AsSpan(0, end - start);
            for (int g = 0; g < group.Length; g++) group[g] = Position(keys[start + g]);
            if (!OrderGroup(group, items, scores)) break;
            foreach (int p in group)
            {
                outItems[written] = items[p];
                outScores[written] = scores[p];
                written++;
            }
            start = end;
        }
        return written;
    }

    /// <summary>
    /// True when <paramref name="a"/> exceeds <paramref name="b"/> by more than twice the tie tolerance of the larger
    /// magnitude. <see cref="TopKSelector.Better"/> then ranks a first whatever the indices: its float test
    /// (<c>a &gt; b + tolerance</c>) is off by at most a few 2^-24 of the larger magnitude, far inside the spare
    /// tolerance. The margin only grows as a rises or b falls, so it holds for every pair of scores further apart.
    /// </summary>
    public static bool ClearlyAbove(double a, double b) =>
        double.IsNegativeInfinity(b) || a - b > 2.0 * TopKSelector.RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b));

    /// <summary>
    /// Sorts a group of near-tied candidates by <see cref="TopKSelector.Better"/> (insertion sort: groups are a few
    /// items) and checks that the result is a total order, every earlier entry better than every later one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool OrderGroup(Span<int> group, ReadOnlySpan<int> items, ReadOnlySpan<float> scores)
    {
        if (group.Length == 1) return true;
        for (int i = 1; i < group.Length; i++)
        {
            int p = group[i], j = i - 1;
            for (; j >= 0 && TopKSelector.Better(scores[p], items[p], scores[group[j]], items[group[j]]); j--) group[j + 1] = group[j];
            group[j + 1] = p;
        }
        for (int i = 0; i < group.Length; i++)
            for (int j = i + 1; j < group.Length; j++)
                if (!TopKSelector.Better(scores[group[i]], items[group[i]], scores[group[j]], items[group[j]])) return false;
        return true;
    }

    private static int Position(ulong key) => (int)(uint)key;

    /// <summary>The float's bits as an unsigned integer that sorts in the float's order (finite values).</summary>
    private static uint OrderedBits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }
}
