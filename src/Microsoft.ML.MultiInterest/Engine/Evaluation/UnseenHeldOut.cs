namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How the evaluation scores held-out edges whose user or item is unseen in training (no training edge, no embedding):
/// no retriever can return such an item, and such a user has no representation to retrieve for.
/// </summary>
public enum UnseenHeldOut
{
    /// <summary>
    /// The default, as the benchmark papers' evaluation code does: an unseen held-out item stays in its user's Recall
    /// and NDCG denominators as a miss, and a test user unseen in training (or whose held-out items are all unseen)
    /// counts in the Recall@K and NDCG@K means with 0. Diversity@K and the EMD average over the users that have a
    /// list and at least one seen held-out item.
    /// </summary>
    Miss,

    /// <summary>Unseen held-out items and users are left out of every figure (the figures then only cover what can be retrieved).</summary>
    Drop,
}

/// <summary>
/// The held-out edges the evaluation cannot hit, counted for <see cref="UnseenHeldOut.Miss"/>: per user row the number of
/// distinct held-out items unseen in training, and the number of test users unseen in training.
/// </summary>
public sealed class HeldOutMisses
{
    private readonly int[] _unseenItemsOfUser;

    /// <summary>Creates the counts.</summary>
    /// <param name="unseenItemsOfUser">Per user row (of the training graph): distinct held-out items unseen in training; not negative.</param>
    /// <param name="unseenUsers">Test users with no row in the training graph; not negative.</param>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    public HeldOutMisses(int[] unseenItemsOfUser, int unseenUsers)
    {
        ArgumentNullException.ThrowIfNull(unseenItemsOfUser);
        if (unseenUsers < 0) throw new ArgumentOutOfRangeException(nameof(unseenUsers), unseenUsers, "The count of unseen users cannot be negative.");
        foreach (int n in unseenItemsOfUser)
            if (n < 0) throw new ArgumentException("A count of unseen items cannot be negative.", nameof(unseenItemsOfUser));
        _unseenItemsOfUser = (int[])unseenItemsOfUser.Clone();
        UnseenUsers = unseenUsers;
    }

    /// <summary>No misses.</summary>
    public static HeldOutMisses None { get; } = new([], 0);

    /// <summary>Test users unseen in training: each counts with Recall@K = NDCG@K = 0 under <see cref="UnseenHeldOut.Miss"/>.</summary>
    public int UnseenUsers { get; }

    /// <summary>Held-out items of all seen users that are unseen in training (each a miss).</summary>
    public long UnseenItems => _unseenItemsOfUser.Sum(n => (long)n);

    /// <summary>The distinct held-out items of user row <paramref name="user"/> that are unseen in training (0 beyond the table).</summary>
    /// <param name="user">A user row of the held-out graph; any value (outside the table gives 0).</param>
    /// <returns>The count of the user's distinct unseen held-out items.</returns>
    public int UnseenItemsOf(int user) => (uint)user < (uint)_unseenItemsOfUser.Length ? _unseenItemsOfUser[user] : 0;

    /// <summary>
    /// The test users no list can score: those unseen in training, and those whose held-out items are all unseen in training.
    /// <see cref="UnseenHeldOut.Miss"/> counts them with Recall@K = NDCG@K = 0; <see cref="UnseenHeldOut.Drop"/> leaves them out.
    /// </summary>
    /// <param name="test">The held-out edges between users and items seen in training, over the training graph's user rows.</param>
    /// <returns>The count of such users.</returns>
    public int UsersWithoutSeenItems(BipartiteGraph test)
    {
        ArgumentNullException.ThrowIfNull(test);
        int count = UnseenUsers;
        for (int u = 0; u < _unseenItemsOfUser.Length; u++)
            if (_unseenItemsOfUser[u] > 0 && (u >= test.UserCount || test.DegreeOf(u) == 0)) count++;
        return count;
    }
}
