using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

public class SearchSpaceTests
{
    [Fact]
    public void Parameters_are_kept_in_pipeline_order()
    {
        var space = SweepSearchSpace.Parse("alpha=0.5,1;lambda=0,0.5;clusters=4,8;algorithm=truncated-svd,implicit-als");
        Assert.Equal(["algorithm", "clusters", "lambda", "alpha"], space.Parameters.Select(p => p.Name));
        Assert.Equal(16, space.Size);
        Assert.Equal("algorithm=truncated-svd,implicit-als;clusters=4,8;lambda=0,0.5;alpha=0.5,1", space.ToString());
    }

    [Theory]
    [InlineData("lambada=0,1", "lambada")]
    [InlineData("lambda=0,1.5", "lambda")]
    [InlineData("lambda=0,0", "lambda")]
    [InlineData("neighbors=0", "neighbors")]
    [InlineData("neighbors=ten", "neighbors")]
    [InlineData("algorithm=word2vec", "algorithm")]
    [InlineData("method=best", "method")]
    [InlineData("lambda", "lambda")]
    [InlineData("lambda=0;lambda=1", "lambda")]
    [InlineData("", "empty")]
    public void Bad_search_spaces_name_the_parameter(string text, string named)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SweepSearchSpace.Parse(text));
        Assert.Contains(named, e.Message);
    }

    /// <summary>
    /// An empty entry (two ';' in a row, or one at either end) is refused with its position: it was skipped, so a space
    /// that lost an entry while being edited ran as if it had never had it.
    /// </summary>
    [Theory]
    [InlineData("lambda=0,1;;neighbors=10", "entry 2 of 3")]
    [InlineData("lambda=0,1; ;neighbors=10", "entry 2 of 3")]
    [InlineData(";lambda=0,1", "entry 1 of 2")]
    [InlineData("lambda=0,1;", "entry 2 of 2")]
    [InlineData(";", "entry 1 of 2")]
    public void An_empty_entry_is_refused_with_its_position(string text, string position)
    {
        var e = Assert.Throws<ArgumentException>(() => SweepSearchSpace.Parse(text));
        Assert.Contains($"The search space's {position} is empty", e.Message, StringComparison.Ordinal);
        Assert.Equal("text", e.ParamName);
    }

    [Fact]
    public void More_clusters_than_items_is_rejected_naming_clusters()
    {
        var space = new SweepSearchSpace().Add("clusters", 8, 100000);
        var e = Assert.ThrowsAny<ArgumentException>(() => SweepRunner.Run(SweepTestData.Graph(), space, SweepTestData.Options()));
        Assert.Contains("clusters", e.Message);
    }

    [Fact]
    public void Bad_options_name_the_option()
    {
        var options = SweepTestData.Options();
        options.DiversityWeight = 2;
        var e = Assert.ThrowsAny<ArgumentException>(() => SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options));
        Assert.Contains("DiversityWeight", e.Message);
    }
}
