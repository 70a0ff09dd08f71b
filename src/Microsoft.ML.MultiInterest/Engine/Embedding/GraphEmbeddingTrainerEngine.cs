using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Learns user and item embeddings of a bipartite graph so that <c>dot(user, item)</c> scores engagement, by the
/// algorithm <see cref="GraphEmbeddingOptions.Algorithm"/> names: negative-sampling SGD (PyTorch-BigGraph style), a
/// randomized truncated SVD of the degree-normalised graph, implicit ALS, mixture embeddings (several vectors per user), or <see cref="EmbeddingAlgorithm.Auto"/>, which chooses
/// between them on a validation hold-out of the training edges.
/// </summary>
/// <remarks>
/// With <see cref="GraphEmbeddingOptions.Threads"/> = 1 a run is deterministic. With more threads, each thread trains
/// its own slice of the shuffled edges with its own random stream (seeded from <c>Seed</c> and the thread number) and
/// writes the shared tables without locks (Hogwild): the order in which updates land then depends on scheduling, so
/// results differ slightly between runs, but quality does not, because two threads rarely touch one row at once.
/// </remarks>
public static class GraphEmbeddingTrainerEngine
{
    /// <summary>
    /// Trains embeddings for every user and item index of <paramref name="graph"/>. Users and items without an edge get
    /// zero vectors (and, for mixtures, zero components with equal weights): training runs on the others only, so its
    /// time and memory follow the nodes that have edges, not the index range.
    /// </summary>
    /// <param name="graph">The engagement graph; edge weights, when present, scale each edge's loss.</param>
    /// <param name="options">Settings; validated, then copied (later changes do not affect the run).</param>
    /// <param name="progress">
    /// Optional sink receiving the statistics of each finished epoch. When it also implements
    /// <see cref="IProgress{T}"/> of <see cref="ValidationPoint"/>, it hears each validation measurement as it is taken
    /// (Auto's trials, a validated run's epochs on its hold-out), which are not epochs of the final fit.
    /// </param>
    /// <param name="ct">Cancels training between chunks; an <see cref="OperationCanceledException"/> is then thrown.</param>
    /// <returns>The embeddings and per-epoch statistics.</returns>
    /// <exception cref="ArgumentException">
    /// The graph has no edges, or its relations cannot be trained as asked: several relations with an algorithm other than
    /// <see cref="EmbeddingAlgorithm.MixtureEmbedding"/>, <see cref="MixtureEmbeddingOptions.RelationWeights"/> not one per relation,
    /// or weight 0 on every relation that has edges.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid (the message names it).</exception>
    public static GraphEmbeddingResult Fit(BipartiteGraph graph, GraphEmbeddingOptions options, IProgress<EpochStats>? progress = null, CancellationToken ct = default)
    {
        var (result, active) = FitActive(graph, options, progress, ct);
        return active == null ? result : active.Expand(result, options.DivideConquer.ItemClusters);
    }

    /// <summary>
    /// As <see cref="Fit"/>, without spreading the tables back to the full index range: when some nodes have no edge, the
    /// result covers the nodes of the returned subgraph only (row j of the user table is user <c>Active.Users[j]</c>), so a
    /// caller that keeps vectors for the nodes with edges only never holds a table of the whole range.
    /// </summary>
    internal static (GraphEmbeddingResult Result, ActiveSubgraph? Active) FitActive(BipartiteGraph graph, GraphEmbeddingOptions options,
        IProgress<EpochStats>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return FitActive(graph, graph.EdgeCount == 0 ? null : ActiveSubgraph.Of(graph), options, progress, ct: ct);
    }

