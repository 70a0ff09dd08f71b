using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>
/// The test figures of a sweep's refitted best model: its own embeddings (and, for kNN-Embed, its clusters), scored by the
/// protocol as evaluate scores them (test edges of unseen users or items count as misses unless <see cref="UnseenHeldOut.Drop"/>).
/// The best's method decides the rows: Unimodal alone; MMR at the best's lambda and pool beside Unimodal; the history-interest
/// MMR row at the best's settings, fixed (the sweep chose them on its validation hold-out), beside Unimodal and MMR; kNN-Embed
/// at the best's settings beside Unimodal, MMR and the unsmoothed Mixture.
/// </summary>
internal static class SweepTestFigures
{
    /// <summary>
    /// The best setting's kNN-Embed settings in words: "m=5, k=10, lambda=0.8, alpha=1", or at lambda 0, whose neighbours are
    /// not used, "m=5, lambda=0 (the unsmoothed Mixture: no neighbours), alpha=1", as the leaderboard shows k as "-".
    /// </summary>
    public static string Describe(SweepSettings best) => best.Lambda == 0
        ? FormattableString.Invariant($"m={best.Components}, lambda=0 (the unsmoothed Mixture: no neighbours), alpha={best.Alpha}")
        : FormattableString.Invariant($"m={best.Components}, k={best.Neighbors}, lambda={best.Lambda}, alpha={best.Alpha}");

    /// <summary>The protocol's row that is the best setting's: unimodal, mmr, history_mmr or knn_embed.</summary>
    public static string RowOf(SweepRetrievalMethod method) => method switch
    {
        SweepRetrievalMethod.Unimodal => ProtocolEvaluator.UnimodalName,
        SweepRetrievalMethod.Mmr => "mmr",
        SweepRetrievalMethod.HistoryMmr => ProtocolEvaluator.HistoryMmrName,
        _ => ProtocolEvaluator.KnnEmbedName,
    };

    /// <summary>
    /// The settings of the best's row in words, in the sweep's parameter names: "m=5, k=10, lambda=0.8, alpha=1" (kNN-Embed,
    /// <see cref="Describe(SweepSettings)"/>), "mmr-lambda=0.75, mmr-pool=100" (MMR), "mmr-lambda=0.6, interest-weight=0.5,
    /// items-per-interest=4, max-interests=8, mmr-pool=100" (history-interest MMR), "the user vector's own ranking" (Unimodal).
    /// <paramref name="pool"/> is the pool the test figures re-rank (<see cref="Pool"/>), said when it is not the best's.
    /// </summary>
    public static string Describe(SweepSettings best, int pool)
    {
        string Pool() => pool == best.MmrPool ? FormattableString.Invariant($"mmr-pool={pool}")
            : pool > best.MmrPool
                ? FormattableString.Invariant($"mmr-pool={pool} (the best's {best.MmrPool} raised to the largest cutoff, as every cutoff's list is the one re-ranking's prefix)")
                // Lowered: the pool holds at most the catalogue, as the sweep caps it (it said "raised" here until 2026-12-06).
                : FormattableString.Invariant($"mmr-pool={pool} (the best's {best.MmrPool} lowered to the catalogue's {pool} items, as the sweep caps it)");
        return best.Method switch
        {
            SweepRetrievalMethod.Unimodal => "the user vector's own ranking",
            SweepRetrievalMethod.Mmr => FormattableString.Invariant($"mmr-lambda={best.ResolvedMmrLambda}, ") + Pool(),
            SweepRetrievalMethod.HistoryMmr => FormattableString.Invariant(
                $"mmr-lambda={best.ResolvedMmrLambda}, interest-weight={best.InterestWeight}, items-per-interest={best.ItemsPerInterest}, max-interests={best.MaxInterests}, ") + Pool(),
            _ => Describe(best),
        };
    }

    /// <summary>
    /// The pool the MMR rows re-rank on the test: the best's mmr-pool, at least the largest cutoff (the protocol retrieves each
    /// row once at the largest cutoff, every shorter cutoff its prefix) and at most the catalogue, as the sweep caps it.
    /// </summary>
    public static int Pool(SweepSettings best, int items, int[] cutoffs)
    {
        int largest = cutoffs.Max();
        return Math.Min(Math.Max(best.MmrPool, largest), Math.Max(items, largest));
    }

