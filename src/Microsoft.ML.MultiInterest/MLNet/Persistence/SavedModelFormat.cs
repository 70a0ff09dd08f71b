namespace Microsoft.ML.MultiInterest;

/// <summary>
/// How the library's stages are recognised inside a saved model: every stage is one ONNX graph whose
/// <c>metadata_props</c> name the stage and the format version, and whose initializers hold its tables.
/// </summary>
internal static class SavedModelFormat
{
    /// <summary>The metadata key naming the stage (one of the stage constants).</summary>
    public const string StageKey = "Microsoft.ML.MultiInterest.Stage";

    /// <summary>The metadata key holding <see cref="Version"/>.</summary>
    public const string VersionKey = "Microsoft.ML.MultiInterest.FormatVersion";

    /// <summary>The format written now. Readers refuse newer versions with a clear message.</summary>
    public const int Version = 1;

    public const string GraphEmbeddingStage = "GraphEmbedding";
    public const string SphericalKMeansStage = "SphericalKMeans";
    public const string MixtureStage = "KnnSmoothedMixture";
    public const string CandidateStage = "CandidateRetrieval";

    /// <summary>The zip entry name ML.NET gives a saved ONNX model (after the transformer's folder).</summary>
    public const string OnnxEntryName = "OnnxModel";
}
