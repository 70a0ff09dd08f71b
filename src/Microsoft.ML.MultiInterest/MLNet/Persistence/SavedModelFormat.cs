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

    /// <summary>
    /// The metadata key holding the package version that wrote the stage (<see cref="LibraryVersion"/>; absent before 1.1.0),
    /// which a refusal of a newer format names as the version to install.
    /// </summary>
    public const string LibraryVersionKey = "Microsoft.ML.MultiInterest.LibraryVersion";

    /// <summary>
    /// The format written now. Readers refuse newer versions with a clear message and read every older one. Version 2 (2026-12)
    /// may store per-key tables for the keys in use only, with the keys beside them and a LabelEncoder from key to row, and
    /// leaves out id tables that are the key numbers; a version-1 stage has neither and reads as before. Version 3 (2026-12)
    /// stores a multi-vector graph embedding's components in that per-key layout and publishes them as columns, and adds the
    /// round-robin retrieval stage (<see cref="CandidateMethod.RoundRobin"/>, with a differentiable-clustering model's seeds);
    /// a version-2 stage keeps its whole-range component tables and reads as before. Version 4 (2026-12) adds the rank-fusion
    /// stage (<see cref="RankFusionTransformer"/>), which an older reader would skip and then serve one of the fused sources.
    /// Version 5 (2026-12) adds the conditional retrieval stage (<see cref="CandidateMethod.Conditional"/>, with its condition
    /// parameters and the condition of each serving item), which an older reader could not serve. Version 6 (2026-12-05, package
    /// 1.2.0) lets a retrieval stage read a new user's history by its implicit-ALS fold-in (metadata <c>HistoryVector</c> =
    /// FoldIn with the fold-in's objective), which an older reader would serve by the mean of its items' vectors. Version 7
    /// (2026-12) lets a retrieval stage read a new user's history by the divide-and-conquer encoder its item vectors come
    /// from (metadata <c>HistoryVector</c> = Encoder with the encoder's tables), which an older reader could not serve.
    /// </summary>
    public const int Version = 7;

    public const string GraphEmbeddingStage = "GraphEmbedding";
    public const string SphericalKMeansStage = "SphericalKMeans";
    public const string MixtureStage = "KnnSmoothedMixture";
    public const string CandidateStage = "CandidateRetrieval";
    public const string RankFusionStage = "RankFusion";

    /// <summary>The zip entry name ML.NET gives a saved ONNX model (after the transformer's folder).</summary>
    public const string OnnxEntryName = "OnnxModel";
}
