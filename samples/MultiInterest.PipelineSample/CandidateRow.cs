namespace MultiInterest.PipelineSample;

/// <summary>A scored row read back after MapKeyToValue: the raw user id and its candidates' raw ids, best first.</summary>
public sealed class CandidateRow
{
    public string UserId { get; set; } = "";

    public string[] CandidateIds { get; set; } = [];
}
