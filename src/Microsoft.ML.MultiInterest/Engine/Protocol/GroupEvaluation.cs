namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>A method's figures over one activity group of test users (<see cref="ActivityQuartiles"/>).</summary>
/// <param name="Group">0 = least active quartile, 3 = most active.</param>
/// <param name="Users">Test users in the group.</param>
/// <param name="LowerDegree">Smallest training degree in the group.</param>
/// <param name="UpperDegree">Largest training degree in the group.</param>
/// <param name="Recall">Mean Recall@K per cutoff (NaN for an empty group).</param>
/// <param name="Ndcg">Mean NDCG@K per cutoff.</param>
/// <param name="Diversity">Mean Diversity@K per cutoff.</param>
/// <param name="Emd">Mean goodness of fit (NaN for a row without a user representation, such as <c>popular</c>).</param>
public sealed record GroupEvaluation(int Group, int Users, int LowerDegree, int UpperDegree, IReadOnlyDictionary<int, double> Recall,
    IReadOnlyDictionary<int, double> Ndcg, IReadOnlyDictionary<int, double> Diversity, double Emd);
