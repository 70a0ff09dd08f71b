using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using MultiInterest.Benchmarks.Kernels;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>kernels [BenchmarkDotNet options]</c>: the kernel micro-benchmarks under BenchmarkDotNet (search, clustering,
/// vector and embedding kernels on cit-HepPh-sized random data, one thread each). Options go to BenchmarkDotNet,
/// e.g. <c>--filter *SearchKernels*</c>, <c>--job short</c>, <c>--exporters json</c>; without <c>--filter</c> all run
/// (BenchmarkDotNet would otherwise ask interactively).
/// </summary>
internal static class KernelsCommand
{
    public static int Run(string[] args)
    {
        var summaries = BenchmarkSwitcher
            .FromTypes([typeof(SearchKernels), typeof(ClusteringKernels), typeof(VectorKernels), typeof(EmbeddingKernels)])
            .Run(args.Any(a => a is "--filter" or "-f" or "--list") ? args : [.. args, "--filter", "*"], DefaultConfig.Instance);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
