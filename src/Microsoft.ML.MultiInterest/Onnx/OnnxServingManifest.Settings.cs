namespace Microsoft.ML.MultiInterest.Onnx;

public sealed partial class OnnxServingManifest
{
    /// <summary>
    /// Refuses retrieval settings no export writes (an edited or damaged manifest): the scorers pass them to the engine at
    /// every call, so such a directory opened and then failed every request with an exception naming an option the caller
    /// never set ('Alpha', 'lambda') or an overflow.
    /// </summary>
    private static void CheckSettings(OnnxServingManifest manifest, string path)
    {
        static bool NonNegative(double value) => double.IsFinite(value) && value >= 0;
        static bool Share(double value) => value >= 0 && value <= 1;
        var (field, range) = !NonNegative(manifest.Alpha) ? ($"alpha {manifest.Alpha}", "finite and non-negative")
            : !NonNegative(manifest.Beta) ? ($"beta {manifest.Beta}", "finite and non-negative")
            : !Share(manifest.HeadShare) ? ($"head_share {manifest.HeadShare}", "within [0, 1]")
            : !Share(manifest.MmrLambda) ? ($"mmr_lambda {manifest.MmrLambda}", "within [0, 1]")
            : !NonNegative(manifest.InterestWeight) ? ($"interest_weight {manifest.InterestWeight}", "finite and non-negative")
            : manifest.Retrieval is MmrRetrieval or HistoryMmrRetrieval && (manifest.PoolSize < manifest.Candidates || manifest.PoolSize > Engine.RetrievalLimits.MaxCandidates)
                ? ($"pool_size {manifest.PoolSize}", $"within {manifest.Candidates}..{Engine.RetrievalLimits.MaxCandidates}: candidates to the longest list")
            : ((string?)null, "");
        if (field != null)
            throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The ONNX serving manifest '{path}' has {field}, outside what an export writes ({range}): it was edited or damaged. Export the directory again."));
    }
}
