using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>How many users a quota scorer call serves: the batch size, or fewer where the gathered member vectors would pass the budget.</summary>
public sealed class QuotaBatchSizeTests
{
    [Theory]
    // cit-HepPh's kNN-Embed directory (m = 5, largest cluster 78, d = 128): 0.19 MiB per user, the whole batch.
    [InlineData(64, 5, 78, 128, 64)]
    // A divide-and-conquer model's K = 20 clusters (largest 2,387, d = 64): 3 MiB per trained user, 6 MiB per fresh history.
    [InlineData(64, 5, 2387, 64, 21)]
    [InlineData(64, 10, 2387, 64, 10)]
    // Never below one user, never above the batch size asked for.
    [InlineData(64, 50, 100_000, 512, 1)]
    [InlineData(3, 5, 78, 128, 3)]
    public void ACallServesTheBatch_OrFewerUsersWhereTheirGatheredVectorsPassTheBudget(int batchSize, int components, int largestCluster, int dimension, int expected)
    {
        Assert.Equal(expected, OnnxCandidateScorer.QuotaBatchSize(batchSize, components, largestCluster, dimension));
        long perUser = (long)components * largestCluster * dimension * sizeof(float);
        if (expected > 1 && expected < batchSize) Assert.True(expected * perUser <= OnnxServingDefaults.BatchBudgetBytes && (expected + 1) * perUser > OnnxServingDefaults.BatchBudgetBytes);
    }
}
