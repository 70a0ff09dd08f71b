using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The tables of one row per key that a fit over a key range with unused keys still makes. The single vectors are kept for
/// the keys with edges only (<see cref="KeyedEmbeddings"/>), but the learned multi-vector algorithms (mixture embeddings,
/// differentiable clustering, divide-and-conquer) and a kept hold-out spread their tables to every key of the range, where
/// the component columns, the saved model and the serving stages index them by key. On a hashed id column (a key over
/// 2^31 values) those tables cannot exist: refused before training, naming the column, instead of an overflow after it. On
/// a wide range they can but cost far more than the keys in use: warned of.
/// </summary>
internal static class PerKeyComponentTables
{
    /// <summary>Spread tables at least this large (bytes) and this many times the tables of the keys in use get a warning.</summary>
    private const long WarnBytes = 256L << 20;

    private const int WarnRatio = 4;

    /// <summary>
    /// Refuses (<see cref="ArgumentException"/> naming the key column) a fit whose per-key tables would pass an array's length,
    /// and warns when they are large next to the keys in use. <paramref name="active"/> null: every key has an edge, nothing
    /// is spread. The sizes are lower bounds from the options (each algorithm's largest tables; Auto's dimension, not known
    /// before its choice, is the smallest it can choose on this graph).
    /// </summary>
    public static void Check(MLContext context, GraphEmbeddingTrainer.Options o, GraphEmbeddingOptions engine, ActiveSubgraph? active)
    {
        if (active == null) return;
        int d = engine.Algorithm == EmbeddingAlgorithm.Auto ? AutoSmallestDimension(engine, active) : engine.Dimension;
        // The values per user and per item of the largest spread table (what an array must hold), and of all of them (4 bytes
        // each; the weights' doubles count twice): mixture components and weights, DCM's user interests and item units and
        // its item table, divide-and-conquer's item table, a kept hold-out's vectors.
        var (user, item) = engine.Algorithm switch
        {
            EmbeddingAlgorithm.MixtureEmbedding => (new Tables((long)engine.Mixture.SourceComponents * d, (long)engine.Mixture.SourceComponents * (d + 2)),
                new Tables((long)engine.Mixture.DestinationComponents * d, (long)engine.Mixture.DestinationComponents * d)),
            EmbeddingAlgorithm.DifferentiableClustering => (new Tables((long)engine.Dcm.Interests * d, (long)engine.Dcm.Interests * (d + 2)), new Tables(d, 2L * d)),
            EmbeddingAlgorithm.DivideConquer => (new Tables(0, 0), new Tables(d, d)),
            _ => (new Tables(0, 0), new Tables(0, 0)),
        };
        // Only Auto keeps a hold-out (KeepHoldout is ignored by the others, and the CLI sets it for every history-mmr fit), and
        // only when a user has the edges to hold some out (else it falls back to implicit ALS, choosing nothing).
        bool holdout = engine.KeepHoldout && engine.Algorithm == EmbeddingAlgorithm.Auto
            && Enumerable.Range(0, active.Graph.UserCount).Any(u => active.Graph.DegreeOf(u) >= ValidationSplit.MinimumUserEdges);
        if (holdout) (user, item) = (user.With(d), item.With(d));
        if (user.All + item.All == 0) return;
        string what = holdout ? "a kept hold-out (KeepHoldout)" : engine.Algorithm.ToString();
        Refuse(active.FullUserCount, active.Users.Length, user.Largest, o.UserColumnName, nameof(o.UserColumnName), "user", what);
        Refuse(active.FullItemCount, active.Items.Length, item.Largest, o.ItemColumnName, nameof(o.ItemColumnName), "item", what);
        long spread = 4 * (active.FullUserCount * user.All + active.FullItemCount * item.All);
        long inUse = 4 * (active.Users.Length * user.All + active.Items.Length * item.All);
        if (spread >= WarnBytes && spread >= WarnRatio * inUse)
        {
            Logging.Warning(context, nameof(GraphEmbeddingTrainer), $"{what} keeps its tables for every key of the range: at least {spread / 1e6:N0} MB for "
                + $"{active.FullUserCount:N0} user and {active.FullItemCount:N0} item keys, of which {active.Users.Length:N0} and {active.Items.Length:N0} have edges "
                + $"({inUse / 1e6:N1} MB). Map the ids to a compact key range (MapValueToKey on the raw ids), or use a single-vector algorithm, whose tables hold the keys in use only.");
        }
    }

    /// <summary>
    /// The smallest dimension Auto can choose on <paramref name="active"/>'s graph: its truncated-SVD ranks start at 8
    /// (<see cref="SpectralSearch.SmallGraphRanks"/>), capped by AutoMaxDimension and min(users, items); its implicit ALS is
    /// min(128, users, items); negative sampling, when included, runs at Dimension.
    /// </summary>
    private static int AutoSmallestDimension(GraphEmbeddingOptions engine, ActiveSubgraph active)
    {
        int d = Math.Min(SpectralSearch.SmallGraphRanks[0], Math.Min(engine.AutoMaxDimension, Math.Min(active.Users.Length, active.Items.Length)));
        if (engine.AutoIncludesNegativeSampling) d = Math.Min(d, engine.Dimension);
        return Math.Max(d, 1);
    }

    /// <summary>Values per key: of the largest spread table, and of all of them.</summary>
    private readonly record struct Tables(long Largest, long All)
    {
        public Tables With(long values) => new(Math.Max(Largest, values), All + values);
    }

    /// <summary>Throws when a table of <paramref name="perKey"/> values for each of <paramref name="keys"/> keys passes the longest array .NET allocates.</summary>
    private static void Refuse(int keys, int inUse, long perKey, string column, string option, string nodes, string algorithm)
    {
        if (perKey == 0 || keys * perKey <= Array.MaxLength) return;
        throw new ArgumentException($"Column '{column}' (option {option}) is a key over {keys:N0} values, of which {inUse:N0} have edges: {algorithm} keeps "
            + $"its {nodes} tables for every key ({keys:N0} x {perKey:N0} values or more), more than an array holds. Map the ids to a compact key range "
            + "(MapValueToKey on the raw ids, not a hash), or use a single-vector algorithm, whose tables hold the keys in use only.", option);
    }
}
