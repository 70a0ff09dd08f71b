namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The test users whose whole mixtures an evaluation keeps when it lets the rest of the component embeddings go
/// (<see cref="ProtocolSettings.MixtureSampleUsers"/>, <see cref="MethodEvaluation.MixtureSample"/>): the users a plot of
/// components shows best.
/// </summary>
public static class MixtureSample
{
    /// <summary>
    /// The users of <paramref name="users"/> with at least two components in <paramref name="mixtures"/>, most training
    /// items first (ties to the lower row), at most <paramref name="count"/>.
    /// </summary>
    /// <param name="users">The candidates (test users).</param>
    /// <param name="train">The training graph, for each user's number of items.</param>
    /// <param name="mixtures">The mixtures whose component counts decide.</param>
    /// <param name="count">The most users returned; 0 for none.</param>
    /// <returns>A new array of the selected users.</returns>
    public static int[] Select(IEnumerable<int> users, BipartiteGraph train, MixtureTable mixtures, int count)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(mixtures);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return users.Where(u => mixtures.ComponentCount(u) >= 2).OrderByDescending(train.DegreeOf).ThenBy(u => u).Take(count).ToArray();
    }
}
