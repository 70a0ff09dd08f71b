using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>keyrange --keys N [--edges E --users U --items I]</c>: the ML.NET pipeline (GraphEmbedding, SphericalKMeans,
/// KnnSmoothedMixture, ClusterQuota, Unimodal and MMR retrievers, a recommender) on a planted graph whose U users and I items are
/// spread over user and item key columns of cardinality N, as a <c>KeyType(N)</c> column of sparse ids would be. Seconds and
/// memory after each stage, as JSON: how much of the cost follows the key range rather than the ids in use. With
/// <c>--save</c>, also <c>mlContext.Model.Save</c> of the cluster-quota pipeline and <c>MultiInterestModel.Load</c> of it
/// (the zip's size in the report).
/// </summary>
internal static class KeyRangeCommand
{
    public static Command Create()
    {
        var keys = BenchOpt.Count("--keys", 2_000_000, "Key cardinality of the user and item columns.", min: 2);
        var edges = BenchOpt.Count("--edges", 20_000, "Edges.", min: 1);
        var users = BenchOpt.Count("--users", 2_000, "Users in use (spread evenly over the key range).", min: 1);
        var items = BenchOpt.Count("--items", 2_000, "Items in use, in 50 planted groups (spread evenly over the key range).", min: 50);
        var dimension = BenchOpt.Count("--dimension", 16, "Embedding dimension asked of GraphEmbedding (Auto may choose another).", min: 1);
        var save = Opt.Flag("--save", "Also save the cluster-quota pipeline with Model.Save and load it with MultiInterestModel.Load.");
        var command = new Command("keyrange", "The ML.NET pipeline on a few ids spread over a wide key range: seconds and memory per stage.")
            .With([keys, edges, users, items, dimension, save]);
        command.SetAction(r => Run(r.Value(keys), r.Value(edges), r.Value(users), r.Value(items), r.Value(dimension), r.GetValue(save)));
        return command;
    }

    private sealed class Edge
    {
        public uint User { get; set; }

        public uint Item { get; set; }
    }

    private static int Run(int keys, int edgeCount, int userCount, int itemCount, int dimension, bool save)
    {
        if (userCount > keys || itemCount > keys) throw new UsageException("--users and --items must not exceed --keys.");
        var random = new Random(1);
        uint userStride = (uint)(keys / userCount), itemStride = (uint)(keys / itemCount);
        int groups = 50, perGroup = itemCount / groups;
        var rows = new List<Edge>(edgeCount);
        for (int e = 0; e < edgeCount; e++)
        {
            int u = random.Next(userCount), i = u % groups * perGroup + random.Next(perGroup);
            rows.Add(new Edge { User = 1 + (uint)u * userStride, Item = 1 + (uint)i * itemStride });
        }
        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Edge));
        schema[nameof(Edge.User)].ColumnType = new KeyDataViewType(typeof(uint), keys);
        schema[nameof(Edge.Item)].ColumnType = new KeyDataViewType(typeof(uint), keys);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var mi = ml.MultiInterest();
        var seconds = new Dictionary<string, double>();
        var memory = new Dictionary<string, MemorySnapshot> { ["start"] = MemoryProbe.Take() };
        var clock = Stopwatch.StartNew();
        T Stage<T>(string name, Func<T> fit)
        {
            clock.Restart();
            var result = fit();
            seconds[name] = JsonReport.Round(clock.Elapsed.TotalSeconds);
            memory[name] = MemoryProbe.Take();
            return result;
        }

        var embedding = Stage("embedding", () => mi.GraphEmbedding(dimension: dimension, epochs: 2, seed: 7).Fit(data));
        var embedded = embedding.Transform(data);
        var kmeans = Stage("kmeans", () => mi.SphericalKMeans(numberOfClusters: groups).Fit(embedded));
        var clustered = kmeans.Transform(embedded);
        var mixture = Stage("mixture", () => mi.KnnSmoothedMixture(components: 3, neighbors: 5).Fit(clustered));
        var mixed = mixture.Transform(clustered);
        var quota = Stage("cluster_quota", () => mi.ClusterQuotaRetriever(candidates: 10).Fit(mixed));
        var unimodal = Stage("unimodal", () => mi.UnimodalRetriever(candidates: 10).Fit(embedded));
        var mmr = Stage("mmr", () => mi.MmrRetriever(candidates: 10).Fit(embedded));
        Stage("recommender", () => mi.CreateRecommender(quota).Recommend(rows[0].User.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        GC.KeepAlive(unimodal);
        GC.KeepAlive(mmr);
        long? zipBytes = null;
        if (save)
        {
            string path = Path.Combine(Path.GetTempPath(), $"keyrange-{Environment.ProcessId}.zip");
            Stage("save", () =>
            {
                ml.Model.Save(new TransformerChain<ITransformer>(embedding, kmeans, mixture, quota), data.Schema, path);
                return 0;
            });
            zipBytes = new FileInfo(path).Length;
            Stage("load", () =>
            {
                using var loaded = MultiInterestModel.Load(ml, path);
                return 0;
            });
            File.Delete(path);
        }
        JsonReport.Print(new
        {
            Keys = keys,
            Edges = edgeCount,
            Users = userCount,
            Items = itemCount,
            embedding.Dimension,
            ZipBytes = zipBytes,
            Seconds = seconds,
            PeakWorkingSetMb = memory.Values.Max(m => m.PeakWorkingSetMb),
            Memory = memory,
        });
        return 0;
    }
}
