using BenchmarkDotNet.Attributes;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks.Kernels;

/// <summary>
/// The exact brute-force searches on one thread: 1,024 queries against the 28,226 cit-HepPh-sized items (the
/// unimodal top-k) and against as many unit rows (the neighbour search). 5.8e9 flops per call.
/// </summary>
[MemoryDiagnoser]
public class SearchKernels
{
    private const int Queries = 1_024;
    private EmbeddingMatrix _queries = null!;
    private int[] _queryRows = null!;
    private UnimodalRetriever _unimodal = null!;
    private ExactNeighborIndex _neighbors = null!;

    /// <summary>List length k (50: the protocol's M; 10: the neighbours' k).</summary>
    [Params(10, 50)]
    public int K { get; set; }

    /// <summary>Builds the indexes (not timed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var items = KernelData.Matrix(KernelData.Items, 1);
        _queries = KernelData.Matrix(Queries, 2);
        _queryRows = Enumerable.Range(0, Queries).ToArray();
        _unimodal = new UnimodalRetriever(items);
        _neighbors = new ExactNeighborIndex(items);
    }

    /// <summary>Top-k items by dot product, no exclusions.</summary>
    [Benchmark]
    public RankedLists UnimodalTopK() => _unimodal.Retrieve(_queries, _queryRows, null, K, threads: 1);

    /// <summary>Top-k rows by cosine.</summary>
    [Benchmark]
    public RankedLists NeighborSearch() => _neighbors.Search(_queries, null, K, threads: 1);
}
