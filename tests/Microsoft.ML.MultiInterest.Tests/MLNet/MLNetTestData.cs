using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>A tiny planted two-interest edge list, loaded into ML.NET and key-mapped as a user would.</summary>
internal static class MLNetTestData
{
    /// <summary>The warnings <paramref name="ml"/>'s Log reports from now on (any thread).</summary>
    public static System.Collections.Concurrent.ConcurrentQueue<string> Warnings(MLContext ml)
    {
        var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Enqueue(e.Message); };
        return warnings;
    }

    public sealed class Edge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";
    }

    /// <summary>An edge with a weight column, for GraphEmbedding's WeightColumnName.</summary>
    public sealed class WeightedEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public float Weight { get; set; }
    }

    /// <summary>An edge over key columns of cardinality 10,000,000, as a <c>KeyType</c> column of sparse ids would be.</summary>
    public sealed class WideKeyEdge
    {
        [KeyType(10_000_000)]
        public uint User { get; set; }

        [KeyType(10_000_000)]
        public uint Item { get; set; }
    }

    /// <summary>40 users and 30 items in use, spread over the wide key range (every 1,000th key); each user engaged 6 items.</summary>
    public static List<WideKeyEdge> WideKeyEdges()
    {
        var rng = new Random(7);
        var rows = new List<WideKeyEdge>();
        for (int u = 0; u < 40; u++)
            foreach (int i in Enumerable.Range(0, 30).OrderBy(_ => rng.Next()).Take(6))
                rows.Add(new WideKeyEdge { User = (uint)(u * 1000 + 1), Item = (uint)(i * 1000 + 1) });
        return rows;
    }

    /// <summary>
    /// As <see cref="Edges"/> over 48 items (12 per group): enough unseen items per user (44) for a hold-out at the default
    /// validation cutoff, 20, to tell Auto's candidates apart.
    /// </summary>
    public static List<Edge> WiderEdges() => TwoInterestEdges(itemsPerGroup: 12);

    public static List<Edge> Edges() => TwoInterestEdges(itemsPerGroup: 6);

    /// <summary>16 users over 4 groups of items, 3 items from each of 2 groups per user, as "uU" / "iI" rows.</summary>
    private static List<Edge> TwoInterestEdges(int itemsPerGroup)
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: itemsPerGroup, users: 16, itemsPerUserPerGroup: 3, dim: 8, seed: 3);
        var edges = new List<Edge>();
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u)) edges.Add(new Edge { User = $"u{u}", Item = $"i{i}" });
        return edges;
    }

    /// <summary>The edges after MapValueToKey on User and Item.</summary>
    public static IDataView Keyed(MLContext ml, out IDataView raw)
    {
        raw = ml.Data.LoadFromEnumerable(Edges());
        return KeyPipeline(ml).Fit(raw).Transform(raw);
    }

    public static IEstimator<ITransformer> KeyPipeline(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("User").Append(ml.Transforms.Conversion.MapValueToKey("Item"));

    /// <summary>
    /// A fitted pipeline with two retrieval stages and no fusion over <paramref name="raw"/> (the raw edges): quotas (M = 6)
    /// into QuotaCandidates, QuotaScores and QuotaSource, then history-interest MMR (M = 6) into the default columns.
    /// </summary>
    public static TransformerChain<ITransformer> TwoRetrieverChain(MLContext ml, IDataView raw)
    {
        var mi = ml.MultiInterest();
        return KeyPipeline(ml)
            .Append(mi.GraphEmbedding(SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options
                { Candidates = 6, CandidatesColumnName = "QuotaCandidates", CandidateScoresColumnName = "QuotaScores", CandidateSourceColumnName = "QuotaSource" }))
            .Append<ITransformer>(mi.HistoryInterestMmr(candidates: 6))
            .Fit(raw);
    }

    /// <remarks>
    /// ValidationCutoff 10: each of <see cref="Edges"/>' users keeps 4 of its 6 items after a hold-out, so at the default K =
    /// 20 all of its 20 unseen items would fit in the list and every choice on the hold-out would be a tie (refused, or Auto's fallback).
    /// </remarks>
    public static GraphEmbeddingTrainer.Options SmallEmbedding() =>
        new() { Algorithm = EmbeddingAlgorithm.NegativeSampling, Dimension = 8, Epochs = 3, Threads = 1, UniformNegatives = 5, BatchNegatives = 5, ChunkSize = 10, ValidationCutoff = SmallCutoff };

    /// <summary>A validation cutoff the small graph's hold-out can tell candidates apart by (see <see cref="SmallEmbedding"/>).</summary>
    public const int SmallCutoff = 10;

    /// <summary>
    /// The schema shape of a view of <typeparamref name="TRow"/>'s columns, before any data: SchemaShape.Create is internal to
    /// ML.NET, so a CustomMapping producing those columns from none gives it.
    /// </summary>
    public static SchemaShape RawShape<TRow>(MLContext ml) where TRow : class, new() =>
        ml.Transforms.CustomMapping<NoInput, TRow>((_, _) => { }, null).GetOutputSchema(new SchemaShape(Array.Empty<SchemaShape.Column>()));

    private sealed class NoInput
    {
    }

    public static uint[] Keys(IDataView data, string column) =>
        data.GetColumn<uint>(column).ToArray();

    public static float[][] Vectors(IDataView data, string column) =>
        data.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();
}
