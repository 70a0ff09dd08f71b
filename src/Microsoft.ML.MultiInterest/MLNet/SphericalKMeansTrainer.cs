using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Clusters item embeddings by direction (spherical k-means: cosine similarity, unit centroids, seeded
/// k-means++), to give each item an "interest" cluster.
/// </summary>
/// <remarks>
/// The per-edge view repeats items, so by default each distinct item key is clustered once (its first row's
/// embedding, in ascending key order; every later row of the item must repeat it); set <see cref="Options.ItemColumnName"/> to null to cluster every row.
/// </remarks>
public sealed class SphericalKMeansTrainer : IEstimator<SphericalKMeansTransformer>
{
    /// <summary>Options of <see cref="SphericalKMeansTrainer"/>.</summary>
    public sealed class Options : MultiInterestStageOptions
    {
        /// <summary>The embedding column to cluster (known-size Single vector). Default <see cref="MultiInterestColumnNames.ItemEmbedding"/>.</summary>
        public string FeatureColumnName = MultiInterestColumnNames.ItemEmbedding;

        /// <summary>The item key column used to cluster each item once; null clusters every row. Default <see cref="MultiInterestColumnNames.Item"/>.</summary>
        public string? ItemColumnName = MultiInterestColumnNames.Item;

        /// <summary>
        /// Number of clusters, at least 1 and at most the number of distinct (non-zero) points; more is refused at Fit. Default
        /// 2,000 (<see cref="SphericalKMeansDefaults.NumberOfClusters"/>, cit-HepPh's), more than a catalogue of fewer items
        /// holds: set it for yours (the command line and <see cref="MultiInterestCatalog.Sweep"/> take one cluster per 10 items on such a catalogue).
        /// </summary>
        public int NumberOfClusters = SphericalKMeansDefaults.NumberOfClusters;

        /// <summary>Maximum Lloyd iterations, at least 1. Default <see cref="SphericalKMeansDefaults.MaxIterations"/>.</summary>
        public int MaxIterations = SphericalKMeansDefaults.MaxIterations;

        /// <summary>Stop once the objective improves by less than this fraction; 0 stops only when an iteration moves no point (a fixed point) or after <see cref="MaxIterations"/>. Default <see cref="SphericalKMeansDefaults.Tolerance"/>.</summary>
        public double Tolerance = SphericalKMeansDefaults.Tolerance;

        /// <summary>Seed of the k-means++ initialisation; null draws it from the MLContext's seed (<c>new MLContext(seed: s)</c>). Default null.</summary>
        public int? Seed;

        /// <summary>
        /// Starting centroids in place of k-means++: NumberOfClusters rows of the embedding's dimension, finite and
        /// non-zero (normalised here). Pass an earlier model's <see cref="SphericalKMeansTransformer.Centroids"/> to
        /// warm-start a retraining so that cluster keys keep their meaning, provided the item vectors are in the same space
        /// (embeddings kept or trained elsewhere): a refit of the library's own embedding draws a new space, in which the
        /// earlier centroids are arbitrary directions. Default null (k-means++).
        /// </summary>
        public EmbeddingMatrix? InitialCentroids;

        /// <summary>
        /// Take the clusters of the divide-and-conquer model whose item vectors <see cref="FeatureColumnName"/> holds (a
        /// GraphEmbedding stage with <see cref="EmbeddingAlgorithm.DivideConquer"/> and a pooling encoder) instead of fitting
        /// k-means: each item's cluster key is the model's cluster + 1, each centroid the normalised sum of its members' unit
        /// vectors. A cluster-quota stage over this column then serves a new user by the model's own mixture
        /// (<see cref="ClusterQuotaRetrieverEstimator.Options.HistoryMixture"/>), whose clusters must be the stage's.
        /// <see cref="NumberOfClusters"/> must be the model's K (<see cref="DivideConquerOptions.Clusters"/>, or the given
        /// clustering's); needs <see cref="ItemColumnName"/>. Default false.
        /// </summary>
        public bool DivideConquerClusters;

        /// <summary>Worker threads; 0 = all cores, else at most 1,024. The result does not depend on it. Default 0.</summary>
        public int Threads;

        /// <summary>Output: the cluster key (1..NumberOfClusters). Default <see cref="MultiInterestColumnNames.ItemCluster"/>.</summary>
        public string ClusterColumnName = MultiInterestColumnNames.ItemCluster;

        /// <summary>Output: the cosine similarity to the cluster centroid. Default <see cref="MultiInterestColumnNames.ClusterSimilarity"/>.</summary>
        public string SimilarityColumnName = MultiInterestColumnNames.ClusterSimilarity;

        internal SphericalKMeansOptions ToEngine(int seed)
        {
            OptionChecks.ColumnName(FeatureColumnName, nameof(FeatureColumnName));
            if (ItemColumnName != null) OptionChecks.ColumnName(ItemColumnName, nameof(ItemColumnName));
            OptionChecks.ColumnName(ClusterColumnName, nameof(ClusterColumnName));
            OptionChecks.ColumnName(SimilarityColumnName, nameof(SimilarityColumnName));
            OptionChecks.AtLeast(NumberOfClusters, 1, nameof(NumberOfClusters));
            OptionChecks.DistinctOutputs([(ClusterColumnName, nameof(ClusterColumnName)), (SimilarityColumnName, nameof(SimilarityColumnName))],
                [(FeatureColumnName, nameof(FeatureColumnName)), (ItemColumnName, nameof(ItemColumnName))]);
            var engine = new SphericalKMeansOptions { Clusters = NumberOfClusters, MaxIterations = MaxIterations, Tolerance = Tolerance, Seed = seed, Threads = Threads, InitialCentroids = InitialCentroids };
            engine.Validate();
            return engine;
        }
    }

    private readonly MLContext _context;
    private readonly Options _options;
    private readonly SphericalKMeansOptions _engineOptions;

    internal SphericalKMeansTrainer(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The copy is checked and kept: a later change to the caller's object reaches neither the checks nor Fit.
        _options = options.Snapshot<Options>();
        _engineOptions = _options.ToEngine(StageReporter.SeedOf(context, _options.Seed, nameof(SphericalKMeansTrainer)));
        _context = context;
    }

    /// <summary>Clusters the embeddings of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or there are more clusters than distinct items.</exception>
    /// <param name="input">Rows with the Single vector feature column (item embeddings) and, unless the options' item column is null, the item key column; not null.</param>
    /// <returns>The fitted stage, holding the centroids and each item's cluster.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public SphericalKMeansTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var feature = ColumnChecks.FloatVector(input.Schema, o.FeatureColumnName, nameof(o.FeatureColumnName), out int dimension);
        DataViewSchema.Column? item = null;
        int itemCount = 0;
        RequireItemColumnForDivideConquer(o);
        if (o.ItemColumnName != null) item = ColumnChecks.Key(input.Schema, o.ItemColumnName, nameof(o.ItemColumnName), out itemCount);

        var (points, itemKeys) = ReadPoints(input, feature, nameof(o.FeatureColumnName), item, itemCount, dimension);
        RefuseNonFinite(points, itemKeys, o.FeatureColumnName, item, itemCount);
        if (o.NumberOfClusters > points.Rows)
            throw new ArgumentException($"{nameof(o.NumberOfClusters)} is {o.NumberOfClusters}, but there are only {points.Rows} "
                + (item == null ? "rows" : $"distinct items in '{o.ItemColumnName}'") + $" to cluster: set {nameof(o.NumberOfClusters)} to at most {points.Rows} "
                + $"(the default, {SphericalKMeansDefaults.NumberOfClusters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}, is cit-HepPh's; the command line and Sweep take one cluster per 10 items "
                + $"on a catalogue this small, here {Math.Max(1, points.Rows / 10)}).", nameof(input));
        var reporter = new StageReporter(_context, nameof(SphericalKMeansTrainer), o);
        if (o.DivideConquerClusters)
        {
            var given = GivenClusters.Of(points, DivideConquerClustering.Of(feature, itemKeys!, o), o.NumberOfClusters);
            reporter.Report($"Took the divide-and-conquer model's {o.NumberOfClusters} clusters of {points.Rows} items; objective {given.Objective:G5}.", 1, 1);
            return new SphericalKMeansTransformer(o.FeatureColumnName, o.ItemColumnName, o.ClusterColumnName, o.SimilarityColumnName, given, itemKeys, itemCount);
        }
        var result = SphericalKMeans.Fit(points, _engineOptions, new IterationProgress(reporter, o.MaxIterations), reporter.Token);
        reporter.Report($"Clustered {points.Rows} points into {o.NumberOfClusters} clusters in {result.Iterations.Count} iterations; objective {result.Objective:G5}.",
            result.Iterations.Count, result.Iterations.Count);
        return new SphericalKMeansTransformer(o.FeatureColumnName, o.ItemColumnName, o.ClusterColumnName, o.SimilarityColumnName, result, itemKeys, itemCount);
    }

    /// <summary>
    /// Refuses a NaN or infinite coordinate naming the item by its key and id (as the other stages name a bad vector), or,
    /// without an item column, by its row of the data: the row of the table the points were gathered into means nothing to the caller.
    /// </summary>
    private static void RefuseNonFinite(EmbeddingMatrix points, int[]? itemKeys, string featureName, DataViewSchema.Column? item, int itemCount)
    {
        var values = points.Values;
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i])) continue;
            int row = i / points.Dimension, coordinate = i % points.Dimension;
            string where = itemKeys == null ? $"row {row} of the data" : $"item {KeyNames.Describe(item!.Value, itemCount, itemKeys[row])}";
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Input column '{featureName}' (option {nameof(Options.FeatureColumnName)}) holds a non-finite value ({values[i]}) at coordinate {coordinate} of {where}: ")
                + "embeddings must be finite.", "input");
        }
    }

    /// <summary>The points: one per distinct item key (ascending), or one per row.</summary>
    private static (EmbeddingMatrix Points, int[]? ItemKeys) ReadPoints(IDataView input, DataViewSchema.Column feature, string featureOption, DataViewSchema.Column? item,
        int itemCount, int dimension)
    {
        var active = item == null ? new[] { feature } : new[] { feature, item.Value };
        using var cursor = input.GetRowCursor(active);
        var getFeature = cursor.GetGetter<VBuffer<float>>(feature);
        var getItem = item == null ? null : cursor.GetGetter<uint>(item.Value);
        var values = new List<float>();
        var vector = default(VBuffer<float>);
        // With an item column, the first row of each item, kept by key: the memory follows the items, not the key range.
        var byKey = item == null ? null : new Dictionary<uint, float[]>();
        var scratch = new float[dimension];
        // A vector a stage looked up by this very item column holds one value per item: its later rows need no reading.
        bool checkRows = item != null && !PerKeyAnnotation.Holds(feature, item.Value);
        var column = (feature.Name, featureOption);
        uint key = 0;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            if (getItem != null)
            {
                getItem(ref key);
                if (key == 0 || key > (uint)itemCount) continue;
                bool firstOfItem = !byKey!.TryGetValue(key, out var first);
                if (!firstOfItem && !checkRows) continue;
                getFeature(ref vector);
                var owner = (item!.Value, itemCount, (int)key - 1);
                VectorRows.Copy(in vector, scratch, column, "item", owner);
                // An item's later rows must repeat its first row's vector (one that did not would be dropped unread).
                if (!firstOfItem) EntityRows.RequireSame<float>(first!, scratch, column, "item", owner, "vector");
                else byKey[key] = scratch.ToArray();
                continue;
            }
            getFeature(ref vector);
            VectorRows.Copy(in vector, scratch, column, row);
            values.AddRange(scratch);
        }
        if (byKey == null) return (new EmbeddingMatrix(values.Count / dimension, dimension, values.ToArray()), null);
        var keys = byKey.Keys.Order().ToArray();
        var points = new EmbeddingMatrix(keys.Length, dimension);
        for (int j = 0; j < keys.Length; j++) byKey[keys[j]].CopyTo(points.Row(j));
        return (points, keys.Select(k => (int)k - 1).ToArray());
    }

    /// <summary>The input shape plus the cluster key and similarity columns.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <param name="inputSchema">The shape of the rows <see cref="Fit"/> would read: the feature vector and, when set, the item key column.</param>
    /// <returns><paramref name="inputSchema"/> with the cluster key and similarity columns appended.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        ShapeChecks.Vector(inputSchema, o.FeatureColumnName, nameof(o.FeatureColumnName), NumberDataViewType.Single);
        // As Fit refuses it, so that a chain's shape check does not pass what its Fit will refuse.
        RequireItemColumnForDivideConquer(o);
        if (o.ItemColumnName != null) ShapeChecks.Key(inputSchema, o.ItemColumnName, nameof(o.ItemColumnName));
        return ShapeFactory.Append(inputSchema, ShapeFactory.Key(o.ClusterColumnName, o.NumberOfClusters, keyValues: true), ShapeFactory.Float(o.SimilarityColumnName));
    }

    /// <summary>Refuses <see cref="Options.DivideConquerClusters"/> without the item key column it reads each item's cluster by.</summary>
    private static void RequireItemColumnForDivideConquer(Options o)
    {
        if (o.ItemColumnName == null && o.DivideConquerClusters)
            throw new ArgumentException($"{nameof(o.DivideConquerClusters)} takes each item's cluster from the divide-and-conquer model by its key: set {nameof(o.ItemColumnName)}.",
                nameof(o.ItemColumnName));
    }

    /// <summary>Reports each Lloyd iteration synchronously.</summary>
    private sealed class IterationProgress(StageReporter reporter, int maxIterations) : IProgress<KMeansIterationStats>
    {
        public void Report(KMeansIterationStats value) =>
            reporter.Report($"Iteration {value.Iteration}: objective {value.Objective:G6}, {value.Reassignments} reassigned, {value.PointsScanned} scored, {value.Seconds:F2} s.", value.Iteration, maxIterations);
    }
}
