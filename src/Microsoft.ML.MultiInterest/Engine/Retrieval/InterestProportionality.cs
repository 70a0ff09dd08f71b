namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The interest term of multi-interest MMR (<see cref="MmrRetriever.Rerank(RankedLists, int, double, int, InterestProportionality, int)"/>):
/// each user's mixture over item clusters votes for proportional representation, as PM-2 does (Dang and Croft, 2012).
/// While re-ranking, component c of the user has the Sainte-Laguë quotient <c>q_c = w_c / (2 s_c + 1)</c>, where
/// <c>s_c</c> counts the items of its cluster picked so far; a pool item of cluster c gains <c>Weight * q_c / max_c' q_c'</c>
/// (nothing when its cluster is not one of the user's components), with the weight faded below lambda 0.5
/// (<see cref="MmrRetrieverDefaults.InterestFadeLambda"/>: lambda 0 is plain MMR's pure novelty). Interests the list under-serves for their weight
/// are thus preferred, softly: relevance and the MMR novelty term still decide within and across them.
/// </summary>
public sealed class InterestProportionality : IInterestTerm
{
    /// <summary>Creates the term.</summary>
    /// <param name="mixtures">The users' mixtures (weights and clusters; kNN-Embed or Mixture weights alike).</param>
    /// <param name="users">The user (row of <paramref name="mixtures"/>) of each pool list, in pool order.</param>
    /// <param name="clustering">The item clusters the mixtures refer to.</param>
    /// <param name="weight">The term's weight, finite and non-negative (0 = plain MMR).</param>
    public InterestProportionality(MixtureTable mixtures, IReadOnlyList<int> users, ItemClustering clustering, double weight)
    {
        ArgumentNullException.ThrowIfNull(mixtures);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(clustering);
        if (!double.IsFinite(weight) || weight < 0) throw new ArgumentOutOfRangeException(nameof(weight), weight, "The interest weight (nu) must be finite and non-negative.");
        foreach (int u in users)
            if ((uint)u >= (uint)mixtures.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {mixtures.UserCount} users.");
        Mixtures = mixtures;
        Users = users;
        Clustering = clustering;
        Weight = weight;
    }

    /// <summary>The users' mixtures.</summary>
    public MixtureTable Mixtures { get; }

    /// <summary>The user of each pool list.</summary>
    public IReadOnlyList<int> Users { get; }

    /// <summary>The item clusters.</summary>
    public ItemClustering Clustering { get; }

    /// <summary>The term's weight (nu).</summary>
    public double Weight { get; }

    int IInterestTerm.MaxComponents => Mixtures.MaxComponents;

    int IInterestTerm.Assign(int query, ReadOnlySpan<int> items, Span<int> component)
    {
        int user = Users[query];
        var clusters = Mixtures.Clusters(user);
        var assignments = Clustering.Assignments;
        for (int r = 0; r < items.Length; r++) component[r] = clusters.IndexOf(assignments[items[r]]);
        return Mixtures.ComponentCount(user);
    }

    ReadOnlySpan<double> IInterestTerm.Weights(int query) => Mixtures.Weights(Users[query]);
}
