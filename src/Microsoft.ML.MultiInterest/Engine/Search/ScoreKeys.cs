using System.Runtime.CompilerServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A (score, index) pair packed into one integer that sorts by descending score, then ascending index: the float's
/// bits made order-preserving and inverted in the high half, the index in the low half. Sorting or selecting keys
/// is then plain integer work, with no comparer and no tolerance, and the score is read back bit for bit.
/// </summary>
internal static class ScoreKeys
{
    /// <summary>The key of <paramref name="score"/> (finite) at <paramref name="index"/> (non-negative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Key(float score, int index) => ((ulong)~OrderedBits(score) << 32) | (uint)index;

    /// <summary>The score a key was made from, bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Score(ulong key)
    {
        uint ordered = ~(uint)(key >> 32);
        return BitConverter.UInt32BitsToSingle((ordered & 0x8000_0000u) != 0 ? ordered & 0x7FFF_FFFFu : ~ordered);
    }

    /// <summary>The index a key was made from.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Index(ulong key) => (int)(uint)key;

    /// <summary>The float's bits as an unsigned integer that sorts in the float's order (finite values; -0 just below +0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint OrderedBits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>
    /// Reorders distinct <paramref name="keys"/> so that the first <paramref name="n"/> are the n smallest (best), in no
    /// particular order, and the largest of them is at n - 1 (quickselect, median of three; linear on average). Each
    /// partition writes every key to both ends of <paramref name="scratch"/> (at least as long as the keys) and advances
    /// one end by the comparison, so random keys cost no mispredicted branches.
    /// </summary>
    public static void SelectSmallest(Span<ulong> keys, int n, Span<ulong> scratch)
    {
        if ((uint)n > (uint)keys.Length) throw new ArgumentOutOfRangeException(nameof(n));
        if (scratch.Length < keys.Length) throw new ArgumentException("The scratch is shorter than the keys.", nameof(scratch));
        if (n == 0 || keys.Length <= 1) return;
        int lo = 0, hi = keys.Length - 1, target = n - 1;
        while (hi - lo > 16)
        {
            int mid = lo + ((hi - lo) >> 1);
            ulong a = keys[lo], b = keys[mid], c = keys[hi];
            // The median of three distinct keys: one key of the range is below it and one above, so both parts shrink.
            ulong pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
            int left = lo, right = hi;
            for (int i = lo; i <= hi; i++)
            {
                ulong x = keys[i];
                scratch[left] = x;
                scratch[right] = x;
                int below = x < pivot ? 1 : 0;
                left += below;
                right -= 1 - below;
            }
            // scratch[lo..left) < pivot <= scratch[left..hi]; left == right + 1.
            scratch[lo..(hi + 1)].CopyTo(keys[lo..(hi + 1)]);
            if (target < left) hi = left - 1;
            else lo = left;
        }
        // A short range: insertion sort puts every position, the target's included, in place.
        for (int i = lo + 1; i <= hi; i++)
        {
            ulong key = keys[i];
            int j = i - 1;
            for (; j >= lo && keys[j] > key; j--) keys[j + 1] = keys[j];
            keys[j + 1] = key;
        }
    }
}
