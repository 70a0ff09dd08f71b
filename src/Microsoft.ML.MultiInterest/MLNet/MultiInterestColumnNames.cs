using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The default column names of the multi-interest estimators and evaluator, in one place (as ML.NET's
/// <c>DefaultColumnNames</c>): every estimator's options and the evaluator's options default to these names, so a
/// pipeline that keeps them needs no column option at all.
/// </summary>
public static partial class MultiInterestColumnNames
{
    /// <summary>The user key column of the edges: "User".</summary>
    public const string User = "User";

    /// <summary>The item key column of the edges: "Item".</summary>
    public const string Item = "Item";

    /// <summary>
    /// The conventional name of an edge weight column: "Weight". Weights are optional, so no estimator reads a weight
    /// column unless one is named (<see cref="GraphEmbeddingTrainer.Options.WeightColumnName"/>).
    /// </summary>
    public const string Weight = "Weight";

    /// <summary>The conventional name of an edge relation (edge type) column, as <see cref="MultiInterestCatalog.LoadEdges(Microsoft.Data.Analysis.DataFrame, string, string, string?, string?, string?)"/> writes it: "Relation".</summary>
    public const string Relation = "Relation";

    /// <summary>The conventional name of an edge time column (a Double), as <see cref="MultiInterestCatalog.LoadEdges(Microsoft.Data.Analysis.DataFrame, string, string, string?, string?, string?)"/> writes it: "Timestamp".</summary>
    public const string Timestamp = "Timestamp";

    /// <summary>The user embedding column appended by <see cref="GraphEmbeddingTrainer"/>: "UserEmbedding".</summary>
    public const string UserEmbedding = "UserEmbedding";

    /// <summary>The item embedding column appended by <see cref="GraphEmbeddingTrainer"/>: "ItemEmbedding".</summary>
    public const string ItemEmbedding = "ItemEmbedding";

    /// <summary>
    /// The user components of a learned multi-vector model (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/>,
    /// <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>), appended by <see cref="GraphEmbeddingTrainer"/>: C_s vectors
    /// of dimension d, concatenated in component order (zeros for a key without edges at Fit): "UserComponents".
    /// </summary>
    public const string UserComponents = "UserComponents";

    /// <summary>The weights of the <see cref="UserComponents"/> (Double, C_s, summing to 1; zeros for a key without edges at Fit): "UserComponentWeights".</summary>
    public const string UserComponentWeights = "UserComponentWeights";

    /// <summary>The item components of a learned multi-vector model, appended by <see cref="GraphEmbeddingTrainer"/>: C_d vectors of dimension d, concatenated: "ItemComponents".</summary>
    public const string ItemComponents = "ItemComponents";

    /// <summary>The item cluster key column appended by <see cref="SphericalKMeansTrainer"/>: "ItemCluster".</summary>
    public const string ItemCluster = "ItemCluster";

    /// <summary>
    /// The conventional name of an item condition (explicit topic) key column on the edge rows, read by
    /// <see cref="ConditionalRetrieverEstimator"/>: "ItemCondition". A missing key (0) means the item has no condition.
    /// </summary>
    public const string ItemCondition = "ItemCondition";

    /// <summary>The similarity to the cluster centroid appended by <see cref="SphericalKMeansTrainer"/>: "ClusterSimilarity".</summary>
    public const string ClusterSimilarity = "ClusterSimilarity";

    /// <summary>The mixture component clusters appended by <see cref="KnnSmoothedMixtureEstimator"/>: "MixtureClusters".</summary>
    public const string MixtureClusters = "MixtureClusters";

    /// <summary>The mixture component weights appended by <see cref="KnnSmoothedMixtureEstimator"/>: "MixtureWeights".</summary>
    public const string MixtureWeights = "MixtureWeights";

    /// <summary>The mixture component embeddings appended by <see cref="KnnSmoothedMixtureEstimator"/>: "MixtureEmbeddings".</summary>
    public const string MixtureEmbeddings = "MixtureEmbeddings";

    /// <summary>The candidate item keys appended by the retrievers: "Candidates".</summary>
    public const string Candidates = "Candidates";

    /// <summary>The candidate scores appended by the retrievers: "CandidateScores".</summary>
    public const string CandidateScores = "CandidateScores";

    /// <summary>Where each candidate list came from (<see cref="MultiInterest.CandidateSource"/> as text), appended by the retrievers: "CandidateSource".</summary>
    public const string CandidateSource = "CandidateSource";

    /// <summary>
    /// The optional fresh-history column the retrievers read at Transform when the input has it: a vector of item keys or
    /// of raw item ids (text), excluded from the row's candidates and, for a user without a trained vector, the source of
    /// its representation: "History".
    /// </summary>
    public const string History = "History";
}
