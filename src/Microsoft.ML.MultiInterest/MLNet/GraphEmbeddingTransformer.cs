using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted graph embeddings. Appends to each row the embedding of its user key and of its item key. Vectors are kept for
/// the keys that had an edge at Fit only (<see cref="KeyedEmbeddings"/>), so a wide key range of few ids in use costs what
/// the ids cost; a key without a vector, and a missing key (0), get a zero vector in the columns, so rows that Fit skipped
/// stay harmless. Saves with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class GraphEmbeddingTransformer : MultiInterestTransformerBase
{
    private readonly string _userColumn;
    private readonly string _itemColumn;
    private readonly string _userOutput;
    private readonly string _itemOutput;
    private readonly KeyNameList _userIds;
    private readonly KeyNameList _itemIds;

    internal GraphEmbeddingTransformer(string userColumn, string itemColumn, string userOutput, string itemOutput, GraphEmbeddingResult result,
        KeyedEmbeddings users, KeyedEmbeddings items, KeyNameList userIds, KeyNameList itemIds)
    {
        _userColumn = userColumn;
        _itemColumn = itemColumn;
        _userOutput = userOutput;
        _itemOutput = itemOutput;
        UserEmbeddings = users;
        ItemEmbeddings = items;
        Epochs = result.Epochs;
        Mixture = result.Mixture;
        DivideConquer = result.DivideConquer;
        _userIds = userIds;
        _itemIds = itemIds;
    }

    /// <summary>User embeddings by user row (key - 1): a vector for each user key that had an edge at Fit.</summary>
    public KeyedEmbeddings UserEmbeddings { get; }

    /// <summary>Item embeddings by item row (key - 1): a vector for each item key that had an edge at Fit.</summary>
    public KeyedEmbeddings ItemEmbeddings { get; }

    /// <summary>The raw id of each user row: the key column's KeyValues, or the key number as text (made when read).</summary>
    public IReadOnlyList<string> UserIds => _userIds;

    /// <summary>The raw id of each item row: the key column's KeyValues, or the key number as text (made when read).</summary>
    public IReadOnlyList<string> ItemIds => _itemIds;

    /// <summary>
    /// The components of a <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> model, null otherwise. The embedding columns then
    /// carry each user's and item's mean component; serve the components with <see cref="RoundRobinRetriever"/>
    /// (<see cref="MixtureEmbeddingResult.ToMixtureTable"/>).
    /// </summary>
    public MixtureEmbeddingResult? Mixture { get; }

    /// <summary>
    /// The model of an <see cref="EmbeddingAlgorithm.DivideConquer"/> fit (null otherwise, and after a save/load round trip,
    /// which keeps the embedding columns only): serve it with <see cref="DivideConquerModel.BuildMixtures"/> and a
    /// <see cref="ClusterQuotaRetriever"/> over its items and clustering, or export it with <see cref="Onnx.DivideConquerOnnxExporter"/>.
    /// </summary>
    public DivideConquerModel? DivideConquer { get; }

    /// <summary>Statistics of each training epoch.</summary>
    public IReadOnlyList<EpochStats> Epochs { get; }

    /// <summary>The embedding dimension d.</summary>
    public int Dimension => UserEmbeddings.Dimension;

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema)
    {
        var user = ColumnChecks.Key(inputSchema, _userColumn, "UserColumnName", out int users);
        ColumnChecks.SameCardinality(_userColumn, "UserColumnName", UserEmbeddings.KeyCount, users);
        var item = ColumnChecks.Key(inputSchema, _itemColumn, "ItemColumnName", out int items);
        ColumnChecks.SameCardinality(_itemColumn, "ItemColumnName", ItemEmbeddings.KeyCount, items);
        var type = new VectorDataViewType(NumberDataViewType.Single, Dimension);
        return
        [
            AppendedColumn.Create<VBuffer<float>>(_userOutput, type, [_userColumn], row => RowGetter(row, user, UserEmbeddings)),
            AppendedColumn.Create<VBuffer<float>>(_itemOutput, type, [_itemColumn], row => RowGetter(row, item, ItemEmbeddings)),
        ];
    }

    private protected override ITransformer CreateSavableModel() =>
        GraphEmbeddingPersistence.CreateSavable(_userColumn, _itemColumn, _userOutput, _itemOutput, UserEmbeddings, ItemEmbeddings, _userIds, _itemIds, Mixture);

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
