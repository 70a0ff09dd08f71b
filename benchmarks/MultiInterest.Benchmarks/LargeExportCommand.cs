using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>large-export --items I --users U --dimension D --out DIR</c>: a unimodal serving directory of random vectors, written with
/// <see cref="OnnxServingDirectory.ExportUnimodal"/> and its default <see cref="OnnxExternalData.Automatic"/>, so that a
/// catalogue past the 2 GB limit of one protobuf message goes to ONNX external data; then opened by
/// <see cref="OnnxCandidateScorer"/> (checksums verified, tables read back) and the first users' lists checked against the
/// engine's. Seconds, memory and file sizes as JSON (docs/performance.md, "ONNX external data").
/// </summary>
internal static class LargeExportCommand
{
    public static Command Create()
    {
        var items = BenchOpt.Count("--items", 5_000_000, "Items (rows of the item table).", min: 1);
        var users = BenchOpt.Count("--users", 1_000, "Users (rows of the user table).", min: 1);
        var dimension = BenchOpt.Count("--dimension", 128, "Vector dimension.", min: 1);
        var serve = BenchOpt.Count("--serve", 8, "Users served after opening, their lists checked against the engine's (0: do not open).", min: 0);
        var output = Opt.Path("--out", "The directory to write (created; overwritten if an earlier run wrote it).", "DIR", required: true);
        var repeats = BenchOpt.Count("--repeats", 1, "Warm serves of the same users after the first, each timed (serve_again_calls).", min: 1);
        var externalData = Opt.Flag("--external-data", "Keep the tables in side files whatever their size (OnnxExternalData.Always), not only past 2 GB.");
        var command = new Command("large-export", "A unimodal ONNX directory of random vectors, external data when past 2 GB: seconds, memory and file sizes.")
            .With([items, users, dimension, serve, output, externalData, repeats]);
        command.SetAction(r => Run(r.Value(items), r.Value(users), r.Value(dimension), r.Value(serve), r.Value(output)!,
            r.GetValue(externalData) ? OnnxExternalData.Always : OnnxExternalData.Automatic, r.Value(repeats)));
        return command;
    }

    private static int Run(int itemCount, int userCount, int dimension, int serve, string directory, OnnxExternalData externalData, int repeats)
    {
        var seconds = new Dictionary<string, double>();
        var memory = new Dictionary<string, MemorySnapshot> { ["start"] = MemoryProbe.Take() };
        T Stage<T>(string name, Func<T> work)
        {
            var clock = Stopwatch.StartNew();
            var result = work();
            seconds[name] = JsonReport.Round(clock.Elapsed.TotalSeconds);
            memory[name] = MemoryProbe.Take();
            return result;
        }

        var (userTable, itemTable) = Stage("generate", () => (Random(userCount, dimension, seed: 1), Random(itemCount, dimension, seed: 2)));
        Stage("export", () => OnnxServingDirectory.ExportUnimodal(userTable, itemTable, 10, directory, externalData: externalData));
        var files = Directory.GetFiles(directory).OrderBy(f => f, StringComparer.Ordinal).ToDictionary(f => Path.GetFileName(f), f => new FileInfo(f).Length);
        bool same = true;
        var calls = new List<double>();
        if (serve > 0)
        {
            int[] rows = [.. Enumerable.Range(0, Math.Min(serve, userCount))];
            using var scorer = Stage("open", () => OnnxCandidateScorer.Open(directory));
            var lists = Stage("serve", () => scorer.RetrieveUnimodal(rows));
            // Again, warm: the first call also pays ONNX Runtime's first-run allocations.
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var again = scorer.RetrieveUnimodal(rows);
                calls.Add(JsonReport.Round(clock.Elapsed.TotalSeconds));
                for (int q = 0; q < rows.Length; q++) same &= lists.IndicesOf(q).SequenceEqual(again.IndicesOf(q));
            }
            memory["serve again"] = MemoryProbe.Take();
            var engine = new UnimodalRetriever(itemTable).Retrieve(userTable, rows, exclusions: null, candidates: 10);
            for (int q = 0; q < rows.Length; q++) same &= lists.IndicesOf(q).SequenceEqual(engine.IndicesOf(q));
        }
        JsonReport.Print(new { items = itemCount, users = userCount, dimension, externalData = externalData.ToString(), seconds, serveAgainCalls = calls, memory, files, listsMatchEngine = same });
        return same ? 0 : 1;
    }

    /// <summary>Rows of uniform values in [-1, 1), filled in place (no second copy of a table of gigabytes).</summary>
    private static EmbeddingMatrix Random(int rows, int dimension, int seed)
    {
        var table = new EmbeddingMatrix(rows, dimension);
        var random = new Random(seed);
        var values = table.Values;
        for (long i = 0; i < values.LongLength; i++) values[i] = random.NextSingle() * 2 - 1;
        return table;
    }
}
