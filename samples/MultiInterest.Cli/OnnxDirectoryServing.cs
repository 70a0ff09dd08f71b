using System.Diagnostics;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// How <c>recommend --onnx</c> serves one kind of ONNX directory whose scorer is not <see cref="OnnxCandidateScorer"/>: open it,
/// serve the trained users by row (the warm-up batch and the set-up timed apart), serve the users the model does not know
/// from their --history when the directory can, and say what it did.
/// </summary>
/// <param name="Open">Opens the scorer.</param>
/// <param name="Retrieve">The lists of user rows.</param>
/// <param name="ServesHistories">Whether the opened directory serves fresh histories.</param>
/// <param name="FromHistories">The lists of fresh histories (item rows).</param>
/// <param name="Fresh">How the opened directory represents new users, for the log ("(its fold-in and interests, ...)").</param>
/// <param name="NoHistories">Why new users were not served, for the log, when the directory cannot.</param>
/// <param name="Report">What the scorer did, for the log.</param>
internal sealed record OnnxDirectoryServing<TScorer>(Func<TScorer> Open, Func<TScorer, int[], RankedLists> Retrieve, Func<TScorer, bool> ServesHistories,
    Func<TScorer, List<int[]>, RankedLists> FromHistories, Func<TScorer, string> Fresh, string NoHistories, Func<TScorer, string> Report) where TScorer : IDisposable
{
    /// <summary>Serves <paramref name="rows"/> and the new users of <paramref name="newUsers"/> (their places recorded in <paramref name="historyLists"/>).</summary>
    public RankedLists Serve(int[] rows, int[] warmUp, Dictionary<string, int[]> newUsers, Dictionary<string, int> historyLists, out RankedLists? fromHistory,
        out string setUp, Stopwatch clock, TextWriter log)
    {
        var opening = Stopwatch.StartNew();
        using var scorer = Open();
        double openSeconds = opening.Elapsed.TotalSeconds;
        var first = Stopwatch.StartNew();
        Retrieve(scorer, warmUp);
        setUp = $"sessions opened in {openSeconds:F2} s, first batch of {warmUp.Length} in {first.Elapsed.TotalSeconds:F2} s; ";
        clock.Restart();
        var ranked = Retrieve(scorer, rows);
        fromHistory = null;
        if (newUsers.Count > 0 && ServesHistories(scorer))
        {
            fromHistory = FromHistories(scorer, OnnxDirectoryServing.Histories(newUsers, historyLists));
            log.WriteLine($"{Counted.Of(newUsers.Count, "user")} unknown to the model served from their --history {Fresh(scorer)}.");
        }
        else if (newUsers.Count > 0)
            log.WriteLine($"{Counted.Of(newUsers.Count, "user")} unknown to the model have a --history, but {NoHistories}: --recommender serves them.");
        log.WriteLine(Report(scorer));
        return ranked;
    }
}

