using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Evaluation;

public class PairedDifferenceTests
{
    [Fact]
    public void TheMeanAndStandardErrorAreThoseOfThePerUserDifferences_ZeroUsersIncluded()
    {
        // Two columns per user; column 1 is compared. Differences 0.4, 0, 0.6 and one user missed by both (0): mean 0.25,
        // sample variance (0.15^2 + 0.25^2 + 0.35^2 + 0.25^2) / 3 = 0.09, standard error sqrt(0.09 / 4) = 0.15.
        double[] method = [9, 0.5, 9, 0.2, 9, 0.9];
        double[] baseline = [-9, 0.1, -9, 0.2, -9, 0.3];
        var paired = PairedDifference.Of(method, baseline, stride: 2, column: 1, zeroUsers: 1);
        Assert.Equal(4, paired.Users);
        Assert.Equal(0.25, paired.Difference, 1e-15);
        Assert.Equal(0.15, paired.StandardError, 1e-15);
    }

    [Fact]
    public void OneUserHasNoStandardError_NoneHasNoDifference_AndTablesMustAlign()
    {
        var one = PairedDifference.Of([0.7], [0.2], 1, 0, 0);
        Assert.Equal(0.5, one.Difference, 1e-15);
        Assert.True(double.IsNaN(one.StandardError));
        Assert.True(double.IsNaN(PairedDifference.Of([], [], 1, 0, 0).Difference));
        Assert.Throws<ArgumentException>(() => PairedDifference.Of([0.1, 0.2], [0.1], 1, 0, 0));
    }

    [Fact]
    public void AGroupIsComparedOverItsOwnUsersAlone()
    {
        // Users 0 and 2 are in group 1: differences 0.4 and 0.6, mean 0.5, standard error sqrt(0.02 / 2) = 0.1.
        double[] method = [0.5, 0.2, 0.9, 0.0];
        double[] baseline = [0.1, 0.7, 0.3, 0.5];
        var group = PairedDifference.Of(method, baseline, 1, 0, 0, groups: [1, 0, 1, 0], group: 1);
        Assert.Equal((0.5, 2), (Math.Round(group.Difference, 15), group.Users));
        Assert.Equal(0.1, group.StandardError, 1e-15);
        Assert.Equal(0, PairedDifference.Of(method, baseline, 1, 0, 0, groups: [1, 0, 1, 0], group: 3).Users);
        Assert.Throws<ArgumentException>(() => PairedDifference.Of(method, baseline, 1, 0, 0, groups: [1, 0], group: 1));
    }

    [Fact]
    public void IdenticalFiguresGiveZeroAndZero()
    {
        double[] figures = [0.3, 0.1, 0.8, 0.8];
        var paired = PairedDifference.Of(figures, (double[])figures.Clone(), 1, 0, 3);
        Assert.Equal(0, paired.Difference);
        Assert.Equal(0, paired.StandardError);
        Assert.Equal(7, paired.Users);
    }
}
