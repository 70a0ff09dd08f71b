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

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Components < 1) throw new ArgumentOutOfRangeException(nameof(Components), Components, "Components (m) of the tuned row must be at least 1.");
        if (double.IsNaN(Lambda) || Lambda < 0 || Lambda > 1) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda of the tuned row must lie in [0, 1].");
        ArgumentNullException.ThrowIfNull(Retrieval, nameof(Retrieval));
        Retrieval.Validate();
    }
}
