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
/// engine's. With <c>--clusters C</c> a quota directory instead: the items dealt round the C clusters, each user a
/// two-component mixture over two of them (<see cref="OnnxServingDirectory.Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, double, string, bool, OnnxExternalData)"/>).
/// Seconds, memory and file sizes as JSON (docs/performance.md, "ONNX external data").
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
        var clusters = BenchOpt.Count("--clusters", 0, "Write a quota directory over this many item clusters (items dealt round them; each user two components) instead of a unimodal one (0).", min: 0);
        var command = new Command("large-export", "A unimodal (or, with --clusters, quota) ONNX directory of random vectors, external data when past 2 GB: seconds, memory and file sizes.")
            .With([items, users, dimension, serve, output, externalData, repeats, clusters]);
        command.SetAction(r => Run(r.Value(items), r.Value(users), r.Value(dimension), r.Value(serve), r.Value(output)!,
            r.GetValue(externalData) ? OnnxExternalData.Always : OnnxExternalData.Automatic, r.Value(repeats), r.Value(clusters)));
        return command;
    }

    private static int Run(int itemCount, int userCount, int dimension, int serve, string directory, OnnxExternalData externalData, int repeats, int clusterCount)
    {
        if (clusterCount > itemCount) throw new UsageException($"--clusters {clusterCount}: at most one cluster per item (--items {itemCount}).");
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
        var quota = clusterCount > 0 ? Stage("cluster", () => QuotaTables(userTable, itemTable, clusterCount)) : default;
        Stage("export", () => quota.Clustering == null ? OnnxServingDirectory.ExportUnimodal(userTable, itemTable, 10, directory, externalData: externalData)
            : OnnxServingDirectory.Export(userTable, itemTable, quota.Clustering, quota.Mixtures!, 10, alpha: 1, directory, externalData: externalData));
        var files = Directory.GetFiles(directory).OrderBy(f => f, StringComparer.Ordinal).ToDictionary(f => Path.GetFileName(f), f => new FileInfo(f).Length);
        bool same = true;
        var calls = new List<double>();
        if (serve > 0)
        {
            int[] rows = [.. Enumerable.Range(0, Math.Min(serve, userCount))];
            using var scorer = Stage("open", () => OnnxCandidateScorer.Open(directory));
            RankedLists Serve() => quota.Clustering == null ? scorer.RetrieveUnimodal(rows) : scorer.RetrieveClusterQuota(rows);
            var lists = Stage("serve", Serve);
            // Again, warm: the first call also pays ONNX Runtime's first-run allocations.
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var again = Serve();
                calls.Add(JsonReport.Round(clock.Elapsed.TotalSeconds));
                for (int q = 0; q < rows.Length; q++) same &= lists.IndicesOf(q).SequenceEqual(again.IndicesOf(q));
            }
            memory["serve again"] = MemoryProbe.Take();
            var unimodal = new UnimodalRetriever(itemTable);
            var engine = quota.Clustering == null ? unimodal.Retrieve(userTable, rows, exclusions: null, candidates: 10)
                : new ClusterQuotaRetriever(itemTable, quota.Clustering, skipZeroRows: false).RetrieveWithUnimodalFill(quota.Mixtures!, rows, null, 10,
                    new QuotaRetrievalOptions { Alpha = 1 }, unimodal, userTable, threads: 1);
            for (int q = 0; q < rows.Length; q++) same &= lists.IndicesOf(q).SequenceEqual(engine.IndicesOf(q));
        }
        JsonReport.Print(new { items = itemCount, users = userCount, dimension, clusters = clusterCount, externalData = externalData.ToString(), seconds, serveAgainCalls = calls, memory, files, listsMatchEngine = same });
        return same ? 0 : 1;
    }

    /// <summary>
    /// The items dealt round <paramref name="clusterCount"/> clusters (item i in cluster i mod C), and each user a mixture of
    /// two components over clusters u mod C and (7u + 1) mod C, weights 0.6 and 0.4, each component's vector the user's own:
    /// tables of the quota directory's real sizes, not a fitted model.
    /// </summary>
    private static (ItemClustering? Clustering, MixtureTable? Mixtures) QuotaTables(EmbeddingMatrix users, EmbeddingMatrix items, int clusterCount)
    {
        var assignments = new int[items.Rows];
        for (int i = 0; i < assignments.Length; i++) assignments[i] = i % clusterCount;
        var clustering = ItemClustering.Create(assignments, clusterCount, items);
        int components = clusterCount > 1 ? 2 : 1;
        var mixtures = new MixtureTable(users.Rows, components, users.Dimension);
        for (int u = 0; u < users.Rows; u++)
        {
            int first = u % clusterCount, second = (7 * u + 1) % clusterCount;
            if (second == first) second = (first + 1) % clusterCount;
            var row = mixtures.WritableClusters(u);
            var weights = mixtures.WritableWeights(u);
            row[0] = first;
            weights[0] = components == 2 ? 0.6 : 1.0;
            users.Row(u).CopyTo(mixtures.WritableEmbedding(u, 0));
            if (components == 2)
            {
                row[1] = second;
                weights[1] = 0.4;
                users.Row(u).CopyTo(mixtures.WritableEmbedding(u, 1));
            }
            mixtures.SetCount(u, components);
        }
        return (clustering, mixtures);
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