    /// <summary>
    /// As <see cref="FitActive(BipartiteGraph, GraphEmbeddingOptions, IProgress{EpochStats}?, CancellationToken)"/>, given the
    /// subgraph of the nodes with edges (then <paramref name="graph"/> is that subgraph's graph: the full one need not exist),
    /// or null and the full graph when every node has an edge. With <c>itemStartsByGraphRow</c>, the item starts
    /// (<c>Als</c>, <c>Dcm</c> and <c>Mixture.InitialItems</c>) are already one row per item of <paramref name="graph"/> (the
    /// subgraph's) rather than of the full range (<see cref="ItemStartsByGraphRow"/>): the ML.NET trainer gathers its starts for
    /// the items with edges only, so that a wide key range of few ids in use never gets a table per key.
    /// </summary>
    internal static (GraphEmbeddingResult Result, ActiveSubgraph? Active) FitActive(BipartiteGraph graph, ActiveSubgraph? active, GraphEmbeddingOptions options,
        IProgress<EpochStats>? progress = null, bool itemStartsByGraphRow = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (graph.EdgeCount == 0)
            throw new ArgumentException("The graph has no edges: there is nothing to learn embeddings from.", nameof(graph));
        // Iterations for a start that is not there would be ignored without a word: refused, as the command line refuses them.
        if (options.Als.WarmStartIterations > 0 && options.Als.InitialItems == null && options.Algorithm is EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.Auto)
            throw new ArgumentException($"Als.WarmStartIterations is {options.Als.WarmStartIterations}, but Als.InitialItems is null: the iterations of a warm "
                + "start need a start (give the item vectors, or leave WarmStartIterations 0).", nameof(options));
        MixtureRelations.Check(active?.Graph ?? graph, options);
        var o = options.Clone();
        // Warm starts cover the full index range; training sees the nodes with edges (o is a deep copy, so this changes no caller's options).
        if (itemStartsByGraphRow) ItemStarts(o, graph.ItemCount, null);
        else ItemStarts(o, active?.FullItemCount ?? graph.ItemCount, active?.Items);
        if (o.Algorithm == EmbeddingAlgorithm.MixtureEmbedding && o.Mixture.InitialUsers is { } mixUsers)
            o.Mixture.InitialUsers = StartRows(mixUsers, "Mixture.InitialUsers", "users", active?.FullUserCount ?? graph.UserCount, active?.Users, o.Dimension);
        // Nodes without edges have nothing to learn: train on the rest, so cost follows the ids that occur.
        if (active == null) return (FitConnected(graph, o, progress, ct), null);
        if (o.Algorithm == EmbeddingAlgorithm.DivideConquer && o.DivideConquer.ItemClusters is { } given)
        {
            // A given clustering has a cluster per item of the full range: keep those of the items with edges, and K.
            if (given.Length != active.FullItemCount)
                throw new ArgumentException($"DivideConquer.ItemClusters has {given.Length} entries for {active.FullItemCount} items: give one cluster id per item.", nameof(options));
            o.DivideConquer = o.DivideConquer.Clone();
            o.DivideConquer.ItemClusters = active.Items.Select(i => given[i]).ToArray();
            o.DivideConquer.GivenClusterCount = DivideConquerTrainer.ClusterCount(given);
        }
        if (o.Algorithm == EmbeddingAlgorithm.DivideConquer && o.DivideConquer.Sequences is { } sequences)
        {
            o.DivideConquer = o.DivideConquer.Clone();
            o.DivideConquer.Sequences = SubgraphSequences(sequences, active);
        }
        return (FitConnected(active.Graph, o, progress, ct), active);
    }

    /// <summary>
    /// A copy of <paramref name="options"/> whose item starts (<c>Als</c>, <c>Dcm</c> and <c>Mixture.InitialItems</c>, one row per
    /// item of the full range, <paramref name="itemCount"/>) keep the rows of the items with edges only, in
    /// <paramref name="active"/>'s order (unchanged when every item has an edge), checked as <see cref="FitActive(BipartiteGraph, ActiveSubgraph?, GraphEmbeddingOptions, IProgress{EpochStats}?, bool, CancellationToken)"/>
    /// checks them; for a caller that adds starts of its own by subgraph row and then fits with <c>itemStartsByGraphRow</c>.
    /// </summary>
    internal static GraphEmbeddingOptions ItemStartsByGraphRow(GraphEmbeddingOptions options, ActiveSubgraph? active, int itemCount)
    {
        var o = options.Clone();
        ItemStarts(o, active?.FullItemCount ?? itemCount, active?.Items);
        return o;
    }

