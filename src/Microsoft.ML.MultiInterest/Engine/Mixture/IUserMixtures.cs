namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Whole mixtures (component embeddings included) of a list of users, made one user at a time when asked, for callers
/// that read each user's components once and should not hold every user's m x d floats.
/// </summary>
internal interface IUserMixtures : IDisposable
{
    /// <summary>The mixture of the <paramref name="index"/>-th user of the list, as row 0 of a table of this thread's, valid until its next call.</summary>
    MixtureTable Mixture(int index);

    /// <summary>The whole mixtures of <paramref name="users"/> (user rows, all of them in the list), in a table of their own.</summary>
    MixtureTable Subset(IReadOnlyList<int> users);
}
