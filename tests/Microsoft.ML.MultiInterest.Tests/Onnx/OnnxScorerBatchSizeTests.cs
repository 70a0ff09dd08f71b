using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Every ONNX scorer refuses a batch size below 1 by name before it reads its directory (each checked the directory first,
/// and three read their manifest before the batch size, so a bad batch size was reported as the directory's fault).
/// </summary>
public sealed class OnnxScorerBatchSizeTests
{
    public static TheoryData<string> Scorers => new() { "candidate", "history-mmr", "round-robin", "conditional-merge", "fusion", "mmr" };

    [Theory]
    [MemberData(nameof(Scorers))]
    public void A_batch_size_below_one_is_refused_before_the_directory_is_read(string scorer)
    {
        string missing = Path.Combine(Path.GetTempPath(), $"mi-no-such-onnx-{Guid.NewGuid():N}");
        Action open = scorer switch
        {
            "candidate" => () => OnnxCandidateScorer.Open(missing, batchSize: 0),
            "history-mmr" => () => OnnxHistoryMmrScorer.Open(missing, batchSize: 0),
            "round-robin" => () => OnnxRoundRobinScorer.Open(missing, batchSize: 0),
            "conditional-merge" => () => OnnxConditionalMergeScorer.Open(missing, batchSize: 0),
            "fusion" => () => OnnxFusionScorer.Open(missing, batchSize: 0),
            _ => () => OnnxMmrScorer.Open(missing, batchSize: 0),
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(open);
        Assert.Equal("batchSize", e.ParamName);
    }
}