    /// <summary>
    /// Replaces each item start that applies to <paramref name="o"/>'s algorithm by its rows <paramref name="kept"/> (all of them
    /// when null) after checking it has <paramref name="count"/> rows of the right dimension and finite values.
    /// </summary>
    private static void ItemStarts(GraphEmbeddingOptions o, int count, int[]? kept)
    {
        if (o.Algorithm == EmbeddingAlgorithm.DifferentiableClustering && o.Dcm.InitialItems is { } dcmItems)
            o.Dcm.InitialItems = StartRows(dcmItems, "Dcm.InitialItems", "items", count, kept, o.Dimension);
        if (o.Algorithm == EmbeddingAlgorithm.MixtureEmbedding && o.Mixture.InitialItems is { } mixItems)
            o.Mixture.InitialItems = StartRows(mixItems, "Mixture.InitialItems", "items", count, kept, o.Dimension);
        if (o.Als.InitialItems is { } alsItems)
        {
            if (o.Algorithm is not (EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.Auto))
                throw new ArgumentException($"Als.InitialItems starts implicit ALS, but Algorithm is {o.Algorithm}: use ImplicitAls or Auto, or leave it null.", "options");
            // Auto's own dimension is not known yet: it applies the start only if it chooses ALS at the table's dimension.
            int dimension = o.Algorithm == EmbeddingAlgorithm.Auto ? alsItems.Dimension : o.Dimension;
            o.Als.InitialItems = StartRows(alsItems, "Als.InitialItems", "items", count, kept, dimension);
        }
    }

    /// <summary>The time orders of the subgraph's users, in its item indices (SequenceOrder checks them against its graph).</summary>
    private static int[][] SubgraphSequences(IReadOnlyList<int[]> sequences, ActiveSubgraph active)
    {
        if (sequences.Count != active.FullUserCount)
            throw new ArgumentException($"DivideConquer.Sequences has {sequences.Count} sequences for the graph's {active.FullUserCount} users.", "options");
        var itemIndex = new int[active.FullItemCount];
        itemIndex.AsSpan().Fill(-1);
        for (int i = 0; i < active.Items.Length; i++) itemIndex[active.Items[i]] = i;
        return active.Users.Select(u => (sequences[u] ?? throw new ArgumentException($"DivideConquer.Sequences[{u}] is null.", "options"))
            .Select(item => (uint)item < (uint)itemIndex.Length && itemIndex[item] >= 0 ? itemIndex[item]
                : throw new ArgumentException($"DivideConquer.Sequences[{u}] holds item {item}, not a training item of user row {u}.", "options"))
            .ToArray()).ToArray();
    }

    /// <summary>
    /// Checks a warm-start table (one row per node of the full range, <paramref name="dimension"/> columns, finite) and keeps
    /// the rows of the nodes with edges, in the subgraph's order (all of them when <paramref name="kept"/> is null).
    /// </summary>
    private static EmbeddingMatrix StartRows(EmbeddingMatrix start, string option, string nodes, int count, int[]? kept, int dimension)
    {
        if (start.Rows != count || start.Dimension != dimension)
            throw new ArgumentException($"{option} is {start.Rows} x {start.Dimension}; the graph has {count} {nodes} and Dimension is {dimension}: give one row of that dimension per {nodes[..^1]}.", "options");
        start.ThrowIfNotFinite(option);
        if (kept == null) return start;
        var rows = new EmbeddingMatrix(kept.Length, dimension);
        for (int i = 0; i < kept.Length; i++) start.ReadRow(kept[i]).CopyTo(rows.Row(i));
        return rows;
    }

