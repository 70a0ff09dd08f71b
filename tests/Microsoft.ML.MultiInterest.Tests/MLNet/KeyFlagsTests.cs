namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary><see cref="KeyFlags"/>: the rows met, across page boundaries, on ranges of any width.</summary>
public sealed class KeyFlagsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(KeyFlags.PageSize)]
    [InlineData(200_001)]
    [InlineData(int.MaxValue)]
    public void TheRowsSet_AreTheRowsMet_AndNoOther(int count)
    {
        var flags = new KeyFlags(count);
        int[] rows = [0, KeyFlags.PageSize - 1, KeyFlags.PageSize, count - 2, count - 1];
        var set = rows.Where(r => r >= 0 && r < count).Distinct().ToArray();
        foreach (int r in set) Assert.False(flags[r]);
        foreach (int r in set.Take(set.Length / 2 + 1)) flags.Set(r);
        foreach (int r in set) Assert.Equal(Array.IndexOf(set, r) <= set.Length / 2, flags[r]);
        foreach (int r in set.Select(r => r + 1).Concat(set.Select(r => r - 1)).Where(r => r >= 0 && r < count).Except(set)) Assert.False(flags[r]);
    }
}
