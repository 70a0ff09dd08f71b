using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The encoder graph: five Gathers by <see cref="UserRowsInput"/> from the per-user tables, so that a
/// batch of users comes out as the inputs of the quota scorer (plus the weights, for inspection).
/// </summary>
internal static class MixtureEncoderGraph
{
    /// <summary>The initializer of the users' vectors, row r user row r (zero for a user key without training edges).</summary>
    internal const string UserTableName = "user_table";

    /// <summary>
    /// Builds the encoder over <paramref name="users"/> and the padded <paramref name="mixtures"/>: each component's query from
    /// the mixtures' embeddings, or with <paramref name="userQueries"/> (<see cref="QuotaQuery.User"/>, the mixtures created
    /// without embeddings) the user's own vector, gathered once and laid on every component (zero for padding) rather than
    /// stored m times.
    /// </summary>
    public static ModelProto Build(EmbeddingMatrix users, PaddedMixtures mixtures, int candidates, double alpha, bool userQueries = false)
    {
        int u = users.Rows, m = mixtures.Components, d = mixtures.Dimension;
        var f = TensorProto.Types.DataType.Float;
        var f64 = TensorProto.Types.DataType.Double;
        var i64 = TensorProto.Types.DataType.Int64;
        var axis0 = OnnxAttributes.Int("axis", 0);

        var graph = new OnnxGraphBuilder("mixture_encoder")
            .AddInput(UserRowsInput, i64, [null])
            .AddInitializer(UserTableName, [u, d], users.Values)
            .AddInitializer("cluster_table", [u, m], mixtures.Clusters)
            .AddInitializer(OnnxTensors.Double("weight_table", [u, m], mixtures.Weights))
            .AddInitializer("quota_table", [u, m], mixtures.Quotas)
            .AddNode("Gather", [UserTableName, UserRowsInput], [UserEmbeddingName], axis0)
            .AddNode("Gather", ["cluster_table", UserRowsInput], [MixtureClustersName], axis0)
            .AddNode("Gather", ["weight_table", UserRowsInput], [MixtureWeightsName], axis0)
            .AddNode("Gather", ["quota_table", UserRowsInput], [QuotasName], axis0);
        if (userQueries)
        {
            if (mixtures.Embeddings.Length != 0) throw new ArgumentException("User queries are gathered from the user table: create the mixtures without embeddings.", nameof(mixtures));
            // Where(component, user vector, 0): [B,m,1] x [B,1,d] -> [B,m,d], padding +0 as in a stored table.
            graph.AddInitializer("zero_query", [], [0f])
                .AddInitializer("zero_cluster", [], [0L])
                .AddInitializer("component_axis", [1], [1L])
                .AddInitializer("last_axis", [1], [-1L])
                .AddNode("GreaterOrEqual", [MixtureClustersName, "zero_cluster"], ["is_component"])
                .AddNode("Unsqueeze", ["is_component", "last_axis"], ["is_component_column"])
                .AddNode("Unsqueeze", [UserEmbeddingName, "component_axis"], ["user_query"])
                .AddNode("Where", ["is_component_column", "user_query", "zero_query"], [MixtureEmbeddingsName]);
        }
        else
        {
            graph.AddInitializer("component_table", [u, m, d], mixtures.Embeddings)
                .AddNode("Gather", ["component_table", UserRowsInput], [MixtureEmbeddingsName], axis0);
        }
        graph
            .AddOutput(UserEmbeddingName, f, [null, d])
            .AddOutput(MixtureClustersName, i64, [null, m])
            .AddOutput(MixtureWeightsName, f64, [null, m])
            .AddOutput(MixtureEmbeddingsName, f, [null, m, d])
            .AddOutput(QuotasName, i64, [null, m]);
        return graph.Build($"Mixture encoder: {u} users, up to {m} components of dimension {d}; quotas for M = {candidates}, alpha = {alpha:R}.");
    }
}
