namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One figure of a method against a baseline over the same users: the mean of the per-user differences (method minus
/// baseline, which is the difference of the two means) and its standard error, the sample standard deviation of those
/// differences over the square root of the number of users. Pairing removes what the users share (a user whose held-out
/// items are easy is easy for both rows), so a gap of a few standard errors is not noise in the choice of test users,
/// where the two means' own spreads would hide it.
/// </summary>
/// <param name="Difference">Mean per-user difference, method minus baseline.</param>
/// <param name="StandardError">Its standard error; NaN with fewer than two users.</param>
/// <param name="Users">The users averaged (for Recall and NDCG the missed users too, each a difference of 0).</param>
public readonly record struct PairedDifference(double Difference, double StandardError, int Users)
{
    /// <summary>
    /// The paired difference of column <paramref name="column"/> of two user-major tables (<paramref name="stride"/>
    /// values per user), plus <paramref name="zeroUsers"/> users whose difference is 0 (users missed by both rows). Summed
    /// in user order, so the result does not depend on how the per-user values were computed in parallel.
    /// </summary>
    /// <param name="method">The row's table.</param>
    /// <param name="baseline">The baseline's table, aligned with it.</param>
    /// <param name="stride">Values per user.</param>
    /// <param name="column">The column compared.</param>
    /// <param name="zeroUsers">Users in neither table, each a difference of 0.</param>
    /// <param name="groups">The group of each user of the tables, to compare one group's users alone; null for all.</param>
    /// <param name="group">The group compared when <paramref name="groups"/> is given.</param>
    internal static PairedDifference Of(ReadOnlySpan<double> method, ReadOnlySpan<double> baseline, int stride, int column, int zeroUsers,
        IReadOnlyList<int>? groups = null, int group = 0)
    {
        if (method.Length != baseline.Length) throw new ArgumentException($"The tables hold {method.Length} and {baseline.Length} values.", nameof(baseline));
        int rows = method.Length / stride;
        if (groups != null && groups.Count != rows) throw new ArgumentException($"There are {groups.Count} group entries for {rows} users.", nameof(groups));
        int users = zeroUsers;
        double sum = 0;
        for (int q = 0; q < rows; q++)
        {
            if (groups != null && groups[q] != group) continue;
            sum += method[q * stride + column] - baseline[q * stride + column];
            users++;
        }
        if (users == 0) return new PairedDifference(double.NaN, double.NaN, 0);
        double mean = sum / users;
        // Two passes: the squares of deviations, not of values, so that a tiny difference between large figures keeps its digits.
        double squares = zeroUsers * mean * mean;
        for (int q = 0; q < rows; q++)
        {
            if (groups != null && groups[q] != group) continue;
            double deviation = method[q * stride + column] - baseline[q * stride + column] - mean;
            squares += deviation * deviation;
        }
        double standardError = users < 2 ? double.NaN : Math.Sqrt(squares / (users - 1) / users);
        return new PairedDifference(mean, standardError, users);
    }
}
