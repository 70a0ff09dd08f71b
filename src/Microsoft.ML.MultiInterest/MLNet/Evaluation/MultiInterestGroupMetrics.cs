using System.Globalization;

namespace Microsoft.ML.MultiInterest;

/// <summary>The metrics of one activity group of test users (see <see cref="MultiInterestMetrics.ByActivity"/>).</summary>
/// <param name="Group">0 = least active quartile, 3 = most active (metrics.json's <c>by_activity.quartile</c> and the CLI's table number them 1 to 4, Q1 to Q4).</param>
/// <param name="UserCount">Test users in the group.</param>
/// <param name="LowerDegree">Smallest training degree in the group (0 for an empty group: tied degrees can leave one empty).</param>
/// <param name="UpperDegree">Largest training degree in the group (0 for an empty group).</param>
/// <param name="RecallAtK">Mean Recall@K by K (NaN for an empty group).</param>
/// <param name="NdcgAtK">Mean NDCG@K by K.</param>
/// <param name="DiversityAtK">Mean Diversity@K by K.</param>
/// <param name="Emd">Mean goodness of fit, or null when no representation was evaluated.</param>
public sealed record MultiInterestGroupMetrics(int Group, int UserCount, int LowerDegree, int UpperDegree, IReadOnlyDictionary<int, double> RecallAtK,
    IReadOnlyDictionary<int, double> NdcgAtK, IReadOnlyDictionary<int, double> DiversityAtK, double? Emd)
{
    /// <summary>One line: the group, its users and degrees, then Recall, NDCG and Diversity at each K (a record's default prints the dictionaries' type names).</summary>
    /// <returns>The line, in invariant culture.</returns>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        string figures = string.Join("; ", RecallAtK.Keys.Select(k => string.Create(inv, $"@{k} recall {RecallAtK[k]:F4} ndcg {NdcgAtK[k]:F4} diversity {DiversityAtK[k]:F4}")));
        string emd = Emd is double e ? string.Create(inv, $"; EMD {e:F4}") : "";
        return string.Create(inv, $"Q{Group + 1}: {MultiInterestMetrics.Users(UserCount)}, training degree {LowerDegree}-{UpperDegree}; {figures}{emd}");
    }
}
