using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Serves candidates from a directory written by <see cref="OnnxServingDirectory"/>: runs encoder then
/// quota scorer (or the unimodal scorer) through ONNX Runtime in batches of users and returns
/// <see cref="RankedLists"/> laid out as <see cref="ClusterQuotaRetriever"/> and <see cref="UnimodalRetriever"/>
/// return them (short lists have a smaller <see cref="RankedLists.Counts"/> entry). Sessions come from an
/// <see cref="OnnxSessionFactory"/>, so the GPU choice and fallback are the factory's. Thread-safe; dispose
/// to release the sessions.
/// </summary>
public sealed class OnnxCandidateScorer : IDisposable
{
    /// <summary>
    /// Users per ONNX Runtime call unless told otherwise: 64. Larger batches make larger dense tensors per call (the
    /// batch x items mask and fallback scores: 7 MB each at 64 users and 28,226 items); on cit-HepPh, batches of 256 took
    /// 1.2x-1.5x as long per user as batches of 64, and 32 or 128 were no faster than 64 (docs/performance.md).
    /// </summary>
    public const int DefaultBatchSize = 64;

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _quotaScorer;
    private readonly InferenceSession _unimodalScorer;
    private bool _disposed;

    private OnnxCandidateScorer(OnnxServingManifest manifest, int batchSize, InferenceSession encoder, InferenceSession quotaScorer, InferenceSession unimodalScorer)
    {
        Manifest = manifest;
        BatchSize = batchSize;
        _encoder = encoder;
        _quotaScorer = quotaScorer;
        _unimodalScorer = unimodalScorer;
    }

    /// <summary>The manifest of the opened directory (M, sizes, names).</summary>
    public OnnxServingManifest Manifest { get; }

    /// <summary>Users per ONNX Runtime call.</summary>
    public int BatchSize { get; }

    /// <summary>Opens the serving directory <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="OnnxServingDirectory.Export(EmbeddingMatrix, EmbeddingMatrix, ItemClustering, MixtureTable, int, double, string, bool)"/>.</param>
    /// <param name="sessions">Creates the ONNX Runtime sessions; null for a CPU-only factory.</param>
    /// <param name="batchSize">Users per call, at least 1. Memory per call grows with it (the quota scorer holds batch x m x S x d floats, the mask batch x I).</param>
    /// <exception cref="NotSupportedException">The directory holds a round-robin export (<see cref="OnnxServingDirectory.ExportRoundRobin"/>).</exception>
    public static OnnxCandidateScorer Open(string directory, OnnxSessionFactory? sessions = null, int batchSize = DefaultBatchSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        var manifest = OnnxServingManifest.Read(directory);
        if (manifest.RoundRobinScorer is { } roundRobin)
            throw new NotSupportedException($"The serving directory '{directory}' holds a round-robin export of a learned multi-vector model: run its "
                + $"'{manifest.Encoder.File}' and '{roundRobin.File}' and merge the per-component lists with RoundRobinOnnxMerge.Merge "
                + "(or serve the model with MultiInterestModel.RetrieveWithEngine); OnnxCandidateScorer runs the quota and unimodal graphs.");
        sessions ??= new OnnxSessionFactory();
        var opened = new List<InferenceSession>();
        try
        {
            foreach (var graph in new[] { manifest.Encoder, manifest.QuotaScorer, manifest.UnimodalScorer })
            {
                var session = sessions.CreateSession(Path.Combine(directory, graph.File));
                opened.Add(session);
                CheckNames(session, graph, directory);
            }
            return new OnnxCandidateScorer(manifest, batchSize, opened[0], opened[1], opened[2]);
        }
        catch
        {
            foreach (var session in opened) session.Dispose();
            throw;
        }
    }

    /// <summary>The cluster-quota lists (with unimodal fill) of <paramref name="users"/>, as <see cref="ClusterQuotaRetriever"/> returns them for M = <see cref="OnnxServingManifest.Candidates"/>.</summary>
    /// <param name="users">User rows to serve, 0 to <see cref="OnnxServingManifest.Users"/> - 1.</param>
    /// <param name="exclusions">Items never to return per user (typically the training graph); needs a directory exported with the exclusion mask.</param>
    public RankedLists RetrieveClusterQuota(IReadOnlyList<int> users, BipartiteGraph? exclusions = null) =>
        Retrieve(users, exclusions, RunQuotaBatch, stopAtNegativeRow: true);

