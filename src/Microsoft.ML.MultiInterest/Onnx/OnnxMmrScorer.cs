using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves MMR over the unimodal ranking (plain, or multi-interest with the PM-2 term over the kNN-Embed mixture) from a
/// directory written by <see cref="OnnxServingDirectory.ExportMmr"/> or <see cref="MultiInterestModel.ExportOnnx"/>: the
/// pool, the unimodal top N, comes from the unimodal scorer in <see cref="PoolDirectoryName"/> (the engine's exact lists,
/// <see cref="OnnxCandidateScorer.RetrieveUnimodal"/>); for the multi-interest term, <see cref="InterestsFileName"/> gives each
/// user's mixture (clusters and weights) and every item's cluster; the re-ranking is the engine's
/// (<see cref="MmrRetriever.Rerank(RankedLists, int, double, int, InterestProportionality, int)"/>), so the lists are
/// <see cref="MultiInterestModel.RetrieveWithEngine"/>'s bit for bit. Thread-safe: concurrent calls share the sessions and the
/// read-only tables. Dispose to release the sessions.
/// </summary>
public sealed class OnnxMmrScorer : IDisposable
{
    /// <summary>The subdirectory holding the pool's unimodal serving directory.</summary>
    public const string PoolDirectoryName = "pool";

    /// <summary>The multi-interest term's graph: user rows to <c>mixture_clusters</c> (int64, -1 padding) and <c>mixture_weights</c> (double).</summary>
    public const string InterestsFileName = "interests.onnx";

    internal const string ItemClusterTableName = "item_cluster_table";

    private readonly OnnxCandidateScorer _pool;
    private readonly InferenceSession? _interests;
    private readonly ItemClustering? _clustering;
    private readonly MmrRetriever _mmr;
    private readonly EmbeddingMatrix _items;
    private readonly InFlightCalls _calls = new();
    // The user rows the directory's user id file leaves out (keys without training edges), which a call may not name.
    private readonly int[] _absentUsers;

    private OnnxMmrScorer(OnnxServingManifest manifest, OnnxCandidateScorer pool, InferenceSession? interests, ItemClustering? clustering, EmbeddingMatrix items,
        int[] absentUsers)
    {
        _absentUsers = absentUsers;
        Manifest = manifest;
        _pool = pool;
        _interests = interests;
        _clustering = clustering;
        _mmr = new MmrRetriever(items);
        _items = items;
    }

    /// <summary>The directory's manifest (M, N, lambda, nu).</summary>
    public OnnxServingManifest Manifest { get; }

    private long _batchBudgetBytes = OnnxServingDefaults.BatchBudgetBytes;

    /// <summary>
    /// The budget of a call's per-user tensors, the pool's calls and the interests' alike: <see cref="OnnxServingDefaults.BatchBudgetBytes"/>
    /// (tests lower it to see the cap on a small directory).
    /// </summary>
    internal long BatchBudgetBytes
    {
        get => _batchBudgetBytes;
        set => _pool.BatchBudgetBytes = _batchBudgetBytes = value;
    }

    private int _largestBatchRun;

    /// <summary>The most users any interests call of this scorer has served so far (tests read that the cap holds).</summary>
    internal int LargestBatchRun => Volatile.Read(ref _largestBatchRun);

    /// <summary>The pool's scorer (tests read its calls' cap).</summary>
    internal OnnxCandidateScorer Pool => _pool;

    /// <summary>
    /// Users per call of the multi-interest term's graph: the batch size, or fewer where its rows and outputs (per user an
    /// int64 row, m int64 clusters and m double weights) would pass the budget. The pool's calls keep the unimodal scorer's cap
    /// (<see cref="OnnxCandidateScorer.UnimodalBatchSize()"/>). The lists do not depend on it.
    /// </summary>
    internal int InterestsBatchSize() => InterestsBatchSize(_pool.BatchSize, Manifest.Components, BatchBudgetBytes);

