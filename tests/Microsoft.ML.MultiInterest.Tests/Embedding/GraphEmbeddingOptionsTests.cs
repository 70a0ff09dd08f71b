using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

public class GraphEmbeddingOptionsTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        var o = new GraphEmbeddingOptions();
        o.Validate();
        Assert.Equal(100, o.Dimension);
        Assert.Equal(20, o.Epochs);
        Assert.Equal(0, o.Threads);
    }

    public static TheoryData<string, Action<GraphEmbeddingOptions>> Invalid => new()
    {
        { nameof(GraphEmbeddingOptions.Dimension), o => o.Dimension = 0 },
        { nameof(GraphEmbeddingOptions.Dimension), o => o.Dimension = GraphEmbeddingDefaults.MaxDimension + 1 },
        { nameof(GraphEmbeddingOptions.Dimension), o => o.Dimension = int.MaxValue },
        { nameof(GraphEmbeddingOptions.AutoMaxDimension), o => o.AutoMaxDimension = GraphEmbeddingDefaults.MaxDimension + 1 },
        { nameof(GraphEmbeddingOptions.Epochs), o => o.Epochs = 0 },
        { nameof(GraphEmbeddingOptions.Loss), o => o.Loss = (EmbeddingLoss)42 },
        { nameof(GraphEmbeddingOptions.Margin), o => o.Margin = -1 },
        { nameof(GraphEmbeddingOptions.Optimizer), o => o.Optimizer = (EmbeddingOptimizer)42 },
        { nameof(GraphEmbeddingOptions.LearningRate), o => o.LearningRate = 0 },
        { nameof(GraphEmbeddingOptions.LearningRate), o => o.LearningRate = float.NaN },
        { nameof(GraphEmbeddingOptions.ChunkSize), o => o.ChunkSize = 0 },
        { nameof(GraphEmbeddingOptions.UniformNegatives), o => o.UniformNegatives = -1 },
        { nameof(GraphEmbeddingOptions.DegreeNegatives), o => o.DegreeNegatives = -1 },
        { nameof(GraphEmbeddingOptions.DegreeExponent), o => o.DegreeExponent = float.PositiveInfinity },
        { nameof(GraphEmbeddingOptions.BatchNegatives), o => o.BatchNegatives = o.ChunkSize + 1 },
        { nameof(GraphEmbeddingOptions.UniformNegatives), o => { o.UniformNegatives = 0; o.BatchNegatives = 0; o.DegreeNegatives = 0; } },
        { nameof(GraphEmbeddingOptions.InitScale), o => o.InitScale = -0.1f },
        { nameof(GraphEmbeddingOptions.Threads), o => o.Threads = -1 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ValidationNamesTheOption(string name, Action<GraphEmbeddingOptions> spoil)
    {
        var o = new GraphEmbeddingOptions();
        spoil(o);
        var e = Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
        Assert.Equal(name, e.ParamName);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void ATableLargerThanAnArrayIsRefusedNamingTheDimension_BeforeAnythingIsAllocated()
    {
        // 40,000 rows of the largest accepted dimension: 2.6 billion floats, more than one array holds.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingTable(40_000, GraphEmbeddingDefaults.MaxDimension));
        Assert.Equal("dimension", e.ParamName);
        Assert.Contains("more than one array holds", e.Message);
        Assert.Contains("lower the Dimension", e.Message);
    }

    [Fact]
    public void FitValidatesOptions()
    {
        var graph = BipartiteGraph.FromEdges(1, 1, new[] { 0 }, new[] { 0 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions { Dimension = -3 }));
        Assert.Equal("Dimension", e.ParamName);
    }
}