    /// <summary>The unimodal lists of <paramref name="users"/>, as <see cref="UnimodalRetriever"/> returns them for M = <see cref="OnnxServingManifest.Candidates"/>.</summary>
    /// <param name="users">User rows to serve, 0 to <see cref="OnnxServingManifest.Users"/> - 1.</param>
    /// <param name="exclusions">Items never to return per user (typically the training graph); needs a directory exported with the exclusion mask.</param>
    public RankedLists RetrieveUnimodal(IReadOnlyList<int> users, BipartiteGraph? exclusions = null) =>
        Retrieve(users, exclusions, RunUnimodalBatch, stopAtNegativeRow: false);

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _encoder.Dispose();
        _quotaScorer.Dispose();
        _unimodalScorer.Dispose();
    }

    private delegate IDisposableReadOnlyCollection<OrtValue> BatchRunner(RunOptions options, OrtValue rows, OrtValue? mask);

    private RankedLists Retrieve(IReadOnlyList<int> users, BipartiteGraph? exclusions, BatchRunner run, bool stopAtNegativeRow)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckArguments(users, exclusions);
        int m = Manifest.Candidates, itemCount = Manifest.Items;
        var result = new RankedLists(users.Count, m);
        int width = Math.Min(BatchSize, Math.Max(1, users.Count));
        var batchUsers = new int[width];
        var previousUsers = new int[width];
        int previousBatch = 0;
        var rows = new long[width];
        // Allocated zeroed: without an exclusion graph it stays all zeros (nothing excluded); with one, Refill
        // updates only the entries that change from batch to batch.
        float[]? mask = Manifest.ExclusionMask ? new float[checked(width * itemCount)] : null;
        using var runOptions = new RunOptions();
        for (int start = 0; start < users.Count; start += width)
        {
            int batch = Math.Min(width, users.Count - start);
            for (int q = 0; q < batch; q++)
            {
                batchUsers[q] = users[start + q];
                rows[q] = batchUsers[q];
            }
            using var rowValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rows.AsMemory(0, batch), [batch]);
            OrtValue? maskValue = null;
            if (mask != null)
            {
                if (exclusions != null)
                {
                    OnnxExclusionMask.Refill(exclusions, previousUsers.AsSpan(0, previousBatch), batchUsers.AsSpan(0, batch), mask);
                    batchUsers.AsSpan(0, batch).CopyTo(previousUsers);
                    previousBatch = batch;
                }
                maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, batch * itemCount), [batch, itemCount]);
            }
            using (maskValue)
            using (var outputs = run(runOptions, rowValue, maskValue))
            {
                Copy(outputs[0].GetTensorDataAsSpan<long>(), outputs[1].GetTensorDataAsSpan<float>(), start, batch, result, stopAtNegativeRow);
            }
        }
        return result;
    }

    private IDisposableReadOnlyCollection<OrtValue> RunQuotaBatch(RunOptions options, OrtValue rows, OrtValue? mask)
    {
        string[] encoded = [UserEmbeddingName, MixtureClustersName, MixtureEmbeddingsName, QuotasName];
        using var mixture = _encoder.Run(options, [UserRowsInput], [rows], encoded);
        var names = new List<string>(encoded);
        var values = new List<OrtValue>(mixture);
        if (mask != null)
        {
            names.Add(ExclusionMaskInput);
            values.Add(mask);
        }
        return _quotaScorer.Run(options, names, values, [ItemRowsOutput, ScoresOutput]);
    }

    private IDisposableReadOnlyCollection<OrtValue> RunUnimodalBatch(RunOptions options, OrtValue rows, OrtValue? mask)
    {
        return mask == null
            ? _unimodalScorer.Run(options, [UnimodalOnnxExporter.UserRowsInput], [rows], [UnimodalOnnxExporter.ItemRowsOutput, UnimodalOnnxExporter.ScoresOutput])
            : _unimodalScorer.Run(options, [UnimodalOnnxExporter.UserRowsInput, UnimodalOnnxExporter.ExclusionMaskInput], [rows, mask],
                [UnimodalOnnxExporter.ItemRowsOutput, UnimodalOnnxExporter.ScoresOutput]);
    }

    /// <summary>
    /// Copies a batch into <paramref name="result"/>. A list ends at the first item row -1 (quota scorer) or
    /// the first score of negative infinity (unimodal scorer: its tail holds excluded items).
    /// </summary>
    private void Copy(ReadOnlySpan<long> rows, ReadOnlySpan<float> scores, int start, int batch, RankedLists result, bool stopAtNegativeRow)
    {
        int m = Manifest.Candidates;
        for (int q = 0; q < batch; q++)
        {
            var outRows = result.IndexSlots(start + q);
            var outScores = result.ScoreSlots(start + q);
            int count = 0;
            for (; count < m; count++)
            {
                long row = rows[q * m + count];
                float score = scores[q * m + count];
                if (stopAtNegativeRow ? row < 0 : float.IsNegativeInfinity(score)) break;
                outRows[count] = (int)row;
                outScores[count] = score;
            }
            result.Counts[start + q] = count;
        }
    }

    private void CheckArguments(IReadOnlyList<int> users, BipartiteGraph? exclusions)
    {
        ArgumentNullException.ThrowIfNull(users);
        for (int q = 0; q < users.Count; q++)
        {
            if ((uint)users[q] >= (uint)Manifest.Users)
                throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {users[q]} (position {q}): the exported model has {Manifest.Users} users.");
        }
        if (exclusions == null) return;
        if (!Manifest.ExclusionMask)
            throw new ArgumentException("The models were exported without the exclusion mask input, so they cannot exclude items; export with exclusionMask: true.", nameof(exclusions));
        if (exclusions.ItemCount != Manifest.Items)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items but the exported model {Manifest.Items}.", nameof(exclusions));
    }

    private static void CheckNames(InferenceSession session, OnnxServingGraph graph, string directory)
    {
        foreach (string name in graph.Inputs)
        {
            if (!session.InputMetadata.ContainsKey(name))
                throw new InvalidDataException($"'{Path.Combine(directory, graph.File)}' has no input '{name}' although the manifest lists it.");
        }
        foreach (string name in graph.Outputs)
        {
            if (!session.OutputMetadata.ContainsKey(name))
                throw new InvalidDataException($"'{Path.Combine(directory, graph.File)}' has no output '{name}' although the manifest lists it.");
        }
    }
}
