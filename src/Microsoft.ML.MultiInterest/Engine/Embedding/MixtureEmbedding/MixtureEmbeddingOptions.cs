namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Settings of <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> (Instagram's multitask mixture embeddings; docs:
/// methods.md, section 1): each source (user) has <see cref="SourceComponents"/> unit-length vectors, each destination
/// (item) <see cref="DestinationComponents"/>; a pair is scored by pooling the cosines of all component pairs, and
/// training minimises <c>w · Σ_negatives max(0, pool⁻(M(s, d')) + margin − pool⁺(M(s, d)))</c>. The shared settings
/// (dimension, epochs, learning rate, margin, chunk size, negatives, optimiser, seed, threads) are those of
/// <see cref="GraphEmbeddingOptions"/>; its <see cref="GraphEmbeddingOptions.Loss"/> is ignored (the loss is always this
/// margin ranking loss).
/// </summary>
public sealed class MixtureEmbeddingOptions
{
    /// <summary>C_s ≥ 1, components per source (user). Default <see cref="MixtureEmbeddingDefaults.SourceComponents"/>.</summary>
    public int SourceComponents { get; set; } = MixtureEmbeddingDefaults.SourceComponents;

    /// <summary>C_d ≥ 1, components per destination (item). Default <see cref="MixtureEmbeddingDefaults.DestinationComponents"/>.</summary>
    public int DestinationComponents { get; set; } = MixtureEmbeddingDefaults.DestinationComponents;

    /// <summary>Pooling of positive pairs (negatives use its unregularised counterpart). Default <see cref="MixtureEmbeddingDefaults.Pooling"/>.</summary>
    public MixturePooling Pooling { get; set; } = MixtureEmbeddingDefaults.Pooling;

    /// <summary>γ &gt; 0, the temperature of the smooth poolings. Default <see cref="MixtureEmbeddingDefaults.Gamma"/>.</summary>
    public float Gamma { get; set; } = MixtureEmbeddingDefaults.Gamma;

    /// <summary>θ within [0, 1], the weight of the plain sum in the regularised smoothmax. Default <see cref="MixtureEmbeddingDefaults.Theta"/>.</summary>
    public float Theta { get; set; } = MixtureEmbeddingDefaults.Theta;

    /// <summary>
    /// Whether only the destination side is corrupted (users are never negatives), as the paper does because retrieval runs
    /// user → items. False also corrupts the source side, as the single-vector trainer does. Default <see cref="MixtureEmbeddingDefaults.OneSidedNegatives"/>.
    /// </summary>
    public bool OneSidedNegatives { get; set; } = MixtureEmbeddingDefaults.OneSidedNegatives;

    /// <summary>
    /// γ_T &gt; 0 of the post-hoc mixture weights (<c>w_{s,c} ∝ Σ_{(s,d)} Σ_l e^{M[c,l]/γ_T}</c>, normalised over c), which
    /// round-robin retrieval and the goodness of fit use. Default <see cref="MixtureEmbeddingDefaults.WeightGamma"/>.
    /// </summary>
    public float WeightGamma { get; set; } = MixtureEmbeddingDefaults.WeightGamma;

    /// <summary>
    /// Multi-task training: the weight of each relation (edge type) of the graph (<see cref="BipartiteGraph.RelationCount"/>
    /// entries, each finite and ≥ 0); the loss is the sum over relations of its weight times the relation's (edge-weighted)
    /// loss, so an edge's loss is scaled by its relation's weight, and a relation of weight 0 is left out of training. Null
    /// (the default) weighs every relation 1. Negatives of a relation's edges are drawn among the destinations that occur in
    /// that relation (its type); a graph with one relation trains exactly as one without relations.
    /// </summary>
    public float[]? RelationWeights { get; set; }

    /// <summary>
    /// The relations whose edges the post-hoc weights of the trained result sum over (relation ids, e.g. the tasks retrieval
    /// serves); null (the default) sums over all edges. <see cref="MixtureEmbeddingResult.WithWeights"/> recomputes them
    /// for another subset after training.
    /// </summary>
    public int[]? WeightRelations { get; set; }

    /// <summary>
    /// User vectors to start from (warm start), one row per user of the graph and <see cref="GraphEmbeddingOptions.Dimension"/>
    /// columns, e.g. a single-vector model's user table: each of a user's components starts at its row, spread by
    /// <see cref="MixtureEmbeddingDefaults.WarmStartSpread"/> times a random unit direction so that the components can part (a
    /// single component starts at its row exactly).
    /// Null (the default): random unit components. Zero rows keep their random components.
    /// </summary>
    public EmbeddingMatrix? InitialUsers { get; set; }

    /// <summary>Item vectors to start from, as <see cref="InitialUsers"/> (one row per item); null: random.</summary>
    public EmbeddingMatrix? InitialItems { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (SourceComponents < 1 || SourceComponents > 64) throw Bad(nameof(SourceComponents), SourceComponents, "must be within 1..64");
        if (DestinationComponents < 1 || DestinationComponents > 64) throw Bad(nameof(DestinationComponents), DestinationComponents, "must be within 1..64");
        if (!Enum.IsDefined(Pooling)) throw Bad(nameof(Pooling), Pooling, "is not a known pooling");
        if (!float.IsFinite(Gamma) || Gamma < 1e-3f || Gamma > 1e3f) throw Bad(nameof(Gamma), Gamma, "must be within 0.001..1000");
        if (!float.IsFinite(Theta) || Theta < 0 || Theta > 1) throw Bad(nameof(Theta), Theta, "must be within [0, 1]");
        if (!float.IsFinite(WeightGamma) || WeightGamma < 1e-3f || WeightGamma > 1e3f) throw Bad(nameof(WeightGamma), WeightGamma, "must be within 0.001..1000");
        if (WeightRelations != null)
        {
            if (WeightRelations.Length == 0) throw new ArgumentOutOfRangeException(nameof(WeightRelations), "WeightRelations is empty: give at least one relation, or null for all edges.");
            foreach (int r in WeightRelations)
                if (r < 0) throw new ArgumentOutOfRangeException(nameof(WeightRelations), r, $"WeightRelations names relation {r}: relation ids are at least 0.");
        }
        if (RelationWeights != null)
        {
            if (RelationWeights.Length == 0) throw new ArgumentOutOfRangeException(nameof(RelationWeights), "RelationWeights is empty: give one weight per relation, or null for all 1.");
            for (int r = 0; r < RelationWeights.Length; r++)
            {
                if (!float.IsFinite(RelationWeights[r]) || RelationWeights[r] < 0)
                    throw new ArgumentOutOfRangeException(nameof(RelationWeights), RelationWeights[r], $"RelationWeights[{r}] is {RelationWeights[r]}: relation weights must be finite and at least 0.");
            }
        }
    }

    /// <summary>A copy (the <see cref="InitialUsers"/> and <see cref="InitialItems"/> tables are shared, not copied).</summary>
    /// <returns>A new copy with its own relation weights.</returns>
    public MixtureEmbeddingOptions Clone()
    {
        var copy = (MixtureEmbeddingOptions)MemberwiseClone();
        copy.RelationWeights = (float[]?)RelationWeights?.Clone();
        copy.WeightRelations = (int[]?)WeightRelations?.Clone();
        return copy;
    }

    private static ArgumentOutOfRangeException Bad(string name, object value, string rule) => new(name, value, $"{name} {rule}.");
}
