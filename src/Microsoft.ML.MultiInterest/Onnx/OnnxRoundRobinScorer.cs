using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves round-robin lists from a directory written by <see cref="OnnxServingDirectory.ExportRoundRobin"/> (or
/// <see cref="MultiInterestModel.ExportOnnx"/> of a round-robin model): trained users by row through the encoder, and, when the
/// directory has the DCM history encoder (<see cref="OnnxServingManifest.HistoryEncoder"/>), users known by their history only,
/// whose interests the graph computes by the model's soft k-means. Either way the round-robin scorer fetches each interest's
/// nearest item components and <see cref="RoundRobinOnnxMerge"/> merges them, so the lists are the engine's
/// (<see cref="RoundRobinRetriever"/>; for a history, <see cref="MultiInterestRecommender.Recommend"/>'s) wherever ONNX Runtime's float
/// sums do not reorder a near-tie. Sessions come from an <see cref="OnnxSessionFactory"/>. Thread-safe; dispose to release the sessions.
/// </summary>
public sealed class OnnxRoundRobinScorer : IDisposable
{
    private static readonly string[] EncodedNames = [MixtureClustersName, MixtureWeightsName, MixtureEmbeddingsName];

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _scorer;
    private readonly InferenceSession? _historyEncoder;
    private bool _disposed;

    private OnnxRoundRobinScorer(OnnxServingManifest manifest, int batchSize, InferenceSession encoder, InferenceSession scorer, InferenceSession? historyEncoder)
    {
        Manifest = manifest;
        BatchSize = batchSize;
        _encoder = encoder;
        _scorer = scorer;
        _historyEncoder = historyEncoder;
    }

    /// <summary>The manifest of the opened directory (K, sizes, names).</summary>
    public OnnxServingManifest Manifest { get; }

    /// <summary>Users (or histories) per ONNX Runtime call.</summary>
    public int BatchSize { get; }

    /// <summary>Whether the directory has the DCM history encoder, which <see cref="RetrieveFromHistories"/> needs.</summary>
    public bool HasHistoryEncoder => _historyEncoder != null;

    /// <summary>Opens the round-robin serving directory <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="OnnxServingDirectory.ExportRoundRobin"/> or <see cref="MultiInterestModel.ExportOnnx"/>.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">Users per call, at least 1 (the mask is batch x items floats, the scorer's scores batch x m x items x C_d).</param>
    /// <exception cref="NotSupportedException">The directory holds a cluster-quota export (open it with <see cref="OnnxCandidateScorer"/>).</exception>
    /// <exception cref="InvalidDataException">A model lacks a name the manifest lists, or the history encoder returns another number of interests than the encoder.</exception>
    public static OnnxRoundRobinScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = OnnxCandidateScorer.DefaultBatchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        var manifest = OnnxServingManifest.Read(directory);
        var roundRobin = manifest.RoundRobinScorer ?? throw new NotSupportedException(
            $"The serving directory '{directory}' holds a cluster-quota export (no round-robin scorer in its manifest): open it with OnnxCandidateScorer.");
        sessions ??= new OnnxSessionFactory();
        var graphs = new List<OnnxServingGraph> { manifest.Encoder, roundRobin };
        if (manifest.HistoryEncoder != null) graphs.Add(manifest.HistoryEncoder);
        var opened = new List<InferenceSession>();
        try
        {
            foreach (var graph in graphs)
            {
                string path = Path.Combine(directory, graph.File);
                if (!File.Exists(path)) throw new FileNotFoundException($"The ONNX serving manifest of '{directory}' lists '{graph.File}', which is missing.", path);
                var session = sessions.CreateSession(path);
                opened.Add(session);
                OnnxCandidateScorer.CheckNames(session, graph, directory);
            }
            if (manifest.HistoryEncoder is { } history)
            {
                var shape = opened[2].OutputMetadata[MixtureClustersName].Dimensions;
                if (shape.Length != 2 || shape[1] != manifest.Components)
                    throw new InvalidDataException($"'{Path.Combine(directory, history.File)}' returns [{string.Join(", ", shape)}] interests; the round-robin scorer takes {manifest.Components} per user.");
            }
            return new OnnxRoundRobinScorer(manifest, batchSize, opened[0], opened[1], opened.Count > 2 ? opened[2] : null);
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
    /// <param name="exclusions">Items never to return per user row (typically the training history); needs a directory exported with the exclusion mask.</param>
    public RankedLists Retrieve(IReadOnlyList<int> users, BipartiteGraph? exclusions = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(users);
        for (int q = 0; q < users.Count; q++)
        {
            if ((uint)users[q] >= (uint)Manifest.Users)
                throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {users[q]} (position {q}): the exported model has {Manifest.Users} users.");
        }
        if (exclusions != null)
        {
            if (!Manifest.ExclusionMask)
                throw new ArgumentException("The round-robin scorer was exported without the exclusion mask input, so it cannot exclude items; export with exclusionMask: true.", nameof(exclusions));
            if (exclusions.ItemCount != Manifest.Items)
                throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items but the exported model {Manifest.Items}.", nameof(exclusions));
        }
        var result = new RankedLists(users.Count, Manifest.Candidates);
        int width = Math.Min(BatchSize, Math.Max(1, users.Count));
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
            Score(options, encoded, mask, start, batch, result);
        }
        return result;
    }

    /// <summary>
    /// The round-robin lists of users known by their history only, K = <see cref="OnnxServingManifest.Candidates"/> each: the DCM
    /// history encoder computes each history's interests (the model's soft k-means from its seeds, as for a trained user's
    /// whole history), and the scorer and merge serve them, the history's items excluded. These are the lists
    /// <see cref="MultiInterestRecommender.Recommend"/> gives a new user with that history. Each history is read as a set:
    /// duplicates count once and the order does not matter, as there. An empty history gets the seeds with equal weights
    /// (the model's own answer; <see cref="MultiInterestRecommender.Recommend"/> gives such a user the popular items instead).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1 (the rows of the item id file <see cref="MultiInterestModel.ItemIdsFileName"/>).</param>
    /// <param name="excludeHistory">True (the default, as every serving path does) to never return a history's own items; needs a directory exported with the exclusion mask.</param>
    /// <exception cref="InvalidOperationException">The directory has no history encoder (a mixture-embedding model, or exported before 2026-12).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A history holds an item row outside the exported items.</exception>
    public RankedLists RetrieveFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(histories);
        var historyEncoder = _historyEncoder ?? throw new InvalidOperationException(
            "The serving directory has no DCM history encoder (manifest 'history_encoder'): only a differentiable-clustering model's directory, exported "
            + "since 2026-12, serves users from their history; mixture embeddings have no encoder that places an unseen user among learned components.");
        if (excludeHistory && !Manifest.ExclusionMask)
            throw new ArgumentException("The round-robin scorer was exported without the exclusion mask input, so it cannot exclude the histories' items; "
                + "export with exclusionMask: true, or pass excludeHistory: false.", nameof(excludeHistory));
        var sets = new int[histories.Count][];
        int longest = 1;
        for (int q = 0; q < histories.Count; q++)
        {
            var history = histories[q] ?? throw new ArgumentNullException(nameof(histories), $"History {q} is null; pass an empty list for a user without history.");
            for (int p = 0; p < history.Count; p++)
            {
                if ((uint)history[p] >= (uint)Manifest.Items)
                    throw new ArgumentOutOfRangeException(nameof(histories), $"History {q} holds item row {history[p]} (position {p}), which is not an item of the exported model: "
                        + $"item rows are 0 to {Manifest.Items - 1}, the rows of {MultiInterestModel.ItemIdsFileName}.");
            }
            // Sorted and distinct, as the engine reads a fresh history (the same float sums in the same order).
            sets[q] = history.Distinct().Order().ToArray();
            longest = Math.Max(longest, sets[q].Length);
        }
        var result = new RankedLists(histories.Count, Manifest.Candidates);
        int width = Math.Min(BatchSize, Math.Max(1, histories.Count));
        var mask = Manifest.ExclusionMask ? new float[checked(width * Manifest.Items)] : null;
        using var options = new RunOptions();
        for (int start = 0; start < histories.Count; start += width)
        {
            int batch = Math.Min(width, histories.Count - start), h = 1;
            for (int q = 0; q < batch; q++) h = Math.Max(h, sets[start + q].Length);
            var rows = new long[batch * h];
            Array.Fill(rows, -1L);
            for (int q = 0; q < batch; q++)
                for (int p = 0; p < sets[start + q].Length; p++) rows[q * h + p] = sets[start + q][p];
            if (mask != null)
            {
                mask.AsSpan(0, batch * Manifest.Items).Clear();
                if (excludeHistory)
                    for (int q = 0; q < batch; q++)
                        foreach (int item in sets[start + q]) mask[q * Manifest.Items + item] = float.NegativeInfinity;
            }
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rows.AsMemory(), [batch, h]);
            using var encoded = historyEncoder.Run(options, [DcmOnnxExporter.HistoryRowsInput], [input], EncodedNames);
            Score(options, encoded, mask, start, batch, result);
        }
        return result;
    }

    /// <summary>Runs the scorer on one batch's interests (and mask) and merges its per-interest lists into rows <paramref name="start"/>.. of <paramref name="result"/>.</summary>
    private void Score(RunOptions options, IReadOnlyList<OrtValue> encoded, float[]? mask, int start, int batch, RankedLists result)
    {
        using var maskValue = mask == null ? null
            : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, batch * Manifest.Items), [batch, Manifest.Items]);
        using var found = maskValue == null
            ? _scorer.Run(options, [MixtureEmbeddingsName], [encoded[2]], [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput])
            : _scorer.Run(options, [MixtureEmbeddingsName, ExclusionMaskInput], [encoded[2], maskValue],
                [RoundRobinOnnxExporter.ComponentRowsOutput, RoundRobinOnnxExporter.ComponentScoresOutput]);
        var lists = RoundRobinOnnxMerge.Merge(encoded[0].GetTensorDataAsSpan<long>(), encoded[1].GetTensorDataAsSpan<double>(),
            found[0].GetTensorDataAsSpan<long>(), found[1].GetTensorDataAsSpan<float>(), batch, Manifest.Components, Manifest.DestinationComponents,
            Manifest.Items, Manifest.Candidates);
        for (int q = 0; q < batch; q++)
        {
            lists.IndicesOf(q).CopyTo(result.IndexSlots(start + q));
            lists.ScoresOf(q).CopyTo(result.ScoreSlots(start + q));
            result.Counts[start + q] = lists.Counts[q];
        }
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _encoder.Dispose();
        _scorer.Dispose();
        _historyEncoder?.Dispose();
    }
}