    /// <summary>Fits a graph in which every user and item has an edge, and refuses vectors the training left non-finite.</summary>
    private static GraphEmbeddingResult FitConnected(BipartiteGraph graph, GraphEmbeddingOptions o, IProgress<EpochStats>? progress, CancellationToken ct)
    {
        GraphEmbeddingResult result;
        try
        {
            result = FitAlgorithm(graph, o, progress, ct);
        }
        catch (ArgumentException e) when (NonFiniteValues.TryRead(e, out string what, out float value, out int row))
        {
            // The inputs were checked before training: a table it made non-finite (met by a validation run's scoring or a
            // model's snapshot before the check below) is the same divergence.
            throw Diverged(what, value, row, "during training", o, o.Algorithm, e);
        }
        // Finite options can still diverge (a learning rate of 1e30): said here, by the settings, not by a later stage's NaN check.
        RequireFinite(result.UserEmbeddings, "user", result, o);
        RequireFinite(result.ItemEmbeddings, "item", result, o);
        // Every item vector exactly zero scores every pair 0, so the lists would be arbitrary: until 2026-12-06 such a
        // collapse (DCM under SGD with edge weights of 1e30) was returned as a model. No working fit ends there.
        if (!result.ItemEmbeddings.Values.AsSpan().ContainsAnyExcept(0f))
            throw new ArgumentException($"Training collapsed: every item vector is zero after {result.Settings ?? o.Algorithm.ToString()} " + Advice(o, result.Algorithm), "options");
        return result;
    }

    private static void RequireFinite(EmbeddingMatrix table, string what, GraphEmbeddingResult result, GraphEmbeddingOptions o)
    {
        int at = FirstNonFinite(table.Values);
        if (at < 0) return;
        throw Diverged($"{what} vectors", table.Values[at], at / table.Dimension, $"after {result.Settings ?? o.Algorithm.ToString()}", o, result.Algorithm);
    }