/// <summary>The directory kinds <see cref="OnnxDirectoryServing{TScorer}"/> serves, and the new users' histories in a fixed order.</summary>
internal static class OnnxDirectoryServing
{
    /// <summary>
    /// Serves the directory when its kind is one of the scorers below (fusion, history-interest MMR, MMR, merged conditional,
    /// round robin); returns null for the others (quota, conditional, unimodal: <see cref="OnnxCandidateScorer"/>), which the caller serves.
    /// </summary>
    /// <param name="excludeItems">Item rows no list may hold (--exclude-items), or null: the scorers' excludeItems, trained users and histories alike.</param>
    public static RankedLists? TryServe(OnnxServingManifest manifest, string directory, OnnxSessionFactory sessions, int batch, BipartiteGraph? exclusions, int[] rows,
        int[] warmUp, Dictionary<string, int[]> newUsers, Dictionary<string, int> historyLists, out RankedLists? fromHistory, out string setUp, Stopwatch clock, TextWriter log,
        int[]? excludeItems = null)
    {
        (fromHistory, setUp) = (null, "");
        return manifest.Retrieval switch
        {
            OnnxServingManifest.RankFusionRetrieval => new OnnxDirectoryServing<OnnxFusionScorer>(() => OnnxFusionScorer.Open(directory, sessions, batch),
                (s, users) => s.Retrieve(users, exclusions, excludeItems), s => s.ServesHistories, (s, h) => s.RetrieveFromHistories(h, excludeItems: excludeItems), _ => "by every source",
                "a source of the fusion serves trained users only",
                s => $"ONNX Runtime served {s.Manifest.Sources!.Count} sources ({string.Join(", ", s.Manifest.Sources!.Select(x => $"{OnnxServingManifest.Read(Path.Combine(directory, x.Directory)).Retrieval ?? x.Method} x {x.Weight:R}"))}), fused by rank.")
                .Serve(rows, warmUp, newUsers, historyLists, out fromHistory, out setUp, clock, log),
            OnnxServingManifest.HistoryMmrRetrieval => new OnnxDirectoryServing<OnnxHistoryMmrScorer>(() => OnnxHistoryMmrScorer.Open(directory, sessions, batch),
                (s, users) => s.Retrieve(users, exclusions, excludeItems), s => s.Manifest.HistoryOptions != null, (s, h) => s.RetrieveFromHistories(h, excludeItems: excludeItems),
                _ => "(its fold-in and interests, computed as the engine does)", "the directory was exported without the fold-in settings (export it again)",
                s => $"ONNX Runtime's candidates re-ranked with the engine's arithmetic: {s.ProvedFromCandidates:N0} vector rankings shown exact from them alone, "
                    + $"{s.Rescanned:N0} searched again with the engine (warm-up batch included); the pool merged and re-ranked by the engine's MMR.")
                .Serve(rows, warmUp, newUsers, historyLists, out fromHistory, out setUp, clock, log),
            OnnxServingManifest.MmrRetrieval => new OnnxDirectoryServing<OnnxMmrScorer>(() => OnnxMmrScorer.Open(directory, sessions, batch),
                (s, users) => s.Retrieve(users, exclusions, excludeItems), s => s.ServesHistories, (s, h) => s.RetrieveFromHistories(h, excludeItems: excludeItems),
                // The pool reads the history's vector (its manifest names the divide-and-conquer encoder where the stage reads by it).
                s => s.Manifest.InterestWeight > 0 ? $"(its {HistoryVectorWording(PoolManifest(directory))} and mixture, computed as the engine does)"
                    : $"(its {HistoryVectorWording(PoolManifest(directory))}, computed as the engine does)",
                "this MMR directory was exported before it served histories (export it again)",
                _ => "ONNX Runtime served the unimodal pool; MMR re-ranked it with the engine.")
                .Serve(rows, warmUp, newUsers, historyLists, out fromHistory, out setUp, clock, log),
            OnnxServingManifest.ConditionalMergedRetrieval => new OnnxDirectoryServing<OnnxConditionalMergeScorer>(() => OnnxConditionalMergeScorer.Open(directory, sessions, batch),
                (s, users) => s.Retrieve(users, exclusions, excludeItems), s => s.ServesHistories, (s, h) => s.RetrieveFromHistories(h, excludeItems: excludeItems),
                // Its parts read the history's vector (their manifests name the divide-and-conquer encoder where the stage reads by it).
                _ => $"(its conditions' queries, Mixture and {HistoryVectorWording(ExplicitManifest(directory))}, computed as the engine does)",
                "the directory was exported without its condition model (export it again)",
                s => $"ONNX Runtime's candidates of the conditions and the clusters re-ranked with the engine's arithmetic: {s.ProvedFromCandidates:N0} rankings shown "
                    + $"exact from them alone, {s.Rescanned:N0} searched again with the engine (warm-up batch included); the lists merged as the engine merges them.")
                .Serve(rows, warmUp, newUsers, historyLists, out fromHistory, out setUp, clock, log),
            _ when manifest.RoundRobinScorer != null => new OnnxDirectoryServing<OnnxRoundRobinScorer>(() => OnnxRoundRobinScorer.Open(directory, sessions, batch),
                (s, users) => s.Retrieve(users, exclusions, excludeItems), s => s.ServesHistories, (s, h) => s.RetrieveFromHistories(h, excludeItems: excludeItems),
                s => s.HasHistoryEncoder ? "by the DCM history encoder's soft k-means (computed as the engine does)" : "(one component, its items' mean vector, as the engine serves it)",
                "the directory was exported without the DCM history encoder or the fresh-history mean (export it again)",
                s => $"Round-robin lists merged from ONNX Runtime's per-interest candidates, re-ranked with the engine's arithmetic: {s.ProvedFromCandidates:N0} "
                    + $"interest lists shown exact from them alone, {s.Rescanned:N0} fetched again with the engine (warm-up batch included).")
                .Serve(rows, warmUp, newUsers, historyLists, out fromHistory, out setUp, clock, log),
            _ => null,
        };
    }

    /// <summary>The new users' histories in a fixed order, recording each user's place in <paramref name="historyLists"/>.</summary>
    public static List<int[]> Histories(Dictionary<string, int[]> newUsers, Dictionary<string, int> historyLists)
    {
        var histories = new List<int[]>(newUsers.Count);
        foreach (var (user, items) in newUsers)
        {
            historyLists[user] = histories.Count;
            histories.Add(items);
        }
        return histories;
    }

    /// <summary>
    /// How the directory reads a history into the user's vector, for the log: a divide-and-conquer encoder's query (a quota,
    /// unimodal or conditional directory, an MMR directory's pool and a merged conditional directory's parts among them, whose
    /// history_encoder gives user_embedding), its fold-in (manifest history_fold_in) or the mean.
    /// </summary>
    public static string HistoryVectorWording(OnnxServingManifest manifest) =>
        ReadsByDivideConquer(manifest, MixtureOnnxExporter.UserEmbeddingName) ? "divide-and-conquer encoder's query"
            : manifest.HistoryFoldIn != null ? "implicit-ALS fold-in" : "mean item vector";

    /// <summary>The manifest of an MMR directory's pool, which reads a fresh history's vector.</summary>
    private static OnnxServingManifest PoolManifest(string directory) => OnnxServingManifest.Read(Path.Combine(directory, OnnxMmrScorer.PoolDirectoryName));

    /// <summary>The manifest of a merged conditional directory's explicit part, which reads a fresh history's vector (as the implicit part does).</summary>
    private static OnnxServingManifest ExplicitManifest(string directory) =>
        OnnxServingManifest.Read(Path.Combine(directory, OnnxConditionalMergeScorer.ExplicitDirectoryName));

    /// <summary>How a quota directory builds a history's mixture, for the log: the divide-and-conquer model's own (its history_encoder gives the mixture), else counted.</summary>
    public static string HistoryMixtureWording(OnnxServingManifest manifest) =>
        ReadsByDivideConquer(manifest, MixtureOnnxExporter.MixtureClustersName) ? "divide-and-conquer model's mixture" : "Mixture";

    /// <summary>Whether a quota or unimodal directory's divide-and-conquer history encoder gives <paramref name="output"/> (a round-robin directory's encoder is DCM's).</summary>
    private static bool ReadsByDivideConquer(OnnxServingManifest manifest, string output) =>
        manifest.RoundRobinScorer == null && manifest.HistoryEncoder?.Outputs?.Contains(output) == true;
}
