using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>How a call's users are cut into ONNX Runtime batches, each with its rows and exclusion mask.</summary>
public sealed partial class OnnxCandidateScorer
{
    private delegate void BatchAction(RunOptions options, int start, int batch, OrtValue rows, OrtValue? mask);

    /// <summary>The budget of a call's per-user tensors: <see cref="OnnxServingDefaults.BatchBudgetBytes"/> (tests lower it to see the cap on a small directory).</summary>
    internal long BatchBudgetBytes { get; set; } = OnnxServingDefaults.BatchBudgetBytes;

    private int _largestBatchRun;

    /// <summary>The most users any call of this scorer has served so far (tests read that the cap holds).</summary>
    internal int LargestBatchRun => Volatile.Read(ref _largestBatchRun);

    /// <summary>
    /// Users per quota scorer call for mixtures of <paramref name="components"/> components: <see cref="BatchSize"/>, or fewer
    /// where the gathered member vectors (batch x m x largest cluster x d floats) would pass the budget. The lists do not depend on it.
    /// </summary>
    private int QuotaBatchSize(int components) => QuotaBatchSize(BatchSize, components, Manifest.LargestCluster, Manifest.Dimension, BatchBudgetBytes);

    /// <summary>
    /// Users per unimodal (or vector) scorer call: <see cref="BatchSize"/>, or fewer where their item scores (batch x I floats,
    /// and the exclusion mask's as many again) would pass the budget. The lists do not depend on it.
    /// </summary>
    internal int UnimodalBatchSize() => UnimodalBatchSize(BatchSize, Manifest.Items, Manifest.ExclusionMask, BatchBudgetBytes);

    /// <summary><see cref="QuotaBatchSize(int)"/> for a batch size, m, the largest cluster's size and d: 1 to <paramref name="batchSize"/>.</summary>
    internal static int QuotaBatchSize(int batchSize, int components, int largestCluster, int dimension, long budget = OnnxServingDefaults.BatchBudgetBytes) =>
        Budgeted(batchSize, (long)Math.Max(1, components) * Math.Max(1, largestCluster) * Math.Max(1, dimension) * sizeof(float), budget);

    /// <summary><see cref="UnimodalBatchSize()"/> for a batch size, I and whether the graphs take a mask: 1 to <paramref name="batchSize"/>.</summary>
    internal static int UnimodalBatchSize(int batchSize, int items, bool exclusionMask, long budget = OnnxServingDefaults.BatchBudgetBytes) =>
        Budgeted(batchSize, (long)Math.Max(1, items) * sizeof(float) * (exclusionMask ? 2 : 1), budget);

    /// <summary>The one cap of every call (<see cref="OnnxBatchBudget.Users"/>).</summary>
    private static int Budgeted(int batchSize, long perUser, long budget) => OnnxBatchBudget.Users(batchSize, perUser, budget);

    /// <summary>
    /// Feeds <paramref name="users"/> to <paramref name="action"/> in batches of <see cref="UnimodalBatchSize()"/> (for the quota
    /// scorer over mixtures of <paramref name="quotaComponents"/> components, <see cref="QuotaBatchSize(int)"/>): their rows as an
    /// int64 tensor and, if the graphs take it, the exclusion mask of exactly those users.
    /// </summary>
    private void ForEachBatch(IReadOnlyList<int> users, BipartiteGraph? exclusions, BatchAction action, int quotaComponents = 0)
    {
        int itemCount = Manifest.Items;
        int width = Math.Min(quotaComponents > 0 ? QuotaBatchSize(quotaComponents) : UnimodalBatchSize(), Math.Max(1, users.Count));
        if (users.Count > 0) OnnxBatchBudget.RecordLargest(ref _largestBatchRun, Math.Min(width, users.Count));
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
            {
                action(runOptions, start, batch, rowValue, maskValue);
            }
        }
    }
}
