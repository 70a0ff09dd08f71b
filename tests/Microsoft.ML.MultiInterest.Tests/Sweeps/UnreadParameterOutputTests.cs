using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

/// <summary>
/// A searched parameter a trial does not read (the neighbours at lambda 0) is shown as such everywhere the trial is:
/// "-" in its one-line description and in the leaderboards, and it lends no point to the sensitivity plot, where its
/// figure, counted at whichever value it happened to hold, drew a slope the parameter did not cause.
/// </summary>
public class UnreadParameterOutputTests
{
    [Fact]
    public void A_trial_that_does_not_read_a_parameter_shows_it_as_unread_and_adds_no_sensitivity_point()
    {
        var options = SweepTestData.Options();
        var outcome = SweepRunner.Run(SweepTestData.Graph(), SweepTestData.LambdaByNeighbors(), options);
        var atZero = outcome.Trials.Where(t => t.Parameters["lambda"] == "0").ToList();
        Assert.NotEmpty(atZero);
        Assert.All(atZero, t =>
        {
            Assert.False(t.Reads("neighbors"));
            Assert.True(t.Reads("lambda"));
            Assert.Contains("neighbors=-", SweepRunner.Describe(t, options), StringComparison.Ordinal);
        });

        var neighbors = outcome.Space.Parameters.Single(p => p.Name == "neighbors");
        var full = outcome.Trials.Where(t => t.Fidelity >= 1).ToList();
        var points = SweepPlot.Points(full, neighbors);
        // Each value's point is the best of the trials that read the neighbours, never a lambda-0 trial's figure.
        foreach (var (value, best) in points)
        {
            var readers = full.Where(t => t.Reads("neighbors") && double.Parse(t.Parameters["neighbors"], System.Globalization.CultureInfo.InvariantCulture) == value);
            Assert.Equal(readers.Max(t => t.Objective), best);
        }
    }
}
