namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Trains <see cref="EmbeddingAlgorithm.MixtureEmbedding"/>: random unit components, then epochs of shuffled chunks
/// (<see cref="MixtureChunkWorker"/>), threaded as <see cref="NegativeSamplingTrainer"/>: with one thread a run is
/// deterministic; with more, each thread trains its own slice of the shuffled edges with its own random stream and
/// writes the shared tables without locks (Hogwild).
/// </summary>
internal static class MixtureEmbeddingTrainer
{
    /// <summary>
    /// Trains for <c>o.Epochs</c> epochs. With a <paramref name="scorer"/>, measures validation Recall@K of round-robin
    /// retrieval after every epoch, returns the best epoch's components and stops early after <c>o.EarlyStoppingPatience</c>
    /// epochs without a gain.
    /// </summary>
    public static (GraphEmbeddingResult Result, int Epoch) Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads,
        IProgress<EpochStats>? progress, ValidationScorer? scorer, ValidationCurve curve, CancellationToken ct)
    {
        var mix = o.Mixture;
        int cs = mix.SourceComponents, cd = mix.DestinationComponents;

        // Random directions: normal draws projected on the sphere, users then items from one stream (Seed only).
        var init = new EmbeddingRandom(o.Seed, -1);
        var users = new EmbeddingTable(checked(graph.UserCount * cs), o.Dimension);
        var items = new EmbeddingTable(checked(graph.ItemCount * cd), o.Dimension);
        InitializeUnit(users, ref init);
        InitializeUnit(items, ref init);
        // Several components of a node start apart (spread), a single one at its start exactly.
        if (mix.InitialUsers is { } userStart) EmbeddingWarmStart.Apply(users, userStart, cs, cs > 1 ? MixtureEmbeddingDefaults.WarmStartSpread : 0f);
        if (mix.InitialItems is { } itemStart) EmbeddingWarmStart.Apply(items, itemStart, cd, cd > 1 ? MixtureEmbeddingDefaults.WarmStartSpread : 0f);

        // Relations (multi-task): edges of zero-weight relations dropped, losses scaled by relation weight, negatives per relation.
        var (edgeUsers, edgeItems, edgeWeights, relations) = MixtureRelations.Edges(graph, o);
        int edgeCount = edgeItems.Length;

        AliasSampler? userSampler = null, itemSampler = null;
        if (o.DegreeNegatives > 0)
        {
            if (relations == null) itemSampler = AliasSampler.FromDegrees(graph.ItemDegrees(), o.DegreeExponent);
            if (!mix.OneSidedNegatives)
            {
                var userDegrees = new int[graph.UserCount];
                for (int u = 0; u < userDegrees.Length; u++) userDegrees[u] = graph.DegreeOf(u);
                userSampler = AliasSampler.FromDegrees(userDegrees, o.DegreeExponent);
            }
        }

        var workers = new MixtureChunkWorker[threads];
        for (int t = 0; t < threads; t++)
            workers[t] = new MixtureChunkWorker(o, users, items, edgeUsers, edgeItems, edgeWeights, userSampler, itemSampler, new EmbeddingRandom(o.Seed, t + 1), relations);

        // No capacity from Epochs: int.MaxValue epochs (train until early stopping) would reserve an impossible list.
        var stats = new List<EpochStats>();
        return EpochLoop.Run(edgeCount, o, threads, (t, slice, current, token) => workers[t].Run(slice, current, token),
            () => Snapshot(graph, users, items, o, stats, threads), scorer == null ? null : m => scorer.Score(m.Mixture!, threads),
            "mixture-embedding", stats, progress, curve, ct);
    }

    /// <summary>The settings in words, for reports.</summary>
    public static string Describe(GraphEmbeddingOptions o)
    {
        var m = o.Mixture;
        return InvariantText.Of(() => $"mixture-embedding d={o.Dimension} Cs={m.SourceComponents} Cd={m.DestinationComponents} pooling={m.Pooling} gamma={m.Gamma} theta={m.Theta} "
            + $"margin={o.Margin} epochs={o.Epochs} lr={o.LearningRate} negatives={o.UniformNegatives}u+{o.BatchNegatives}b+{o.DegreeNegatives}d{(m.OneSidedNegatives ? " one-sided" : "")}"
            + (m.RelationWeights == null ? "" : $" relation-weights={string.Join(',', m.RelationWeights)}")
            + (m.InitialUsers != null || m.InitialItems != null ? " warm-start=given vectors" : ""));
    }

    private static void InitializeUnit(EmbeddingTable table, ref EmbeddingRandom random)
    {
        table.InitializeNormal(1f, ref random);
        for (int r = 0; r < table.Rows; r++) UnitRows.Project(table.Values.AsSpan(r * table.Stride, table.Stride));
    }

    /// <summary>The current components as a result: unit components, post-hoc weights, and each side's mean component.</summary>
    private static GraphEmbeddingResult Snapshot(BipartiteGraph graph, EmbeddingTable users, EmbeddingTable items, GraphEmbeddingOptions o,
        List<EpochStats> stats, int threads)
    {
        var mix = o.Mixture;
        int cs = mix.SourceComponents, cd = mix.DestinationComponents;
        var userComponents = Unit(users.ToMatrix());
        var itemComponents = Unit(items.ToMatrix());
        var weights = MixtureWeights.Compute(graph, userComponents, itemComponents, cs, cd, mix.WeightGamma, threads,
            MixtureWeights.Filter(graph.RelationCount, mix.WeightRelations));
        var mixture = new MixtureEmbeddingResult(cs, cd, userComponents, itemComponents, weights);
        return new GraphEmbeddingResult(Mean(userComponents, cs), Mean(itemComponents, cd), stats.ToArray())
        {
            Algorithm = EmbeddingAlgorithm.MixtureEmbedding,
            Settings = Describe(o),
            Mixture = mixture,
        };
    }

    private static EmbeddingMatrix Unit(EmbeddingMatrix m)
    {
        for (int r = 0; r < m.Rows; r++) VectorMath.NormalizeInPlace(m.Row(r));
        return m;
    }

    /// <summary>Each entity's single vector: the mean of its <paramref name="count"/> consecutive component rows (a copy when there is one).</summary>
    internal static EmbeddingMatrix Mean(EmbeddingMatrix components, int count)
    {
        if (count == 1) return components.Clone();
        int d = components.Dimension;
        var mean = new EmbeddingMatrix(components.Rows / count, d);
        for (int e = 0; e < mean.Rows; e++)
        {
            var row = mean.Row(e);
            for (int c = 0; c < count; c++) System.Numerics.Tensors.TensorPrimitives.Add(row, components.ReadRow(e * count + c), row);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1f / count, row);
        }
        return mean;
    }
}
