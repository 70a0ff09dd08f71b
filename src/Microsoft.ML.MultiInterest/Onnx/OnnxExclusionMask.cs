using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Builds the additive exclusion mask of the exported scorers: a row-major
/// <c>[batch, items]</c> float array, 0 where an item may be returned and negative infinity where it may not.
/// </summary>
public static class OnnxExclusionMask
{
    /// <summary>The mask that removes each served user's items in <paramref name="seen"/> (typically the training graph).</summary>
    /// <param name="seen">The engagements to exclude.</param>
    /// <param name="users">The user rows of the batch, in the order they are fed as <see cref="UnimodalOnnxExporter.UserRowsInput"/>.</param>
    /// <returns><c>users.Count</c> x <c>seen.ItemCount</c> values, row-major.</returns>
    public static float[] Build(BipartiteGraph seen, IReadOnlyList<int> users)
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(users);
        var mask = new float[checked(users.Count * seen.ItemCount)];
        Fill(seen, users as int[] ?? users.ToArray(), mask);
        return mask;
    }

    /// <summary>Writes the mask of <paramref name="users"/> into <paramref name="mask"/> (reused between batches, so every value is set).</summary>
    internal static void Fill(BipartiteGraph seen, ReadOnlySpan<int> users, Span<float> mask)
    {
        if (mask.Length != (long)users.Length * seen.ItemCount)
            throw new ArgumentException($"The mask holds {mask.Length} values, not {users.Length} users x {seen.ItemCount} items.", nameof(mask));
        mask.Clear();
        for (int q = 0; q < users.Length; q++)
        {
            int user = users[q];
            if ((uint)user >= (uint)seen.UserCount)
                throw new ArgumentOutOfRangeException(nameof(users), $"User row {user} (batch position {q}) is not in the exclusion graph, which has {seen.UserCount} users.");
            var row = mask.Slice(q * seen.ItemCount, seen.ItemCount);
            foreach (int item in seen.ItemsOf(user)) row[item] = float.NegativeInfinity;
        }
    }

    /// <summary>
    /// Turns the mask of <paramref name="previous"/> (as <see cref="Fill"/> or this method left it; rows past
    /// <c>previous.Length</c> all zeros) into the mask of <paramref name="users"/>, writing only the excluded entries of
    /// both: clearing all batch x items floats every batch costs more than the few thousand entries that change.
    /// </summary>
    internal static void Refill(BipartiteGraph seen, ReadOnlySpan<int> previous, ReadOnlySpan<int> users, Span<float> mask)
    {
        int items = seen.ItemCount;
        if (mask.Length < (long)Math.Max(previous.Length, users.Length) * items)
            throw new ArgumentException($"The mask holds {mask.Length} values, fewer than {Math.Max(previous.Length, users.Length)} users x {items} items.", nameof(mask));
        for (int q = 0; q < users.Length; q++)
        {
            if ((uint)users[q] >= (uint)seen.UserCount)
                throw new ArgumentOutOfRangeException(nameof(users), $"User row {users[q]} (batch position {q}) is not in the exclusion graph, which has {seen.UserCount} users.");
        }
        for (int q = 0; q < previous.Length; q++)
        {
            var row = mask.Slice(q * items, items);
            foreach (int item in seen.ItemsOf(previous[q])) row[item] = 0f;
        }
        for (int q = 0; q < users.Length; q++)
        {
            var row = mask.Slice(q * items, items);
            foreach (int item in seen.ItemsOf(users[q])) row[item] = float.NegativeInfinity;
        }
    }
}
