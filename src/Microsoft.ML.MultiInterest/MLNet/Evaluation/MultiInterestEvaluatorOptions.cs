using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Options of <see cref="MultiInterestCatalog.Evaluate"/> and <see cref="MultiInterestCatalog.EvaluateRetriever"/>:
/// the column names (defaults are those the library's estimators produce), the cutoffs K and the
/// representation the goodness of fit is computed on.
/// </summary>
public sealed class MultiInterestEvaluatorOptions
{
    /// <summary>The user key column of every view. Default <see cref="MultiInterestColumnNames.User"/>.</summary>
    public string UserColumnName = MultiInterestColumnNames.User;

    /// <summary>The item key column of the held-out edges and of the item embeddings view. Default <see cref="MultiInterestColumnNames.Item"/>.</summary>
    public string ItemColumnName = MultiInterestColumnNames.Item;

    /// <summary>The candidates column of the scored view: a vector of item keys, best first (key 0 = padding). Default <see cref="MultiInterestColumnNames.Candidates"/>.</summary>
    public string CandidatesColumnName = MultiInterestColumnNames.Candidates;

    /// <summary>
    /// The candidate-source column of the scored view (text, as the retrievers append it), by which <c>Evaluate</c> tells a
    /// user served the popular fallback (no training edge) from a trained one; a view without it is read as all trained (and
    /// <c>Evaluate</c> warns of it when <see cref="CandidatesColumnName"/> is not the default).
    /// Name the column the retriever wrote (its <c>CandidateSourceColumnName</c>). Default <see cref="MultiInterestColumnNames.CandidateSource"/>.
    /// </summary>
    public string CandidateSourceColumnName = MultiInterestColumnNames.CandidateSource;

    /// <summary>The item embedding column (known-size Single vector) of the item embeddings view. Default <see cref="MultiInterestColumnNames.ItemEmbedding"/>.</summary>
    public string ItemEmbeddingColumnName = MultiInterestColumnNames.ItemEmbedding;

    /// <summary>The cutoffs K, positive and distinct; reported in ascending order. Default <see cref="EvaluationDefaults.Cutoffs"/>.</summary>
    public int[] Cutoffs = EvaluationDefaults.Cutoffs;

    /// <summary>The user representation of the goodness of fit (EMD). Default <see cref="UserRepresentation.Auto"/>.</summary>
    public UserRepresentation Representation = UserRepresentation.Auto;

    /// <summary>The mixture weights column (Double vector of m), for <see cref="UserRepresentation.Mixture"/>. Default <see cref="MultiInterestColumnNames.MixtureWeights"/>.</summary>
    public string MixtureWeightsColumnName = MultiInterestColumnNames.MixtureWeights;

    /// <summary>The mixture embeddings column (Single vector of m x d), for <see cref="UserRepresentation.Mixture"/>. Default <see cref="MultiInterestColumnNames.MixtureEmbeddings"/>.</summary>
    public string MixtureEmbeddingsColumnName = MultiInterestColumnNames.MixtureEmbeddings;

    /// <summary>The user embedding column (Single vector of d), for <see cref="UserRepresentation.Unimodal"/>. Default <see cref="MultiInterestColumnNames.UserEmbedding"/>.</summary>
    public string UserEmbeddingColumnName = MultiInterestColumnNames.UserEmbedding;

    /// <summary>
    /// How held-out edges of users or items unseen in training are scored: <see cref="UnseenHeldOut.Miss"/> (the default,
    /// <see cref="EvaluationDefaults.Unseen"/>) keeps them in the Recall and NDCG denominators as misses, and counts a test
    /// user unseen in training with Recall = NDCG = 0; <see cref="UnseenHeldOut.Drop"/> leaves them out. An item is unseen
    /// when its key is missing (0) in the held-out edges or it has no row in the item embeddings view; a user when its key
    /// is missing or (for <see cref="MultiInterestCatalog.EvaluateRetriever"/>) it has no row in the fit data. The counts
    /// are in <see cref="MultiInterestMetrics.UnseenEdges"/> and <see cref="MultiInterestMetrics.MissedUsers"/>.
    /// </summary>
    public UnseenHeldOut Unseen = EvaluationDefaults.Unseen;

    /// <summary>Degree of parallelism; 0 = all cores, else at most 1,024. The figures do not depend on it. Default 0.</summary>
    public int Threads;

    /// <summary>Checks every option and returns the cutoffs sorted ascending.</summary>
    internal int[] Validate()
    {
        OptionChecks.ColumnName(UserColumnName, nameof(UserColumnName));
        OptionChecks.ColumnName(ItemColumnName, nameof(ItemColumnName));
        OptionChecks.ColumnName(CandidatesColumnName, nameof(CandidatesColumnName));
        // Absent from the view it may be (every user then reads as trained), but it must name a column: null reached ML.NET's lookup.
        OptionChecks.ColumnName(CandidateSourceColumnName, nameof(CandidateSourceColumnName));
        OptionChecks.ColumnName(ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName));
        OptionChecks.ColumnName(MixtureWeightsColumnName, nameof(MixtureWeightsColumnName));
        OptionChecks.ColumnName(MixtureEmbeddingsColumnName, nameof(MixtureEmbeddingsColumnName));
        OptionChecks.ColumnName(UserEmbeddingColumnName, nameof(UserEmbeddingColumnName));
        OptionChecks.Threads(Threads, nameof(Threads));
        if (!Enum.IsDefined(Unseen))
            throw new ArgumentOutOfRangeException(nameof(Unseen), Unseen, $"{nameof(Unseen)} is not a defined value.");
        if (!Enum.IsDefined(Representation))
            throw new ArgumentOutOfRangeException(nameof(Representation), Representation, $"{nameof(Representation)} is not a defined value.");
        if (Cutoffs == null || Cutoffs.Length == 0)
            throw new ArgumentException($"{nameof(Cutoffs)} must list at least one cutoff.", nameof(Cutoffs));
        foreach (int k in Cutoffs) OptionChecks.AtLeast(k, 1, nameof(Cutoffs));
        var sorted = Cutoffs.Order().ToArray();
        for (int c = 1; c < sorted.Length; c++)
        {
            if (sorted[c] == sorted[c - 1])
                throw new ArgumentException($"{nameof(Cutoffs)} lists {sorted[c]} twice.", nameof(Cutoffs));
        }
        return sorted;
    }
}
