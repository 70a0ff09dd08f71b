namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// One source of a fusing model's serving directory (<see cref="OnnxServingManifest.Sources"/>): the subdirectory holding that
/// retrieval stage's own serving directory, its fusion weight, and the stage's method (which scorer serves it).
/// </summary>
public sealed class OnnxFusionSource
{
    /// <summary>The source's serving directory, relative to the fusing directory (<c>source0</c>, <c>source1</c>, ...).</summary>
    public string Directory { get; init; } = "";

    /// <summary>w_l, the source's weight in <c>max_l w_l / rank_l</c>.</summary>
    public double Weight { get; init; }

    /// <summary>The stage's <see cref="CandidateMethod"/> name (e.g. <c>Mmr</c>, <c>RoundRobin</c>, <c>ClusterQuota</c>).</summary>
    public string Method { get; init; } = "";

    /// <summary>The stage's own list length, the list it contributes to the fusion.</summary>
    public int Candidates { get; init; }
}
