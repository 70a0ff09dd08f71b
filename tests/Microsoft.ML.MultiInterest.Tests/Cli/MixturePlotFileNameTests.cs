using System.Text;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The mixture plots' file names: one per user, never too long for the file system, whatever the ids hold.</summary>
public class MixturePlotFileNameTests
{
    [Fact]
    public void A_plain_id_names_its_plot_as_it_is()
    {
        Assert.Equal("mixture_9907233.png", MixturePlot.FileName("9907233"));
        Assert.Equal("mixture_user-7_b.png", MixturePlot.FileName("user-7_b"));
    }

    [Fact]
    public void Ids_that_read_alike_once_made_safe_get_files_of_their_own()
    {
        string[] ids = ["a b", "a_b", "a/b", "a\\b", "a:b"];
        var names = ids.Select(MixturePlot.FileName).ToArray();
        Assert.Equal(ids.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n => Assert.DoesNotContain(n[..^4], c => Path.GetInvalidFileNameChars().Contains(c) || c is ' ' or '\\' or ':'));
    }

    [Theory]
    [InlineData('x', 250)]
    [InlineData('東', 86)]
    [InlineData('東', 400)]
    public void A_long_id_is_cut_and_hashed_below_the_file_systems_limit(char c, int length)
    {
        string id = new(c, length), longer = id + c;
        string name = MixturePlot.FileName(id);
        Assert.InRange(Encoding.UTF8.GetByteCount(name), 1, 255);
        Assert.StartsWith("mixture_" + new string(c, 64) + "_", name, StringComparison.Ordinal);
        Assert.NotEqual(name, MixturePlot.FileName(longer));
    }
}
