namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>The fixed settings of the exported serving graphs, in one place.</summary>
internal static class OnnxServingDefaults
{
    /// <summary>
    /// How many candidates beyond M the scorers' candidate outputs hold: 16. <see cref="OnnxCandidateScorer"/> re-scores
    /// candidates with the engine's arithmetic and keeps the list only where they prove the engine's order (the exact
    /// score of the M-th item clearly above the bound on every item they leave out); elsewhere it scans the cluster or the
    /// catalogue with the engine. The slack only sets how often that scan is needed, never the lists (docs/onnx.md).
    /// </summary>
    public const int CandidateSlack = 16;
}
