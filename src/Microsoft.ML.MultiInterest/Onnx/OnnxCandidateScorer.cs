using System.Runtime.CompilerServices;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves candidates from a directory written by <see cref="OnnxServingDirectory"/>: runs encoder then
/// quota scorer (or the unimodal scorer) through ONNX Runtime in batches of users and returns the engine's lists,
/// <see cref="RankedLists"/> identical to what <see cref="ClusterQuotaRetriever"/> (with the unimodal top M as fallback) and
/// <see cref="UnimodalRetriever"/> return, bit for bit. ONNX Runtime finds the candidates, a few more per ranking than the
/// list needs; the scorer re-scores them with the engine's arithmetic and keeps the order they prove (near-ties included),
/// scanning a cluster or the catalogue with the engine where they do not (<see cref="Rescanned"/>; docs/onnx.md). Sessions
/// come from an <see cref="OnnxSessionFactory"/>, so the GPU choice and fallback are the factory's. Thread-safe; dispose
/// to release the sessions.
/// </summary>
public sealed partial class OnnxCandidateScorer : IDisposable
{
    /// <summary>
    /// Users per ONNX Runtime call unless told otherwise: 64. Larger batches make larger dense tensors per call (the
    /// batch x items mask and fallback scores: 7 MB each at 64 users and 28,226 items); on cit-HepPh, batches of 256 took
    /// 1.2x-1.5x as long per user as batches of 64, and 32 or 128 were no faster than 64 (docs/performance.md).
    /// </summary>
    public const int DefaultBatchSize = 64;

    // Null in a unimodal-only directory (OnnxServingDirectory.ExportUnimodal).
    private readonly InferenceSession? _encoder;
    private readonly InferenceSession? _quotaScorer;
    // The quota scorer cut to its component candidates, for directories without a unimodal head, where only the lists the
    // components leave short read the fallback: ONNX Runtime would otherwise rank the whole catalogue for every user.
    private readonly InferenceSession? _quotaComponents;
    private readonly InferenceSession _unimodalScorer;
    // Null where the directory has none (every quota directory, and unimodal ones written before 2026-12).
    private readonly InferenceSession? _vectorScorer;
    // A conditional directory's trained condition model, for fresh histories; null elsewhere and where it was not exported.
    private readonly ConditionalModel? _conditionModel;
    private readonly OnnxRerankTables _tables;
    // The fold-in a fresh history is read with (the manifest's history_fold_in), built on the first such request; null: the mean.
    private readonly Lazy<InterestFoldIn>? _historyFoldIn;
    // The divide-and-conquer model of a directory's history_encoder (null: none), and what it reads of a fresh history: its
    // mixture (else counted) and its vector (else the fold-in or mean), as the encoder's outputs in the manifest say.
    private readonly DivideConquerModel? _historyModel;
    private readonly bool _mixtureByModel;
    private readonly bool _vectorByModel;
    // The fresh histories' own quota scorer (and its cut to the component candidates), where the model's mixtures have more
    // components than the trained users': null elsewhere, the trained users' scorer taking them.
    private readonly InferenceSession? _historyQuotaScorer;
    private readonly InferenceSession? _historyQuotaComponents;
    private long _proved;
    private long _rescanned;
    private long _filled;
    private readonly InFlightCalls _calls = new();

    // The user rows the directory's user id file leaves out (keys without training edges), which a call may not name.
    private readonly int[] _absentUsers;

    private OnnxCandidateScorer(OnnxServingManifest manifest, int batchSize, InferenceSession? encoder, InferenceSession? quotaScorer, InferenceSession unimodalScorer,
        InferenceSession? vectorScorer, ConditionalModel? conditionModel, OnnxRerankTables tables, int[] absentUsers, InferenceSession? quotaComponents = null,
        DivideConquerModel? historyModel = null, (InferenceSession Whole, InferenceSession? Components)? historyScorer = null)
    {
        _historyModel = historyModel;
        _historyQuotaScorer = historyScorer?.Whole;
        _historyQuotaComponents = historyScorer?.Components;
        FreshComponents = _historyQuotaScorer != null ? historyModel!.Components : manifest.Components;
        _mixtureByModel = historyModel != null && manifest.HistoryEncoder!.Outputs.Contains(MixtureClustersName);
        _vectorByModel = historyModel != null && manifest.HistoryEncoder!.Outputs.Contains(UserEmbeddingName);
        _quotaComponents = quotaComponents;
        _absentUsers = absentUsers;
        _conditionModel = conditionModel;
        Manifest = manifest;
        BatchSize = batchSize;
        _encoder = encoder;
        _quotaScorer = quotaScorer;
        _unimodalScorer = unimodalScorer;
        _vectorScorer = vectorScorer;
        _tables = tables;
        _historyFoldIn = manifest.HistoryFoldIn is { } objective
            ? new(() => new InterestFoldIn(tables.Items, objective, threads: 0, manifest.HistoryFoldInItems))
            : null;
        // As the graphs were exported (the manifest's slack), not as this version would export them.
        ComponentCandidates = QuotaScorerGraph.CandidatesPerComponent(manifest.Candidates, manifest.LargestCluster, manifest.CandidateSlack);
        CatalogueCandidates = UnimodalOnnxExporter.CandidateCount(manifest.Candidates, manifest.Items, manifest.CandidateSlack);
    }

