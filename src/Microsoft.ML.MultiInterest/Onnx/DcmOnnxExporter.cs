using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Writes the DCM <em>history encoder</em> (opset 17, batched): a batch of padded histories in, each user's K interests and
/// weights out, computed in the graph by the same soft k-means the trainer runs (<see cref="DcmModel"/>), so users unseen
/// in training are served without retraining. Its outputs feed the <see cref="RoundRobinOnnxExporter"/> scorer unchanged,
/// and <see cref="RoundRobinOnnxMerge"/> turns them into lists.
/// </summary>
/// <remarks>
/// Input <see cref="HistoryRowsInput"/> int64 <c>[batch, H]</c>: item rows, -1 for padding (any H). Outputs
/// <see cref="MixtureClustersName"/> int64 <c>[batch, K]</c> (interest indices, by descending weight, ties to the lower
/// index), <see cref="MixtureWeightsName"/> double <c>[batch, K]</c> (soft masses over their sum, raised to <see cref="DcmModel.WeightExponent"/> and normalised again when it is not 1; 1/K for an empty history) and
/// <see cref="MixtureEmbeddingsName"/> float <c>[batch, K, d]</c>, the unit interests in that order. Float summation order
/// differs from the engine's, so interests agree to rounding, not bit for bit. The item rows are normalised at export as the
/// engine normalises a history's rows. Every negative row is padding; a row at or past the item count makes ONNX Runtime fail,
/// so <see cref="OnnxRoundRobinScorer"/> checks the rows before it runs the graph. An encoder exported from a pipeline whose
/// item key type holds keys without training edges (zero item rows) also holds the scorer's constant <c>item_absence</c>
/// float <c>[I]</c> (<see cref="ItemAbsence"/>) and reads a row it marks negative infinity as padding, as the recommender
/// ignores an id it does not know: a zero row would otherwise take a share of every interest's mass.
/// </remarks>
public static class DcmOnnxExporter
{
    /// <summary>Encoder input: int64 <c>[batch, H]</c> history item rows, -1 for padding.</summary>
    public const string HistoryRowsInput = "history_rows";

    /// <summary>Initializer: float <c>[K, d]</c>, the seeds (<see cref="DcmModel.Seeds"/>).</summary>
    internal const string SeedsName = "seeds";

    /// <summary>Initializer: float scalar, <c>1f / τ</c>, the factor the engine's soft k-means multiplies by.</summary>
    internal const string InverseTemperatureName = "inverse_tau";

    /// <summary>Initializer: float scalar, β (<see cref="DcmModel.PriorWeight"/>).</summary>
    internal const string PriorWeightName = "beta";

    /// <summary>Initializer: double scalar, the power of the masses in the weights (<see cref="DcmModel.WeightExponent"/>); only when it is not 1.</summary>
    internal const string WeightExponentName = "weight_exponent";

    /// <summary>The operator run once per soft k-means step (T of them in the graph).</summary>
    internal const string StepOperator = "Softmax";

