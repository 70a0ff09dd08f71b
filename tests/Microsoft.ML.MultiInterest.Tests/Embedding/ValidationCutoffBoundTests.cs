using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

/// <summary>
/// A validation cutoff at or above every validation user's unseen items recalls every held-out edge whatever the vectors: until 2026-12-07 Auto
/// then kept its first candidate (a 50-dimensional SVD on a 67-item graph, Recall@50 47.7% against ALS's 100%) and a fit
/// choosing its steps kept the first, without a word. And <see cref="GraphEmbeddingOptions.AutoMaxDimension"/> capped the
/// SVD ranks only, so a cap of 8 still gave implicit-ALS vectors of min(128, users, items) dimensions.
/// </summary>
public class ValidationCutoffBoundTests
{
    private static readonly BipartiteGraph Graph = PlantedGraph.Create().Train;

    [Fact]
    public void Auto_WithACutoffAtTheItemCount_FallsBackToImplicitAls_AndSaysWhy()
    {
        int items = Graph.ItemCount;
        var result = GraphEmbeddingTrainerEngine.Fit(Graph, new GraphEmbeddingOptions { ValidationCutoff = items, Threads = 1 });
        Assert.Equal(EmbeddingAlgorithm.ImplicitAls, result.Algorithm);
        Assert.Matches($@"\(Auto's fallback: every one of the [\d,]+ validation users has at most \d+ of the {items} items unseen, so every candidate's validation Recall@{items} \(ValidationCutoff\) would be 1, so nothing was chosen\)",
            result.Settings);
        Assert.Empty(result.Validation);
    }

    /// <summary>
    /// 21 items, each user's 4 edges, one held out: every validation user has 18 items unseen, so Recall@20 is 1 for every
    /// candidate although the catalogue is larger than K (an audit's shape: Auto kept its first candidate there, and
    /// Unimodal's test Recall@10 fell from 83 % to 31 %). At K = 10 the candidates differ, and Auto chooses.
    /// </summary>
    [Fact]
    public void Auto_WhenEveryValidationUserHasAtMostKUnseenItems_FallsBack_ButChoosesAtASmallerK()
    {
        const int users = 300, items = 21;
        var graph = BipartiteGraph.FromEdges(users, items, Enumerable.Range(0, users).SelectMany(u => new[] { u, u, u, u }).ToArray(),
            Enumerable.Range(0, users).SelectMany(u => new[] { u % items, (u + 1) % items, (u + 3) % items, (u * 7 + 10) % items }).ToArray());
        var saturated = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Threads = 1 });
        Assert.Contains("of the 21 items unseen, so every candidate's validation Recall@20 (ValidationCutoff) would be 1", saturated.Settings, StringComparison.Ordinal);
        Assert.Empty(saturated.Validation);

        var chosen = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { ValidationCutoff = 10, Threads = 1 });
        Assert.DoesNotContain("fallback", chosen.Settings, StringComparison.Ordinal);
        Assert.NotEmpty(chosen.Validation);
    }

    [Fact]
    public void Auto_WithACutoffBelowTheUnseenItems_Chooses()
    {
        var result = GraphEmbeddingTrainerEngine.Fit(Graph, new GraphEmbeddingOptions { ValidationCutoff = 50, Threads = 1 });
        Assert.DoesNotContain("fallback", result.Settings, StringComparison.Ordinal);
        Assert.NotEmpty(result.Validation);
    }

    [Theory]
    [InlineData(EmbeddingAlgorithm.ImplicitAls)]
    [InlineData(EmbeddingAlgorithm.NegativeSampling)]
    public void StepsChosenOnAHoldout_WithACutoffAtTheItemCount_AreRefusedByOptionName(EmbeddingAlgorithm algorithm)
    {
        var o = new GraphEmbeddingOptions { Algorithm = algorithm, Dimension = 8, Epochs = 3, ValidationFraction = 0.2, ValidationCutoff = Graph.ItemCount + 5, Threads = 1 };
        o.Als.Iterations = 3;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(Graph, o));
        Assert.Equal(nameof(GraphEmbeddingOptions.ValidationCutoff), e.ParamName);
        Assert.Equal(Graph.ItemCount + 5, e.ActualValue);
        Assert.Contains("Give a ValidationCutoff below ", e.Message, StringComparison.Ordinal);

        // Without a hold-out the cutoff is not read.
        o.ValidationFraction = 0;
        Assert.Equal(8, GraphEmbeddingTrainerEngine.Fit(Graph, o).UserEmbeddings.Dimension);
    }

    [Fact]
    public void AutoMaxDimension_CapsTheImplicitAlsTrials_AndTheFallback()
    {
        var chosen = GraphEmbeddingTrainerEngine.Fit(Graph, new GraphEmbeddingOptions { AutoMaxDimension = 8, Threads = 1 });
        var als = chosen.Validation.Where(p => p.Candidate.StartsWith("implicit-als", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(als);
        Assert.All(als, p => Assert.StartsWith("implicit-als d=8 ", p.Candidate, StringComparison.Ordinal));
        Assert.True(chosen.UserEmbeddings.Dimension <= 8, $"Auto gave {chosen.UserEmbeddings.Dimension} dimensions under a cap of 8 ({chosen.Settings})");

        var fallback = GraphEmbeddingTrainerEngine.Fit(Graph, new GraphEmbeddingOptions { AutoMaxDimension = 8, ValidationCutoff = Graph.ItemCount, Threads = 1 });
        Assert.StartsWith("implicit-als d=8 ", fallback.Settings, StringComparison.Ordinal);
        Assert.Equal(8, fallback.ItemEmbeddings.Dimension);
    }
}
