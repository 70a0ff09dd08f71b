using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.HistoryMmrGraphs;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves history-interest MMR from a directory written by <see cref="OnnxServingDirectory.ExportHistoryMmr"/> (or
/// <see cref="MultiInterestModel.ExportOnnx"/> of a history-interest MMR model): ONNX Runtime ranks the catalogue once per vector
/// of each user (its own and its history interests', the encoder's tables; its own alone for a Unimodal pool); each vector's top N is proved equal to the engine's
/// search from those candidates (<see cref="OnnxCandidateProof"/>, the catalogue scanned with the engine where it cannot be),
/// and the engine merges the lists into the pool and re-ranks it (<see cref="HistoryInterestRetriever"/>). The lists are
/// <see cref="HistoryInterestRetriever.Retrieve"/>'s with the same pool search (exact, Unimodal or clustered: a clustered pool's
/// list mask is picked per user with the engine's index, rebuilt from the directory), bit for bit. Trained users by row; users known by a
/// fresh history only by <see cref="RetrieveFromHistories"/> (its fold-in computed in .NET). Thread-safe; dispose to release the sessions.
/// </summary>
public sealed class OnnxHistoryMmrScorer : IDisposable
{
    private readonly InferenceSession _encoder;
    private readonly InferenceSession _poolScorer;
    private readonly EmbeddingMatrix _users;
    // The user rows the directory's user id file leaves out (keys without training edges), which a call may not name.
    private readonly int[] _absentUsers;
    private readonly EmbeddingMatrix _items;
    private readonly HistoryInterestRetriever _retriever;
    private readonly UnimodalRetriever _catalogue;
    private readonly double _itemNormBound;
    private readonly Lazy<HistoryInterestBuilder?> _freshBuilder;
    private readonly bool _interestsRanked;
    private readonly string[] _candidateOutputs;
    // A clustered pool's inverted lists, rebuilt from the directory: they pick each user's list mask and search what ONNX
    // Runtime's candidates cannot prove; null for an exact or Unimodal pool.
    private readonly HistoryPoolIndex? _lists;
    private long _proved;
    private long _rescanned;
    private readonly InFlightCalls _calls = new();

    private OnnxHistoryMmrScorer(OnnxServingManifest manifest, int batchSize, InferenceSession encoder, InferenceSession poolScorer, EmbeddingMatrix users, EmbeddingMatrix items,
        HistoryPoolIndex? lists, int[] absentUsers)
    {
        _absentUsers = absentUsers;
        _lists = lists;
        Manifest = manifest;
        BatchSize = batchSize;
        _encoder = encoder;
        _poolScorer = poolScorer;
        _users = users;
        _items = items;
        _retriever = new HistoryInterestRetriever(items);
        _catalogue = new UnimodalRetriever(items);
        // The fold-in of fresh histories, built on first use (its item side is an eigendecomposition of YᵀY).
        _freshBuilder = new Lazy<HistoryInterestBuilder?>(() => manifest.HistoryOptions is { } o ? new HistoryInterestBuilder(items, o, threads: 0) : null);
        _itemNormBound = OnnxRerankTables.LargestNorm(items);
        Candidates = Math.Min(manifest.PoolSize + manifest.CandidateSlack, manifest.Items);
        // A Unimodal pool's graph is the vector scorer, ranking with the user's vector alone ([batch, k] candidates); a
        // directory written before it ranks with every vector and takes the interests, so the inputs say which one this is.
        _interestsRanked = manifest.PoolScorer!.Inputs.Contains(InterestEmbeddingsName);
        _candidateOutputs = _interestsRanked ? [CandidateRowsOutput, CandidateScoresOutput]
            : [UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput];
    }

    /// <summary>The manifest of the opened directory (M, N, lambda, nu, sizes, names).</summary>
    public OnnxServingManifest Manifest { get; }

    /// <summary>
    /// Users per ONNX Runtime call at most: a call serves fewer where their tensors would pass 64 MiB (the pool scorer's
    /// batch x (K + 1) x I scores, batch x I for a Unimodal pool, and the masks' batch x I; docs/onnx.md, "Memory per call").
    /// The lists do not depend on it.
    /// </summary>
    public int BatchSize { get; }

    /// <summary>The budget of a call's per-user tensors: <see cref="OnnxServingDefaults.BatchBudgetBytes"/> (tests lower it to see the cap on a small directory).</summary>
    internal long BatchBudgetBytes { get; set; } = OnnxServingDefaults.BatchBudgetBytes;

    private int _largestBatchRun;

    /// <summary>The most users (or histories) any call of this scorer has served so far (tests read that the cap holds).</summary>
    internal int LargestBatchRun => Volatile.Read(ref _largestBatchRun);

    /// <summary>
    /// Users per call: <see cref="BatchSize"/>, or fewer where the pool scorer's scores (batch x vectors x I floats: the user's
    /// own and K interests', or the own alone for a Unimodal pool) and, as inputs, the exclusion mask and a clustered pool's
    /// list mask gathered to the items (batch x I floats each) would pass the budget. The lists do not depend on it.
    /// </summary>
    internal int CallBatchSize() =>
        CallBatchSize(BatchSize, _interestsRanked ? Queries(Manifest.Components) : 1, Manifest.Items, Manifest.ExclusionMask, _lists != null, BatchBudgetBytes);

    /// <summary><see cref="CallBatchSize()"/> for a batch size, the vectors ranked per user, I, and which masks the pool scorer takes: 1 to <paramref name="batchSize"/>.</summary>
    internal static int CallBatchSize(int batchSize, int rankedVectors, int items, bool exclusionMask, bool listed, long budget = OnnxServingDefaults.BatchBudgetBytes) =>
        OnnxBatchBudget.Users(batchSize, (long)Math.Max(1, items) * sizeof(float) * (Math.Max(1, rankedVectors) + (exclusionMask ? 1 : 0) + (listed ? 1 : 0)), budget);

    /// <summary>Vector rankings (a user's own or an interest's top N) read off ONNX Runtime's candidates so far.</summary>
    public long ProvedFromCandidates => Interlocked.Read(ref _proved);

    /// <summary>Vector rankings the candidates could not settle, searched with the engine instead (so far).</summary>
    public long Rescanned => Interlocked.Read(ref _rescanned);

    /// <summary>Candidates per vector in the pool scorer's outputs.</summary>
    private int Candidates { get; }

    /// <summary>Opens the history-interest MMR directory <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="OnnxServingDirectory.ExportHistoryMmr"/> or <see cref="MultiInterestModel.ExportOnnx"/>.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">Users per call at most, at least 1 (the pool scorer holds batch x (K + 1) x items scores; a call serves fewer where they would pass 64 MiB).</param>
    /// <exception cref="NotSupportedException">The directory holds another export (cluster quotas, round robin).</exception>
    /// <returns>The opened scorer; dispose it to release its ONNX Runtime sessions.</returns>
    public static OnnxHistoryMmrScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = OnnxCandidateScorer.DefaultBatchSize)
    {
        // Before the directory is read, so that a wrong batch size is not reported as the directory's fault.
        OnnxCandidateScorer.RequireBatchSize(batchSize);
        return OnnxDirectoryOpening.Consistent(directory, () => OpenUnchecked(directory, sessions, batchSize), sessions);
    }

    private static OnnxHistoryMmrScorer OpenUnchecked(string directory, OnnxSessionFactory? sessions, int batchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = OnnxVerifiedOpening.Manifest(directory);
        var pool = manifest.Retrieval == OnnxServingManifest.HistoryMmrRetrieval ? manifest.PoolScorer! : throw new NotSupportedException(
            $"The serving directory '{directory}' holds a {manifest.Retrieval ?? OnnxServingManifest.ClusterQuotaRetrieval} export, not history-interest MMR: open it with "
            + (manifest.RoundRobinScorer != null ? "OnnxRoundRobinScorer." : "OnnxCandidateScorer."));
        var opened = OnnxScorerParts.OpenSessions(directory, sessions, manifest.Encoder, pool);
        try
        {
            var f = Proto.TensorProto.Types.DataType.Float;
            string encoderPath = Path.Combine(directory, manifest.Encoder.File), poolPath = Path.Combine(directory, pool.File);
            var users = Table(OnnxInitializerFile.Read(encoderPath, (UserTableName, f))[UserTableName], encoderPath, manifest.Users, manifest.Dimension);
            var items = Table(OnnxInitializerFile.Read(poolPath, (ItemTableName, f))[ItemTableName], poolPath, manifest.Items, manifest.Dimension);
            return new OnnxHistoryMmrScorer(manifest, batchSize, opened[0], opened[1], users, items, manifest.PoolLists == null ? null : ReadLists(directory, manifest, items),
                UserAbsence.Read(directory, manifest, users));
        }
        catch
        {
            foreach (var session in opened) session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The history-interest MMR lists of <paramref name="users"/>, M = <see cref="OnnxServingManifest.Candidates"/> each, as
    /// <see cref="HistoryInterestRetriever.Retrieve"/> returns them with the exported interests, N, lambda and nu
    /// (<see cref="MultiInterestModel.RetrieveWithEngine"/> for a saved model).
    /// </summary>
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
        OnnxScorerParts.CheckCall(Manifest, users, exclusions, "pool scorer graphs", _absentUsers);
        // The users' own exclusions pick a clustered pool's history lists; the excluded items are left out only, as in the recommender.
        var own = exclusions;
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, users, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        int k = Manifest.Components, d = Manifest.Dimension;
        using var options = new RunOptions();
        return Serve(users, exclusions, own, (start, batch) =>
        {
            var rows = new long[batch];
            for (int q = 0; q < batch; q++) rows[q] = users[start + q];
            using var rowValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rows.AsMemory(), [batch]);
            using var encoded = _encoder.Run(options, [UserRowsInput], [rowValue], [UserEmbeddingName, InterestEmbeddingsName, InterestWeightsName, InterestCountsName]);
            return (new EmbeddingMatrix(batch, d, encoded[0].GetTensorDataAsSpan<float>().ToArray()),
                HistoryInterests.FromTables(k, d, encoded[3].GetTensorDataAsSpan<long>(), encoded[1].GetTensorDataAsSpan<float>(), encoded[2].GetTensorDataAsSpan<double>()));
        });
    }

    /// <summary>
    /// The history-interest MMR lists of users known by their history only: each history's interests and, as the user's own
    /// vector, the fold-in of the whole history, computed in .NET with the fold-in the model serves fresh histories with
    /// (<see cref="OnnxServingManifest.HistoryOptions"/>), then the pool scorer, the proofs, the merge and MMR as for trained
    /// users. These are the lists <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> gives a new user with that history, bit for
    /// bit. Each history is read as a set (duplicates once, order irrelevant), as there. An empty history gets an empty list
    /// (the recommender gives such a user the popular items).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1 (the rows of the item id file).</param>
    /// <param name="excludeHistory">True (the default) to never return a history's own items; needs a directory exported with the exclusion mask.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="InvalidOperationException">The directory was exported without the fold-in's settings.</exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(histories);
        var builder = _freshBuilder.Value ?? throw new InvalidOperationException(
            "The serving directory has no fold-in settings for fresh histories (manifest 'history_options'): export it again with this library version.");
        if (excludeHistory && !Manifest.ExclusionMask)
            throw new ArgumentException("The pool scorer was exported without the exclusion mask input, so it cannot exclude the histories' items; "
                + "export with exclusionMask: true, or pass excludeHistory: false.", nameof(excludeHistory));
        var sets = OnnxScorerParts.HistorySets(histories, Manifest);
        var exclusions = OnnxScorerParts.HistoryExclusions(sets, excludeHistory, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        // The histories' own items (not the excluded ones) pick a clustered pool's history lists, as in the recommender.
        var own = excludeHistory ? OnnxScorerParts.HistoryGraph(sets, Manifest.Items) : null;
        int d = Manifest.Dimension;
        var lists = Serve([.. Enumerable.Range(0, sets.Length)], exclusions, own, (start, batch) =>
        {
            var vectors = new EmbeddingMatrix(batch, d);
            for (int q = 0; q < batch; q++) builder.FoldInAll(sets[start + q]).CopyTo(vectors.Row(q));
            var rows = sets.Skip(start).Take(batch).ToArray();
            var part = OnnxScorerParts.HistoryGraph(rows, Manifest.Items);
            return (vectors, builder.Build(part, [.. Enumerable.Range(0, batch)], threads: 1));
        });
        // An empty history has no interests and a zero fold-in, whose scores (all 0) would rank the catalogue in row order.
        for (int q = 0; q < sets.Length; q++)
            if (sets[q].Length == 0) lists.Counts[q] = 0;
        return lists;
    }

    /// <summary>
    /// The lists of <paramref name="owners"/> (rows of <paramref name="exclusions"/>), batch by batch: <paramref name="batchOf"/>
    /// gives a batch's vectors and interests, ONNX Runtime ranks the catalogue per vector, the engine proves, merges and re-ranks.
    /// </summary>
    // ownItems: the rows' own items (training history, a fresh history), which pick a clustered pool's history lists; the
    // items a call excludes beside them (excludeItems) are in exclusions only.
    private RankedLists Serve(IReadOnlyList<int> owners, BipartiteGraph? exclusions, BipartiteGraph? ownItems,
        Func<int, int, (EmbeddingMatrix Vectors, HistoryInterests Interests)> batchOf)
    {
        int m = Manifest.Candidates, n = Manifest.PoolSize, k = Manifest.Components, d = Manifest.Dimension, items = Manifest.Items;
        // The engine's search reads the exclusions' lists without a graph of its own: an empty one says "none".
        var historyLists = ownItems ?? (exclusions == null ? null : BipartiteGraph.FromEdges(exclusions.UserCount, items, [], []));
        var result = new RankedLists(owners.Count, m);
        int width = Math.Min(CallBatchSize(), Math.Max(1, owners.Count));
        if (owners.Count > 0) OnnxBatchBudget.RecordLargest(ref _largestBatchRun, width);
        var batchOwners = new int[width];
        var mask = Manifest.ExclusionMask ? new float[checked(width * items)] : null;
        // The vectors per user the pool scorer ranks: the user's own and K interests, or the user's own alone.
        int rankedPerUser = _interestsRanked ? k + 1 : 1;
        var interestTable = _interestsRanked ? new float[checked(width * k * d)] : [];
        var queryMask = _interestsRanked ? new float[width * (k + 1)] : [];
        int listCount = _lists?.Lists ?? 0;
        var listMask = new float[width * listCount];
        var searched = new bool[listCount];
        var searchRows = new EmbeddingMatrix(k + 1, d);
        var listScratch = _lists?.CreateScratch();
        var proof = new OnnxCandidateProof(Candidates);
        var proved = new int[Math.Max(Candidates, n)];
        var provedScores = new float[proved.Length];
        long provedCount = 0, rescanned = 0;
        using var options = new RunOptions();
        for (int start = 0; start < owners.Count; start += width)
        {
            int batch = Math.Min(width, owners.Count - start);
            for (int q = 0; q < batch; q++) batchOwners[q] = owners[start + q];
            var (batchVectors, interests) = batchOf(start, batch);
            if (interests.MaxInterests > k)
                throw new InvalidOperationException($"A history has up to {interests.MaxInterests} interests; the pool scorer takes {k}.");
            using var userValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batchVectors.Values.AsMemory(0, batch * d), [batch, d]);
            var names = new List<string> { UserEmbeddingName };
            var values = new List<OrtValue> { userValue };
            OrtValue? interestValue = null, queryMaskValue = null, maskValue = null;
            if (_interestsRanked)
            {
                // The pool scorer's inputs: the vectors, the interests padded to K, and the mask of the vectors in use.
                Array.Clear(interestTable);
                for (int q = 0; q < batch; q++)
                {
                    interests.Vectors(q).CopyTo(interestTable.AsSpan(q * k * d));
                    var row = queryMask.AsSpan(q * (k + 1), k + 1);
                    row.Clear();
                    row[(1 + interests.InterestCount(q))..].Fill(float.NegativeInfinity);
                }
                interestValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, interestTable.AsMemory(0, batch * k * d), [batch, k, d]);
                queryMaskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, queryMask.AsMemory(0, batch * (k + 1)), [batch, k + 1]);
                names.AddRange([InterestEmbeddingsName, QueryMaskName]);
                values.AddRange([interestValue, queryMaskValue]);
            }
            OrtValue? listMaskValue = null;
            if (_lists != null)
            {
                // The lists each user's vectors search, as the engine's clustered search picks them; the others' items are masked.
                bool lead = Manifest.PoolUserProbes > 0;
                for (int q = 0; q < batch; q++)
                {
                    int rows = SearchRows(batchVectors, interests, q, searchRows);
                    var history = historyLists == null ? default : historyLists.ItemsOf(batchOwners[q]);
                    _lists.MarkSearchedLists(searchRows, 0, rows, lead, history, searched, listScratch!);
                    var row = listMask.AsSpan(q * listCount, listCount);
                    for (int l = 0; l < listCount; l++) row[l] = searched[l] ? 0f : float.NegativeInfinity;
                }
                listMaskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, listMask.AsMemory(0, batch * listCount), [batch, listCount]);
                names.Add(ListMaskInput);
                values.Add(listMaskValue);
            }
            if (mask != null)
            {
                var span = mask.AsSpan(0, batch * items);
                if (exclusions == null) span.Clear();
                else OnnxExclusionMask.Fill(exclusions, batchOwners.AsSpan(0, batch), span);
                maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, batch * items), [batch, items]);
                names.Add(ExclusionMaskInput);
                values.Add(maskValue);
            }
            using (interestValue)
            using (queryMaskValue)
            using (maskValue)
            using (listMaskValue)
            using (var found = _poolScorer.Run(options, names, values, _candidateOutputs))
            {
                var candidateRows = found[0].GetTensorDataAsSpan<long>();
                var candidateScores = found[1].GetTensorDataAsSpan<float>();
                int interestTotal = 0;
                for (int q = 0; q < batch; q++) interestTotal += interests.InterestCount(q);
                var own = new RankedLists(batch, n);
                var interestLists = new RankedLists(interestTotal, n);
                for (int q = 0, list = 0; q < batch; q++)
                {
                    // A Unimodal pool merges the user's own list only: every interest's list stays empty, as in the engine.
                    int interestVectors = Manifest.UnimodalPool ? 0 : interests.InterestCount(q);
                    for (int v = 0; v <= interestVectors; v++)
                    {
                        // Vector 0 is the user's own, then its interests in order.
                        var query = v == 0 ? batchVectors.ReadRow(q) : interests.Vectors(q).Slice((v - 1) * d, d);
                        int slot = (q * rankedPerUser + v) * Candidates;
                        var target = v == 0 ? own : interestLists;
                        int entry = v == 0 ? q : list++;
                        // A clustered pool's vector ranks the lists its user searches (the interests; the user's own when it probes too).
                        int searchRow = _lists == null || (v == 0 && Manifest.PoolUserProbes == 0) ? -1 : Manifest.PoolUserProbes > 0 ? v : v - 1;
                        int count = VectorRanking(query, batchOwners[q], candidateRows.Slice(slot, Candidates), candidateScores.Slice(slot, Candidates), exclusions, n,
                            proof, proved, provedScores, ref provedCount, ref rescanned, (batchVectors, interests, q, searchRow), historyLists);
                        proved.AsSpan(0, count).CopyTo(target.IndexSlots(entry));
                        provedScores.AsSpan(0, count).CopyTo(target.ScoreSlots(entry));
                        target.Counts[entry] = count;
                    }
                }
                var (pool, term) = _retriever.MergePool(batchVectors, interests, own, interestLists, n, Manifest.InterestWeight, threads: 1);
                var lists = _retriever.Rerank(pool, term, m, Manifest.MmrLambda, n, threads: 1);
                for (int q = 0; q < batch; q++)
                {
                    lists.IndicesOf(q).CopyTo(result.IndexSlots(start + q));
                    lists.ScoresOf(q).CopyTo(result.ScoreSlots(start + q));
                    result.Counts[start + q] = lists.Counts[q];
                }
            }
        }
        Interlocked.Add(ref _proved, provedCount);
        Interlocked.Add(ref _rescanned, rescanned);
        return result;
    }

    /// <summary>One vector's top N as the engine's search ranks it (over the catalogue, or a clustered pool's lists): proved from ONNX Runtime's candidates, else searched.</summary>
    // listed: the batch's vectors and interests, the user's place in them and the vector's row among its clustered search's
    // rows (-1 for a vector that ranks the whole catalogue).
    private int VectorRanking(ReadOnlySpan<float> query, int user, ReadOnlySpan<long> rows, ReadOnlySpan<float> onnxScores, BipartiteGraph? exclusions, int n,
        OnnxCandidateProof proof, int[] outItems, float[] outScores, ref long provedCount, ref long rescanned,
        (EmbeddingMatrix Vectors, HistoryInterests Interests, int Q, int SearchRow) listed, BipartiteGraph? historyLists)
    {
        int finite = OnnxRerank.Finite(onnxScores);
        bool allListed = finite < rows.Length || rows.Length >= _items.Rows;
        int need = Math.Min(n, finite);
        int got = proof.Prove(query, _items, kernel: true, rows, onnxScores, finite, allListed, OnnxRerank.ErrorBound(query, _itemNormBound), need, outItems, outScores);
        if (got >= 0)
        {
            provedCount++;
            return Math.Min(got, n);
        }
        rescanned++;
        if (listed.SearchRow >= 0)
        {
            // The engine's clustered search of the user's rows (the same lists, probed the same way); this vector's list.
            var userRows = new EmbeddingMatrix(Manifest.Components + 1, Manifest.Dimension);
            int count = SearchRows(listed.Vectors, listed.Interests, listed.Q, userRows);
            var searched = _lists!.Search(userRows, [0, count], [user], exclusions, n, threads: 1, userLead: Manifest.PoolUserProbes > 0, historyLists: historyLists);
            searched.IndicesOf(listed.SearchRow).CopyTo(outItems);
            searched.ScoresOf(listed.SearchRow).CopyTo(outScores);
            return searched.Counts[listed.SearchRow];
        }
        var list = _catalogue.RetrieveQueries(new EmbeddingMatrix(1, query.Length, query.ToArray()), [user], exclusions, n, threads: 1);
        list.IndicesOf(0).CopyTo(outItems);
        list.ScoresOf(0).CopyTo(outScores);
        return list.Counts[0];
    }

    /// <summary>A clustered pool's index, from the list scorer's centroids and the pool scorer's item-to-list table.</summary>
    private static HistoryPoolIndex ReadLists(string directory, OnnxServingManifest manifest, EmbeddingMatrix items)
    {
        string listsPath = Path.Combine(directory, manifest.PoolLists!.File), poolPath = Path.Combine(directory, manifest.PoolScorer!.File);
        var centroids = Table(OnnxInitializerFile.Read(listsPath, (ListCentroidsName, Proto.TensorProto.Types.DataType.Float))[ListCentroidsName], listsPath,
            manifest.PoolListCount, manifest.Dimension);
        var (shape, values) = OnnxInitializerFile.Read(poolPath, (ItemListsName, Proto.TensorProto.Types.DataType.Int64))[ItemListsName];
        var listOf = (long[])values;
        if (shape.Length != 1 || shape[0] != manifest.Items || listOf.Any(l => l < 0 || l >= manifest.PoolListCount))
            throw new InvalidDataException($"The item-to-list table of '{poolPath}' has shape [{string.Join(", ", shape)}] or lists outside 0..{manifest.PoolListCount - 1}; "
                + $"the manifest says {manifest.Items} items in {manifest.PoolListCount} lists.");
        return new HistoryPoolIndex(items, centroids, [.. listOf.Select(l => (int)l)], manifest.PoolProbes, manifest.PoolUserProbes, manifest.PoolHistoryLists);
    }

    /// <summary>
    /// User <paramref name="q"/>'s rows as the clustered search reads them, the first of the returned count in
    /// <paramref name="rows"/> (K + 1 rows): its own vector first when it probes the lists
    /// (<see cref="OnnxServingManifest.PoolUserProbes"/>), then its interests.
    /// </summary>
    private int SearchRows(EmbeddingMatrix vectors, HistoryInterests interests, int q, EmbeddingMatrix rows)
    {
        int d = Manifest.Dimension, lead = Manifest.PoolUserProbes > 0 ? 1 : 0, count = interests.InterestCount(q);
        if (lead == 1) vectors.ReadRow(q).CopyTo(rows.Row(0));
        interests.Vectors(q).CopyTo(rows.Values.AsSpan(lead * d, count * d));
        return lead + count;
    }

    private static EmbeddingMatrix Table((int[] Shape, Array Values) tensor, string path, int rows, int dimension)
    {
        if (tensor.Shape.Length != 2 || tensor.Shape[0] != rows || tensor.Shape[1] != dimension)
            throw new InvalidDataException($"A table of '{path}' has shape [{string.Join(", ", tensor.Shape)}], not [{rows}, {dimension}] as the manifest says.");
        return new EmbeddingMatrix(rows, dimension, (float[])tensor.Values);
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        if (!_calls.Close()) return; // after the running calls: their sessions stay open until they end
        _encoder.Dispose();
        _poolScorer.Dispose();
    }
}
