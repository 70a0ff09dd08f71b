using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// How a saved retrieval stage keeps the divide-and-conquer encoder it reads a new user's history with
/// (<see cref="HistoryVector.Encoder"/>, and a quota stage's <see cref="HistoryMixture.DivideConquer"/>: format version 7): the
/// input vector and cluster of each serving item, the prompts, the attention query, the cluster prior, s and m, and metadata
/// <c>HistoryMixture</c> = DivideConquer for the mixture. A stage saved without them reads histories as it recorded (the
/// mean or the fold-in, and the counted mixture), as before.
/// </summary>
internal static partial class CandidatePersistence
{
    private const string EncoderInputsTable = "encoder_history_items", EncoderClustersTable = "encoder_item_clusters", EncoderPriorTable = "encoder_cluster_prior",
        EncoderPromptsTable = "encoder_prompts", EncoderQueryTable = "encoder_attention_query";
    private const string HistoryMixtureKey = "HistoryMixture";
    private const string EncoderKey = "DivideConquerEncoder", EncoderSmoothingKey = "DivideConquerIntentSmoothing", EncoderComponentsKey = "DivideConquerComponents";

    /// <summary>The encoder's tables, one row per serving item in their order (compact items), and its settings.</summary>
    private static void AddEncoder(SavedChainBuilder builder, HistoryEncoderTables encoder, RetrievalSettings settings)
    {
        int n = encoder.Rows.Length, d = encoder.HistoryItems.Dimension, k = encoder.ClusterCount;
        // Written only when the model builds the mixture: absent, a loaded stage counts it, as every stage before did.
        if (settings.HistoryMixture == HistoryMixture.DivideConquer) builder.Metadata(HistoryMixtureKey, nameof(HistoryMixture.DivideConquer));
        builder.Metadata(EncoderKey, encoder.Encoder.ToString());
        builder.Metadata(EncoderSmoothingKey, encoder.IntentSmoothing.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(EncoderComponentsKey, SavedMetadata.Text(encoder.Components));
        builder.Graph
            .AddInitializer(EncoderInputsTable, [n, d], encoder.HistoryItems.Values)
            .AddInitializer(EncoderClustersTable, [n], encoder.Clusters.Select(c => (long)c).ToArray())
            .AddInitializer(OnnxTensors.Double(EncoderPriorTable, [k], encoder.Prior))
            .KeepAsOutput(EncoderInputsTable, TensorProto.Types.DataType.Float, n, d)
            .KeepAsOutput(EncoderClustersTable, TensorProto.Types.DataType.Int64, n)
            .KeepAsOutput(EncoderPriorTable, TensorProto.Types.DataType.Double, k);
        if (encoder.Prompts is { } prompts)
            builder.Graph.AddInitializer(EncoderPromptsTable, [k, d], prompts.Values).KeepAsOutput(EncoderPromptsTable, TensorProto.Types.DataType.Float, k, d);
        if (encoder.AttentionQuery is { } query)
            builder.Graph.AddInitializer(EncoderQueryTable, [1, d], query.Values).KeepAsOutput(EncoderQueryTable, TensorProto.Types.DataType.Float, 1, d);
    }

    /// <summary>A saved stage's <see cref="RetrievalSettings.HistoryMixture"/> on top of <paramref name="settings"/>: Counts when it records none (every stage before 1.5.0).</summary>
    /// <exception cref="InvalidDataException">The entry names another value.</exception>
    private static RetrievalSettings ReadHistoryMixture(Dictionary<string, string> meta, RetrievalSettings settings)
    {
        if (!meta.TryGetValue(HistoryMixtureKey, out var text)) return settings;
        return text == nameof(HistoryMixture.DivideConquer) ? settings with { HistoryMixture = HistoryMixture.DivideConquer }
            : throw new InvalidDataException($"The saved candidate stage has metadata entry '{HistoryMixtureKey}' = '{text}', which is not DivideConquer.");
    }

    /// <summary>The encoder's tables of a saved stage that reads histories by it; null for any other stage.</summary>
    /// <exception cref="InvalidDataException">The stage records the encoder but its tables are missing or inconsistent.</exception>
    private static HistoryEncoderTables? ReadEncoder(ModelProto model, Dictionary<string, string> meta, RetrievalSettings settings)
    {
        if (!settings.ReadsByDivideConquer) return null;
        const string where = "The saved candidate stage";
        if (!model.Graph.Initializer.Any(t => t.Name == EncoderInputsTable))
            throw new InvalidDataException($"{where} reads a new user's history by the divide-and-conquer encoder, but its '{EncoderInputsTable}' initializer is missing: "
                + "it was edited or damaged; fit and save the model again.");
        var inputs = OnnxTensorReader.Find(model, EncoderInputsTable);
        if (OnnxTensorReader.Shape(inputs) is not [var n, var d])
            throw new InvalidDataException($"Initializer '{EncoderInputsTable}' is not an [items, dimension] table.");
        EmbeddingMatrix? Optional(string name) => model.Graph.Initializer.FirstOrDefault(t => t.Name == name) is { } tensor
            ? OnnxTensorReader.Shape(tensor) is [var rows, var dimension] ? new EmbeddingMatrix(rows, dimension, OnnxTensorReader.Floats(tensor))
                : throw new InvalidDataException($"Initializer '{name}' is not a two-dimensional table.")
            : null;
        if (!Enum.TryParse<DivideConquerEncoder>(meta.GetValueOrDefault(EncoderKey, ""), out var encoder) || !Enum.IsDefined(encoder))
            throw new InvalidDataException($"{where} has no valid '{EncoderKey}' metadata entry.");
        if (!double.TryParse(meta.GetValueOrDefault(EncoderSmoothingKey, ""), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s))
            throw new InvalidDataException($"{where} has no number metadata entry '{EncoderSmoothingKey}'.");
        return new HistoryEncoderTables(encoder, Enumerable.Range(0, n).ToArray(), new EmbeddingMatrix(n, d, OnnxTensorReader.Floats(inputs)),
            OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, EncoderClustersTable)).Select(c => (int)Math.Clamp(c, -1, int.MaxValue)).ToArray(),
            Optional(EncoderPromptsTable), Optional(EncoderQueryTable), OnnxTensorReader.Doubles(OnnxTensorReader.Find(model, EncoderPriorTable)), s,
            SavedMetadata.Int(meta, EncoderComponentsKey)).Checked(where);
    }
}
