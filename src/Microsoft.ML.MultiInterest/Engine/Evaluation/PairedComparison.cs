namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A method's figures against a baseline's, user by user over the same test users (<see cref="MethodEvaluation.Against"/>,
/// <see cref="MultiInterestMetrics.Against"/>):
/// per cutoff K the mean per-user difference of Recall@K, NDCG@K and Diversity@K and its standard error
/// (<see cref="PairedDifference"/>). The evaluation protocol reports every row against Unimodal this way, so that a row's
/// lead can be told from the noise of the test users.
/// </summary>
public sealed class PairedComparison
{
    internal PairedComparison(IReadOnlyDictionary<int, PairedDifference> recall, IReadOnlyDictionary<int, PairedDifference> ndcg,
        IReadOnlyDictionary<int, PairedDifference> diversity, IReadOnlyList<PairedComparison>? byActivity = null)
    {
        ByActivity = byActivity ?? [];
        Recall = recall;
        Ndcg = ndcg;
        Diversity = diversity;
    }

    /// <summary>
    /// The same comparison within each activity quartile of the test users (training degree, least active first, as the
    /// rows' own <c>ByActivity</c>; missed users are in none): where a multi-interest row's lead lies. Empty when the rows
    /// were scored without quartiles (<see cref="MultiInterestCatalog.Evaluate"/>) or on different ones; an empty
    /// quartile's figures are NaN.
    /// </summary>
    public IReadOnlyList<PairedComparison> ByActivity { get; }

    /// <summary>Recall@K, method minus baseline, per cutoff K; averaged over every test user, missed users (0 in both) included.</summary>
    public IReadOnlyDictionary<int, PairedDifference> Recall { get; }

    /// <summary>NDCG@K, method minus baseline, per cutoff K; averaged as <see cref="Recall"/>.</summary>
    public IReadOnlyDictionary<int, PairedDifference> Ndcg { get; }

    /// <summary>Diversity@K, method minus baseline, per cutoff K; averaged over the scored test users (the missed ones left out, an empty list counting 0), as the means are.</summary>
    public IReadOnlyDictionary<int, PairedDifference> Diversity { get; }
}
