using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The terminal bars' descriptions: a stage's status stays visible beside a long title on a narrow terminal.</summary>
public sealed class LiveProgressTests
{
    private const string Title = "Fitting the kNN-Embed pipeline on 161,868 edges";
    private const string Status = "  GraphEmbeddingTrainer: Validation measurement 4: truncated-svd d=128 s=10 gamma=0 c=0.75";

    [Fact]
    public void Describe_OnAn80ColumnTerminal_ShortensTheTitle_AndShowsTheStatus()
    {
        // 80 columns leave 40 for the description; the title alone is longer, and before, the status never showed.
        string text = LiveProgress.Describe(Title, Status, 40);
        Assert.Equal(40, text.Length);
        Assert.StartsWith("Fitting the …: GraphEmbeddingTrainer: ", text, StringComparison.Ordinal);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_WhereBothFit_KeepsTheWholeTitleAndStatus()
    {
        Assert.Equal($"{Title}: {Status.Trim()}", LiveProgress.Describe(Title, Status, 200));
        Assert.Equal("Clustering: iteration 3", LiveProgress.Describe("Clustering", " iteration 3 ", 40));
    }

    [Fact]
    public void Describe_WithAWideTitleAndAnEmptyStatus_CutsTheTitleOnly()
    {
        string text = LiveProgress.Describe(Title, "  ", 20);
        Assert.Equal(20, text.Length);
        Assert.StartsWith("Fitting the kNN-Emb", text, StringComparison.Ordinal);
    }
}
