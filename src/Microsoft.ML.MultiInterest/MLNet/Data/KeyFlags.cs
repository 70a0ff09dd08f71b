namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Which rows (key - 1) of a key range a reader has met: a flag per row on ranges up to <see cref="DenseLimit"/>, the set of
/// rows met beyond it. A stage reading a few ids of a key column as wide as a hashed id (2^31 values) once allocated a
/// 2 GB flag array per column, which the collector then zeroed again when it reused the memory (seconds per stage, and
/// a heap limit below that size failed).
/// </summary>
internal sealed class KeyFlags
{
    /// <summary>The widest range kept as one flag per row (16 MB).</summary>
    internal const int DenseLimit = 1 << 24;

    private readonly bool[]? _dense;
    private readonly HashSet<int>? _sparse;

    /// <summary>No row of a range of <paramref name="count"/> rows met yet.</summary>
    public KeyFlags(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= DenseLimit) _dense = new bool[count];
        else _sparse = [];
    }

    /// <summary>Whether row <paramref name="row"/> was met.</summary>
    public bool this[int row] => _dense != null ? _dense[row] : _sparse!.Contains(row);

    /// <summary>Marks row <paramref name="row"/> as met.</summary>
    public void Set(int row)
    {
        if (_dense != null) _dense[row] = true;
        else _sparse!.Add(row);
    }
}
