using BenchmarkDotNet.Attributes;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks.Kernels;

/// <summary>
/// One epoch of graph-embedding training (d = 100, the default logistic loss with 25 + 25 negatives per chunk) over a
/// synthetic 300k-edge power-law graph, on one thread (deterministic).
/// </summary>
[MemoryDiagnoser]
public class EmbeddingKernels
{
    private BipartiteGraph _graph = null!;

    /// <summary>Generates the graph (not timed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var synthetic = SyntheticGraph.Generate(new SyntheticGraphOptions { Edges = 300_000, Seed = 1 });
        _graph = BipartiteGraph.FromEdges(synthetic.UserCount, synthetic.ItemCount, synthetic.EdgeUsers, synthetic.EdgeItems);
    }

    /// <summary>One epoch.</summary>
    [Benchmark]
    public GraphEmbeddingResult OneEpoch() => GraphEmbeddingTrainerEngine.Fit(_graph, new GraphEmbeddingOptions { Epochs = 1, Threads = 1, Seed = 1 });
}
