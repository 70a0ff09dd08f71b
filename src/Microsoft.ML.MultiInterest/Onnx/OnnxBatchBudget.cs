namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The one cap on the users of an ONNX Runtime call, shared by every scorer: as many users as keep the call's per-user tensors
/// within a budget (<see cref="OnnxServingDefaults.BatchBudgetBytes"/>), at least one and at most the batch size asked for.
/// Each scorer says what its graphs take per user; the lists never depend on the batch.
/// </summary>
internal static class OnnxBatchBudget
{
    /// <summary>As many users as fit <paramref name="budget"/> at <paramref name="perUser"/> bytes each, 1 to <paramref name="batchSize"/>.</summary>
    public static int Users(int batchSize, long perUser, long budget) => (int)Math.Clamp(budget / Math.Max(1, perUser), 1, Math.Max(1, batchSize));

    /// <summary>Raises <paramref name="location"/> to <paramref name="value"/> if it is lower (the largest batch a scorer ran, read by tests).</summary>
    public static void RecordLargest(ref int location, int value)
    {
        for (int seen = Volatile.Read(ref location); seen < value; seen = Volatile.Read(ref location))
            if (Interlocked.CompareExchange(ref location, value, seen) == seen) return;
    }
}
