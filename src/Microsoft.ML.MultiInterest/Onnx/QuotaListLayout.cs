using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// How the quota scorer lays out one list of M items: the unimodal head, the components' slots and the unimodal fill. The
/// two retrievers the graph serves differ in where a component's hand-off slots go (right after its own quota, or after every
/// component's quota). They also fill from rankings of different depths (<see cref="ClusterQuotaRetriever"/>'s estimator
/// from the unimodal top M, <see cref="ConditionalRetriever"/>'s from the top <see cref="ConditionalDefaults.FillFactor"/> × M),
/// which gives the same list: the components and the head hold w items, at most w of them among the ranking's first M, so
/// those M always hold the M − w the fill needs.
/// </summary>
/// <param name="Candidates">M, the list length.</param>
/// <param name="HeadSlots">H, the unimodal head's slots (0..M).</param>
/// <param name="ExtrasAfterQuotas">
/// False: each component's items are contiguous, its quota and then what it takes over from short components
/// (<see cref="ClusterQuotaRetriever"/>). True: every component's quota first, then the hand-off in component order
/// (<see cref="ConditionalRetriever"/>).
/// </param>
internal sealed record QuotaListLayout(int Candidates, int HeadSlots, bool ExtrasAfterQuotas)
{
    /// <summary><see cref="ClusterQuotaRetriever"/>'s layout for M = <paramref name="candidates"/> with <paramref name="options"/>' head.</summary>
    public static QuotaListLayout ClusterQuota(int candidates, QuotaRetrievalOptions options) =>
        new(candidates, options.HeadSlots(candidates), ExtrasAfterQuotas: false);

    /// <summary><see cref="ConditionalRetriever"/>'s layout for M = <paramref name="candidates"/> with head share <paramref name="headShare"/>.</summary>
    public static QuotaListLayout Conditional(int candidates, double headShare) =>
        new(candidates, new QuotaRetrievalOptions { HeadShare = headShare }.HeadSlots(candidates), ExtrasAfterQuotas: true);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Candidates < 1) throw new ArgumentOutOfRangeException(nameof(Candidates), Candidates, "M must be at least 1.");
        if (HeadSlots < 0 || HeadSlots > Candidates)
            throw new ArgumentOutOfRangeException(nameof(HeadSlots), HeadSlots, $"The head's slots must lie in 0..{Candidates} (the list length).");
    }
}
