using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving and reading back kNN-Embed mixtures: per user key (row 0 = key 0, empty) the m cluster keys
/// (0 pads), weights (double, as in memory) and component embeddings, gathered by the row's user key; when some user keys
/// have no components, for the users with components only (<see cref="PresentKeys"/>), the others reading the empty row 0.
/// The user neighbours are not saved: they only matter while fitting.
/// </summary>
internal static class MixturePersistence
{
    private const string ClustersTable = "mixture_clusters", WeightsTable = "mixture_weights", EmbeddingsTable = "mixture_embeddings";
    private const string UserColumnKey = "UserColumn", ClustersColumnKey = "ClustersColumn", WeightsColumnKey = "WeightsColumn",
        EmbeddingsColumnKey = "EmbeddingsColumn", ClusterCountKey = "ClusterCount", UserKeys = "mixture_users", UserKeyCountKey = "UserKeyCount";

    public static ITransformer CreateSavable(string userColumn, MixtureTable mixtures, int clusterCount,
        string clustersColumn, string weightsColumn, string embeddingsColumn)
    {
        int users = mixtures.UserCount, m = mixtures.MaxComponents, d = mixtures.Dimension;
        var present = mixtures.RowUsers().Where(u => mixtures.ComponentCount(u) > 0).ToArray();
        bool perKey = PresentKeys.AreAll(present, users);
        int rows = perKey ? users : present.Length;
        var clusters = new uint[(rows + 1) * m];
        var weights = new double[(rows + 1) * m];
        var embeddings = new float[(long)(rows + 1) * m * d];
        for (int r = 0; r < rows; r++)
        {
            int u = perKey ? r : present[r], row = r + 1;
            var userClusters = mixtures.Clusters(u);
            for (int j = 0; j < userClusters.Length; j++) clusters[row * m + j] = (uint)userClusters[j] + 1;
            mixtures.Weights(u).CopyTo(weights.AsSpan(row * m));
            mixtures.Embeddings(u).CopyTo(embeddings.AsSpan(row * m * d));
        }
        var builder = new SavedChainBuilder(SavedModelFormat.MixtureStage);
        builder.Metadata(UserColumnKey, userColumn);
        builder.Metadata(ClustersColumnKey, clustersColumn);
        builder.Metadata(WeightsColumnKey, weightsColumn);
        builder.Metadata(EmbeddingsColumnKey, embeddingsColumn);
        builder.Metadata(ClusterCountKey, SavedMetadata.Text(clusterCount));
        string key = builder.KeyInput(userColumn, users);
        string user = PresentKeys.Declare(builder, key, UserKeys, UserKeyCountKey, users, present);
        builder.Graph
            .AddInitializer(OnnxTensors.UInt32(ClustersTable, [rows + 1, m], clusters))
            .AddInitializer(OnnxTensors.Double(WeightsTable, [rows + 1, m], weights))
            .AddInitializer(EmbeddingsTable, [rows + 1, m * d], embeddings)
            .AddNode("Gather", [ClustersTable, user], ["user_clusters"], OnnxAttributes.Int("axis", 0))
            .AddNode("Cast", ["user_clusters"], ["user_cluster_names"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.String))
            .AddNode("Gather", [WeightsTable, user], ["user_weights"], OnnxAttributes.Int("axis", 0))
            .AddNode("Gather", [EmbeddingsTable, user], ["user_embeddings"], OnnxAttributes.Int("axis", 0));
        builder.KeyOutput(clustersColumn, "user_cluster_names", m, KeyValuesAnnotation.Numbers(clusterCount));
        builder.VectorOutput(weightsColumn, "user_weights", TensorProto.Types.DataType.Double, m);
        builder.VectorOutput(embeddingsColumn, "user_embeddings", TensorProto.Types.DataType.Float, m * d);
        return builder.Build();
    }

    public static SavedMixtures Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        var clustersTensor = OnnxTensorReader.Find(model, ClustersTable);
        var shape = OnnxTensorReader.Shape(clustersTensor);
        int rows = shape[0] - 1, m = shape[1];
        // Table row j + 1 belongs to user keyRows[j] (version 1: row = user key, every key has one).
        var keyRows = PresentKeys.Read(model, UserKeys);
        int users = keyRows == null ? rows : PresentKeys.KeyCount(meta, UserKeyCountKey, rows);
        if (keyRows != null && keyRows.Length != rows)
            throw new InvalidDataException($"Initializer '{UserKeys}' has {keyRows.Length} keys for the {rows} rows of '{ClustersTable}'.");
        var clusters = OnnxTensorReader.UInt32s(clustersTensor);
        var weights = OnnxTensorReader.Doubles(OnnxTensorReader.Find(model, WeightsTable));
        var embeddingsTensor = OnnxTensorReader.Find(model, EmbeddingsTable);
        var embeddings = OnnxTensorReader.Floats(embeddingsTensor);
        int d = OnnxTensorReader.Shape(embeddingsTensor)[1] / m;
        // Rows only for users with a component (row 0 of the tensor is the missing key's padding).
        var stored = new List<(int User, int Row)>();
        for (int j = 0; j < rows; j++) if (clusters[(j + 1) * m] != 0) stored.Add((keyRows?[j] ?? j, j + 1));
        var table = MixtureTable.ForUsers(users, stored.Select(s => s.User).ToArray(), m, d);
        foreach (var (u, row) in stored)
        {
            int count = 0;
            while (count < m && clusters[row * m + count] != 0) count++;
            table.SetCount(u, count);
            for (int j = 0; j < count; j++) table.WritableClusters(u)[j] = (int)clusters[row * m + j] - 1;
            weights.AsSpan(row * m, count).CopyTo(table.WritableWeights(u));
            for (int j = 0; j < count; j++) embeddings.AsSpan((row * m + j) * d, d).CopyTo(table.WritableEmbedding(u, j));
        }
        return new SavedMixtures(SavedMetadata.Name(meta, UserColumnKey), SavedMetadata.Name(meta, ClustersColumnKey),
            SavedMetadata.Name(meta, WeightsColumnKey), SavedMetadata.Name(meta, EmbeddingsColumnKey),
            table, SavedMetadata.Int(meta, ClusterCountKey));
    }
}
