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
}
