namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Decides whether an indexed row may enter a query's list (exclusions, eligibility). Asked only for rows whose
/// score could enter the list, so it may cost more than a mask lookup. Implemented by structs so the search kernel
/// specialises on it.
/// </summary>
internal interface ICandidateFilter
{
    /// <summary>True when <paramref name="row"/> may be returned to query <paramref name="query"/> (its index among the searched queries).</summary>
    bool Accepts(int query, int row);
}
