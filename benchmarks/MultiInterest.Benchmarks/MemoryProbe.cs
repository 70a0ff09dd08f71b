using System.Diagnostics;

namespace MultiInterest.Benchmarks;

/// <summary>The process's memory at one moment: peak and current working set, managed heap, GC counts.</summary>
/// <param name="PeakWorkingSetMb">Process.PeakWorkingSet64 so far (the peak since the process started), MiB.</param>
/// <param name="WorkingSetMb">Current working set, MiB.</param>
/// <param name="GcHeapMb">Managed heap size after the last GC (GCMemoryInfo.HeapSizeBytes), MiB.</param>
/// <param name="AllocatedMb">Bytes allocated by the process so far (GC.GetTotalAllocatedBytes), MiB.</param>
/// <param name="Gen2Collections">Generation-2 collections so far.</param>
/// <param name="LiveMb">Managed memory still reachable after a forced full collection, MiB (only when
/// <see cref="MemoryProbe.MeasureLive"/> is set): what the pipeline holds, as opposed to garbage the GC has not yet
/// collected or memory it has not returned to the system, both of which count in the working set.</param>
internal sealed record MemorySnapshot(double PeakWorkingSetMb, double WorkingSetMb, double GcHeapMb, double AllocatedMb, int Gen2Collections, double? LiveMb);

/// <summary>Takes <see cref="MemorySnapshot"/>s. Reading them costs nothing measurable, so stages are timed around them.</summary>
internal static class MemoryProbe
{
    private const double Mb = 1024.0 * 1024.0;

    /// <summary>
    /// Also measure live managed memory (<see cref="MemorySnapshot.LiveMb"/>) by forcing a full, compacting collection
    /// at every snapshot. Snapshots are taken outside the timed spans, so stage timings are unaffected, but the
    /// collections lower the later working set, so peaks differ from runs without it. Default false.
    /// </summary>
    public static bool MeasureLive { get; set; }

    /// <summary>The memory figures now.</summary>
    public static MemorySnapshot Take()
    {
        // Working set first: the collection for the live figure would lower it.
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        double peak = process.PeakWorkingSet64 / Mb, current = process.WorkingSet64 / Mb;
        var info = GC.GetGCMemoryInfo();
        double? live = MeasureLive ? JsonReport.Round(GC.GetTotalMemory(forceFullCollection: true) / Mb, 1) : null;
        return new MemorySnapshot(
            JsonReport.Round(peak, 1),
            JsonReport.Round(current, 1),
            JsonReport.Round(info.HeapSizeBytes / Mb, 1),
            JsonReport.Round(GC.GetTotalAllocatedBytes() / Mb, 1),
            GC.CollectionCount(2),
            live);
    }
}
