using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves round-robin lists from a directory written by <see cref="OnnxServingDirectory.ExportRoundRobin"/> (or
/// <see cref="MultiInterestModel.ExportOnnx"/> of a round-robin model): trained users by row through the encoder, and, when the
/// directory has the DCM history encoder (<see cref="OnnxServingManifest.HistoryEncoder"/>), users known by their history only.
/// The lists are the engine's, bit for bit (<see cref="RoundRobinRetriever"/>; for a history,
/// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/>'s), near-ties included: the round-robin scorer finds each interest's nearest
/// item components and a few more, which are re-scored with the engine's arithmetic on the scorer's own item table; the
/// prefix a rounding bound proves is the engine's list, and a component whose K × C_d it does not prove is searched with
/// the engine itself (<see cref="Rescanned"/>); the lists are then merged as <see cref="RoundRobinRetriever"/> merges them
/// (docs/onnx.md). A history's interests are computed in .NET by the engine's soft k-means from the settings stored in the
/// history encoder, not by running that graph, whose float sums differ from the engine's. Sessions come from an
/// <see cref="OnnxSessionFactory"/>. Thread-safe; dispose to release the sessions.
/// </summary>
public sealed class OnnxRoundRobinScorer : IDisposable
{
    private static readonly string[] EncodedNames = [MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName];

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _scorer;
    private readonly OnnxRoundRobinTables _tables;
    // The user rows the directory's user id file leaves out (keys without training edges), which a call may not name.
    private readonly int[] _absentUsers;
    // Each item's single vector (the mean of its C_d components, as the GraphEmbedding stage computes it), for a fresh history's mean.
    private readonly Lazy<EmbeddingMatrix> _itemVectors;
    private long _proved;
    private long _rescanned;
    private readonly InFlightCalls _calls = new();

    private OnnxRoundRobinScorer(OnnxServingManifest manifest, int batchSize, InferenceSession encoder, InferenceSession scorer, OnnxRoundRobinTables tables,
        int[] absentUsers)
    {
        _absentUsers = absentUsers;
        Manifest = manifest;
        BatchSize = batchSize;
        _encoder = encoder;
        _scorer = scorer;
        _tables = tables;
        _itemVectors = new Lazy<EmbeddingMatrix>(() => MixtureEmbeddingTrainer.Mean(tables.ItemComponents, manifest.DestinationComponents));
        // As the scorer was exported (the manifest's slack), not as this version would export it.
        Fetched = RoundRobinOnnxExporter.FetchCount(manifest.Candidates, manifest.DestinationComponents, manifest.Items * manifest.DestinationComponents, manifest.CandidateSlack);
    }

    /// <summary>The manifest of the opened directory (K, sizes, names).</summary>
    public OnnxServingManifest Manifest { get; }

    /// <summary>
    /// Users (or histories) per ONNX Runtime call at most: a call serves fewer where their tensors would pass 64 MiB (the
    /// scorer's batch x m x I x C_d scores, and with the mask its batch x I floats and their batch x I x C_d gather;
    /// docs/onnx.md, "Memory per call"). The lists do not depend on it.
    /// </summary>
    public int BatchSize { get; }

    /// <summary>The budget of a call's per-user tensors: <see cref="OnnxServingDefaults.BatchBudgetBytes"/> (tests lower it to see the cap on a small directory).</summary>
    internal long BatchBudgetBytes { get; set; } = OnnxServingDefaults.BatchBudgetBytes;

    private int _largestBatchRun;

    /// <summary>The most users (or histories) any call of this scorer has served so far (tests read that the cap holds).</summary>
    internal int LargestBatchRun => Volatile.Read(ref _largestBatchRun);

    /// <summary>
    /// Users per call: <see cref="BatchSize"/>, or fewer where the scorer's scores (batch x m x I x C_d floats) and, with the
    /// exclusion mask, the mask (batch x I floats) and its gather to the item components (batch x I x C_d floats) would pass
    /// the budget. The lists do not depend on it.
    /// </summary>
    internal int CallBatchSize() =>
        CallBatchSize(BatchSize, Manifest.Components, Manifest.Items, Manifest.DestinationComponents, Manifest.ExclusionMask, BatchBudgetBytes);

    /// <summary><see cref="CallBatchSize()"/> for a batch size, m, I, C_d and whether the scorer takes the mask: 1 to <paramref name="batchSize"/>.</summary>
    internal static int CallBatchSize(int batchSize, int components, int items, int destinationComponents, bool exclusionMask,
        long budget = OnnxServingDefaults.BatchBudgetBytes)
    {
        long rows = (long)Math.Max(1, items) * Math.Max(1, destinationComponents);
        long floats = Math.Max(1, components) * rows + (exclusionMask ? Math.Max(1, items) + rows : 0);
        return OnnxBatchBudget.Users(batchSize, floats * sizeof(float), budget);
    }

    /// <summary>The users of a call of <paramref name="count"/> users (or histories): <see cref="CallBatchSize()"/>, recorded for <see cref="LargestBatchRun"/>.</summary>
    private int CallWidth(int count)
    {
        int width = Math.Min(CallBatchSize(), Math.Max(1, count));
        if (count > 0) OnnxBatchBudget.RecordLargest(ref _largestBatchRun, width);
        return width;
    }

    /// <summary>Whether the directory has the DCM history encoder (a differentiable-clustering model's interests of a fresh history).</summary>
    public bool HasHistoryEncoder => _tables.Dcm != null;

    /// <summary>
    /// Whether <see cref="RetrieveFromHistories"/> serves this directory: it has the DCM history encoder, or (mixture embeddings,
    /// kNN-Embed) gives a fresh history one component, its items' mean vector (<see cref="OnnxServingManifest.HistoryMean"/>).
    /// </summary>
    public bool ServesHistories => HasHistoryEncoder || Manifest.HistoryMean;

    /// <summary>The items that are none (<see cref="ItemAbsence"/>), ascending: never listed, dropped from a history.</summary>
    internal int[] AbsentItems => _tables.AbsentItems;

    /// <summary>Component lists (an interest's nearest K × C_d item components) read off ONNX Runtime's candidates so far, all calls together.</summary>
    public long ProvedFromCandidates => Interlocked.Read(ref _proved);

    /// <summary>
    /// Component lists the candidates could not settle, fetched by the engine's own search (so far, all calls together): where
    /// the exact score at the list's end is not clear of what the candidates leave out (ties and near-ties at the cut, as
    /// duplicated items make), or a chain of near-ties makes the engine's order depend on its offer order; every list of a
    /// directory exported without candidate slack.
    /// </summary>
    public long Rescanned => Interlocked.Read(ref _rescanned);

    /// <summary>F, the scorer's candidates per component.</summary>
    private int Fetched { get; }

    /// <summary>Opens the round-robin serving directory <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="OnnxServingDirectory.ExportRoundRobin"/> or <see cref="MultiInterestModel.ExportOnnx"/>.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">Users per call at most, at least 1 (the mask is batch x items floats, the scorer's scores batch x m x items x C_d; a call serves fewer where they would pass 64 MiB).</param>
    /// <exception cref="NotSupportedException">The directory holds a cluster-quota export (open it with <see cref="OnnxCandidateScorer"/>).</exception>
    /// <exception cref="InvalidDataException">A model lacks a name or table the manifest lists, or the history encoder's seeds are not the scorer's m interests of dimension d.</exception>
    /// <returns>The opened scorer; dispose it to release its ONNX Runtime sessions.</returns>
    public static OnnxRoundRobinScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = OnnxCandidateScorer.DefaultBatchSize)
    {
        // Before the directory is read, so that a wrong batch size is not reported as the directory's fault.
        OnnxCandidateScorer.RequireBatchSize(batchSize);
        return OnnxDirectoryOpening.Consistent(directory, () => OpenUnchecked(directory, sessions, batchSize), sessions);
    }

    private static OnnxRoundRobinScorer OpenUnchecked(string directory, OnnxSessionFactory? sessions, int batchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = OnnxVerifiedOpening.Manifest(directory);
        var roundRobin = manifest.RoundRobinScorer ?? throw new NotSupportedException(
            $"The serving directory '{directory}' holds a cluster-quota export (no round-robin scorer in its manifest): open it with OnnxCandidateScorer.");
        if (manifest.DestinationComponents < 1)
            throw new InvalidDataException($"The ONNX serving manifest of '{directory}' gives {manifest.DestinationComponents} components per item; a round-robin scorer has at least 1.");
        var opened = OnnxScorerParts.OpenSessions(directory, sessions, manifest.Encoder, roundRobin);
        try
        {
            return new OnnxRoundRobinScorer(manifest, batchSize, opened[0], opened[1], OnnxRoundRobinTables.Read(directory, manifest),
                // The encoder's user table, read only if the id file leaves rows out: a file cut at a line end leaves out users with vectors.
                UserAbsence.Read(directory, manifest, () => OnnxRoundRobinTables.ReadUsers(directory, manifest)));
        }
        catch
        {
            foreach (var session in opened) session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The round-robin lists of trained <paramref name="users"/> (their exported components), K = <see cref="OnnxServingManifest.Candidates"/> each,
    /// as <see cref="RoundRobinRetriever"/> returns them (<see cref="MultiInterestModel.RetrieveWithEngine"/> for a saved model).
    /// </summary>
    /// <param name="users">User rows, 0 to <see cref="OnnxServingManifest.Users"/> - 1 (the rows of the user id file).</param>
    /// <param name="exclusions">Items never to return per user row (typically the training history); needs a directory exported with the exclusion mask. Null excludes nothing, so the lists may hold items the user engaged in training: pass <see cref="OnnxServingDirectory.ReadTrainingHistory"/> (or <see cref="MultiInterestModel.TrainingHistory"/>) for the recommender's lists.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <returns>One ranked list per user, in the order given (query i for <paramref name="users"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists Retrieve(IReadOnlyList<int> users, BipartiteGraph? exclusions = null, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        OnnxScorerParts.CheckCall(Manifest, users, exclusions, "round-robin scorer graphs", _absentUsers);
        exclusions = ExclusionGraphs.WithItemsForUsers(exclusions, users, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        var result = new RankedLists(users.Count, Manifest.Candidates);
        int width = CallWidth(users.Count);
        var worker = new Worker(_tables, Manifest, Fetched);
        var rows = new long[width];
        var batchUsers = new int[width];
        var mask = Manifest.ExclusionMask ? new float[checked(width * Manifest.Items)] : null;
        using var options = new RunOptions();
        for (int start = 0; start < users.Count; start += width)
        {
            int batch = Math.Min(width, users.Count - start);
            for (int q = 0; q < batch; q++) rows[q] = batchUsers[q] = users[start + q];
            if (mask != null)
            {
                var span = mask.AsSpan(0, batch * Manifest.Items);
                if (exclusions == null) span.Clear();
                else OnnxExclusionMask.Fill(exclusions, batchUsers.AsSpan(0, batch), span);
            }
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rows.AsMemory(0, batch), [batch]);
            using var encoded = _encoder.Run(options, [UserRowsInput], [input], EncodedNames);
            Score(options, encoded[0].GetTensorDataAsSpan<long>(), encoded[1].GetTensorDataAsSpan<double>(), encoded[2], mask, start, batch,
                q => exclusions == null ? default : exclusions.ItemsOf(batchUsers[q]), result, worker);
        }
        Count(worker);
        return result;
    }

    /// <summary>
    /// The round-robin lists of users known by their history only, K = <see cref="OnnxServingManifest.Candidates"/> each: for a
    /// differentiable-clustering model each history's interests are the engine's soft k-means from the model's seeds (as for a
    /// trained user's whole history), computed in .NET from the settings the history encoder stores; for mixture embeddings and
    /// a kNN-Embed table (<see cref="OnnxServingManifest.HistoryMean"/>), one component of weight 1, the mean of the history
    /// items' vectors. The scorer, re-scoring and merge then serve them, the history's items excluded. These are the lists
    /// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> gives a new user with that history, bit for bit. Each history is read as
    /// a set: duplicates count once and the order does not matter, as there; an item row without an item (a key without
    /// training edges, which the recommender does not know) is dropped. An empty history gets the seeds with equal weights
    /// from a DCM model (the model's own answer) and an empty list otherwise (<see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/>
    /// gives such a user the popular items instead).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1 (the rows of the item id file <see cref="MultiInterestModel.ItemIdsFileName"/>).</param>
    /// <param name="excludeHistory">True (the default, as every serving path does) to never return a history's own items; needs a directory exported with the exclusion mask.</param>
    /// <exception cref="InvalidOperationException">The directory was exported before 2026-12 without the DCM history encoder or <see cref="OnnxServingManifest.HistoryMean"/> (<see cref="ServesHistories"/> is false).</exception>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A history holds an item row outside the exported items.</exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(histories);
        var dcm = _tables.Dcm;
        if (dcm == null && !Manifest.HistoryMean)
            throw new InvalidOperationException("The serving directory has no DCM history encoder (manifest 'history_encoder') and does not say how a fresh history "
                + "is served (manifest 'history_mean'): it was exported before 2026-12; export it again to serve users from their history.");
        if (excludeHistory && !Manifest.ExclusionMask)
            throw new ArgumentException("The round-robin scorer was exported without the exclusion mask input, so it cannot exclude the histories' items; "
                + "export with exclusionMask: true, or pass excludeHistory: false.", nameof(excludeHistory));
        // An item the scorer never fetches (a key without training edges) is dropped, as the recommender ignores an id it does not know.
        var sets = OnnxScorerParts.HistorySets(histories, Manifest, _tables.AbsentItems);
        var exclusions = OnnxScorerParts.HistoryExclusions(sets, excludeHistory, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        int m = Manifest.Components, d = Manifest.Dimension;
        var result = new RankedLists(histories.Count, Manifest.Candidates);
        int width = CallWidth(histories.Count);
        var worker = new Worker(_tables, Manifest, Fetched);
        var clusters = new long[width * m];
        var weights = new double[width * m];
        var embeddings = new float[checked(width * m * d)];
        var mask = Manifest.ExclusionMask ? new float[checked(width * Manifest.Items)] : null;
        using var options = new RunOptions();
        for (int start = 0; start < histories.Count; start += width)
        {
            int batch = Math.Min(width, histories.Count - start);
            for (int q = 0; q < batch; q++)
            {
                // The engine's components of a fresh history (LearnedComponents.HistoryComponents): DCM's interests in its descending
                // weight order, else one component of weight 1, the mean of the history items' vectors (no list for an empty one).
                if (dcm != null)
                {
                    var interests = dcm.InterestsOf(_tables.ItemComponents, sets[start + q]);
                    for (int c = 0; c < m; c++) clusters[q * m + c] = interests.Clusters(0)[c];
                    interests.Weights(0).CopyTo(weights.AsSpan(q * m, m));
                    interests.Embeddings(0).CopyTo(embeddings.AsSpan(q * m * d, m * d));
                    continue;
                }
                clusters.AsSpan(q * m, m).Fill(PaddedMixtures.NoCluster);
                weights.AsSpan(q * m, m).Clear();
                embeddings.AsSpan(q * m * d, m * d).Clear();
                if (sets[start + q].Length == 0) continue;
                clusters[q * m] = 0;
                weights[q * m] = 1.0;
                _itemVectors.Value.MeanOf(sets[start + q], embeddings.AsSpan(q * m * d, d));
            }
            if (mask != null)
            {
                mask.AsSpan(0, batch * Manifest.Items).Clear();
                if (exclusions != null)
                    for (int q = 0; q < batch; q++)
                        foreach (int item in exclusions.ItemsOf(start + q)) mask[q * Manifest.Items + item] = float.NegativeInfinity;
            }
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, embeddings.AsMemory(0, batch * m * d), [batch, m, d]);
            Score(options, clusters.AsSpan(0, batch * m), weights.AsSpan(0, batch * m), input, mask, start, batch,
                q => exclusions == null ? default : exclusions.ItemsOf(start + q), result, worker);
        }
        Count(worker);
        return result;
    }

    /// <summary>The items excluded for the batch's user <c>q</c>, as its mask row excludes them.</summary>
    private delegate ReadOnlySpan<int> BatchExclusions(int q);

    /// <summary>
    /// Runs the scorer on one batch's interests <paramref name="embeddings"/> (and mask), turns each interest's candidates into
    /// the engine's nearest-component list and merges them into rows <paramref name="start"/>.. of <paramref name="result"/>.
    /// </summary>
    private void Score(RunOptions options, ReadOnlySpan<long> clusters, ReadOnlySpan<double> weights, OrtValue embeddings, float[]? mask, int start, int batch,
        BatchExclusions excluded, RankedLists result, Worker worker)
    {
        using var maskValue = mask == null ? null
            : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, batch * Manifest.Items), [batch, Manifest.Items]);
        using var found = maskValue == null
            ? _scorer.Run(options, [MixtureEmbeddingsName], [embeddings], [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput])
            : _scorer.Run(options, [MixtureEmbeddingsName, ExclusionMaskInput], [embeddings, maskValue],
                [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput]);
        var rows = found[0].GetTensorDataAsSpan<long>();
        var scores = found[1].GetTensorDataAsSpan<float>();
        var queries = embeddings.GetTensorDataAsSpan<float>();
        int m = Manifest.Components, d = Manifest.Dimension, f = Fetched;
        if (rows.Length != batch * m * f)
            throw new InvalidDataException($"The round-robin scorer returned {rows.Length} candidates for {batch} x {m} interests; the manifest's K, C_d and slack give {f} per interest.");
        var nearest = worker.Nearest;
        for (int q = 0; q < batch; q++)
        {
            int n = 0;
            for (int c = 0; c < m; c++)
            {
                // -1 marks padding components (a kNN-Embed table's user with fewer), which the engine does not have.
                if (clusters[q * m + c] < 0) continue;
                worker.Weights[n] = weights[q * m + c];
                int slot = (q * m + c) * f;
                nearest.Counts[n] = worker.Rerank.Nearest(queries.Slice((q * m + c) * d, d), rows.Slice(slot, f), scores.Slice(slot, f), excluded(q),
                    nearest.IndexSlots(n), nearest.ScoreSlots(n));
                n++;
            }
            result.Counts[start + q] = RoundRobinRetriever.Merge(nearest, 0, worker.Weights.AsSpan(0, n), Manifest.Candidates, Manifest.DestinationComponents,
                Manifest.Items, result.IndexSlots(start + q), result.ScoreSlots(start + q), worker.Merge);
        }
    }

    private void Count(Worker worker)
    {
        Interlocked.Add(ref _proved, worker.Rerank.Proved);
        Interlocked.Add(ref _rescanned, worker.Rerank.Scanned);
    }

    /// <summary>A call's scratch: the re-ranker, one user's nearest-component lists and weights, the merge's state.</summary>
    private sealed class Worker(OnnxRoundRobinTables tables, OnnxServingManifest manifest, int fetched)
    {
        public OnnxRoundRobinRerank Rerank { get; } = new(tables, manifest.Candidates * manifest.DestinationComponents, fetched);

        public RankedLists Nearest { get; } = new(manifest.Components, manifest.Candidates * manifest.DestinationComponents);

        public double[] Weights { get; } = new double[manifest.Components];

        public RoundRobinRetriever.MergeScratch Merge { get; } = new(manifest.Items, manifest.Candidates * manifest.DestinationComponents, manifest.Candidates);
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        if (!_calls.Close()) return; // after the running calls: their sessions stay open until they end
        _encoder.Dispose();
        _scorer.Dispose();
    }
}
