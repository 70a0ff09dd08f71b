namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>Raw ids of a key range: the key numbers are made when read and found without a table; KeyValues keep their text.</summary>
public class KeyNameListTests
{
    [Fact]
    public void KeyNumbers_AreMadeWhenRead_AndFoundByTheirCanonicalText()
    {
        var names = KeyNameList.Numbers(10_000_000);
        Assert.True(names.AreNumbers);
        Assert.Equal(10_000_000, names.Count);
        Assert.Equal("1", names[0]);
        Assert.Equal("10000000", names[^1]);
        Assert.Equal(6, names.IndexOf("7"));
        Assert.Equal(9_999_999, names.IndexOf("10000000"));
        // Only the text a key number is written as names it, as with a table of the numbers.
        foreach (string other in new[] { "07", "+7", "7.0", " 7", "0", "10000001", "-1", "", "seven" }) Assert.Equal(-1, names.IndexOf(other));
        Assert.Throws<ArgumentOutOfRangeException>(() => names[10_000_000]);
    }

    [Fact]
    public void KeyValues_KeepTheirText_AndTheFirstKeyOfARepeatedNameWins()
    {
        var text = KeyNameList.OfText(["b".AsMemory(), "a".AsMemory(), "b".AsMemory()]);
        Assert.False(text.AreNumbers);
        Assert.Equal(["b", "a", "b"], text);
        Assert.Equal(0, text.IndexOf("b"));
        Assert.Equal(1, text.IndexOf("a"));
        Assert.Equal(-1, text.IndexOf("1"));
    }

    [Fact]
    public void AppendedNames_FollowTheKeyNumbers_WithoutMakingThem()
    {
        // The keys of items folded in between two fits (FoldInNewItems) after a KeyType(10_000_000) column's: once made by
        // copying every name (479 MB and 1.7 s for one new item), now read through the numbers.
        var numbers = KeyNameList.Numbers(10_000_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var names = numbers.WithAppended(["x", "7", "y"]).WithAppended(["z"]);
        Assert.Equal(10_000_004, names.Count);
        Assert.False(names.AreNumbers);
        Assert.Equal(("1", "10000000", "x", "7", "y", "z"), (names[0], names[9_999_999], names[10_000_000], names[10_000_001], names[10_000_002], names[10_000_003]));
        Assert.Equal((6, 10_000_000, 10_000_002, 10_000_003, -1), (names.IndexOf("7"), names.IndexOf("x"), names.IndexOf("y"), names.IndexOf("z"), names.IndexOf("w")));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = names[10_000_004]);
    }
}