    /// <summary>The components per user of a fresh history's mixture as scored: its own scorer's (the model's m), else the trained users'.</summary>
    private int FreshComponents { get; }

    /// <summary>The manifest of the opened directory (M, sizes, names).</summary>
    public OnnxServingManifest Manifest { get; }

    /// <summary>Users per ONNX Runtime call at most (a call whose per-user tensors would pass 64 MiB serves fewer; <see cref="Open"/>).</summary>
    public int BatchSize { get; }

    /// <summary>The item rows that hold no item (<see cref="ItemAbsence"/>), ascending: never listed, dropped from a history.</summary>
    internal int[] AbsentItems => _tables.AbsentItems;

    /// <summary>The user table the graphs serve (row = user row), read back from the unimodal scorer.</summary>
    internal EmbeddingMatrix UserTable => _tables.Users;

    /// <summary>The item table the exact re-ranking reads (row = item row), read back from the unimodal scorer.</summary>
    internal EmbeddingMatrix ItemTable => _tables.Items;

    /// <summary>Rankings (a component inside its cluster, or a unimodal list) read off ONNX Runtime's candidates so far, all calls together.</summary>
    public long ProvedFromCandidates => Interlocked.Read(ref _proved);

    /// <summary>
    /// Rankings the candidates could not settle, computed by scanning the cluster or the catalogue with the engine (so far,
    /// all calls together): where the exact score at the list's end is not clear of what the candidates leave out, or a
    /// chain of near-ties makes the engine's order depend on its offer order. Rare with float32 arithmetic; on cit-HepPh
    /// figures are in docs/onnx.md.
    /// </summary>
    public long Rescanned => Interlocked.Read(ref _rescanned);

    /// <summary>
    /// Quota lists (of a directory without a unimodal head) that the components left short, whose unimodal fill the engine
    /// ranked by scanning the catalogue (so far, all calls together): the scorer runs the quota graph without its fallback
    /// ranking, which every other list would never read (docs/onnx.md, "Exact lists").
    /// </summary>
    public long FilledWithEngine => Interlocked.Read(ref _filled);

    private int ComponentCandidates { get; }

    /// <summary>The unimodal scorer's and the quota scorer's fallback candidates per user: M + slack, at most the catalogue.</summary>
    private int CatalogueCandidates { get; }

