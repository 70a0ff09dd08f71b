namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Settings of the protocol's tuned multi-interest row (<c>knn_embed_tuned</c>): a kNN-Embed mixture with its own
/// number of components and smoothing, retrieved with the quota options (query inside a cluster, alpha, unimodal
/// head), usually over its own item clustering.
/// </summary>
public sealed class MultiInterestRowSettings
{
    /// <summary>m: mixture components per user. Default <see cref="KnnSmoothedMixtureDefaults.Components"/>.</summary>
    public int Components { get; set; } = KnnSmoothedMixtureDefaults.Components;

    /// <summary>Jelinek-Mercer smoothing weight in [0, 1] (0 = unsmoothed Mixture weights). Default <see cref="KnnSmoothedMixtureDefaults.Lambda"/>.</summary>
    public double Lambda { get; set; } = KnnSmoothedMixtureDefaults.Lambda;

    /// <summary>Quota retrieval options (Alpha, Query, Beta, HeadShare).</summary>
    public QuotaRetrievalOptions Retrieval { get; set; } = new();

    /// <summary>
    /// Relevance weight of the multi-interest MMR row (<c>interest_mmr</c>: MMR plus the proportionality term over this
    /// row's mixtures), in [0, 1]. Default <see cref="MmrRetrieverDefaults.Lambda"/>.
    /// </summary>
    public double MmrLambda { get; set; } = MmrRetrieverDefaults.Lambda;

    /// <summary>Weight nu of the interest term of the <c>interest_mmr</c> row; 0 leaves the row out. Default <see cref="MmrRetrieverDefaults.InterestWeight"/>.</summary>
    public double InterestWeight { get; set; } = MmrRetrieverDefaults.InterestWeight;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Components < 1) throw new ArgumentOutOfRangeException(nameof(Components), Components, "Components (m) of the tuned row must be at least 1.");
        if (double.IsNaN(Lambda) || Lambda < 0 || Lambda > 1) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda of the tuned row must lie in [0, 1].");
        if (!(MmrLambda >= 0 && MmrLambda <= 1)) throw new ArgumentOutOfRangeException(nameof(MmrLambda), MmrLambda, "MmrLambda of the tuned row must lie in [0, 1].");
        if (!double.IsFinite(InterestWeight) || InterestWeight < 0) throw new ArgumentOutOfRangeException(nameof(InterestWeight), InterestWeight, "InterestWeight (nu) must be finite and non-negative.");
        ArgumentNullException.ThrowIfNull(Retrieval, nameof(Retrieval));
        Retrieval.Validate();
    }
}
