using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// What round-robin serving reads besides the users' components (<see cref="ServingTables.Mixtures"/>, component indices as
/// clusters): the item components by compact item (rows <c>j x C_d + l</c>), C_d, and, for a differentiable-clustering model,
/// its soft k-means settings, with which a user who has only a fresh history gets interests of its own.
/// </summary>
internal sealed class LearnedComponents
{
    public LearnedComponents(EmbeddingMatrix itemComponents, int destinationComponents, DcmClustering? dcm, bool fromMixtureStage = false)
    {
        if (dcm != null && (destinationComponents != 1 || dcm.Seeds.Dimension != itemComponents.Dimension))
            throw new ArgumentException($"A differentiable-clustering model has one component per item of the seeds' dimension {dcm.Seeds.Dimension}, "
                + $"but the item components are {destinationComponents} per item of dimension {itemComponents.Dimension}.");
        ItemComponents = itemComponents;
        DestinationComponents = destinationComponents;
        Dcm = dcm;
        FromMixtureStage = fromMixtureStage;
    }

    /// <summary>
    /// Whether the user components are the kNN-Embed mixture stage's (each user's mixture, over the item embeddings, C_d = 1)
    /// rather than a GraphEmbedding stage's learned components: saved with the stage, so a loaded model rebuilds them from there.
    /// </summary>
    public bool FromMixtureStage { get; }

    /// <summary>Item components by compact item, C_d consecutive rows each.</summary>
    public EmbeddingMatrix ItemComponents { get; }

    /// <summary>C_d, components per item.</summary>
    public int DestinationComponents { get; }

    /// <summary>The seeds, τ, β and T of a differentiable-clustering model; null for mixture embeddings.</summary>
    public DcmClustering? Dcm { get; }

    /// <summary>
    /// The components of a user known by the compact items of its fresh history only: the model's interests of that history
    /// (differentiable clustering, over the unit item vectors, which are the item components), else one component of weight 1,
    /// <paramref name="mean"/> (the mean of the history items' vectors): mixture embeddings have no way to place a user unseen in
    /// training among its learned components.
    /// </summary>
    public MixtureTable HistoryComponents(ReadOnlySpan<int> history, float[] mean)
    {
        if (Dcm != null) return Dcm.InterestsOf(ItemComponents, history);
        var table = new MixtureTable(1, 1, mean.Length);
        table.SetCount(0, 1);
        table.WritableWeights(0)[0] = 1.0;
        mean.CopyTo(table.WritableEmbedding(0, 0));
        return table;
    }
}