    /// <summary>The divergence, with the advice that fits the algorithm that diverged (Auto's: the one it chose, when known).</summary>
    private static ArgumentException Diverged(string what, float value, int row, string when, GraphEmbeddingOptions o, EmbeddingAlgorithm algorithm,
        Exception? inner = null)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return new(string.Create(inv, $"Training diverged: the {what} hold a non-finite value ({value}) in row {row} {when} ") + Advice(o, algorithm), "options", inner);
    }

    /// <summary>What to change when a fit of <paramref name="algorithm"/> diverged or collapsed.</summary>
    private static string Advice(GraphEmbeddingOptions o, EmbeddingAlgorithm algorithm)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return algorithm switch
        {
            // The factorisations have no step size: what blows them up is the data's scale (or, for ALS, too little regularisation).
            EmbeddingAlgorithm.TruncatedSvd => "(a factorisation: no learning rate). Very large edge weights overflow it: scale the weights down.",
            EmbeddingAlgorithm.ImplicitAls => string.Create(inv, $"(Als.Regularization {o.Als.Regularization}, Als.InitScale {o.Als.InitScale}). Very large ")
                + "edge weights or too little regularisation make its solves unstable: scale the weights down or raise Als.Regularization.",
            _ => string.Create(inv, $"(LearningRate {o.LearningRate}, InitScale {o.InitScale}). Lower the learning rate or the initial scale ")
                + "(very large edge weights can do it too: scale them down).",
        };
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    private static GraphEmbeddingResult FitAlgorithm(BipartiteGraph graph, GraphEmbeddingOptions o, IProgress<EpochStats>? progress, CancellationToken ct)
    {
        int threads = Parallelism.Workers(o.Threads);
        switch (o.Algorithm)
        {
            case EmbeddingAlgorithm.Auto:
                return AutoEmbedding.Fit(graph, o, threads, progress, ct);
            case EmbeddingAlgorithm.TruncatedSvd:
                return TruncatedSvdTrainer.Fit(graph, o, threads, ct);
            case EmbeddingAlgorithm.ImplicitAls:
                return o.ValidationFraction > 0
                    ? Validated(graph, o, threads, progress, ImplicitAlsTrainer.Fit, (f, steps) => f.Als.Iterations = steps, ImplicitAlsTrainer.Describe, ct)
                    : ImplicitAlsTrainer.Fit(graph, o, threads, progress, null, [], ct).Result;
            case EmbeddingAlgorithm.MixtureEmbedding:
                return o.ValidationFraction > 0
                    ? Validated(graph, o, threads, progress, MixtureEmbeddingTrainer.Fit, (f, steps) => f.Epochs = steps, MixtureEmbeddingTrainer.Describe, ct)
                    : MixtureEmbeddingTrainer.Fit(graph, o, threads, progress, null, [], ct).Result;
            case EmbeddingAlgorithm.DifferentiableClustering:
                return o.ValidationFraction > 0
                    ? Validated(graph, o, threads, progress, DcmTrainer.Fit, (f, steps) => f.Epochs = steps, DcmTrainer.Describe, ct)
                    : DcmTrainer.Fit(graph, o, threads, progress, null, [], ct).Result;
            case EmbeddingAlgorithm.DivideConquer:
                // The clustering is fixed once, on all edges, so the validation fit and the refit share it.
                o.DivideConquer.ItemClusters = DivideConquerTrainer.ResolveClusters(graph, o, threads, ct).Assignments;
                return o.ValidationFraction > 0
                    ? Validated(graph, o, threads, progress, DivideConquerTrainer.Fit, (f, steps) => f.Epochs = steps, DivideConquerTrainer.Describe, ct)
                    : DivideConquerTrainer.Fit(graph, o, threads, progress, (ValidationScorer?)null, [], ct).Result;
            default:
                return o.ValidationFraction > 0
                    ? Validated(graph, o, threads, progress, NegativeSamplingTrainer.Fit, (f, steps) => f.Epochs = steps, NegativeSamplingTrainer.Describe, ct)
                    : NegativeSamplingTrainer.Fit(graph, o, threads, progress, null, [], ct).Result;
        }
    }

    /// <summary>An iterative trainer: fits, measuring validation after every step when given a scorer; returns the best step's tables and that step.</summary>
    private delegate (GraphEmbeddingResult Result, int Steps) IterativeTrainer(BipartiteGraph graph, GraphEmbeddingOptions o, int threads,
        IProgress<EpochStats>? progress, ValidationScorer? scorer, ValidationCurve curve, CancellationToken ct);

    /// <summary>Chooses the number of steps (epochs, iterations) on a validation hold-out, then trains that many on all edges.</summary>
    private static GraphEmbeddingResult Validated(BipartiteGraph graph, GraphEmbeddingOptions o, int threads, IProgress<EpochStats>? progress,
        IterativeTrainer train, Action<GraphEmbeddingOptions, int> setSteps, Func<GraphEmbeddingOptions, string> describe, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var split = ValidationSplit.Create(graph, o.ValidationFraction, o.Seed);
        var scorer = new ValidationScorer(split, o.ValidationCutoff, o.ValidationUsers, o.Seed);
        ValidationCutoffBound.Require(scorer, graph.ItemCount);
        // No user has enough edges to hold any out: nothing to choose on, so run the configured steps.
        if (scorer.UserCount == 0) return train(graph, o, threads, progress, null, [], ct).Result;
        var curve = new ValidationCurve(progress as IProgress<ValidationPoint>);
        // An ALS warm start was fitted on edges the hold-out now holds: the steps are chosen from a cold start, so it cannot flatter them.
        int bestSteps = train(split.Train, AlsWarmStart.WithoutStart(o), threads, null, scorer, curve, ct).Steps;
        double selection = clock.Elapsed.TotalSeconds;
        var final = o.Clone();
        setSteps(final, bestSteps);
        var result = train(graph, final, threads, progress, null, [], ct).Result;
        return new GraphEmbeddingResult(result.UserEmbeddings, result.ItemEmbeddings, result.Epochs)
        {
            Algorithm = final.Algorithm,
            Settings = describe(final),
            Als = result.Als,
            Validation = curve.ToArray(),
            SelectionSeconds = selection,
            Mixture = result.Mixture,
            Dcm = result.Dcm,
            DivideConquer = result.DivideConquer,
        };
    }
}
