namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How a cluster-quota stage builds the mixture of a user it was not trained on from that user's history (a new user's,
/// served from its items): the components whose clusters share out the quotas, and the query each one searches its cluster with.
/// </summary>
public enum HistoryMixture
{
    /// <summary>
    /// Chosen at Fit: <see cref="DivideConquer"/> when the item embedding column carries a divide-and-conquer model's encoder
    /// (a GraphEmbedding stage with <see cref="EmbeddingAlgorithm.DivideConquer"/> and a pooling encoder) and the stage's item
    /// clusters are that model's; it recalled far more for users left out of the fit than the counted mixture
    /// (docs/pipeline.md). <see cref="Counts"/> otherwise. A fitted stage records what it chose.
    /// </summary>
    Auto,

    /// <summary>
    /// The unsmoothed Mixture (what every quota stage used before 1.5.0): the history items counted per cluster, the top m
    /// clusters by count, each component the normalised sum of the history items in its cluster.
    /// </summary>
    Counts,

    /// <summary>
    /// The divide-and-conquer model's own reading (<see cref="DivideConquerModel.BuildMixtures"/>): the clusters by the
    /// user's intent p_uk (smoothed counts), its top m, weights p renormalised, each component the model's prompt-conditioned
    /// query of the history for that cluster. Needs the encoder's tables on the item embedding column and the model's clusters
    /// in the item cluster column (<see cref="SphericalKMeansTrainer.Options.DivideConquerClusters"/> makes that column);
    /// the stage keeps the tables and saves them in the zip. <see cref="MultiInterestModel.ExportOnnx"/> writes the model's
    /// history encoder with the stage's directory (<see cref="Onnx.OnnxServingDirectory.HistoryEncoderFileName"/>, manifest
    /// format version <see cref="Onnx.OnnxServingManifest.DivideConquerHistoryFormatVersion"/>).
    /// </summary>
    DivideConquer,
}
