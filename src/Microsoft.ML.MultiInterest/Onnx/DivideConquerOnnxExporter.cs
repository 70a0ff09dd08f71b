using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Writes the divide-and-conquer <em>prompt encoder</em> (opset 17, batched): a batch of padded histories in, every user's
/// top-m clusters by intent p_uk with their per-cluster queries out, computed in the graph as
/// <see cref="DivideConquerModel.BuildMixtures"/> computes them (pooling of the history's input vectors, each multiplied by
/// the cluster's prompt; p_uk the smoothed share of the history in each cluster). The outputs have the names and shapes of
/// the mixture encoders', so they feed a cluster-quota scorer as any mixture does; users unseen in training are served
/// without retraining. Only the history encoders export (<see cref="DivideConquerEncoder.UserVector"/> has none).
/// </summary>
/// <remarks>
/// Input <see cref="DcmOnnxExporter.HistoryRowsInput"/> int64 <c>[batch, H]</c>: item rows, -1 for padding (any H; for
/// <see cref="DivideConquerEncoder.SelfAttention"/> each row's items in time order, oldest first, padding anywhere). Outputs
/// <see cref="MixtureClustersName"/> int64 <c>[batch, m]</c> (clusters by descending p_uk, ties to the lower id),
/// <see cref="MixtureWeightsName"/> double <c>[batch, m]</c> (p_uk over its sum across the m) and
/// <see cref="MixtureEmbeddingsName"/> float <c>[batch, m, d]</c> (the unit queries e_u^k), and <see cref="UserEmbeddingName"/>
/// float <c>[batch, d]</c>, the single query of <see cref="DivideConquerModel.UserQueries"/> (the top m clusters' queries before
/// normalisation, weighted by their renormalised p; without prompts every cluster's query is the one query). An empty history
/// gives the prior's top-m clusters and zero queries (the engine gives such a user no components and a zero query). Float
/// summation order differs from the engine's, so queries agree to rounding; the intent is computed in double as the engine does.
/// </remarks>
public static class DivideConquerOnnxExporter
{
    // The initializers a serving directory's scorer reads back to rebuild the model (DivideConquerGraphTables).
    internal const string HistoryItemsName = "history_items";
    internal const string PromptsName = "prompts";
    internal const string ClusterOfName = "cluster_of";
    internal const string PriorName = "prior";
    internal const string SmoothingName = "smoothing";
    internal const string AttentionQueryName = "query";
    internal const string ComponentsName = "m";
    // Only the self-attention encoder has these; a serving directory never holds one (its scorers keep no time order).
    internal const string PositionsName = "positions";

