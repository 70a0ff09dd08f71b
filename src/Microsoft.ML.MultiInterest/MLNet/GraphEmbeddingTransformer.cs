using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted graph embeddings. Appends to each row the embedding of its user key and of its item key. Vectors are kept for
/// the keys that had an edge at Fit only (<see cref="KeyedEmbeddings"/>), so a wide key range of few ids in use costs what
/// the ids cost; a key without a vector, and a missing key (0), get a zero vector in the columns, so rows that Fit skipped
/// stay harmless. A learned multi-vector model (<see cref="EmbeddingAlgorithm.MixtureEmbedding"/>,
/// <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>) also appends the row's user components, their weights and the
/// item components (<see cref="MultiInterestColumnNames.UserComponents"/>, <see cref="MultiInterestColumnNames.UserComponentWeights"/>,
/// <see cref="MultiInterestColumnNames.ItemComponents"/>; zeros for a key without edges at Fit), which
/// <see cref="RoundRobinRetrieverEstimator"/> serves. Saves with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class GraphEmbeddingTransformer : MultiInterestTransformerBase
{
    private readonly string _userColumn;
    private readonly string _itemColumn;
    private readonly string _userOutput;
    private readonly string _itemOutput;
    private readonly KeyNameList _userIds;
    private readonly KeyNameList _itemIds;
    private readonly ComponentColumns _components;
    private readonly ImplicitAlsOptions? _als;
    private readonly GraphEmbeddingOptions? _chosenOptions;

    internal GraphEmbeddingTransformer(string userColumn, string itemColumn, string userOutput, string itemOutput, GraphEmbeddingResult result,
        KeyedEmbeddings users, KeyedEmbeddings items, KeyNameList userIds, KeyNameList itemIds, ComponentColumns components)
    {
        _components = components;
        DcmClustering = result.Dcm?.Clustering;
        _userColumn = userColumn;
        _itemColumn = itemColumn;
        _userOutput = userOutput;
        _itemOutput = itemOutput;
        UserEmbeddings = users;
        ItemEmbeddings = items;
        Epochs = result.Epochs;
        Mixture = result.Mixture;
        DivideConquer = result.DivideConquer;
        _als = result.Algorithm == EmbeddingAlgorithm.ImplicitAls ? result.Als?.Clone() : null;
        _chosenOptions = result.ChosenOptions?.Clone();
        FitSettings = result.Settings;
        Holdout = result.Holdout;
        _userIds = userIds;
        _itemIds = itemIds;
    }

    /// <summary>The fit's settings as <see cref="GraphEmbeddingResult.Settings"/> says them (Auto: its choice); null after a save/load round trip.</summary>
    internal string? FitSettings { get; }

    /// <summary>
    /// For an <see cref="EmbeddingAlgorithm.Auto"/> fit, the concrete engine options it chose
    /// (<see cref="GraphEmbeddingResult.ChosenOptions"/>), e.g. to fit the same vectors on a validation hold-out
    /// (<see cref="HistoryMmrLambdaSelection"/>); null for other algorithms and after a save/load round trip. A copy.
    /// </summary>
    public GraphEmbeddingOptions? ChosenOptions => _chosenOptions?.Clone();

    /// <summary>
    /// With <see cref="GraphEmbeddingTrainer.Options.KeepHoldout"/> on an <see cref="EmbeddingAlgorithm.Auto"/> fit: the
    /// validation hold-out it chose on and the chosen trial's vectors, by user and item row (key - 1); null otherwise and
    /// after a save/load round trip.
    /// </summary>
    public ValidationHoldout? Holdout { get; }

    /// <summary>
    /// User embeddings by user row (key - 1): a vector for each user key that had an edge at Fit. The transformer's own table,
    /// not a copy (a copy per access would cost the whole table): read it, never write it, or Transform, Save and serving change too.
    /// </summary>
    public KeyedEmbeddings UserEmbeddings { get; }

    /// <summary>Item embeddings by item row (key - 1): a vector for each item key that had an edge at Fit. The transformer's own table: read it, never write it.</summary>
    public KeyedEmbeddings ItemEmbeddings { get; }

    /// <summary>The raw id of each user row: the key column's KeyValues, or the key number as text (made when read).</summary>
    public IReadOnlyList<string> UserIds => _userIds;

    /// <summary>The raw id of each item row: the key column's KeyValues, or the key number as text (made when read).</summary>
    public IReadOnlyList<string> ItemIds => _itemIds;

    /// <summary>
    /// The components of a <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> or <see cref="EmbeddingAlgorithm.DifferentiableClustering"/>
    /// model, null otherwise. The embedding columns then carry each user's and item's mean component and the component columns
    /// the components; serve them in a pipeline with <see cref="RoundRobinRetrieverEstimator"/>, or with the engine's
    /// <see cref="RoundRobinRetriever"/> (<see cref="MixtureEmbeddingResult.ToMixtureTable"/>).
    /// </summary>
    public MixtureEmbeddingResult? Mixture { get; }

    /// <summary>
    /// The model of an <see cref="EmbeddingAlgorithm.DivideConquer"/> fit (null otherwise, and after a save/load round trip,
    /// which keeps the embedding columns only): serve it with <see cref="DivideConquerModel.BuildMixtures"/> and a
    /// <see cref="ClusterQuotaRetriever"/> over its items and clustering, or export it with <see cref="Onnx.DivideConquerOnnxExporter"/>.
    /// A retrieval stage fitted on this transformer's columns serves the trained users from their encoder queries (the user
    /// column) and a new user's history as its <see cref="RetrieverOptions.HistoryVector"/> says: with
    /// <see cref="HistoryVector.Encoder"/> by this model's encoder (a pooling one; the stage keeps the encoder's tables, which
    /// the item column carries as annotations, and saves them), by default by the fold-in fitted to the encoder's queries;
    /// <see cref="DivideConquerModel.UserQueries"/> gives the encoder's query of any history. A
    /// <see cref="ClusterQuotaRetrieverEstimator"/> stage over the model's clusters (<see cref="SphericalKMeansTrainer.Options.DivideConquerClusters"/>)
    /// builds a new user's mixture by <see cref="DivideConquerModel.BuildMixtures"/> (<see cref="ClusterQuotaRetrieverEstimator.Options.HistoryMixture"/>).
    /// </summary>
    public DivideConquerModel? DivideConquer { get; }

    /// <summary>The soft k-means settings of a differentiable-clustering model (null otherwise): annotated on the user components column.</summary>
    internal DcmClustering? DcmClustering { get; }

    /// <summary>
    /// The implicit-ALS objective the vectors came from (a copy; <see cref="EmbeddingAlgorithm.ImplicitAls"/>, or
    /// <see cref="EmbeddingAlgorithm.Auto"/> when it chose ALS), null for any other algorithm. Fold-ins that must match the
    /// vectors read it: <see cref="HistoryInterestOptions.FromAls"/>, and history-interest MMR
    /// (<see cref="MmrRetrieverEstimator.Options.Interests"/>), which finds it annotated on the item embedding column.
    /// </summary>
    public ImplicitAlsOptions? Als => _als?.Clone();

    /// <summary>
    /// What the fit did with <see cref="GraphEmbeddingTrainer.Options.WarmStart"/>: items started from the given vectors, new
    /// items, or why it was not applied; null without a warm start and after a save/load round trip.
    /// </summary>
    public ItemWarmStartOutcome? WarmStart { get; internal init; }

    /// <summary>Statistics of each training epoch.</summary>
    public IReadOnlyList<EpochStats> Epochs { get; }

    /// <summary>The embedding dimension d.</summary>
    public int Dimension => UserEmbeddings.Dimension;

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema)
    {
        var user = ColumnChecks.Key(inputSchema, _userColumn, "UserColumnName", out int users);
        ColumnChecks.SameCardinality(_userColumn, "UserColumnName", UserEmbeddings.KeyCount, users);
        ColumnChecks.SameKeys(user, "UserColumnName", _userIds);
        var item = ColumnChecks.Key(inputSchema, _itemColumn, "ItemColumnName", out int items);
        ColumnChecks.SameCardinality(_itemColumn, "ItemColumnName", ItemEmbeddings.KeyCount, items);
        ColumnChecks.SameKeys(item, "ItemColumnName", _itemIds);
        var type = new VectorDataViewType(NumberDataViewType.Single, Dimension);
        var columns = new List<AppendedColumn>
        {
            AppendedColumn.Create<VBuffer<float>>(_userOutput, type, [_userColumn], row => RowGetter(row, user, UserEmbeddings), PerKeyAnnotation.With(user)),
            AppendedColumn.Create<VBuffer<float>>(_itemOutput, type, [_itemColumn], row => RowGetter(row, item, ItemEmbeddings),
                PerKeyAnnotation.With(item, _als != null ? AlsAnnotations.Of(_als) : DivideConquer != null ? DivideConquerAnnotations.Of(DivideConquer, ItemEmbeddings.Rows) : null)),
        };
        if (Mixture is { } m)
        {
            // The components of the keys with a vector; zeros (no components) for the others, as the embedding columns give them.
            int d = m.Dimension;
            columns.Add(AppendedColumn.Create<VBuffer<float>>(_components.User, new VectorDataViewType(NumberDataViewType.Single, m.SourceComponents * d), [_userColumn],
                row => ComponentGetter(row, user, UserEmbeddings, m.SourceComponents * d, u => m.ComponentsOfUser(u)),
                PerKeyAnnotation.With(user, DcmClustering == null ? null : DcmAnnotations.Of(DcmClustering))));
            columns.Add(AppendedColumn.Create<VBuffer<double>>(_components.Weights, new VectorDataViewType(NumberDataViewType.Double, m.SourceComponents), [_userColumn],
                row => ComponentGetter(row, user, UserEmbeddings, m.SourceComponents, u => m.WeightsOfUser(u)), PerKeyAnnotation.With(user)));
            columns.Add(AppendedColumn.Create<VBuffer<float>>(_components.Item, new VectorDataViewType(NumberDataViewType.Single, m.DestinationComponents * d), [_itemColumn],
                row => ComponentGetter(row, item, ItemEmbeddings, m.DestinationComponents * d, i => m.ComponentsOfItem(i)), PerKeyAnnotation.With(item)));
        }
        return columns;
    }

    /// <summary>A getter of one key's slice of a component table (<paramref name="size"/> values), zeros for a key without a vector.</summary>
    private static ValueGetter<VBuffer<T>> ComponentGetter<T>(DataViewRow row, DataViewSchema.Column keyColumn, KeyedEmbeddings present, int size,
        SliceOf<T> slice)
    {
        var getKey = row.GetGetter<uint>(keyColumn);
        uint key = 0;
        return (ref VBuffer<T> value) =>
        {
            getKey(ref key);
            var editor = VBufferEditor.Create(ref value, size);
            if (key != 0 && present.Contains((int)key - 1)) slice((int)key - 1).CopyTo(editor.Values);
            else editor.Values.Clear();
            value = editor.Commit();
        };
    }

    private delegate ReadOnlySpan<T> SliceOf<T>(int row);

    private protected override ITransformer CreateSavableModel() =>
        GraphEmbeddingPersistence.CreateSavable(_userColumn, _itemColumn, _userOutput, _itemOutput, UserEmbeddings, ItemEmbeddings, _userIds, _itemIds,
            Mixture == null ? null : (Mixture, _components));

    private static ValueGetter<VBuffer<float>> RowGetter(DataViewRow row, DataViewSchema.Column keyColumn, KeyedEmbeddings table)
    {
        var getKey = row.GetGetter<uint>(keyColumn);
        uint key = 0;
        return (ref VBuffer<float> value) =>
        {
            getKey(ref key);
            var editor = VBufferEditor.Create(ref value, table.Dimension);
            if (key != 0 && table.TryGetVector((int)key - 1, out var vector)) vector.CopyTo(editor.Values);
            else editor.Values.Clear();
            value = editor.Commit();
        };
    }
}
