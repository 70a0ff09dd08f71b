namespace Microsoft.ML.MultiInterest;

/// <summary>Which columns of an edge view to read, and the options that named them (for error messages).</summary>
internal sealed record EdgeColumns
{
    public required (string Name, string Option) User { get; init; }

    public required (string Name, string Option) Item { get; init; }

    public (string Name, string Option)? Weight { get; init; }

    public (string Name, string Option)? UserVector { get; init; }

    public (string Name, string Option)? ItemVector { get; init; }

    public (string Name, string Option)? ItemCluster { get; init; }

    /// <summary>
    /// Whether the cluster key of every edge is kept (<see cref="EdgeRows.EdgeClusters"/>), not only each item's first: for
    /// columns whose rows may disagree about an item (an engagement's tag), which the reader resolves by majority.
    /// </summary>
    public bool ClusterPerEdge { get; init; }

    /// <summary>A key column of edge relations (edge types): relation id = key − 1.</summary>
    public (string Name, string Option)? Relation { get; init; }
}
