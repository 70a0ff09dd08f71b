using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Builds the additive exclusion mask of the exported unimodal scorer: a row-major
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
        for (int q = 0; q < users.Count; q++)
        {
            int user = users[q];
            if ((uint)user >= (uint)seen.UserCount)
                throw new ArgumentOutOfRangeException(nameof(users), $"User row {user} (batch position {q}) is not in the exclusion graph, which has {seen.UserCount} users.");
            var row = mask.AsSpan(q * seen.ItemCount, seen.ItemCount);
            foreach (int item in seen.ItemsOf(user)) row[item] = float.NegativeInfinity;
        }
        return mask;
    }
}
