using System.Globalization;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving a <see cref="RankFusionTransformer"/>: a per-row ONNX graph of a few operators and no table per user. Every entry of
/// the concatenated source lists has a fixed place in the fused order (its score <c>w_l / (r + 1)</c>, then its source, then its
/// rank: the order <see cref="Engine.RankFusion"/> sorts by, computed here once), so the graph keeps an entry when its key is not
/// 0 and no entry earlier in that order holds the same key, and takes the first M kept entries by TopK on their places. M
/// entries of key 0 are appended so that TopK always has M to take; the unfilled tail is key 0 with NaN scores.
/// </summary>
internal static class RankFusionPersistence
{
    private const string SourcesKey = "SourceColumns", StagesKey = "SourceStages", WeightsKey = "Weights", CandidatesKey = "Candidates";
    private const string CandidatesColumnKey = "CandidatesColumn", ScoresColumnKey = "ScoresColumn";
    private const string NamesTable = "item_ids";

    public static ITransformer CreateSavable(RankFusionTransformer fusion)
    {
        var builder = new SavedChainBuilder(SavedModelFormat.RankFusionStage);
        builder.Metadata(SourcesKey, string.Join('\n', fusion.SourceColumnNames));
        builder.Metadata(StagesKey, string.Join('\n', fusion.SourceStageIds.Select(id => id ?? "")));
        builder.Metadata(WeightsKey, string.Join(' ', fusion.Weights.Select(w => w.ToString("R", CultureInfo.InvariantCulture))));
        builder.Metadata(CandidatesKey, SavedMetadata.Text(fusion.Candidates));
        builder.Metadata(CandidatesColumnKey, fusion.CandidatesColumnName);
        builder.Metadata(ScoresColumnKey, fusion.CandidateScoresColumnName);

        // The entries of the sources that count (weight > 0), in concatenation order, with their scores and places in the fused order.
        int m = fusion.Candidates;
        var lists = new List<string>();
        var entries = new List<(double Score, int Source, int Rank)>();
        for (int l = 0; l < fusion.SourceColumnNames.Count; l++)
        {
            if (fusion.Weights[l] == 0) continue;
            int size = fusion.SourceSizes[l];
            lists.Add(builder.KeyVectorInput(fusion.SourceColumnNames[l], size, fusion.ItemCount));
            for (int r = 0; r < size; r++) entries.Add((fusion.Weights[l] / (r + 1), l, r));
        }
        int real = entries.Count, n = real + m;
        var order = Enumerable.Range(0, real).OrderByDescending(i => entries[i].Score).ThenBy(i => entries[i].Source).ThenBy(i => entries[i].Rank).ToArray();
        var places = new float[n];
        for (int p = 0; p < real; p++) places[order[p]] = p;
        for (int i = real; i < n; i++) places[i] = i;
        var scores = new float[n];
        for (int i = 0; i < n; i++) scores[i] = i < real ? (float)entries[i].Score : float.NaN;

        var g = builder.Graph;
        g.AddInitializer("padding", [m], new long[m])
            .AddNode("Concat", [.. lists, "padding"], ["keys"], OnnxAttributes.Int("axis", 0))
            .AddInitializer("places", [n], places)
            .AddInitializer("scores", [n], scores)
            .AddInitializer("column_shape", [2], [(long)n, 1])
            .AddInitializer("row_shape", [2], [1, (long)n])
            // earlier[i, j]: entry j comes before entry i in the fused order; same[i, j]: they hold the same key.
            .AddNode("Reshape", ["places", "column_shape"], ["places_column"])
            .AddNode("Reshape", ["places", "row_shape"], ["places_row"])
            .AddNode("Less", ["places_row", "places_column"], ["earlier"])
            .AddNode("Reshape", ["keys", "column_shape"], ["keys_column"])
            .AddNode("Reshape", ["keys", "row_shape"], ["keys_row"])
            .AddNode("Equal", ["keys_column", "keys_row"], ["same"])
            .AddNode("And", ["same", "earlier"], ["repeated_pairs"])
            .AddNode("Cast", ["repeated_pairs"], ["repeated_pairs_float"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Float))
            .AddNode("ReduceMax", ["repeated_pairs_float"], ["repeated"], OnnxAttributes.Ints("axes", 1), OnnxAttributes.Int("keepdims", 0))
            .AddInitializer("zero_key", [], [0L])
            .AddInitializer("zero", [], [0f])
            .AddNode("Equal", ["keys", "zero_key"], ["missing"])
            .AddNode("Not", ["missing"], ["present"])
            .AddNode("Equal", ["repeated", "zero"], ["first"])
            .AddNode("And", ["present", "first"], ["kept"])
            // The first M kept entries: the smallest places among kept entries; the others are pushed past every place.
            .AddInitializer("beyond", [], [(float)n])
            .AddNode("Where", ["kept", "places", "beyond"], ["kept_places"])
            .AddInitializer("m", [1], [(long)m])
            .AddNode("TopK", ["kept_places", "m"], ["chosen_places", "chosen"], OnnxAttributes.Int("axis", 0), OnnxAttributes.Int("largest", 0), OnnxAttributes.Int("sorted", 1))
            .AddNode("Less", ["chosen_places", "beyond"], ["filled"])
            .AddNode("Gather", ["keys", "chosen"], ["chosen_keys"], OnnxAttributes.Int("axis", 0))
            .AddNode("Where", ["filled", "chosen_keys", "zero_key"], ["fused_keys"])
            .AddNode("Gather", ["scores", "chosen"], ["chosen_scores"], OnnxAttributes.Int("axis", 0))
            .AddInitializer("nan", [], [float.NaN])
            .AddNode("Where", ["filled", "chosen_scores", "nan"], ["fused_scores"]);
        if (fusion.ItemNames.AreNumbers)
        {
            // The ids are the key numbers: the key's text is its id (the padding 0 reads "0", which names no key, so key 0).
            g.AddNode("Cast", ["fused_keys"], ["fused_ids"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.String));
        }
        else
        {
            g.AddInitializer(OnnxTensors.String(NamesTable, [fusion.ItemCount + 1], ["", .. fusion.ItemNames]))
                .AddNode("Gather", [NamesTable, "fused_keys"], ["fused_ids"], OnnxAttributes.Int("axis", 0));
        }
        builder.KeyOutput(fusion.CandidatesColumnName, "fused_ids", m, fusion.ItemNames);
        builder.VectorOutput(fusion.CandidateScoresColumnName, "fused_scores", TensorProto.Types.DataType.Float, m);
        return builder.Build();
    }

    /// <summary>Reads a saved rank-fusion stage's settings.</summary>
    public static SavedRankFusion Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        string Text(string key) => meta.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"The saved rank-fusion stage has no metadata entry '{key}'.");
        var sources = Text(SourcesKey).Split('\n');
        var weights = Text(WeightsKey).Split(' ').Select(w => double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new InvalidDataException($"The saved rank-fusion stage has weight '{w}', which is not a number.")).ToArray();
        if (weights.Length != sources.Length)
            throw new InvalidDataException($"The saved rank-fusion stage has {weights.Length} weights for {sources.Length} source columns.");
        var stages = Text(StagesKey).Split('\n').Select(id => id.Length == 0 ? null : id).ToArray();
        if (stages.Length != sources.Length)
            throw new InvalidDataException($"The saved rank-fusion stage has {stages.Length} source stages for {sources.Length} source columns.");
        return new SavedRankFusion(sources, weights, SavedMetadata.Int(meta, CandidatesKey), Text(CandidatesColumnKey), Text(ScoresColumnKey)) { SourceStageIds = stages };
    }
}
