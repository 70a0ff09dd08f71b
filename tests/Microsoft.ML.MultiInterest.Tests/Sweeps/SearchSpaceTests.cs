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

    [Fact]
    public void Distinct_trials_count_configurations_that_read_the_same_values_once()
    {
        // At lambda 0 the neighbours are not read: the 6 configurations are 5 trials.
        var space = SweepSearchSpace.Parse("lambda=0,0.4,0.8;neighbors=5,10");
        Assert.Equal(5, space.DistinctTrials());
        // The base settings' trial is one more where it is none of the grid's (lambda 0.5), and none where it is one (0.4, 5).
        Assert.Equal(6, space.DistinctTrials(new SweepSettings { Lambda = 0.5, Neighbors = 5 }, includeBaseSettings: true));
        Assert.Equal(5, space.DistinctTrials(new SweepSettings { Lambda = 0.4, Neighbors = 5 }, includeBaseSettings: true));
        Assert.Null(SweepSearchSpace.Parse("lambda=0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9;neighbors=" + string.Join(",", Enumerable.Range(1, 20000))).DistinctTrials());
    }

    /// <summary>
    /// An invalid value names its argument once: Parse's text, Add's values (both read "... (Parameter 'lambda') (Parameter
    /// 'values')" until 2026-12-06, and Parse's named Add's argument).
    /// </summary>
    [Theory]
    [InlineData("lambda=0,1.5")]
    [InlineData("neighbors=0")]
    [InlineData("lambda=0,0")]
    [InlineData("lambada=0,1")]
    public void A_bad_value_names_the_argument_once(string text)
    {
        var parsed = Assert.Throws<ArgumentException>(() => SweepSearchSpace.Parse(text));
        Assert.Equal("text", parsed.ParamName);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(parsed.Message, @"\(Parameter "));
    }

    [Fact]
    public void Add_names_its_values_once()
    {
        var e = Assert.Throws<ArgumentException>(() => new SweepSearchSpace().Add("lambda", 0, 1.5));
        Assert.Equal("values", e.ParamName);
        Assert.EndsWith("lambda must lie in [0, 1]. (Parameter 'values')", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A base setting out of range is named as the option it is, BaseSettings.Components, not as a search space's "components".</summary>
    [Fact]
    public void A_bad_base_setting_is_named_as_an_option_of_BaseSettings()
    {
        var options = new SweepOptions { BaseSettings = new SweepSettings { Components = 0 } };
        var e = Assert.ThrowsAny<ArgumentException>(() => options.Validate());
        Assert.Equal("BaseSettings.Components", e.ParamName);
        Assert.StartsWith("BaseSettings.Components (m) must be at least 1.", e.Message, StringComparison.Ordinal);
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