    /// <summary>The protocol's settings of the best's rows (<see cref="Evaluate"/>): one evaluation path for every method.</summary>
    internal static ProtocolSettings Settings(SweepSettings best, int items, ImplicitAlsOptions? als, int threads)
    {
        var settings = new ProtocolSettings { Threads = threads };
        if (best.Method == SweepRetrievalMethod.KnnEmbed)
        {
            settings.Components = best.Components;
            settings.Neighbors = best.Neighbors;
            settings.Lambda = best.Lambda;
            settings.Alpha = best.Alpha;
            return settings;
        }
        if (best.Method == SweepRetrievalMethod.Unimodal) return settings;
        settings.MmrPoolSize = Pool(best, items, settings.Cutoffs);
        if (best.Method == SweepRetrievalMethod.Mmr)
        {
            settings.MmrLambda = best.ResolvedMmrLambda;
            return settings;
        }
        // The fold-in as the sweep's trials and the saved model's stage read it: the embedding's ALS objective, else fitted
        // to its user vectors. The lambda is the best's, fixed: the sweep chose it on its validation hold-out.
        var interests = als is { } a ? HistoryInterestOptions.FromAls(a) : new HistoryInterestOptions { MatchUserVectors = true };
        interests.ItemsPerInterest = best.ItemsPerInterest;
        interests.MaxInterests = best.MaxInterests;
        settings.HistoryMmr = new HistoryMmrRowSettings
        {
            MmrLambda = best.ResolvedMmrLambda,
            InterestWeight = best.InterestWeight,
            Interests = interests,
        };
        return settings;
    }

    /// <summary>The rows of the best's method (<see cref="SweepTestFigures"/>), in report order.</summary>
    internal static string[] Rows(SweepRetrievalMethod method) => method switch
    {
        SweepRetrievalMethod.Unimodal => [ProtocolEvaluator.UnimodalName],
        SweepRetrievalMethod.Mmr => [ProtocolEvaluator.UnimodalName, "mmr"],
        SweepRetrievalMethod.HistoryMmr => [ProtocolEvaluator.UnimodalName, "mmr", ProtocolEvaluator.HistoryMmrName],
        _ => [ProtocolEvaluator.UnimodalName, "mmr", "mixture", ProtocolEvaluator.KnnEmbedName],
    };

    /// <returns>
    /// The protocol's rows of the best's method, the settings they ran with, and the training and held-out edges they were
    /// scored on (for the long-tail pairs, <see cref="UnimodalPairs.Of"/>).
    /// </returns>
    public static (ProtocolResult Result, ProtocolSettings Settings, BipartiteGraph Train, BipartiteGraph HeldOut) Evaluate(ITransformer model, IReadOnlyList<RawEdge> trainEdges,
        IReadOnlyList<RawEdge> testEdges, SweepSettings best, int threads, string testPath, UnseenHeldOut unseen)
    {
        var stages = ((IEnumerable<ITransformer>)model).ToList();
        var embedding = stages.OfType<GraphEmbeddingTransformer>().Single();
        var users = new IdMap(embedding.UserIds);
        var items = new IdMap(embedding.ItemIds);
        // The engine's protocol reads tables of one row per key (dense here: the keys come from MapValueToKey on the edges).
        var (userVectors, itemVectors) = (embedding.UserEmbeddings.ToDense(), embedding.ItemEmbeddings.ToDense());
        // Only kNN-Embed's rows read clusters: the other methods' model has none, and their rows need none.
        ItemClustering? clustering = null;
        if (best.Method == SweepRetrievalMethod.KnnEmbed)
        {
            var kmeans = stages.OfType<SphericalKMeansTransformer>().Single();
            var assignments = new int[items.Count];
            for (int i = 0; i < assignments.Length; i++) assignments[i] = kmeans.ClusterOfItem((uint)(i + 1));
            clustering = ItemClustering.Create(assignments, kmeans.NumberOfClusters, itemVectors, kmeans.Centroids);
        }
        var train = GraphData.Build(trainEdges, users, items, extendIds: false, "train");
        var heldOut = GraphData.BuildHeldOut(testEdges, users, items, testPath);
        var settings = Settings(best, items.Count, embedding.Als, threads);
        var result = ProtocolEvaluator.Run(train, heldOut.Graph, userVectors, itemVectors, clustering, settings,
            misses: unseen == UnseenHeldOut.Miss ? heldOut.Misses : null);
        return (best.Method == SweepRetrievalMethod.KnnEmbed ? result : result.Only(Rows(best.Method)), settings, train, heldOut.Graph);
    }
}
