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
/// except ids that are the key numbers, which are recorded as such in the metadata and not stored. A learned multi-vector
/// stage (format version 3) adds its component tables in the same layout, a row per key with a vector after a zero row 0,
/// gathered by the same table row as the embeddings, and publishes them as the component columns.
/// </summary>
internal static class GraphEmbeddingPersistence
{
    private const string UserTable = "user_embeddings", ItemTable = "item_embeddings", UserIds = "user_ids", ItemIds = "item_ids";
    private const string UserKeys = "user_keys", ItemKeys = "item_keys";
    private const string UserComponents = "user_components", ItemComponents = "item_components", UserComponentWeights = "user_component_weights";
    private const string SourceComponentsKey = "SourceComponents", DestinationComponentsKey = "DestinationComponents";
    private const string UserComponentTable = "user_component_table", WeightTable = "user_component_weight_table", ItemComponentTable = "item_component_table";
    private const string UserComponentsColumnKey = "UserComponentsColumn", WeightsColumnKey = "UserComponentWeightsColumn", ItemComponentsColumnKey = "ItemComponentsColumn";
    private const string UserColumnKey = "UserColumn", ItemColumnKey = "ItemColumn", UserOutputKey = "UserEmbeddingColumn", ItemOutputKey = "ItemEmbeddingColumn";

    /// <summary>The metadata suffix holding a side's key range ("UserKeyCount"), written when its table is sparse or its ids are numbers.</summary>
    private const string KeyCountSuffix = "KeyCount";

    /// <summary>The metadata suffix marking ids that are the key numbers ("UserIds" = <see cref="NumberIds"/>).</summary>
    private const string IdsSuffix = "Ids", NumberIds = "KeyNumbers";

    public static ITransformer CreateSavable(string userColumn, string itemColumn, string userOutput, string itemOutput,
        KeyedEmbeddings users, KeyedEmbeddings items, KeyNameList userIds, KeyNameList itemIds,
        (MixtureEmbeddingResult Mixture, ComponentColumns Columns)? components = null)
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
        builder.VectorOutput(userOutput, "user_vector", TensorProto.Types.DataType.Float, d);
        builder.VectorOutput(itemOutput, "item_vector", TensorProto.Types.DataType.Float, d);
        if (components is var (mixture, columns)) AddComponents(builder, mixture, columns, users, items, userRow, itemRow);
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
            builder.Graph
                .AddInitializer(OnnxTensors.String(idsTable, [ids.Count], ids))
                .KeepAsOutput(idsTable, TensorProto.Types.DataType.String, ids.Count);
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
    /// A learned multi-vector model also stores its components and weights (single-vector models are saved exactly as before):
    /// [rows + 1, C_s x d], [rows + 1, C_s] and [rows + 1, C_d x d] tables with a zero row 0, one row per key with a vector
    /// (as the embedding tables), gathered by the same rows and published as the component columns; C_s, C_d and the column
    /// names in the metadata. <see cref="MultiInterestModel"/> reads them back for round-robin serving.
    /// </summary>
    private static void AddComponents(SavedChainBuilder builder, MixtureEmbeddingResult mixture, ComponentColumns columns,
        KeyedEmbeddings users, KeyedEmbeddings items, string userRow, string itemRow)
    {
        int cs = mixture.SourceComponents, cd = mixture.DestinationComponents, d = mixture.Dimension;
        builder.Metadata(SourceComponentsKey, SavedMetadata.Text(cs));
        builder.Metadata(DestinationComponentsKey, SavedMetadata.Text(cd));
        builder.Metadata(UserComponentsColumnKey, columns.User);
        builder.Metadata(WeightsColumnKey, columns.Weights);
        builder.Metadata(ItemComponentsColumnKey, columns.Item);
        var userValues = new float[(long)(users.Count + 1) * cs * d];
        var weights = new double[(users.Count + 1) * cs];
        for (int j = 0; j < users.Count; j++)
        {
            mixture.ComponentsOfUser(users.Rows[j]).CopyTo(userValues.AsSpan((j + 1) * cs * d));
            mixture.WeightsOfUser(users.Rows[j]).CopyTo(weights.AsSpan((j + 1) * cs));
        }
        var itemValues = new float[(long)(items.Count + 1) * cd * d];
        for (int j = 0; j < items.Count; j++) mixture.ComponentsOfItem(items.Rows[j]).CopyTo(itemValues.AsSpan((j + 1) * cd * d));
        builder.Graph
            .AddInitializer(UserComponentTable, [users.Count + 1, cs * d], userValues)
            .AddInitializer(OnnxTensors.Double(WeightTable, [users.Count + 1, cs], weights))
            .AddInitializer(ItemComponentTable, [items.Count + 1, cd * d], itemValues)
            .AddNode("Gather", [UserComponentTable, userRow], ["user_components_vector"], OnnxAttributes.Int("axis", 0))
            .AddNode("Gather", [WeightTable, userRow], ["user_component_weights_vector"], OnnxAttributes.Int("axis", 0))
            .AddNode("Gather", [ItemComponentTable, itemRow], ["item_components_vector"], OnnxAttributes.Int("axis", 0));
        builder.VectorOutput(columns.User, "user_components_vector", TensorProto.Types.DataType.Float, cs * d);
        builder.VectorOutput(columns.Weights, "user_component_weights_vector", TensorProto.Types.DataType.Double, cs);
        builder.VectorOutput(columns.Item, "item_components_vector", TensorProto.Types.DataType.Float, cd * d);
    }

