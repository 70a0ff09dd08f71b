namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Which rows (key - 1) of a key range a reader has met: a flag per row, in pages of <see cref="PageSize"/> rows allocated
/// when a row of theirs is first met. A dense range costs a byte per row, as one array would; a few ids of a key column as
/// wide as a hashed id (2^31 values) cost a page each. One array per column once allocated 2 GB there per reading stage,
/// which the collector then zeroed again when it reused the memory (seconds per stage), and a heap limit below it failed.
/// </summary>
internal sealed class KeyFlags
{
    /// <summary>Rows per page (64 KB of flags).</summary>
    internal const int PageSize = 1 << 16;

    private readonly bool[]?[] _pages;

    /// <summary>No row of a range of <paramref name="count"/> rows met yet.</summary>
    public KeyFlags(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _pages = new bool[]?[(int)(((long)count + PageSize - 1) / PageSize)];
    }

    /// <summary>Whether row <paramref name="row"/> was met.</summary>
    public bool this[int row] => _pages[row / PageSize] is { } page && page[row % PageSize];

    /// <summary>Marks row <paramref name="row"/> as met.</summary>
    public void Set(int row) => (_pages[row / PageSize] ??= new bool[PageSize])[row % PageSize] = true;
}
