namespace Microsoft.ML.MultiInterest;

/// <summary>Which columns of an edge view to read, and the options that named them (for error messages).</summary>
internal sealed class EdgeColumns
{
    public required (string Name, string Option) User { get; init; }

    public required (string Name, string Option) Item { get; init; }

    public (string Name, string Option)? Weight { get; init; }

    public (string Name, string Option)? UserVector { get; init; }

    public (string Name, string Option)? ItemVector { get; init; }

    public (string Name, string Option)? ItemCluster { get; init; }

    /// <summary>A key column of edge relations (edge types): relation id = key − 1.</summary>
    public (string Name, string Option)? Relation { get; init; }
}
