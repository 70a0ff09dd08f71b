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
    private const string UserComponents = "user_components", ItemComponents = "item_components", UserComponentWeights = "user_component_weights";
    private const string SourceComponentsKey = "SourceComponents", DestinationComponentsKey = "DestinationComponents";
    private const string UserColumnKey = "UserColumn", ItemColumnKey = "ItemColumn", UserOutputKey = "UserEmbeddingColumn", ItemOutputKey = "ItemEmbeddingColumn";

    public static ITransformer CreateSavable(string userColumn, string itemColumn, string userOutput, string itemOutput,
        EmbeddingMatrix users, EmbeddingMatrix items, IReadOnlyList<string> userIds, IReadOnlyList<string> itemIds, MixtureEmbeddingResult? mixture = null)
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
        if (mixture != null) AddComponents(builder, mixture);
        builder.VectorOutput(userOutput, "user_vector", TensorProto.Types.DataType.Float, d);
        builder.VectorOutput(itemOutput, "item_vector", TensorProto.Types.DataType.Float, d);
        return builder.Build();
    }

    /// <summary>
    /// A mixture-embedding model also stores its components and weights (single-vector models are saved exactly as before):
    /// [users × C_s, d] and [items × C_d, d] tables, the weights, and C_s, C_d in the metadata. The stage's columns stay the
    /// mean vectors; the tables ride along for <see cref="MultiInterestModel"/> and round-robin serving.
    /// </summary>
    private static void AddComponents(SavedChainBuilder builder, MixtureEmbeddingResult mixture)
    {
        builder.Metadata(SourceComponentsKey, SavedMetadata.Text(mixture.SourceComponents));
        builder.Metadata(DestinationComponentsKey, SavedMetadata.Text(mixture.DestinationComponents));
        int d = mixture.Dimension;
        builder.Graph
            .AddInitializer(UserComponents, [mixture.UserComponents.Rows, d], mixture.UserComponents.Values)
            .AddInitializer(ItemComponents, [mixture.ItemComponents.Rows, d], mixture.ItemComponents.Values)
            .AddInitializer(OnnxTensors.Double(UserComponentWeights, [mixture.UserWeights.Length], mixture.UserWeights))
            .AddNode("Identity", [UserComponents], ["user_components_out"])
            .AddNode("Identity", [ItemComponents], ["item_components_out"])
            .AddNode("Identity", [UserComponentWeights], ["user_component_weights_out"])
            .AddOutput("user_components_out", TensorProto.Types.DataType.Float, mixture.UserComponents.Rows, d)
            .AddOutput("item_components_out", TensorProto.Types.DataType.Float, mixture.ItemComponents.Rows, d)
            .AddOutput("user_component_weights_out", TensorProto.Types.DataType.Double, mixture.UserWeights.Length);
    }

    private static MixtureEmbeddingResult? ReadComponents(ModelProto model, Dictionary<string, string> meta)
    {
        if (!meta.ContainsKey(SourceComponentsKey)) return null;
        var users = OnnxTensorReader.Find(model, UserComponents);
        var items = OnnxTensorReader.Find(model, ItemComponents);
        var userShape = OnnxTensorReader.Shape(users);
        var itemShape = OnnxTensorReader.Shape(items);
        return new MixtureEmbeddingResult(SavedMetadata.Int(meta, SourceComponentsKey), SavedMetadata.Int(meta, DestinationComponentsKey),
            new EmbeddingMatrix(userShape[0], userShape[1], OnnxTensorReader.Floats(users)),
            new EmbeddingMatrix(itemShape[0], itemShape[1], OnnxTensorReader.Floats(items)),
            OnnxTensorReader.Doubles(OnnxTensorReader.Find(model, UserComponentWeights)));
    }

    public static SavedGraphEmbedding Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        return new SavedGraphEmbedding(meta.GetValueOrDefault(UserColumnKey, ""), meta.GetValueOrDefault(ItemColumnKey, ""),
            meta.GetValueOrDefault(UserOutputKey, ""), meta.GetValueOrDefault(ItemOutputKey, ""),
            WithoutZeroRow(OnnxTensorReader.Find(model, UserTable)), WithoutZeroRow(OnnxTensorReader.Find(model, ItemTable)),
            OnnxTensorReader.Strings(OnnxTensorReader.Find(model, UserIds)), OnnxTensorReader.Strings(OnnxTensorReader.Find(model, ItemIds)))
        {
            Mixture = ReadComponents(model, meta),
        };
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
