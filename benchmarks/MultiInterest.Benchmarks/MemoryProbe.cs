using System.Diagnostics;

namespace MultiInterest.Benchmarks;

/// <summary>The process's memory at one moment: peak and current working set, managed heap, GC counts.</summary>
/// <param name="PeakWorkingSetMb">Process.PeakWorkingSet64 so far (the peak since the process started), MiB.</param>
/// <param name="WorkingSetMb">Current working set, MiB.</param>
/// <param name="GcHeapMb">Managed heap size after the last GC (GCMemoryInfo.HeapSizeBytes), MiB.</param>
/// <param name="AllocatedMb">Bytes allocated by the process so far (GC.GetTotalAllocatedBytes), MiB.</param>
/// <param name="Gen2Collections">Generation-2 collections so far.</param>
internal sealed record MemorySnapshot(double PeakWorkingSetMb, double WorkingSetMb, double GcHeapMb, double AllocatedMb, int Gen2Collections);

/// <summary>Takes <see cref="MemorySnapshot"/>s. Reading them costs nothing measurable, so stages are timed around them.</summary>
internal static class MemoryProbe
{
    private const double Mb = 1024.0 * 1024.0;

    /// <summary>The memory figures now.</summary>
    public static MemorySnapshot Take()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var info = GC.GetGCMemoryInfo();
        return new MemorySnapshot(
            JsonReport.Round(process.PeakWorkingSet64 / Mb, 1),
            JsonReport.Round(process.WorkingSet64 / Mb, 1),
            JsonReport.Round(info.HeapSizeBytes / Mb, 1),
            JsonReport.Round(GC.GetTotalAllocatedBytes() / Mb, 1),
            GC.CollectionCount(2));
    }
}
