using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>open-onnx --dir DIR</c>: opens a serving directory with the scorer its manifest names (history-interest MMR, MMR, round
/// robin, else <see cref="OnnxCandidateScorer"/>), timing the opening, and the working set after a forced full collection
/// before and after it: what the open scorer holds. The first users' lists are printed (a digest) so that two builds can be
/// compared on the same directory (docs/performance.md, "Side-file tables given to every session").
/// </summary>
internal static class OpenOnnxCommand
{
    public static Command Create()
    {
        var directory = Opt.Path("--dir", "The serving directory to open.", "DIR", required: true);
        var users = BenchOpt.Count("--users", 8, "Users served once open (rows 0..N-1).", min: 1);
        var command = new Command("open-onnx", "Opens an ONNX serving directory: seconds, and memory held by the open scorer.").With([directory, users]);
        command.SetAction(r => Run(r.Value(directory)!, r.Value(users)));
        return command;
    }

    private static int Run(string directory, int userCount)
    {
        double before = Settled();
        var clock = Stopwatch.StartNew();
        var manifest = OnnxServingManifest.Read(directory);
        int[] rows = [.. Enumerable.Range(0, Math.Min(userCount, manifest.Users))];
        (IDisposable Scorer, Func<RankedLists> Serve) opened = manifest.Retrieval switch
        {
            OnnxServingManifest.HistoryMmrRetrieval => Wrap(OnnxHistoryMmrScorer.Open(directory), s => s.Retrieve(rows)),
            OnnxServingManifest.MmrRetrieval => Wrap(OnnxMmrScorer.Open(directory), s => s.Retrieve(rows)),
            _ when manifest.RoundRobinScorer != null => Wrap(OnnxRoundRobinScorer.Open(directory), s => s.Retrieve(rows)),
            OnnxServingManifest.UnimodalRetrieval => Wrap(OnnxCandidateScorer.Open(directory), s => s.RetrieveUnimodal(rows)),
            _ => Wrap(OnnxCandidateScorer.Open(directory), s => s.RetrieveClusterQuota(rows)),
        };
        double open = clock.Elapsed.TotalSeconds;
        double held = Settled();
        var resident = Resident();
        using (opened.Scorer)
        {
            var lists = opened.Serve();
            long digest = 17;
            for (int q = 0; q < rows.Length; q++)
                foreach (int item in lists.IndicesOf(q)) digest = digest * 31 + item;
            double served = Settled();
            JsonReport.Print(new
            {
                directory, retrieval = manifest.Retrieval ?? "quota", openSeconds = JsonReport.Round(open),
                workingSetMb = new { before = JsonReport.Round(before, 1), open = JsonReport.Round(held, 1), served = JsonReport.Round(served, 1) },
                heldMb = JsonReport.Round(held - before, 1), residentOpenMb = resident, firstList = lists.IndicesOf(0).ToArray().Take(5), listsDigest = digest,
            });
        }
        return 0;
    }

    /// <summary>
    /// Linux's split of the resident set (/proc/self/status, MiB): anonymous memory (arrays, ONNX Runtime's own copies) and
    /// file pages (a side file ONNX Runtime maps, the libraries), which the kernel may drop and read again; empty elsewhere.
    /// </summary>
    private static Dictionary<string, double> Resident()
    {
        var split = new Dictionary<string, double>();
        if (!File.Exists("/proc/self/status")) return split;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("RssAnon:", StringComparison.Ordinal) && !line.StartsWith("RssFile:", StringComparison.Ordinal)) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            split[parts[0].TrimEnd(':')] = JsonReport.Round(double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) / 1024, 1);
        }
        return split;
    }

    private static (IDisposable, Func<RankedLists>) Wrap<T>(T scorer, Func<T, RankedLists> serve) where T : IDisposable => (scorer, () => serve(scorer));

    /// <summary>The working set in MiB after a full, compacting collection and the finalizers it ran.</summary>
    private static double Settled()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }
}
