using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The sweep's best setting in words names k only where the neighbours are used (lambda above 0), as its leaderboard does.</summary>
public sealed class SweepTestFiguresWordingTests
{
    [Fact]
    public void TheUnsmoothedMixture_NamesNoNeighbours()
    {
        Assert.Equal("m=5, lambda=0 (the unsmoothed Mixture: no neighbours), alpha=1",
            SweepTestFigures.Describe(new SweepSettings { Components = 5, Neighbors = 10, Lambda = 0, Alpha = 1 }));
        Assert.Equal("m=3, k=10, lambda=0.8, alpha=0.5", SweepTestFigures.Describe(new SweepSettings { Components = 3, Neighbors = 10, Lambda = 0.8, Alpha = 0.5 }));
    }
}