    /// <summary>Writes the history encoder of <paramref name="model"/> to <paramref name="output"/>.</summary>
    /// <param name="model">A trained DCM model (<see cref="GraphEmbeddingResult.Dcm"/>).</param>
    /// <param name="output">A writable stream; it is not closed.</param>
    public static void ExportEncoder(DcmModel model, Stream output)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
        OnnxModelFile.WriteWhole(BuildEncoder(model), output, "DCM history encoder");
    }

    /// <summary>Builds the encoder of <paramref name="model"/> without writing it.</summary>
    /// <param name="model">A trained DCM model.</param>
    /// <param name="itemAbsence">
    /// The rows of <paramref name="model"/>'s item table that hold no item (<see cref="ItemAbsence.Mask"/>), read as padding;
    /// null when every row is an item (the graph is then as before the mask).
    /// </param>
    internal static ModelProto BuildEncoder(DcmModel model, float[]? itemAbsence = null)
    {
        ItemAbsence.Check(itemAbsence, model.Items.Rows);
        int k = model.Interests, d = model.Items.Dimension;
        MixtureExportChecks.CheckSize("DCM encoder", (double)model.Items.Rows * d * sizeof(float));
        var f = TensorProto.Types.DataType.Float;
        var f64 = TensorProto.Types.DataType.Double;
        var i64 = TensorProto.Types.DataType.Int64;
        var g = new OnnxGraphBuilder("dcm_encoder")
            .AddInput(HistoryRowsInput, i64, [null, null], [OnnxGraphBuilder.BatchDimension, OnnxGraphBuilder.HistoryDimension])
            .AddInitializer("items", [model.Items.Rows, d], UnitItems(model.Items))
            .AddInitializer(SeedsName, [k, d], model.Seeds.Values)
            .AddInitializer("zero", [], [0L])
            .AddInitializer(InverseTemperatureName, [], [1f / model.Temperature])
            .AddInitializer(PriorWeightName, [], [model.PriorWeight])
            .AddInitializer("min_norm", [], [UnitRows.MinimumNorm])
            .AddInitializer("axis_1", [1], [1L])
            .AddInitializer("axis_2", [1], [2L])
            .AddInitializer("axis_last", [1], [-1L])
            .AddInitializer("k", [1], [(long)k])
            .AddInitializer("zero_f", [], [0f])
            .AddNode("GreaterOrEqual", [HistoryRowsInput, "zero"], [itemAbsence == null ? "valid" : "not_padding"])
            .AddNode("Max", [HistoryRowsInput, "zero"], ["safe_rows"])
            .AddNode("Gather", ["items", "safe_rows"], ["gathered"], OnnxAttributes.Int("axis", 0));    // [B,H,d]
        if (itemAbsence != null)
        {
            // A row without an item (a key without training edges, a zero row) is padding: the recommender ignores such an id.
            g.AddInitializer(ItemAbsence.InitializerName, [model.Items.Rows], itemAbsence)
                .AddNode("Gather", [ItemAbsence.InitializerName, "safe_rows"], ["row_absence"], OnnxAttributes.Int("axis", 0))   // [B,H]
                .AddNode("Equal", ["row_absence", "zero_f"], ["present"])
                .AddNode("And", ["not_padding", "present"], ["valid"]);
        }
        g.AddNode("Cast", ["valid"], ["valid_f"], OnnxAttributes.Int("to", (long)f))
            .AddNode("Unsqueeze", ["valid_f", "axis_2"], ["valid_col"])                                // [B,H,1]
            .AddNode("Mul", ["gathered", "valid_col"], ["x"])
            .AddNode("Transpose", [SeedsName], ["m_0_t"], OnnxAttributes.Ints("perm", 1, 0));           // [d,K]
        string previous = SeedsName, previousT = "m_0_t", assignments = "";
        for (int t = 0; t < model.Iterations; t++)
        {
            string p = $"s{t}_";
            g.AddNode("MatMul", ["x", previousT], [p + "dots"])                                          // [B,H,K]
                .AddNode("Mul", [p + "dots", InverseTemperatureName], [p + "z"])
                .AddNode(StepOperator, [p + "z"], [p + "soft"], OnnxAttributes.Int("axis", -1))
                .AddNode("Mul", [p + "soft", "valid_col"], [p + "a"])                                  // padding assigns nothing
                .AddNode("Transpose", [p + "a"], [p + "a_t"], OnnxAttributes.Ints("perm", 0, 2, 1))   // [B,K,H]
                .AddNode("MatMul", [p + "a_t", "x"], [p + "pulled"])                                   // [B,K,d]
                .AddNode("Mul", [previous, PriorWeightName], [p + "prior"])
                .AddNode("Add", [p + "pulled", p + "prior"], [p + "c"])
                .AddNode("Mul", [p + "c", p + "c"], [p + "c2"])
                .AddNode("ReduceSum", [p + "c2", "axis_last"], [p + "c2_sum"], OnnxAttributes.Int("keepdims", 1))
                .AddNode("Sqrt", [p + "c2_sum"], [p + "norm_raw"])
                .AddNode("Max", [p + "norm_raw", "min_norm"], [p + "norm"])
                .AddNode("Div", [p + "c", p + "norm"], [p + "m"])
                .AddNode("Transpose", [p + "m"], [p + "m_t"], OnnxAttributes.Ints("perm", 0, 2, 1));
            previous = p + "m";
            previousT = p + "m_t";
            assignments = p + "a";
        }
        // Weights: soft masses over their sum (1/K for an empty history), in double as the engine stores them.
        g.AddNode("ReduceSum", [assignments, "axis_1"], ["mass"], OnnxAttributes.Int("keepdims", 0))            // [B,K]
            .AddNode("ReduceSum", ["mass", "axis_last"], ["total"], OnnxAttributes.Int("keepdims", 1))          // [B,1]
            .AddNode("Cast", ["mass"], ["mass_d"], OnnxAttributes.Int("to", (long)f64))
            .AddNode("Cast", ["total"], ["total_d"], OnnxAttributes.Int("to", (long)f64))
            .AddNode("Greater", ["total", "zero_f"], ["has_history"])
            .AddNode("Div", ["mass_d", "total_d"], ["share"]);
        string shares = "share";
        if (model.WeightExponent != 1)
        {
            // As WeightPower.Apply: share^a over its sum (an empty history is replaced by 1/K below either way).
            g.AddInitializer(OnnxTensors.Double(WeightExponentName, [], [(double)model.WeightExponent]))
                .AddNode("Pow", ["share", WeightExponentName], ["share_pow"])
                .AddNode("ReduceSum", ["share_pow", "axis_last"], ["share_pow_total"], OnnxAttributes.Int("keepdims", 1))
                .AddNode("Div", ["share_pow", "share_pow_total"], ["share_sharpened"]);
            shares = "share_sharpened";
        }
        g.AddInitializer(OnnxTensors.Double("uniform_d", [], [1.0 / k]))
            .AddNode("Where", ["has_history", shares, "uniform_d"], ["weights"])
            .AddNode("TopK", ["weights", "k"], [MixtureWeightsName, MixtureClustersName], OnnxAttributes.Int("axis", -1), OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1))
            .AddNode("Unsqueeze", [MixtureClustersName, "axis_last"], ["order_col"])                        // [B,K,1]
            .AddNode("Shape", [previous], ["interest_shape"])
            .AddNode("Expand", ["order_col", "interest_shape"], ["order_full"])
            .AddNode("GatherElements", [previous, "order_full"], [MixtureEmbeddingsName], OnnxAttributes.Int("axis", 1))
            .AddOutput(MixtureClustersName, i64, [null, k])
            .AddOutput(MixtureWeightsName, f64, [null, k])
            .AddOutput(MixtureEmbeddingsName, f, [null, k, d]);
        return g.Build($"DCM encoder: {model.Iterations} soft k-means steps (tau {model.Temperature:G4}, beta {model.PriorWeight:G4}) of a padded history over {model.Items.Rows} items into {k} interests of dimension {d}.");
    }

    /// <summary>
    /// The item rows as the engine clusters a fresh history (<see cref="DcmClustering.InterestsOf"/>): each normalised again by
    /// <see cref="UnitRows.Normalize"/>, so the graph starts from the very floats the engine does.
    /// </summary>
    private static float[] UnitItems(EmbeddingMatrix items)
    {
        var unit = new float[checked(items.Rows * items.Dimension)];
        UnitRows.Normalize(items.Values, unit, new float[items.Rows], items.Rows, items.Dimension);
        return unit;
    }
}