    /// <summary>
    /// The components of a multi-vector stage, spread back to one row per key as the fit made them (a key without a vector:
    /// zero components, equal weights); null for a single-vector stage. Reads the keyed tables of version 3 and the
    /// whole-range tables of version 2.
    /// </summary>
    private static MixtureEmbeddingResult? ReadComponents(ModelProto model, Dictionary<string, string> meta, KeyedEmbeddings users, KeyedEmbeddings items)
    {
        if (!meta.ContainsKey(SourceComponentsKey)) return null;
        int cs = SavedMetadata.Int(meta, SourceComponentsKey), cd = SavedMetadata.Int(meta, DestinationComponentsKey);
        if (!model.Graph.Initializer.Any(t => t.Name == UserComponentTable))
        {
            var wholeUsers = OnnxTensorReader.Find(model, UserComponents);
            var wholeItems = OnnxTensorReader.Find(model, ItemComponents);
            var userShape = OnnxTensorReader.Shape(wholeUsers);
            var itemShape = OnnxTensorReader.Shape(wholeItems);
            return new MixtureEmbeddingResult(cs, cd,
                new EmbeddingMatrix(userShape[0], userShape[1], OnnxTensorReader.Floats(wholeUsers)),
                new EmbeddingMatrix(itemShape[0], itemShape[1], OnnxTensorReader.Floats(wholeItems)),
                OnnxTensorReader.Doubles(OnnxTensorReader.Find(model, UserComponentWeights)));
        }
        int d = users.Dimension;
        var userValues = Table(model, UserComponentTable, users.Count, cs * d);
        var weights = OnnxTensorReader.Doubles(OnnxTensorReader.Find(model, WeightTable));
        if (weights.Length != (users.Count + 1) * cs)
            throw new InvalidDataException($"Initializer '{WeightTable}' holds {weights.Length} weights; {users.Count + 1} rows of {cs} were expected.");
        var itemValues = Table(model, ItemComponentTable, items.Count, cd * d);
        var userComponents = new EmbeddingMatrix(checked(users.KeyCount * cs), d);
        var userWeights = new double[checked(users.KeyCount * cs)];
        Array.Fill(userWeights, 1.0 / cs);
        for (int j = 0; j < users.Count; j++)
        {
            userValues.AsSpan((j + 1) * cs * d, cs * d).CopyTo(userComponents.Values.AsSpan(users.Rows[j] * cs * d));
            weights.AsSpan((j + 1) * cs, cs).CopyTo(userWeights.AsSpan(users.Rows[j] * cs));
        }
        var itemComponents = new EmbeddingMatrix(checked(items.KeyCount * cd), d);
        for (int j = 0; j < items.Count; j++) itemValues.AsSpan((j + 1) * cd * d, cd * d).CopyTo(itemComponents.Values.AsSpan(items.Rows[j] * cd * d));
        return new MixtureEmbeddingResult(cs, cd, userComponents, itemComponents, userWeights);
    }

    /// <summary>A [rows + 1, width] Single table's values, its shape checked.</summary>
    private static float[] Table(ModelProto model, string name, int rows, int width)
    {
        var tensor = OnnxTensorReader.Find(model, name);
        var shape = OnnxTensorReader.Shape(tensor);
        if (shape is not [var r, var w] || r != rows + 1 || w != width)
            throw new InvalidDataException($"Initializer '{name}' has shape [{string.Join(", ", shape)}]; [{rows + 1}, {width}] was expected.");
        return OnnxTensorReader.Floats(tensor);
    }

    public static SavedGraphEmbedding Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        var (users, userIds) = ReadSide(model, meta, "User", UserTable, UserKeys, UserIds);
        var (items, itemIds) = ReadSide(model, meta, "Item", ItemTable, ItemKeys, ItemIds);
        return new SavedGraphEmbedding(SavedMetadata.Name(meta, UserColumnKey), SavedMetadata.Name(meta, ItemColumnKey),
            SavedMetadata.Name(meta, UserOutputKey), SavedMetadata.Name(meta, ItemOutputKey), users, items, userIds, itemIds)
        {
            Mixture = ReadComponents(model, meta, users, items),
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