    /// <summary><see cref="InterestsBatchSize()"/> for a batch size and m: 1 to <paramref name="batchSize"/>.</summary>
    internal static int InterestsBatchSize(int batchSize, int components, long budget = OnnxServingDefaults.BatchBudgetBytes) =>
        OnnxBatchBudget.Users(batchSize, sizeof(long) + (long)Math.Max(1, components) * (sizeof(long) + sizeof(double)), budget);

    /// <summary>Opens the MMR directory <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="OnnxServingDirectory.ExportMmr"/> or <see cref="MultiInterestModel.ExportOnnx"/>.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">Users per call of the pool's scorer and of the interests' graph at most, at least 1 (a call serves fewer where its tensors would pass 64 MiB).</param>
    /// <exception cref="NotSupportedException">The directory holds another export.</exception>
    /// <returns>The opened scorer; dispose it to release its ONNX Runtime sessions.</returns>
    public static OnnxMmrScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = OnnxCandidateScorer.DefaultBatchSize)
    {
        // Before the directory is read, so that a wrong batch size is not reported as the directory's fault.
        OnnxCandidateScorer.RequireBatchSize(batchSize);
        return OnnxDirectoryOpening.Consistent(directory, () => OpenUnchecked(directory, sessions, batchSize), sessions);
    }

    private static OnnxMmrScorer OpenUnchecked(string directory, OnnxSessionFactory? sessions, int batchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = OnnxVerifiedOpening.Manifest(directory);
        if (manifest.Retrieval != OnnxServingManifest.MmrRetrieval)
            throw new NotSupportedException($"The serving directory '{directory}' holds a {manifest.Retrieval ?? OnnxServingManifest.ClusterQuotaRetrieval} export, not MMR.");
        string poolDirectory = Path.Combine(directory, PoolDirectoryName);
        var pool = OnnxCandidateScorer.Open(poolDirectory, sessions, batchSize);
        InferenceSession? interests = null;
        try
        {
            OnnxServingManifest.CheckMmrPoolEncoder(manifest, pool.Manifest, Path.Combine(directory, OnnxServingDirectory.ManifestFileName));
            string unimodalPath = Path.Combine(poolDirectory, pool.Manifest.UnimodalScorer.File);
            var (shape, values) = OnnxInitializerFile.Read(unimodalPath, (UnimodalOnnxExporter.ItemTableName, TensorProto.Types.DataType.Float))[UnimodalOnnxExporter.ItemTableName];
            var items = new EmbeddingMatrix(shape[0], shape[1], (float[])values);
            ItemClustering? clustering = null;
            if (manifest.InterestWeight > 0)
            {
                string path = Path.Combine(directory, InterestsFileName);
                if (!OnnxVerifiedOpening.Exists(path)) throw new FileNotFoundException($"The MMR directory '{directory}' has an interest weight but no '{InterestsFileName}'.", path);
                interests = OnnxVerifiedOpening.CreateSession(sessions ?? new OnnxSessionFactory(), path);
                var table = (long[])OnnxInitializerFile.Read(path, (ItemClusterTableName, TensorProto.Types.DataType.Int64))[ItemClusterTableName].Values;
                clustering = ItemClustering.Create([.. table.Select(c => checked((int)c))], manifest.Clusters, items);
            }
            return new OnnxMmrScorer(manifest, pool, interests, clustering, items, UserAbsence.Read(directory, manifest, pool.UserTable));
        }
        catch
        {
            interests?.Dispose();
            pool.Dispose();
            throw;
        }
    }

    /// <summary>The MMR lists of <paramref name="users"/> (user rows), M = <see cref="OnnxServingManifest.Candidates"/> each.</summary>
    /// <param name="users">User rows, 0 to <see cref="OnnxServingManifest.Users"/> - 1.</param>
    /// <param name="exclusions">Items never to return per user row (typically the training history); needs a directory exported with the exclusion mask. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists Retrieve(IReadOnlyList<int> users, BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(users);
        UserAbsence.Refuse(_absentUsers, users);   // as the pool does (it reads this directory's id file), before the interests run
        var pool = _pool.RetrieveUnimodal(users, exclusions, excludeItems);
        InterestProportionality? term = null;
        if (_interests != null)
        {
            // In calls of InterestsBatchSize() users (the pool's ran in its own, capped the same way).
            int m = Manifest.Components;
            var mixtures = new MixtureTable(users.Count, m, 0);
            int width = Math.Min(InterestsBatchSize(), Math.Max(1, users.Count));
            if (users.Count > 0) OnnxBatchBudget.RecordLargest(ref _largestBatchRun, width);
            var rows = new long[width];
            using var options = new RunOptions();
            for (int start = 0; start < users.Count; start += width)
            {
                int batch = Math.Min(width, users.Count - start);
                for (int q = 0; q < batch; q++) rows[q] = users[start + q];
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rows.AsMemory(0, batch), [batch]);
                using var found = _interests.Run(options, [MixtureOnnxExporter.UserRowsInput], [input], [MixtureOnnxExporter.MixtureClustersName, MixtureOnnxExporter.MixtureWeightsName]);
                var clusters = found[0].GetTensorDataAsSpan<long>();
                var weights = found[1].GetTensorDataAsSpan<double>();
                for (int q = 0; q < batch; q++)
                {
                    int n = 0;
                    while (n < m && clusters[q * m + n] >= 0) n++;
                    mixtures.SetCount(start + q, n);
                    for (int j = 0; j < n; j++)
                    {
                        mixtures.WritableClusters(start + q)[j] = checked((int)clusters[q * m + j]);
                        mixtures.WritableWeights(start + q)[j] = weights[q * m + j];
                    }
                }
            }
            term = new InterestProportionality(mixtures, [.. Enumerable.Range(0, users.Count)], _clustering!, Manifest.InterestWeight);
        }
        return _mmr.Rerank(pool, Manifest.Candidates, Manifest.MmrLambda, Manifest.PoolSize, term, threads: 1);
    }

    /// <summary>
    /// The MMR lists of users known by their history only, as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> gives a new user
    /// with that history: the pool is the unimodal top N of the history's vector (its fold-in, the divide-and-conquer encoder's
    /// query where the pool holds the history encoder, or its mean item vector) (<see cref="OnnxCandidateScorer.RetrieveUnimodalFromHistories"/>), the PM-2 term's mixture the history's own
    /// (<see cref="MixtureBuilder.BuildMle"/> over the exported clusters, computed in .NET as the recommender does), the
    /// re-ranking the engine's. An empty history gets an empty list (the recommender gives such a user the popular items).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1 (the rows of the item id file).</param>
    /// <param name="excludeHistory">True (the default) to never return a history's own items; needs a directory exported with the exclusion mask.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="NotSupportedException">The pool was exported before it held the vector scorer (export it again).</exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        var pool = _pool.RetrieveUnimodalFromHistories(histories, excludeHistory, excludeItems);
        var entries = Enumerable.Range(0, histories.Count).ToArray();
        InterestProportionality? term = null;
        if (_interests != null)
        {
            var graph = OnnxScorerParts.HistoryGraph(OnnxScorerParts.HistorySets(histories, _pool.Manifest), _items.Rows);
            var mixtures = MixtureBuilder.BuildMle(graph, _clustering!, _items, Manifest.Components, threads: 1);
            term = new InterestProportionality(mixtures, entries, _clustering!, Manifest.InterestWeight);
        }
        return _mmr.Rerank(pool, Manifest.Candidates, Manifest.MmrLambda, Manifest.PoolSize, term, threads: 1);
    }

    /// <summary>Whether the directory serves users known by a fresh history only (<see cref="RetrieveFromHistories"/>): its pool holds the vector scorer.</summary>
    public bool ServesHistories => _pool.Manifest.VectorScorer != null;

    /// <summary>The item rows that hold no item (<see cref="ItemAbsence"/>), ascending: never listed, dropped from a history.</summary>
    internal int[] AbsentItems => _pool.AbsentItems;

    /// <summary>Releases the sessions.</summary>
    public void Dispose()
    {
        if (!_calls.Close()) return; // after the running calls: their sessions stay open until they end
        _interests?.Dispose();
        _pool.Dispose();
    }
}
