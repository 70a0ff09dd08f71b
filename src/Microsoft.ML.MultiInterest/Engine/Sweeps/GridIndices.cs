namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Walks every combination of a grid's value indices, the last parameter fastest (an odometer).</summary>
internal static class GridIndices
{
    /// <summary>
    /// Moves <paramref name="indices"/> to the next combination, where parameter <c>p</c> has <paramref name="sizes"/>(p)
    /// values; false (every index back at 0) once the last combination has been passed.
    /// </summary>
    public static bool Advance(int[] indices, Func<int, int> sizes)
    {
        for (int p = indices.Length - 1; p >= 0; p--)
        {
            if (++indices[p] < sizes(p)) return true;
            indices[p] = 0;
        }
        return false;
    }
}
