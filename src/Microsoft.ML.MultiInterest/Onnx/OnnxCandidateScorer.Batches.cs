using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>How a call's users are cut into ONNX Runtime batches, each with its rows and exclusion mask.</summary>
public sealed partial class OnnxCandidateScorer
{
    private delegate void BatchAction(RunOptions options, int start, int batch, OrtValue rows, OrtValue? mask);

    /// <summary>
    /// Users per quota scorer call for mixtures of <paramref name="components"/> components: <see cref="BatchSize"/>, or fewer
    /// where the gathered member vectors (batch x m x largest cluster x d floats) would pass <see cref="OnnxServingDefaults.QuotaGatherBudgetBytes"/>.
    /// The lists do not depend on it.
    /// </summary>
    private int QuotaBatchSize(int components) => QuotaBatchSize(BatchSize, components, Manifest.LargestCluster, Manifest.Dimension);

    /// <summary><see cref="QuotaBatchSize(int)"/> for a batch size, m, the largest cluster's size and d: 1 to <paramref name="batchSize"/>.</summary>
    internal static int QuotaBatchSize(int batchSize, int components, int largestCluster, int dimension)
    {
        long perUser = (long)Math.Max(1, components) * Math.Max(1, largestCluster) * Math.Max(1, dimension) * sizeof(float);
        return (int)Math.Clamp(OnnxServingDefaults.QuotaGatherBudgetBytes / perUser, 1, batchSize);
    }

    /// <summary>
    /// Feeds <paramref name="users"/> to <paramref name="action"/> in batches of <see cref="BatchSize"/> (for the quota scorer
    /// over mixtures of <paramref name="quotaComponents"/> components, <see cref="QuotaBatchSize(int)"/>): their rows as an
    /// int64 tensor and, if the graphs take it, the exclusion mask of exactly those users.
    /// </summary>
    private void ForEachBatch(IReadOnlyList<int> users, BipartiteGraph? exclusions, BatchAction action, int quotaComponents = 0)
    {
        int itemCount = Manifest.Items;
        int width = Math.Min(quotaComponents > 0 ? QuotaBatchSize(quotaComponents) : BatchSize, Math.Max(1, users.Count));
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
