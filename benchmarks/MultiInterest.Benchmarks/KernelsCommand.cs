using System.CommandLine;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using MultiInterest.Benchmarks.Kernels;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>kernels [BenchmarkDotNet options]</c>: the kernel micro-benchmarks under BenchmarkDotNet (search, clustering,
/// vector, MMR and embedding kernels on cit-HepPh-sized random data, one thread each). Options go to BenchmarkDotNet,
/// e.g. <c>--filter *SearchKernels*</c>, <c>--job short</c>, <c>--exporters json</c>; without <c>--filter</c> all run
/// (BenchmarkDotNet would otherwise ask interactively).
/// </summary>
internal static class KernelsCommand
{
    public static Command Create()
    {
        var command = new Command("kernels", "Kernel micro-benchmarks under BenchmarkDotNet, one thread, cit-HepPh-sized random data: exact top-k search "
            + "(unimodal and neighbours, k = 10 and 50), spherical k-means (seeding + 1 and + 5 Lloyd iterations), vector kernels (dot product, widened "
            + "scaled accumulation, top-50 selection), MMR's greedy pass over a pool of 50 (its per-slot sweeps, one user's re-ordering), "
            + "one embedding epoch on a 300k-edge synthetic graph. Every other argument goes to BenchmarkDotNet, "
            + "e.g. --filter *SearchKernels* --job short --exporters json; without --filter all run. Results go to BenchmarkDotNet.Artifacts/.")
        {
            // BenchmarkDotNet's own options are not declared here: they pass through as they were given.
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(r => Run([.. r.UnmatchedTokens]));
        return command;
    }

    private static int Run(string[] args)
    {
        var summaries = BenchmarkSwitcher
            .FromTypes([typeof(SearchKernels), typeof(ClusteringKernels), typeof(VectorKernels), typeof(MmrKernels), typeof(EmbeddingKernels)])
            .Run(args.Any(a => a is "--filter" or "-f" or "--list") ? args : [.. args, "--filter", "*"], DefaultConfig.Instance);
        // A benchmark that could not be built or run (BenchmarkDotNet prints NA) fails the command too, not only a validation error.
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(report => !report.Success));
        return failed ? 1 : 0;
    }
}
