using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving and reading back graph embeddings: one table per side with a zero row 0 (key 0, an unseen id,
/// gets the zero vector as in memory), gathered by the row's user and item keys. A side whose keys do not all have a vector
/// (format version 2) stores the present keys' rows only, with their keys (<c>user_keys</c>, <c>item_keys</c>) and a
/// LabelEncoder from key to table row (any other key reads the zero row); a side where every key has one is saved as in
/// version 1, gathered by the key itself. The raw ids ride along as string tables for <see cref="MultiInterestModel"/>,
/// except ids that are the key numbers, which are recorded as such in the metadata and not stored.
/// </summary>
internal static class GraphEmbeddingPersistence
{
    private const string UserTable = "user_embeddings", ItemTable = "item_embeddings", UserIds = "user_ids", ItemIds = "item_ids";
    private const string UserKeys = "user_keys", ItemKeys = "item_keys";
    private const string UserComponents = "user_components", ItemComponents = "item_components", UserComponentWeights = "user_component_weights";
    private const string SourceComponentsKey = "SourceComponents", DestinationComponentsKey = "DestinationComponents";
    private const string UserColumnKey = "UserColumn", ItemColumnKey = "ItemColumn", UserOutputKey = "UserEmbeddingColumn", ItemOutputKey = "ItemEmbeddingColumn";

    /// <summary>The metadata suffix holding a side's key range ("UserKeyCount"), written when its table is sparse or its ids are numbers.</summary>
    private const string KeyCountSuffix = "KeyCount";

    /// <summary>The metadata suffix marking ids that are the key numbers ("UserIds" = <see cref="NumberIds"/>).</summary>
    private const string IdsSuffix = "Ids", NumberIds = "KeyNumbers";

    public static ITransformer CreateSavable(string userColumn, string itemColumn, string userOutput, string itemOutput,
        KeyedEmbeddings users, KeyedEmbeddings items, KeyNameList userIds, KeyNameList itemIds, MixtureEmbeddingResult? mixture = null)
    {
        int d = users.Dimension;
        var builder = new SavedChainBuilder(SavedModelFormat.GraphEmbeddingStage);
        builder.Metadata(UserColumnKey, userColumn);
        builder.Metadata(ItemColumnKey, itemColumn);
        builder.Metadata(UserOutputKey, userOutput);
        builder.Metadata(ItemOutputKey, itemOutput);
        string user = builder.KeyInput(userColumn, users.KeyCount);
        string item = builder.KeyInput(itemColumn, items.KeyCount);
        string userRow = AddSide(builder, "User", UserTable, UserKeys, UserIds, user, users, userIds);
        string itemRow = AddSide(builder, "Item", ItemTable, ItemKeys, ItemIds, item, items, itemIds);
        builder.Graph
            .AddNode("Gather", [UserTable, userRow], ["user_vector"], OnnxAttributes.Int("axis", 0))
            .AddNode("Gather", [ItemTable, itemRow], ["item_vector"], OnnxAttributes.Int("axis", 0));
        if (mixture != null) AddComponents(builder, mixture);
        builder.VectorOutput(userOutput, "user_vector", TensorProto.Types.DataType.Float, d);
        builder.VectorOutput(itemOutput, "item_vector", TensorProto.Types.DataType.Float, d);
        return builder.Build();
    }

    /// <summary>One side's table, keys and ids; returns the int64 scalar naming the table row each input row reads.</summary>
    private static string AddSide(SavedChainBuilder builder, string side, string table, string keysTable, string idsTable, string key,
        KeyedEmbeddings vectors, KeyNameList ids)
    {
        builder.Graph.AddInitializer(table, [vectors.Count + 1, vectors.Dimension], WithZeroRow(vectors.Vectors));
        if (ids.AreNumbers)
        {
            builder.Metadata(side + KeyCountSuffix, SavedMetadata.Text(vectors.KeyCount));
            builder.Metadata(side + IdsSuffix, NumberIds);
        }
        else
        {
            // The id tables feed unused outputs so ONNX Runtime does not drop them with a warning.
            builder.Graph
                .AddInitializer(OnnxTensors.String(idsTable, [ids.Count], ids))
                .AddNode("Identity", [idsTable], [idsTable + "_out"])
                .AddOutput(idsTable + "_out", TensorProto.Types.DataType.String, ids.Count);
        }
        return PresentKeys.Declare(builder, key, keysTable, side + KeyCountSuffix, vectors.KeyCount, vectors.Rows);
    }

    /// <summary>Reads one side back: the vectors (of the present keys, or of every key) and the ids.</summary>
    private static (KeyedEmbeddings Vectors, KeyNameList Ids) ReadSide(ModelProto model, Dictionary<string, string> meta, string side, string table,
        string keysTable, string idsTable)
    {
        var vectors = WithoutZeroRow(OnnxTensorReader.Find(model, table));
        int keyCount = PresentKeys.KeyCount(meta, side + KeyCountSuffix, vectors.Rows);
        var rows = PresentKeys.Read(model, keysTable);
        if (rows != null && rows.Length != vectors.Rows)
            throw new InvalidDataException($"Initializer '{keysTable}' has {rows.Length} keys for the {vectors.Rows} rows of '{table}'.");
        var keyed = rows == null ? KeyedEmbeddings.FromDense(vectors) : new KeyedEmbeddings(keyCount, rows, vectors);
        var ids = meta.GetValueOrDefault(side + IdsSuffix) == NumberIds
            ? KeyNameList.Numbers(keyCount)
            : new KeyNameList(OnnxTensorReader.Strings(OnnxTensorReader.Find(model, idsTable)));
        return (keyed, ids);
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
        var (users, userIds) = ReadSide(model, meta, "User", UserTable, UserKeys, UserIds);
        var (items, itemIds) = ReadSide(model, meta, "Item", ItemTable, ItemKeys, ItemIds);
        return new SavedGraphEmbedding(meta.GetValueOrDefault(UserColumnKey, ""), meta.GetValueOrDefault(ItemColumnKey, ""),
            meta.GetValueOrDefault(UserOutputKey, ""), meta.GetValueOrDefault(ItemOutputKey, ""), users, items, userIds, itemIds)
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
