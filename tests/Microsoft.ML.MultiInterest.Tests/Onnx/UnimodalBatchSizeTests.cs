using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// How many users a unimodal scorer call serves: the batch size, or fewer where their item scores and mask would pass the
/// budget every call keeps (<see cref="OnnxServingDefaults.BatchBudgetBytes"/>, the quota calls' too); the lists are the same
/// at any batch size.
/// </summary>
public sealed class UnimodalBatchSizeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-unimodal-batch-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    // cit-HepPh's 28,000 items with the mask: 219 KiB per user, 299 users in 64 MiB.
    [InlineData(100_000, 28_000, true, 299)]
    [InlineData(100_000, 28_000, false, 599)]
    // The default 64 holds below 131,072 items with the mask; never below one user, never above the batch asked for.
    [InlineData(64, 131_072, true, 64)]
    [InlineData(64, 131_073, true, 63)]
    [InlineData(64, 50_000_000, true, 1)]
    [InlineData(3, 28_000, true, 3)]
    public void A_call_serves_the_batch_or_fewer_users_where_their_scores_pass_the_budget(int batchSize, int items, bool mask, int expected)
    {
        Assert.Equal(expected, OnnxCandidateScorer.UnimodalBatchSize(batchSize, items, mask));
        long perUser = (long)items * sizeof(float) * (mask ? 2 : 1);
        if (expected > 1 && expected < batchSize)
            Assert.True(expected * perUser <= OnnxServingDefaults.BatchBudgetBytes && (expected + 1) * perUser > OnnxServingDefaults.BatchBudgetBytes);
    }

    [Fact]
    public void The_lists_are_the_same_at_batch_sizes_1_64_and_huge_and_the_batch_run_is_capped()
    {
        var w = MixtureWorld.Create(seed: 31, dimension: 3, integers: true);
        const int m = 12;
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, m, _directory, exclusionMask: true);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows).Reverse(), 3, 3, 0];
        var engine = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        foreach (int batchSize in new[] { 1, 64, int.MaxValue })
        {
            using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: batchSize);
            var lists = scorer.RetrieveUnimodal(served, w.Seen);
            Assert.Equal(engine.Counts, lists.Counts);
            Assert.Equal(engine.Indices, lists.Indices);
            Assert.Equal(engine.Scores, lists.Scores);
            Assert.Equal(Math.Min(batchSize, served.Length), scorer.LargestBatchRun);
        }
        // A budget of 3 users' scores and mask: a huge batch size runs 3 users per call, with the same lists.
        using (var capped = OnnxCandidateScorer.Open(_directory, batchSize: int.MaxValue))
        {
            capped.BatchBudgetBytes = 3L * w.Items.Rows * sizeof(float) * 2;
            Assert.Equal(3, capped.UnimodalBatchSize());
            var lists = capped.RetrieveUnimodal(served, w.Seen);
            Assert.Equal(3, capped.LargestBatchRun);
            Assert.Equal(engine.Indices, lists.Indices);
            Assert.Equal(engine.Scores, lists.Scores);
        }
    }
}