    /// <summary>Writes the prompt encoder of <paramref name="model"/> to <paramref name="output"/>.</summary>
    /// <param name="model">A trained model (<see cref="GraphEmbeddingResult.DivideConquer"/>) with a pooling encoder.</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    /// <exception cref="NotSupportedException">The model's encoder is <see cref="DivideConquerEncoder.UserVector"/>.</exception>
    public static void ExportEncoder(DivideConquerModel model, Stream output)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
        OnnxModelFile.WriteWhole(BuildEncoder(model), output, "divide-and-conquer encoder");
    }

    /// <summary>Softmax over the history of z_raw [B,H,K] (rows where "invalid" get -1e30, so weight zero), then <c>t_k ⊙ Σ_h a s</c> into "queries_raw".</summary>
    private static void AddAttentionPooling(OnnxGraphBuilder g, string tokens) =>
        g.AddInitializer("padding_logit", [], [-1e30f])
            .AddNode("Unsqueeze", ["invalid", "axis_last"], ["invalid_col"])
            .AddNode("Where", ["invalid_col", "padding_logit", "z_raw"], ["z"])
            .AddNode("Softmax", ["z"], ["a"], OnnxAttributes.Int("axis", 1))
            .AddNode("Transpose", ["a"], ["a_t"], OnnxAttributes.Ints("perm", 0, 2, 1))                 // [B,K,H]
            .AddNode("MatMul", ["a_t", tokens], ["pooled"])                                               // [B,K,d]
            .AddNode("Mul", ["pooled", "prompts"], ["queries_raw"]);

    /// <summary>
    /// The self-attention encoder: a token's recency rank is the number of valid rows after it (padding may sit anywhere);
    /// the last L = positions' count of them attend, each its input vector plus the position vector of its rank; the query
    /// of cluster k is <c>v_k = q + W (x_last ⊙ t_k)</c>, <c>z[b,h,k] = ⟨v_k ⊙ t_k, x_bh⟩</c>.
    /// </summary>
    private static void AddSelfAttention(OnnxGraphBuilder g, DivideConquerModel model, int d)
    {
        var positions = model.Positions!;
        g.AddInitializer(AttentionQueryName, [1, d], model.AttentionQuery!.Values)
            .AddInitializer(PositionsName, [positions.Rows, d], positions.Values)
            .AddInitializer("mixing", [d, d], model.AttentionMixing!.Values)
            .AddInitializer("zero_f", [], [0f])
            .AddInitializer("last_rank", [], [(long)positions.Rows - 1])
            .AddInitializer("read_l", [], [(float)positions.Rows])
            .AddInitializer("axis_1_scalar", [], [1L])
            .AddNode("CumSum", ["valid_f", "axis_1_scalar"], ["rank_f"], OnnxAttributes.Int("exclusive", 1), OnnxAttributes.Int("reverse", 1)) // [B,H]
            .AddNode("Less", ["rank_f", "read_l"], ["recent"])
            .AddNode("And", ["valid", "recent"], ["attends"])
            .AddNode("Not", ["attends"], ["invalid"])
            .AddNode("Cast", ["attends"], ["attends_f"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Float))
            .AddNode("Unsqueeze", ["attends_f", "axis_last"], ["attends_col"])                         // [B,H,1]
            .AddNode("Cast", ["rank_f"], ["rank_raw"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Int64))
            .AddNode("Min", ["rank_raw", "last_rank"], ["rank"])
            .AddNode("Gather", ["positions", "rank"], ["position_rows"], OnnxAttributes.Int("axis", 0)) // [B,H,d]
            .AddNode("Add", ["gathered", "position_rows"], ["x_raw"])
            .AddNode("Mul", ["x_raw", "attends_col"], ["x"])
            // The last token: the valid row of rank 0.
            .AddNode("Equal", ["rank_f", "zero_f"], ["rank_zero"])
            .AddNode("And", ["valid", "rank_zero"], ["is_last"])
            .AddNode("Cast", ["is_last"], ["is_last_f"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Float))
            .AddNode("Unsqueeze", ["is_last_f", "axis_last"], ["is_last_col"])
            .AddNode("Mul", ["x", "is_last_col"], ["last_only"])
            .AddNode("ReduceSum", ["last_only", "axis_1"], ["last"], OnnxAttributes.Int("keepdims", 1))  // [B,1,d]
            .AddNode("Mul", ["last", "prompts"], ["h"])                                                  // [B,K,d]
            .AddNode("Transpose", ["mixing"], ["mixing_t"], OnnxAttributes.Ints("perm", 1, 0))
            .AddNode("MatMul", ["h", "mixing_t"], ["wh"])                                                // [B,K,d]
            .AddNode("Add", ["wh", "query"], ["v"])
            .AddNode("Mul", ["v", "prompts"], ["vt"])
            .AddNode("Transpose", ["vt"], ["vt_t"], OnnxAttributes.Ints("perm", 0, 2, 1))               // [B,d,K]
            .AddNode("MatMul", ["x", "vt_t"], ["z_raw"]);                                                 // [B,H,K]
        AddAttentionPooling(g, "x");
    }

    internal static ModelProto BuildEncoder(DivideConquerModel model)
    {
        if (model.HistoryItems == null)
            throw new NotSupportedException($"A {model.Encoder} model has no history encoder to export: its queries are per-user vectors (export them with UnimodalOnnxExporter).");
        var clustering = model.Clustering;
        int k = clustering.ClusterCount, m = Math.Min(model.Components, k), d = model.Items.Dimension, items = model.Items.Rows;
        MixtureExportChecks.CheckSize("divide-and-conquer encoder", (double)items * d * sizeof(float));
        var f = TensorProto.Types.DataType.Float;
        var f64 = TensorProto.Types.DataType.Double;
        var i64 = TensorProto.Types.DataType.Int64;
        var prompts = model.Prompts?.Values ?? Enumerable.Repeat(1f, k * d).ToArray();
        var clusterOf = new long[items];
        for (int i = 0; i < items; i++) clusterOf[i] = clustering.ClusterOf(i);
        var clusterIds = new long[k];
        for (int c = 0; c < k; c++) clusterIds[c] = c;
        var prior = model.ClusterPrior.ToArray();

        var g = new OnnxGraphBuilder("divide_conquer_encoder")
            .AddInput(DcmOnnxExporter.HistoryRowsInput, i64, [null, null], [OnnxGraphBuilder.BatchDimension, OnnxGraphBuilder.HistoryDimension])
            .AddInitializer(HistoryItemsName, [items, d], model.HistoryItems.Values)
            .AddInitializer(PromptsName, [k, d], prompts)
            .AddInitializer(ClusterOfName, [items], clusterOf)
            .AddInitializer("cluster_ids", [k], clusterIds)
            // π and s as trained, s·π multiplied in the graph: the engine's product, and tables a reader takes back exactly.
            .AddInitializer(OnnxTensors.Double(PriorName, [k], prior))
            .AddInitializer(OnnxTensors.Double(SmoothingName, [], [model.IntentSmoothing]))
            .AddInitializer("zero", [], [0L])
            .AddInitializer("min_norm", [], [UnitRows.MinimumNorm])
            .AddInitializer("axis_1", [1], [1L])
            .AddInitializer("axis_last", [1], [-1L])
            .AddInitializer(ComponentsName, [1], [(long)m])
            .AddNode("Mul", [PriorName, SmoothingName], ["smoothed_prior"])
            .AddNode("GreaterOrEqual", [DcmOnnxExporter.HistoryRowsInput, "zero"], ["valid"])
            .AddNode("Max", [DcmOnnxExporter.HistoryRowsInput, "zero"], ["safe_rows"])
            .AddNode("Cast", ["valid"], ["valid_f"], OnnxAttributes.Int("to", (long)f))
            .AddNode("Unsqueeze", ["valid_f", "axis_last"], ["valid_col"])                            // [B,H,1]
            .AddNode("Gather", ["history_items", "safe_rows"], ["gathered"], OnnxAttributes.Int("axis", 0)) // [B,H,d]
            .AddNode("Mul", ["gathered", "valid_col"], ["s"])
            .AddNode("ReduceSum", ["valid_f", "axis_last"], ["n"], OnnxAttributes.Int("keepdims", 1));    // [B,1]
        if (model.Encoder == DivideConquerEncoder.SelfAttention)
        {
            AddSelfAttention(g, model, d);
        }
        else if (model.Encoder == DivideConquerEncoder.AttentionPooling)
        {
            // z[b,h,k] = <q ⊙ t_k, s_bh>.
            g.AddInitializer(AttentionQueryName, [1, d], model.AttentionQuery!.Values)
                .AddNode("Mul", [PromptsName, AttentionQueryName], ["qt"])                                            // [K,d]
                .AddNode("Transpose", ["qt"], ["qt_t"], OnnxAttributes.Ints("perm", 1, 0))              // [d,K]
                .AddNode("MatMul", ["s", "qt_t"], ["z_raw"])                                              // [B,H,K]
                .AddNode("Not", ["valid"], ["invalid"]);
            AddAttentionPooling(g, "s");
        }
        else
        {
            g.AddInitializer("one_f", [], [1f]) // read by the mean only: an initializer no node reads makes ONNX Runtime warn
                .AddNode("ReduceSum", ["s", "axis_1"], ["sum"], OnnxAttributes.Int("keepdims", 0))         // [B,d]
                .AddNode("Max", ["n", "one_f"], ["n_safe"])
                .AddNode("Div", ["sum", "n_safe"], ["mean"])
                .AddNode("Unsqueeze", ["mean", "axis_1"], ["mean_row"])                                 // [B,1,d]
                .AddNode("Mul", ["mean_row", "prompts"], ["queries_raw"]);                              // [B,K,d]
        }
        g.AddNode("Mul", ["queries_raw", "queries_raw"], ["q2"])
            .AddNode("ReduceSum", ["q2", "axis_last"], ["q2_sum"], OnnxAttributes.Int("keepdims", 1))
            .AddNode("Sqrt", ["q2_sum"], ["q_norm_raw"])
            .AddNode("Max", ["q_norm_raw", "min_norm"], ["q_norm"])
            .AddNode("Div", ["queries_raw", "q_norm"], ["queries"])                                      // [B,K,d]
            // Intent: whole counts per cluster, then (n_uk + s π_k) / (n + s) in double.
            .AddNode("Gather", ["cluster_of", "safe_rows"], ["history_clusters"], OnnxAttributes.Int("axis", 0)) // [B,H]
            .AddNode("Unsqueeze", ["history_clusters", "axis_last"], ["history_clusters_col"])        // [B,H,1]
            .AddNode("Equal", ["history_clusters_col", "cluster_ids"], ["in_cluster"])                // [B,H,K]
            .AddNode("Cast", ["in_cluster"], ["in_cluster_f"], OnnxAttributes.Int("to", (long)f))
            .AddNode("Mul", ["in_cluster_f", "valid_col"], ["member"])
            .AddNode("ReduceSum", ["member", "axis_1"], ["counts"], OnnxAttributes.Int("keepdims", 0)) // [B,K]
            .AddNode("Cast", ["counts"], ["counts_d"], OnnxAttributes.Int("to", (long)f64))
            .AddNode("Cast", ["n"], ["n_d"], OnnxAttributes.Int("to", (long)f64))
            .AddNode("Add", ["counts_d", "smoothed_prior"], ["numerator"])
            .AddNode("Add", ["n_d", "smoothing"], ["denominator"])
            .AddNode("Div", ["numerator", "denominator"], ["intent"])                                 // [B,K]
            .AddNode("TopK", ["intent", "m"], ["top_p", MixtureClustersName], OnnxAttributes.Int("axis", -1), OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1))
            .AddNode("ReduceSum", ["top_p", "axis_last"], ["top_total"], OnnxAttributes.Int("keepdims", 1))
            .AddNode("Div", ["top_p", "top_total"], [MixtureWeightsName])
            .AddNode("Unsqueeze", [MixtureClustersName, "axis_last"], ["order_col"])                  // [B,m,1]
            .AddNode("Shape", ["queries"], ["query_shape"])
            .AddInitializer("m_axis_slice", [1], [1L])
            .AddNode("ScatterElements", ["query_shape", "m_axis_slice", "m"], ["picked_shape"], OnnxAttributes.Int("axis", 0)) // [B,m,d]
            .AddNode("Expand", ["order_col", "picked_shape"], ["order_full"])
            .AddNode("GatherElements", ["queries", "order_full"], [MixtureEmbeddingsName], OnnxAttributes.Int("axis", 1))
            // The single query (DivideConquerModel.UserQueries): the top m clusters' raw queries weighted by their renormalised p.
            .AddNode("GatherElements", ["queries_raw", "order_full"], ["picked_raw"], OnnxAttributes.Int("axis", 1))      // [B,m,d]
            .AddNode("Cast", [MixtureWeightsName], ["weights_f"], OnnxAttributes.Int("to", (long)f))
            .AddNode("Unsqueeze", ["weights_f", "axis_last"], ["weights_col"])                                           // [B,m,1]
            .AddNode("Mul", ["picked_raw", "weights_col"], ["weighted"])
            .AddNode("ReduceSum", ["weighted", "axis_1"], [UserEmbeddingName], OnnxAttributes.Int("keepdims", 0))       // [B,d]
            .AddOutput(MixtureClustersName, i64, [null, m])
            .AddOutput(MixtureWeightsName, f64, [null, m])
            .AddOutput(MixtureEmbeddingsName, f, [null, m, d])
            .AddOutput(UserEmbeddingName, f, [null, d]);
        return g.Build($"Divide-and-conquer encoder: {model.Encoder} of a padded history over {items} items, {(model.Prompts == null ? "no prompts" : $"{k} cluster prompts")}, "
            + $"intent smoothing {model.IntentSmoothing:G4}, top {m} of {k} clusters, dimension {d}.");
    }
}