    /// <summary>Opens the serving directory <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="OnnxServingDirectory.Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, double, string, bool, OnnxExternalData)"/>.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">
    /// Users per call at most, at least 1. Memory per call grows with it (the quota scorer holds batch x m x S x d floats, the
    /// unimodal scorer batch x I scores, the mask batch x I), so a call serves fewer where they would pass 64 MiB: a quota call
    /// where its batch x m x S x d floats would (large clusters), a unimodal call where its scores and mask would (a batch of
    /// 299 users over 28,000 items with the mask). Larger batches were no faster; the lists do not depend on it.
    /// </param>
    /// <exception cref="NotSupportedException">The directory holds a round-robin export (<see cref="OnnxServingDirectory.ExportRoundRobin"/>; open it with <see cref="OnnxRoundRobinScorer"/>).</exception>
    /// <returns>The opened scorer; dispose it to release its ONNX Runtime sessions.</returns>
    public static OnnxCandidateScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = DefaultBatchSize)
    {
        // Before the directory is read, so that a wrong batch size is not reported as the directory's fault.
        RequireBatchSize(batchSize);
        return OnnxDirectoryOpening.Consistent(directory, () => OpenUnchecked(directory, sessions, batchSize), sessions);
    }

    private static OnnxCandidateScorer OpenUnchecked(string directory, OnnxSessionFactory? sessions, int batchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = OnnxVerifiedOpening.Manifest(directory);
        if (manifest.Retrieval is OnnxServingManifest.HistoryMmrRetrieval or OnnxServingManifest.MmrRetrieval or OnnxServingManifest.RankFusionRetrieval
            or OnnxServingManifest.ConditionalMergedRetrieval)
            throw new NotSupportedException($"The serving directory '{directory}' holds a {manifest.Retrieval} export: open it with " + manifest.Retrieval switch
            {
                OnnxServingManifest.HistoryMmrRetrieval => "OnnxHistoryMmrScorer.",
                OnnxServingManifest.MmrRetrieval => "OnnxMmrScorer.",
                OnnxServingManifest.ConditionalMergedRetrieval => "OnnxConditionalMergeScorer.",
                _ => "OnnxFusionScorer.",
            });
        if (manifest.RoundRobinScorer is { } roundRobin)
            throw new NotSupportedException($"The serving directory '{directory}' holds a round-robin export of a learned multi-vector model: open it with "
                + $"OnnxRoundRobinScorer, or run its '{manifest.Encoder.File}' and '{roundRobin.File}' and merge the per-component lists with RoundRobinOnnxMerge.Merge "
                + "(or serve the model with MultiInterestModel.RetrieveWithEngine); OnnxCandidateScorer runs the quota and unimodal graphs.");
        bool unimodalOnly = manifest.Retrieval == OnnxServingManifest.UnimodalRetrieval;
        CheckCandidateOutputs(manifest, directory);
        CheckCandidateCounts(manifest, directory, unimodalOnly);
        OnnxServingGraph[] graphs = unimodalOnly ? [manifest.UnimodalScorer] : [manifest.Encoder, manifest.QuotaScorer, manifest.UnimodalScorer];
        if (manifest.VectorScorer != null) graphs = [.. graphs, manifest.VectorScorer];
        // Last, after the vector scorer: the fresh histories' own quota scorer.
        if (manifest.HistoryQuotaScorer != null && !unimodalOnly) graphs = [.. graphs, manifest.HistoryQuotaScorer];
        // The tables first: the sessions that hold them are given the re-ranking's arrays, not copies of their own. Their graph
        // is checked as its session would check it first, so that a missing graph or a bad side-file reference is refused as before.
        string unimodalPath = Path.Combine(directory, manifest.UnimodalScorer.File);
        if (!OnnxVerifiedOpening.Exists(unimodalPath))
            throw new FileNotFoundException($"The ONNX serving manifest of '{directory}' lists '{manifest.UnimodalScorer.File}', which is missing.", unimodalPath);
        OnnxInitializerFile.CheckExternalData(unimodalPath);
        var tables = OnnxRerankTables.Read(directory, manifest);
        var shared = OnnxSharedTables.For(manifest, tables, (sessions ??= new OnnxSessionFactory()).PrepackTablesBelowBytes);
        InferenceSession[] opened;
        try
        {
            opened = OnnxScorerParts.OpenSessions(directory, sessions, shared, graphs);
        }
        catch
        {
            shared.Dispose();
            throw;
        }
        InferenceSession? components = null, historyComponents = null;
        try
        {
            var historyScorer = manifest.HistoryQuotaScorer != null && !unimodalOnly ? opened[^1] : null;
            var vectorScorer = manifest.VectorScorer != null ? opened[historyScorer != null ? ^2 : ^1] : null;
            if (!unimodalOnly) CheckComponents(manifest, directory, opened[1]);
            ConditionalModel? conditionModel = null;
            if (manifest.ConditionModel is { } conditionGraph)
            {
                string path = Path.Combine(directory, conditionGraph.File);
                if (!OnnxVerifiedOpening.Exists(path)) throw new FileNotFoundException($"The ONNX serving manifest of '{directory}' lists '{conditionGraph.File}', which is missing.", path);
                conditionModel = ConditionModelGraph.Read(path, manifest);
            }
            var absentUsers = UserAbsence.Read(directory, manifest, tables.Users);
            var historyModel = manifest.HistoryEncoder is { } history
                ? ReadHistoryModel(directory, history, manifest, tables, mixture: !unimodalOnly && history.Outputs.Contains(MixtureClustersName),
                    ownScorer: manifest.HistoryQuotaScorer != null)
                : null;
            if (unimodalOnly)
                return new OnnxCandidateScorer(manifest, batchSize, null, null, opened[0], vectorScorer, null, tables, absentUsers, historyModel: historyModel) { SharedTables = shared };
            if (historyScorer != null) CheckHistoryComponents(manifest, directory, historyScorer, historyModel!);
            components = manifest.HeadSlots == 0 ? OpenComponentsOnly(directory, manifest.QuotaScorer, sessions, shared) : null;
            historyComponents = historyScorer != null && manifest.HeadSlots == 0 ? OpenComponentsOnly(directory, manifest.HistoryQuotaScorer!, sessions, shared) : null;
            return new OnnxCandidateScorer(manifest, batchSize, opened[0], opened[1], opened[2], vectorScorer, conditionModel, tables, absentUsers, components, historyModel,
                historyScorer != null ? (historyScorer, historyComponents) : null) { SharedTables = shared };
        }
        catch
        {
            foreach (var session in opened) session.Dispose();
            components?.Dispose();
            historyComponents?.Dispose();
            shared.Dispose(); // after the sessions it was given to
            throw;
        }
    }


    /// <summary>The cluster-quota lists (with unimodal fill) of <paramref name="users"/>, exactly as <see cref="ClusterQuotaRetriever"/> returns them for M = <see cref="OnnxServingManifest.Candidates"/> with the unimodal top M as fallback.</summary>
    /// <param name="users">User rows to serve, 0 to <see cref="OnnxServingManifest.Users"/> - 1.</param>
    /// <param name="exclusions">Items never to return per user (typically the training graph); needs a directory exported with the exclusion mask. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveClusterQuota(IReadOnlyList<int> users, BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        if (_encoder == null || _quotaScorer == null)
            throw new InvalidOperationException("The serving directory holds the unimodal scorer alone (a model without item clusters): RetrieveUnimodal serves it.");
        CheckArguments(users, exclusions);
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, users, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        var result = new RankedLists(users.Count, Manifest.Candidates);
        RunEncoded(users, exclusions, result, ServeQuota, fallbackForAll: false);
        return result;
    }

    /// <summary>
    /// Runs the encoder and the quota scorer over trained <paramref name="users"/> (checked by the caller) and hands each batch's
    /// outputs (mixture values: vectors, clusters, queries, quotas, weights) to <paramref name="serve"/>, with <paramref name="result"/>;
    /// <paramref name="fallbackForAll"/>: whether <paramref name="serve"/> reads every user's fallback candidates.
    /// </summary>
    private void RunEncoded(IReadOnlyList<int> users, BipartiteGraph? exclusions, RankedLists? result, Action<QuotaBatch, Worker> serve, bool fallbackForAll)
    {
        var worker = CreateWorker();
        string[] encoded = [UserEmbeddingName, MixtureClustersName, MixtureEmbeddingsName, QuotasName, MixtureWeightsName];
        using var ahead = new OneBatchAhead();
        ForEachBatch(users, exclusions, (options, start, batch, rows, mask) =>
        {
            var mixture = _encoder!.Run(options, [UserRowsInput], [rows], encoded);
            IDisposableReadOnlyCollection<OrtValue> found;
            try
            {
                found = RunQuotaScorer(options, mixture, mask, fallbackForAll);
            }
            catch
            {
                mixture.Dispose();
                throw;
            }
            var outputs = new QuotaBatch(users, start, batch, exclusions, mixture, found, result, Manifest.Components);
            ahead.Start(() => serve(outputs, worker), mixture, found);
        }, quotaComponents: Manifest.Components);
        ahead.Finish();
        Count(worker);
    }

    /// <summary>The unimodal lists of <paramref name="users"/>, exactly as <see cref="UnimodalRetriever"/> returns them for M = <see cref="OnnxServingManifest.Candidates"/>.</summary>
    /// <param name="users">User rows to serve, 0 to <see cref="OnnxServingManifest.Users"/> - 1.</param>
    /// <param name="exclusions">Items never to return per user (typically the training graph); needs a directory exported with the exclusion mask. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveUnimodal(IReadOnlyList<int> users, BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        CheckArguments(users, exclusions);
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, users, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        var result = new RankedLists(users.Count, Manifest.Candidates);
        var worker = CreateWorker();
        using var ahead = new OneBatchAhead();
        ForEachBatch(users, exclusions, (options, start, batch, rows, mask) =>
        {
            var found = mask == null
                ? _unimodalScorer.Run(options, [UnimodalOnnxExporter.UserRowsInput], [rows], [UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput])
                : _unimodalScorer.Run(options, [UnimodalOnnxExporter.UserRowsInput, UnimodalOnnxExporter.ExclusionMaskInput], [rows, mask],
                    [UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput]);
            ahead.Start(() => ServeUnimodal(_tables.Users, users, start, batch, exclusions, found, result, worker), found);
        });
        ahead.Finish();
        Count(worker);
        return result;
    }

    /// <summary>
    /// The engine's unimodal list of every user of the batch, from the candidates in <paramref name="found"/>[0] (rows) and [1]
    /// (scores): user <c>users[start + q]</c>'s query is that row of <paramref name="vectors"/>, its exclusions that row of
    /// <paramref name="exclusions"/>.
    /// </summary>
    // The re-ranking is optimised at once rather than tiered, as CertifiedRanking.Rank (why there).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ServeUnimodal(EmbeddingMatrix vectors, IReadOnlyList<int> users, int start, int batch, BipartiteGraph? exclusions, IReadOnlyList<OrtValue> found,
        RankedLists result, Worker worker)
    {
        var candidateRows = found[0].GetTensorDataAsSpan<long>();
        var candidateScores = found[1].GetTensorDataAsSpan<float>();
        int k = CatalogueCandidates;
        for (int q = 0; q < batch; q++)
        {
            int count = worker.Rerank.Catalogue(vectors.ReadRow(users[start + q]), users[start + q], candidateRows.Slice(q * k, k), candidateScores.Slice(q * k, k), exclusions,
                worker.Ranking, worker.RankingScores);
            worker.Ranking.AsSpan(0, count).CopyTo(result.IndexSlots(start + q));
            worker.RankingScores.AsSpan(0, count).CopyTo(result.ScoreSlots(start + q));
            result.Counts[start + q] = count;
        }
    }

    private Worker CreateWorker() =>
        new(_tables, Manifest.Candidates, new[] { ComponentCandidates, CatalogueCandidates, Manifest.Candidates }.Max(),
            Math.Max(Manifest.Components, FreshComponents));

    private void Count(Worker worker)
    {
        Interlocked.Add(ref _proved, worker.Rerank.Proved);
        Interlocked.Add(ref _rescanned, worker.Rerank.Scanned);
        Interlocked.Add(ref _filled, worker.Rerank.Filled);
    }

    /// <summary>
    /// A worker's scratch: its re-ranker, a ranking buffer, the user's fallback list, per component the quota slots, candidate
    /// counts and (for engine-ranked components) rankings.
    /// </summary>
    private sealed class Worker(OnnxRerankTables tables, int listLength, int width, int components)
    {
        private readonly int[] _componentRankings = new int[components * width];
        private readonly float[] _componentRankingScores = new float[components * width];

        public OnnxRerank Rerank { get; } = new(tables, listLength, width);

        public int[] Ranking { get; } = new int[width];

        public float[] RankingScores { get; } = new float[width];

        public int[] Fallback { get; } = new int[width];

        public float[] FallbackScores { get; } = new float[width];

        public Span<int> ComponentRanking(int component) => _componentRankings.AsSpan(component * width, width);

        public Span<float> ComponentRankingScores(int component) => _componentRankingScores.AsSpan(component * width, width);

        public int[] Take { get; } = new int[components];

        public int[] Granted { get; } = new int[components];

        public int[] Available { get; } = new int[components];

        public int[] CandidateCounts { get; } = new int[components];

        /// <summary>The batch's lists the components left short, filled together after the batch (the quota graph cut to its components).</summary>
        public List<int> ShortLists { get; } = [];
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        if (!_calls.Close()) return; // after the running calls: their sessions stay open until they end
        // The shared tables after every session they were given to.
        IDisposable?[] sessions = [_encoder, _quotaScorer, _quotaComponents, _historyQuotaScorer, _historyQuotaComponents, _unimodalScorer, _vectorScorer];
        if (SharedTables != null) SharedTables.DisposeAfter(sessions);
        else foreach (var session in sessions) session?.Dispose();
    }

    /// <summary>
    /// The user and item tables the sessions were given, the re-ranking's own arrays (<see cref="OnnxSharedTables"/>); released
    /// after the sessions.
    /// </summary>
    internal OnnxSharedTables? SharedTables { get; private init; }

    private void CheckArguments(IReadOnlyList<int> users, BipartiteGraph? exclusions) =>
        OnnxScorerParts.CheckCall(Manifest, users, exclusions, "unimodal and quota scorer graphs", _absentUsers);
}
