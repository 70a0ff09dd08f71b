using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Learns user and item embeddings from the engagement edges (PyTorch-BigGraph style: dot(user, item) scores
/// an edge, contrasted with sampled negatives), so that users and items can be compared, clustered and retrieved.
/// </summary>
/// <remarks>
/// Each input row is one edge: a user key and an item key (from MapValueToKey), optionally a weight and (mixture
/// embeddings) a relation key. Row index
/// = key - 1 and the table sizes are the key cardinalities; rows with a missing key (0) are skipped; duplicate
/// edges are merged (weights summed). The transformer adds both embeddings to every row, and, for
/// <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> and <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>, the row's
/// user components, their weights and the item components, which <see cref="RoundRobinRetrieverEstimator"/> serves.
/// </remarks>
public sealed partial class GraphEmbeddingTrainer : IEstimator<GraphEmbeddingTransformer>
{
    private readonly MLContext _context;
    private readonly Options _options;
    private readonly GraphEmbeddingOptions _engineOptions;

    /// <summary>The engine settings this trainer fits with (resolved at construction).</summary>
    internal GraphEmbeddingOptions EngineOptions => _engineOptions;

    internal GraphEmbeddingTrainer(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _engineOptions = _options.ToEngine(StageReporter.SeedOf(context, _options.Seed, nameof(GraphEmbeddingTrainer)));
        _context = context;
    }

    /// <summary>Trains the embeddings on the edges of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or there are no edges.</exception>
    /// <param name="input">The edge rows: the user and item key columns and, when the options name them, a Single or Double weight column, a relation key column and an initial item vector column; not null.</param>
    /// <returns>The fitted stage, holding the user and item embedding tables (and for the learned multi-vector algorithms their components).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public GraphEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var rows = EdgeRows.Read(input, new EdgeColumns
        {
            User = (o.UserColumnName, nameof(o.UserColumnName)),
            Item = (o.ItemColumnName, nameof(o.ItemColumnName)),
            Weight = o.WeightColumnName == null ? null : (o.WeightColumnName, nameof(o.WeightColumnName)),
            Relation = o.RelationColumnName == null ? null : (o.RelationColumnName, nameof(o.RelationColumnName)),
            ItemVector = o.InitialItemsColumnName == null ? null : (o.InitialItemsColumnName, nameof(o.InitialItemsColumnName)),
        });
        OptionWarnings.SkippedEdgeRows(_context, nameof(GraphEmbeddingTrainer), rows, o.UserColumnName, o.ItemColumnName, o.RelationColumnName);
        // As Sweep warns: a column of the default name left unread is most likely weights the caller meant to train on.
        if (o.WeightColumnName == null && input.Schema.GetColumnOrNull(MultiInterestColumnNames.Weight) != null)
            Logging.Warning(_context, nameof(GraphEmbeddingTrainer), nameof(o.WeightColumnName), $"The edges have a '{MultiInterestColumnNames.Weight}' column, but WeightColumnName "
                + $"is not set: GraphEmbedding trains on unweighted edges. Set WeightColumnName = \"{MultiInterestColumnNames.Weight}\" to train on the weights.");
        OptionWarnings.SingleVectorSettings(_context, nameof(GraphEmbeddingTrainer), o.Algorithm, o.Margin, o.LearningRate);
        if (rows.Weights != null) OptionWarnings.EdgeWeights(_context, nameof(GraphEmbeddingTrainer), rows.Weights, o.WeightColumnName!, nameof(o.WeightColumnName),
            _ => $"row {rows.HeaviestWeightRow} of the data");
        var engineOptions = _engineOptions;
        var itemNames = KeyNames.Of(input.Schema[o.ItemColumnName], rows.ItemCount);
        if (engineOptions.Mixture.RelationWeights is { } relationWeights && relationWeights.Length != rows.RelationCount)
        {
            throw new ArgumentException(o.Algorithm != EmbeddingAlgorithm.MixtureEmbedding
                ? $"Mixture.RelationWeights is set, but only Algorithm = MixtureEmbedding trains on relations (Algorithm is {o.Algorithm}): leave it null."
                : o.RelationColumnName == null
                ? $"Mixture.RelationWeights has {relationWeights.Length} weights, but RelationColumnName is not set (one relation): set it, or give one weight."
                : $"Mixture.RelationWeights has {relationWeights.Length} weights, but column '{o.RelationColumnName}' (option RelationColumnName) is a key over "
                    + $"{rows.RelationCount} values: give one weight per relation.", nameof(o.Mixture));
        }
        var (edgeUsers, edgeItems) = (rows.Users.ToArray(), rows.Items.ToArray());
        var edgeWeights = rows.Weights?.ToArray();
        var edgeRelations = rows.Relations?.ToArray();
        if (edgeRelations != null)
            RelationPairs.RefuseRepeats(input.Schema, rows, edgeUsers, edgeItems, edgeRelations, o.UserColumnName, o.ItemColumnName, o.RelationColumnName!);
        if (MixtureRelations.UntrainedNodes(rows.UserCount, rows.ItemCount, edgeUsers, edgeItems, edgeRelations, rows.RelationCount, engineOptions) is var (untrainedUsers, untrainedItems)
            && untrainedUsers + untrainedItems > 0)
        {
            Logging.Warning(_context, nameof(GraphEmbeddingTrainer), $"{untrainedUsers} user(s) and {untrainedItems} item(s) have edges only in relations of weight 0 "
                + $"(Mixture.RelationWeights): training leaves their vectors at their random starts, yet the stages after serve them as trained (such items "
                + $"can fill lists at random). Give those relations a small weight above 0, or drop their rows before fitting.");
        }
        // The subgraph of the keys with edges straight from the edge lists: no graph (nor degree table) over the whole key range.
        var active = ActiveSubgraph.FromEdges(rows.UserCount, rows.ItemCount, edgeUsers, edgeItems, edgeWeights, edgeRelations, rows.RelationCount);
        var graph = active?.Graph ?? rows.Graph();
        // Relations may hold a pair once each (RelationPairs refuses a repeat within one); weighted repeats add up, as documented.
        if (edgeWeights == null && edgeRelations == null)
            OptionWarnings.RepeatedPairs(_context, nameof(GraphEmbeddingTrainer), edgeUsers.Length, graph.EdgeCount, nameof(o.WeightColumnName));
        // Every item start in the subgraph's rows, the items with edges: a wide key range of few ids in use gets no table per key.
        engineOptions = WithInitialItems(GraphEmbeddingTrainerEngine.ItemStartsByGraphRow(engineOptions, active, rows.ItemCount), rows, active);
        PerKeyComponentTables.Check(_context, o, engineOptions, active);
        // Matched for the items with edges only, in the subgraph's rows: nor a name per key.
        var warm = o.WarmStart == null ? null : WarmStartTable.Match(o.WarmStart, itemNames, active?.Items);
        if (warm != null)
        {
            engineOptions = engineOptions.Clone();
            engineOptions.Als.InitialItems = warm.Table;
            // Under Auto the start applies only to the choice it fits (WarmStartTable.Outcome, after the fit): said as a condition here,
            // so that a start Auto does not apply is not first said to be applied ("... start from the given item vectors", then "not applied").
            if (o.Algorithm == EmbeddingAlgorithm.Auto)
                Logging.Info(_context, nameof(GraphEmbeddingTrainer), $"Warm start: {warm.Started} of the {warm.Started + warm.New} items with edges have a vector in the given "
                    + $"start (matched by id, d = {o.WarmStart!.Dimension}) and start from it if Auto chooses implicit ALS at d = {o.WarmStart.Dimension}, {warm.New} new ones "
                    + $"from their random draw; any other choice starts cold.");
            else
                Logging.Info(_context, nameof(GraphEmbeddingTrainer), $"Warm start: {warm.Started} of the {warm.Started + warm.New} items with edges start from the given "
                    + $"item vectors (matched by id, d = {o.WarmStart!.Dimension}); {warm.New} new ones from their random draw.");
        }
        OptionWarnings.DimensionAboveRank(_context, nameof(GraphEmbeddingTrainer), o.Algorithm, o.Dimension, graph.UserCount, graph.ItemCount);
        OptionWarnings.DimensionUnderAuto(_context, nameof(GraphEmbeddingTrainer), o.Algorithm, o.Dimension, o.AutoIncludesNegativeSampling, o.AutoMaxDimension);
        OptionWarnings.DivideConquerClustersAboveItems(_context, nameof(GraphEmbeddingTrainer), o.Algorithm, engineOptions.DivideConquer, graph.ItemCount);
        var reporter = new StageReporter(_context, nameof(GraphEmbeddingTrainer), o);
        // Epochs are known in advance only for a plain iterative run; Auto and validated runs choose them.
        bool known = o.Algorithm != EmbeddingAlgorithm.Auto && o.Algorithm != EmbeddingAlgorithm.TruncatedSvd && o.ValidationFraction == 0;
        int total = known ? (o.Algorithm == EmbeddingAlgorithm.ImplicitAls ? engineOptions.Als.IterationsToRun : o.Epochs) : 0;
        // Epochs move the stage's bar (their total known or not); the measurements of a selection are counted among themselves, total not known.
        var progress = new EmbeddingFitReports(engineOptions.ValidationCutoff, (line, step, epoch) => reporter.Report($"{line}", step, epoch ? total : 0));
        // Without a known count of epochs (Auto's selection, a factorisation, a validated run), the start, each validation
        // measurement and the end are reported, so a progress sink hears from the stage during its longest part too.
        if (!known)
        {
            if (o.Algorithm == EmbeddingAlgorithm.Auto)
                reporter.Report($"Choosing the algorithm and dimension on a validation hold-out of the {graph.EdgeCount} edges, then training on all of them.", 0, 1);
            else
                reporter.Report($"Training {o.Algorithm} on {graph.EdgeCount} edges{(o.ValidationFraction > 0 ? ", the epochs chosen on a validation hold-out." : ".")}", 0, 1);
        }
        var (result, _) = GraphEmbeddingTrainerEngine.FitActive(graph, active, engineOptions, progress, itemStartsByGraphRow: true, reporter.Token);
        if (!known)
        {
            if (result.Validation.Count > 0)
                reporter.Report($"Chose {result.Settings} on a validation hold-out ({result.Validation.Count} measurements, {result.SelectionSeconds:F1} s).", 1, 1);
            else
                reporter.Report($"Trained {result.Settings}.", 1, 1);
        }
        var userNames = KeyNames.Of(input.Schema[o.UserColumnName], rows.UserCount);
        var warmOutcome = warm?.Outcome(result.Algorithm, result.ItemEmbeddings.Dimension);
        if (warmOutcome is { Applied: false })
            Logging.Warning(_context, nameof(GraphEmbeddingTrainer), $"Warm start not applied: {warmOutcome.NotAppliedReason}");
        // Vectors of the keys with edges only: a wide key range with few ids in use is never spread to a table per key.
        var users = active == null ? KeyedEmbeddings.FromDense(result.UserEmbeddings) : new KeyedEmbeddings(rows.UserCount, active.Users, result.UserEmbeddings);
        var items = active == null ? KeyedEmbeddings.FromDense(result.ItemEmbeddings) : new KeyedEmbeddings(rows.ItemCount, active.Items, result.ItemEmbeddings);
        if (active != null) result = new GraphEmbeddingResult(result.UserEmbeddings, result.ItemEmbeddings, result.Epochs)
        {
            Algorithm = result.Algorithm,
            Settings = result.Settings,
            Als = result.Als,
            ChosenOptions = result.ChosenOptions,
            Holdout = active.ExpandHoldout(result.Holdout),
            Mixture = active.ExpandMixture(result.Mixture),
            Dcm = active.ExpandDcm(result.Dcm),
            DivideConquer = active.ExpandDivideConquer(result.DivideConquer, engineOptions.DivideConquer.ItemClusters),
        };
        return new GraphEmbeddingTransformer(o.UserColumnName, o.ItemColumnName, o.UserEmbeddingColumnName, o.ItemEmbeddingColumnName,
            result, users, items, userNames, itemNames, ComponentColumns.Of(o)) { WarmStart = warmOutcome };
    }

    /// <summary>
    /// The engine settings with the item vectors of <see cref="Options.InitialItemsColumnName"/> as the algorithm's start, at
    /// their dimension, one row per item of <paramref name="active"/> (every key when null); <paramref name="engine"/> itself
    /// when no such column is set.
    /// </summary>
    private GraphEmbeddingOptions WithInitialItems(GraphEmbeddingOptions engine, EdgeRows rows, ActiveSubgraph? active)
    {
        if (rows.ItemVectors is not { } start) return engine;
        // Every item with an edge has a vector: its edge rows carried it.
        var items = active == null ? start.DenseView() : start.Gather(active.Items);
        var withStart = engine.Clone();
        withStart.Dimension = items.Dimension;
        if (engine.Algorithm == EmbeddingAlgorithm.DifferentiableClustering) withStart.Dcm.InitialItems = items;
        else withStart.Mixture.InitialItems = items;
        Logging.Info(_context, nameof(GraphEmbeddingTrainer), $"Item vectors start from column '{_options.InitialItemsColumnName}' (d = {items.Dimension}).");
        return withStart;
    }

    /// <summary>The input shape plus the two embedding columns (and, for the learned multi-vector algorithms, the three component columns).</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <param name="inputSchema">The shape of the rows <see cref="Fit"/> would read: the columns it lists.</param>
    /// <returns><paramref name="inputSchema"/> with the embedding columns appended.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        ShapeChecks.Key(inputSchema, o.UserColumnName, nameof(o.UserColumnName));
        ShapeChecks.Key(inputSchema, o.ItemColumnName, nameof(o.ItemColumnName));
        if (o.WeightColumnName != null)
        {
            var weight = ShapeChecks.Find(inputSchema, o.WeightColumnName, nameof(o.WeightColumnName));
            if (weight.IsKey || weight.Kind != SchemaShape.Column.VectorKind.Scalar || (weight.ItemType != NumberDataViewType.Single && weight.ItemType != NumberDataViewType.Double))
                throw new ArgumentException($"Input column '{o.WeightColumnName}' (option {nameof(o.WeightColumnName)}) must be Single or Double (the edges' weights), but it is "
                    + $"{ShapeChecks.Describe(weight)}: convert it first, e.g. mlContext.Transforms.Conversion.ConvertType(\"{o.WeightColumnName}\", outputKind: DataKind.Single).", "schema");
        }
        if (o.RelationColumnName != null) ShapeChecks.Key(inputSchema, o.RelationColumnName, nameof(o.RelationColumnName));
        if (o.InitialItemsColumnName != null) ShapeChecks.Vector(inputSchema, o.InitialItemsColumnName, nameof(o.InitialItemsColumnName), NumberDataViewType.Single);
        var vectors = new[] { ShapeFactory.FloatVector(o.UserEmbeddingColumnName), ShapeFactory.FloatVector(o.ItemEmbeddingColumnName) };
        if (!ComponentColumns.AreAppendedBy(o.Algorithm)) return ShapeFactory.Append(inputSchema, vectors);
        return ShapeFactory.Append(inputSchema, [.. vectors, ShapeFactory.FloatVector(o.UserComponentsColumnName),
            ShapeFactory.DoubleVector(o.UserComponentWeightsColumnName), ShapeFactory.FloatVector(o.ItemComponentsColumnName)]);
    }
}
