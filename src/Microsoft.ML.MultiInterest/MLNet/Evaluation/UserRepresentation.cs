namespace Microsoft.ML.MultiInterest;

/// <summary>Which user representation the goodness of fit (EMD) of <see cref="MultiInterestCatalog.Evaluate"/> is computed on.</summary>
public enum UserRepresentation
{
    /// <summary>
    /// The mixture when both mixture columns are present, else the user embedding when its column is present,
    /// else none. Set the kind explicitly when a view carries both (for example to score a unimodal retriever
    /// appended after the mixture stage).
    /// </summary>
    Auto,

    /// <summary>No goodness of fit: <see cref="MultiInterestMetrics.Emd"/> is null.</summary>
    None,

    /// <summary>The mixture: component embeddings (MixtureEmbeddings) with their weights (MixtureWeights).</summary>
    Mixture,

    /// <summary>The single user embedding (UserEmbedding), normalised, with weight 1.</summary>
    Unimodal,
}
