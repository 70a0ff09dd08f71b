namespace MultiInterest.PipelineSample;

/// <summary>One engagement edge with raw ids, the row type loaded into ML.NET (user = citing paper, item = cited paper).</summary>
public sealed class EdgeRow
{
    public string User { get; set; } = "";

    public string Item { get; set; } = "";
}
