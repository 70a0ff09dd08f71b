using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted graph embeddings. Appends to each row the embedding of its user key and of its item key; a missing
/// key (0) gets a zero vector, so rows that Fit skipped stay harmless. Saves with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class GraphEmbeddingTransformer : MultiInterestTransformerBase
{
    private readonly string _userColumn;
    private readonly string _itemColumn;
    private readonly string _userOutput;
    private readonly string _itemOutput;

    internal GraphEmbeddingTransformer(string userColumn, string itemColumn, string userOutput, string itemOutput, GraphEmbeddingResult result,
        string[] userIds, string[] itemIds)
    {
        _userColumn = userColumn;
        _itemColumn = itemColumn;
        _userOutput = userOutput;
        _itemOutput = itemOutput;
        UserEmbeddings = result.UserEmbeddings;
        ItemEmbeddings = result.ItemEmbeddings;
        Epochs = result.Epochs;
        Mixture = result.Mixture;
        DivideConquer = result.DivideConquer;
        UserIds = userIds;
        ItemIds = itemIds;
    }

    /// <summary>User embeddings, one row per user key (row = key - 1).</summary>
    public EmbeddingMatrix UserEmbeddings { get; }

    /// <summary>Item embeddings, one row per item key (row = key - 1).</summary>
    public EmbeddingMatrix ItemEmbeddings { get; }

    /// <summary>The raw id of each user row: the key column's KeyValues, or the key number as text.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>The raw id of each item row: the key column's KeyValues, or the key number as text.</summary>
    public IReadOnlyList<string> ItemIds { get; }

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
        ColumnChecks.SameCardinality(_userColumn, "UserColumnName", UserEmbeddings.Rows, users);
        var item = ColumnChecks.Key(inputSchema, _itemColumn, "ItemColumnName", out int items);
        ColumnChecks.SameCardinality(_itemColumn, "ItemColumnName", ItemEmbeddings.Rows, items);
        var type = new VectorDataViewType(NumberDataViewType.Single, Dimension);
        return
        [
            AppendedColumn.Create<VBuffer<float>>(_userOutput, type, [_userColumn], row => RowGetter(row, user, UserEmbeddings)),
            AppendedColumn.Create<VBuffer<float>>(_itemOutput, type, [_itemColumn], row => RowGetter(row, item, ItemEmbeddings)),
        ];
    }

    private protected override ITransformer CreateSavableModel() =>
        GraphEmbeddingPersistence.CreateSavable(_userColumn, _itemColumn, _userOutput, _itemOutput, UserEmbeddings, ItemEmbeddings, UserIds, ItemIds, Mixture);

    private static ValueGetter<VBuffer<float>> RowGetter(DataViewRow row, DataViewSchema.Column keyColumn, EmbeddingMatrix table)
    {
        var getKey = row.GetGetter<uint>(keyColumn);
        uint key = 0;
        return (ref VBuffer<float> value) =>
        {
            getKey(ref key);
            var editor = VBufferEditor.Create(ref value, table.Dimension);
            if (key == 0) editor.Values.Clear();
            else table.ReadRow((int)key - 1).CopyTo(editor.Values);
            value = editor.Commit();
        };
    }
}
