using Microsoft.ML;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Engine;

/// <summary>
/// The one rule every vector reader applies: a finite vector whose squared length overflows a float is refused (normalised in
/// float it became a zero vector); components laid end to end are checked one by one.
/// </summary>
public sealed class ScorableLengthTests
{
    [Fact]
    public void The_longest_vector_taken_is_the_square_root_of_the_largest_float()
    {
        Assert.False(ScorableLength.TooLong([1e19f, 0], out _));
        Assert.True(ScorableLength.TooLong([1e20f, 0], out double squares));
        Assert.Equal(1e40, squares, 1e34); // 1e20f is 1e20 to float precision
        // Two coordinates each taken alone can make a vector too long together.
        Assert.True(ScorableLength.TooLong([1.5e19f, 1.5e19f], out _));
        Assert.Contains("a vector of length 1E+20, whose squared length overflows a float", ScorableLength.Describe(1e40), StringComparison.Ordinal);
    }

    [Fact]
    public void The_evaluator_refuses_an_item_vector_too_long_naming_the_item()
    {
        // Normalised in float, it became a zero vector and counted in Diversity as one (an audit of evaluate, 2026-12-07).
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, _) = EvaluationTestData.Views(ml);
        var rows = EvaluationTestData.ItemRows().Select(r => r.Item == 2 ? new EvaluationTestData.ItemRow { Item = 2, ItemEmbedding = [1e20f, 0, 0] } : r);
        var e = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("holds a vector of length 1E+20, whose squared length overflows a float", e.Message, StringComparison.Ordinal);
        Assert.Contains("for item key 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_component_too_long_is_found_among_components_laid_end_to_end()
    {
        float[] rows = [1, 0, 0, 2, 1e20f, 0, 3e20f, 0];
        Assert.Equal(2, ScorableLength.FirstTooLong(rows, 2, out double squares));
        Assert.Equal(1e40, squares, 1e34); // 1e20f is 1e20 to float precision
        Assert.Equal(-1, ScorableLength.FirstTooLong(rows.AsSpan(0, 4), 2, out _));
        Assert.Equal(-1, ScorableLength.FirstTooLong(rows, 0, out _));
    }
}
