using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving and reading back graph embeddings: one table per side with a zero row 0 (key 0, an unseen id,
/// gets the zero vector as in memory), gathered by the row's user and item keys. The raw ids ride along as
/// string tables for <see cref="MultiInterestModel"/>.
/// </summary>
internal static class GraphEmbeddingPersistence
{
    private const string UserTable = "user_embeddings", ItemTable = "item_embeddings", UserIds = "user_ids", ItemIds = "item_ids";
    private const string UserColumnKey = "UserColumn", ItemColumnKey = "ItemColumn", UserOutputKey = "UserEmbeddingColumn", ItemOutputKey = "ItemEmbeddingColumn";

    public static ITransformer CreateSavable(string userColumn, string itemColumn, string userOutput, string itemOutput,
        EmbeddingMatrix users, EmbeddingMatrix items, IReadOnlyList<string> userIds, IReadOnlyList<string> itemIds)
    {
        int d = users.Dimension;
        var builder = new SavedChainBuilder(SavedModelFormat.GraphEmbeddingStage);
        builder.Metadata(UserColumnKey, userColumn);
        builder.Metadata(ItemColumnKey, itemColumn);
        builder.Metadata(UserOutputKey, userOutput);
        builder.Metadata(ItemOutputKey, itemOutput);
        string user = builder.KeyInput(userColumn, users.Rows);
        string item = builder.KeyInput(itemColumn, items.Rows);
        builder.Graph
            .AddInitializer(UserTable, [users.Rows + 1, d], WithZeroRow(users))
            .AddInitializer(ItemTable, [items.Rows + 1, d], WithZeroRow(items))
            .AddInitializer(OnnxTensors.String(UserIds, [userIds.Count], userIds))
            .AddInitializer(OnnxTensors.String(ItemIds, [itemIds.Count], itemIds))
            .AddNode("Gather", [UserTable, user], ["user_vector"], OnnxAttributes.Int("axis", 0))
            .AddNode("Gather", [ItemTable, item], ["item_vector"], OnnxAttributes.Int("axis", 0))
            // The id tables feed unused outputs so ONNX Runtime does not drop them with a warning.
            .AddNode("Identity", [UserIds], ["user_ids_out"])
            .AddNode("Identity", [ItemIds], ["item_ids_out"])
            .AddOutput("user_ids_out", TensorProto.Types.DataType.String, userIds.Count)
            .AddOutput("item_ids_out", TensorProto.Types.DataType.String, itemIds.Count);
        builder.VectorOutput(userOutput, "user_vector", TensorProto.Types.DataType.Float, d);
        builder.VectorOutput(itemOutput, "item_vector", TensorProto.Types.DataType.Float, d);
        return builder.Build();
    }

    public static SavedGraphEmbedding Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        return new SavedGraphEmbedding(meta.GetValueOrDefault(UserColumnKey, ""), meta.GetValueOrDefault(ItemColumnKey, ""),
            meta.GetValueOrDefault(UserOutputKey, ""), meta.GetValueOrDefault(ItemOutputKey, ""),
            WithoutZeroRow(OnnxTensorReader.Find(model, UserTable)), WithoutZeroRow(OnnxTensorReader.Find(model, ItemTable)),
            OnnxTensorReader.Strings(OnnxTensorReader.Find(model, UserIds)), OnnxTensorReader.Strings(OnnxTensorReader.Find(model, ItemIds)));
    }

    /// <summary>The table with a zero row in front, so that key k reads row k.</summary>
    internal static float[] WithZeroRow(EmbeddingMatrix table)
    {
        var values = new float[(table.Rows + 1) * table.Dimension];
        table.Values.CopyTo(values, table.Dimension);
        return values;
    }

    /// <summary>Reads a [rows + 1, d] table written by <see cref="WithZeroRow"/>.</summary>
    internal static EmbeddingMatrix WithoutZeroRow(TensorProto tensor)
    {
        var shape = OnnxTensorReader.Shape(tensor);
        if (shape.Length != 2 || shape[0] < 1)
            throw new InvalidDataException($"Initializer '{tensor.Name}' has shape [{string.Join(", ", shape)}]; a [rows + 1, dimension] table was expected.");
        var values = OnnxTensorReader.Floats(tensor);
        return new EmbeddingMatrix(shape[0] - 1, shape[1], values[shape[1]..]);
    }
}
