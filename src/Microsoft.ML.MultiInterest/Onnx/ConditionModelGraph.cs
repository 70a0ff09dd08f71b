using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The trained condition model of a conditional directory (<see cref="OnnxServingDirectory.ConditionModelFileName"/>): its
/// tables as initializers, each also an output (t_c <c>[C, d]</c>, β_c <c>[C]</c>, every item's condition <c>[I]</c>, -1 for
/// none), so a client outside .NET can compute a fresh user's condition queries <c>unit((u + β_c h^c) ⊙ (1 + t_c))</c>, and
/// <see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/> rebuilds the <see cref="ConditionalModel"/> from them.
/// </summary>
internal static class ConditionModelGraph
{
    /// <summary>t_c, one row per condition.</summary>
    public const string ConditionVectorsName = "condition_vectors";

    /// <summary>β_c, one per condition.</summary>
    public const string HistoryWeightsName = "history_weights";

    /// <summary>Each item row's condition index, -1 for an item without one.</summary>
    public const string ItemConditionsName = "item_conditions";

    /// <summary>The three tables, in the order of the graph's outputs.</summary>
    public static readonly string[] Tables = [ConditionVectorsName, HistoryWeightsName, ItemConditionsName];

    /// <summary>The graph holding <paramref name="model"/>'s tables.</summary>
    public static ModelProto Build(ConditionalModel model)
    {
        int c = model.Conditions.Count, d = model.Dimension, items = model.Conditions.ItemCount;
        var vectors = new float[c * d];
        var weights = new float[c];
        for (int k = 0; k < c; k++)
        {
            model.ConditionVector(k).CopyTo(vectors.AsSpan(k * d, d));
            weights[k] = model.HistoryWeight(k);
        }
        var conditionOf = new long[items];
        for (int i = 0; i < items; i++) conditionOf[i] = model.Conditions.ConditionOf(i);
        var f = TensorProto.Types.DataType.Float;
        return new OnnxGraphBuilder("condition_model")
            .AddInitializer(ConditionVectorsName, [c, d], vectors)
            .AddInitializer(HistoryWeightsName, [c], weights)
            .AddInitializer(ItemConditionsName, [items], conditionOf)
            .KeepAsOutput(ConditionVectorsName, f, [c, d])
            .KeepAsOutput(HistoryWeightsName, f, [c])
            .KeepAsOutput(ItemConditionsName, TensorProto.Types.DataType.Int64, [items])
            .Build($"Conditional retrieval's condition model: {c} conditions over {items} items (dimension {d}); query = unit((u + beta_c h_c) * (1 + t_c)).");
    }

    /// <summary>Reads the model back from <paramref name="path"/>, checking its sizes against the manifest's.</summary>
    public static ConditionalModel Read(string path, OnnxServingManifest manifest)
    {
        var tables = OnnxInitializerFile.Read(path, (ConditionVectorsName, TensorProto.Types.DataType.Float), (HistoryWeightsName, TensorProto.Types.DataType.Float),
            (ItemConditionsName, TensorProto.Types.DataType.Int64));
        foreach (string name in Tables)
            if (!tables.ContainsKey(name)) throw new InvalidDataException($"'{path}' has no initializer '{name}'.");
        var (shape, values) = tables[ConditionVectorsName];
        var conditionOf = ((long[])tables[ItemConditionsName].Values).Select(k => checked((int)k)).ToArray();
        var weights = (float[])tables[HistoryWeightsName].Values;
        if (shape.Length != 2 || shape[0] != manifest.Clusters || shape[1] != manifest.Dimension || weights.Length != manifest.Clusters || conditionOf.Length != manifest.Items)
            throw new InvalidDataException($"'{path}' holds {string.Join(" x ", shape)} condition vectors, {weights.Length} history weights and {conditionOf.Length} item conditions; "
                + $"the manifest says {manifest.Clusters} conditions of dimension {manifest.Dimension} over {manifest.Items} items.");
        if (conditionOf.Any(k => k < ItemConditions.None || k >= manifest.Clusters))
            throw new InvalidDataException($"'{path}' assigns an item a condition outside -1..{manifest.Clusters - 1}.");
        if (manifest.ConditionNames != null && manifest.ConditionNames.Count != manifest.Clusters)
            throw new InvalidDataException($"The manifest names {manifest.ConditionNames.Count} conditions but has {manifest.Clusters}.");
        var conditions = ItemConditions.Create(conditionOf, manifest.Clusters, manifest.ConditionNames);
        return new ConditionalModel(conditions, new EmbeddingMatrix(shape[0], shape[1], (float[])values), weights, [], scoreScale: 0);
    }
}
