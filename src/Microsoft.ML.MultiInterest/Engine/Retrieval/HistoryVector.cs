namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How a retrieval stage reads a history the model was not trained on (a new user's, served from its items) into the user's
/// single vector: the query of unimodal and MMR retrieval, and the user vector of quota and conditional retrieval.
/// </summary>
public enum HistoryVector
{
    /// <summary>
    /// Chosen at Fit: <see cref="FoldIn"/> when the item vectors carry the implicit-ALS objective they were trained with (a
    /// GraphEmbedding stage trained them by ALS); on a divide-and-conquer GraphEmbedding's vectors, <see cref="FoldIn"/> fitted to
    /// the trained users' vectors (its encoder's queries) when the stage reads user vectors, which recalled more than the
    /// encoder's own query for users left out of the fit (docs/pipeline.md), else <see cref="Encoder"/> (a pooling encoder) or
    /// <see cref="Mean"/>; else <see cref="Mean"/>. A fitted stage records what it chose.
    /// </summary>
    Auto,

    /// <summary>The mean of the history items' vectors (what every stage used before 2026-12-05).</summary>
    Mean,

    /// <summary>
    /// The implicit-ALS fold-in of the history: the vector ALS gives a user whose history it is, solved against the item
    /// vectors with the objective they were trained with, or, for item vectors no ALS objective produced, with the objective
    /// fitted at Fit to reproduce the trained users' own vectors (as history-interest MMR's
    /// <see cref="HistoryInterestOptions.MatchUserVectors"/>). Not for round-robin stages, whose learned components read a
    /// history their own way.
    /// </summary>
    FoldIn,

    /// <summary>
    /// The query of the divide-and-conquer model whose item vectors the stage retrieves with: its history encoder over the
    /// history items' input vectors, with cluster prompts and the intent p_uk (<see cref="DivideConquerModel.UserQueries"/>),
    /// the function that gave every trained user its vector. The stage keeps what the encoder needs (input vectors, clusters,
    /// prompts, attention query, cluster prior), saved in the zip. Only after a GraphEmbedding stage with
    /// <see cref="EmbeddingAlgorithm.DivideConquer"/> and a pooling encoder (<see cref="DivideConquerEncoder.MeanPooling"/>,
    /// <see cref="DivideConquerEncoder.AttentionPooling"/>); not for round-robin or history-interest MMR stages.
    /// <see cref="MultiInterestModel.ExportOnnx"/> writes the encoder with a unimodal, cluster-quota or conditional stage's
    /// directory (a merged conditional stage's two parts) and an MMR stage's pool (<see cref="Onnx.OnnxServingDirectory.HistoryEncoderFileName"/>,
    /// manifest format version <see cref="Onnx.OnnxServingManifest.DivideConquerHistoryFormatVersion"/>).
    /// </summary>
    Encoder,
}
