using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving and reading back candidate lists: a table of M item keys and M scores per user key (row 0 is
/// the empty list of key 0), looked up by the user key; the keys are turned into item names by a string
/// table and back into keys by MapValueToKey over the same names.
/// </summary>
internal static class CandidatePersistence
{
    private const string ItemsTable = "candidate_items", ScoresTable = "candidate_scores", NamesTable = "item_ids", SourcesTable = "candidate_sources";
    private const string HistoryOffsetsTable = "history_offsets", HistoryItemsTable = "history_items", ServingItemsTable = "serving_items";
    private const string HistoryColumnKey = "HistoryColumn", SourceColumnKey = "SourceColumn", ExcludeSeenKey = "ExcludeSeen", UserVectorsKey = "UserVectors";
    private const string UserColumnKey = "UserColumn", CandidatesColumnKey = "CandidatesColumn", ScoresColumnKey = "ScoresColumn";
    private const string MethodKey = "Method", AlphaKey = "Alpha";
    private const string QueryKey = "Query", BetaKey = "Beta", HeadShareKey = "HeadShare", MmrLambdaKey = "MmrLambda", MmrPoolKey = "MmrPoolSize", InterestKey = "InterestWeight";

    public static ITransformer CreateSavable(CandidateColumns columns)
    {
        int users = columns.UserCount, m = columns.Candidates;
        var keys = new long[(users + 1) * m];
        var scores = new float[(users + 1) * m];
        var sources = new string[users + 1];
        Array.Fill(scores, float.NaN);
        for (int u = 0; u <= users; u++)
        {
            var (items, itemScores, source) = columns.Get((uint)u);
            sources[u] = source.ToString();
            for (int r = 0; r < items.Length; r++)
            {
                keys[u * m + r] = items[r];
                scores[u * m + r] = itemScores[r];
            }
        }
        var tables = columns.Live.Tables;
        var offsets = new long[users + 1];
        var historyItems = new long[tables.History.EdgeCount];
        for (int u = 0; u < users; u++)
        {
            var seen = tables.History.ItemsOf(u);
            for (int e = 0; e < seen.Length; e++) historyItems[offsets[u] + e] = tables.ItemRowOf[seen[e]] + 1;
            offsets[u + 1] = offsets[u] + seen.Length;
        }
        var servingItems = tables.ItemRowOf.Select(r => (long)r + 1).ToArray();
        var builder = new SavedChainBuilder(SavedModelFormat.CandidateStage);
        builder.Metadata(UserColumnKey, columns.UserColumn);
        builder.Metadata(CandidatesColumnKey, columns.CandidatesColumn);
        builder.Metadata(ScoresColumnKey, columns.ScoresColumn);
        builder.Metadata(HistoryColumnKey, columns.HistoryColumn);
        builder.Metadata(SourceColumnKey, columns.SourceColumn);
        builder.Metadata(ExcludeSeenKey, tables.ExcludeSeen ? "true" : "false");
        builder.Metadata(UserVectorsKey, tables.UserVectors != null ? "true" : "false");
        builder.Metadata(MethodKey, columns.Method.ToString());
        builder.Metadata(AlphaKey, columns.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        var settings = columns.Settings;
        builder.Metadata(QueryKey, settings.Query.ToString());
        builder.Metadata(BetaKey, settings.Beta.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(HeadShareKey, settings.HeadShare.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(MmrLambdaKey, settings.MmrLambda.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(MmrPoolKey, settings.MmrPoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(InterestKey, settings.InterestWeight.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        string user = builder.KeyInput(columns.UserColumn, users);
        builder.Graph
            .AddInitializer(ItemsTable, [users + 1, m], keys)
            .AddInitializer(ScoresTable, [users + 1, m], scores)
            .AddInitializer(OnnxTensors.String(NamesTable, [columns.ItemCount + 1], ["", .. columns.ItemNames]))
            .AddNode("Gather", [ItemsTable, user], ["user_items"], OnnxAttributes.Int("axis", 0))
            .AddNode("Gather", [NamesTable, "user_items"], ["user_item_ids"], OnnxAttributes.Int("axis", 0))
            .AddNode("Gather", [ScoresTable, user], ["user_scores"], OnnxAttributes.Int("axis", 0))
            .AddInitializer(OnnxTensors.String(SourcesTable, [users + 1, 1], sources))
            .AddNode("Gather", [SourcesTable, user], ["user_source"], OnnxAttributes.Int("axis", 0))
            .AddInitializer(HistoryOffsetsTable, [users + 1], offsets)
            .AddInitializer(HistoryItemsTable, [historyItems.Length], historyItems)
            .AddInitializer(ServingItemsTable, [servingItems.Length], servingItems)
            // The serving tables feed unused outputs so ONNX Runtime does not drop them with a warning.
            .AddNode("Identity", [HistoryOffsetsTable], ["history_offsets_out"])
            .AddNode("Identity", [HistoryItemsTable], ["history_items_out"])
            .AddNode("Identity", [ServingItemsTable], ["serving_items_out"])
            .AddOutput("history_offsets_out", TensorProto.Types.DataType.Int64, users + 1)
            .AddOutput("history_items_out", TensorProto.Types.DataType.Int64, historyItems.Length)
            .AddOutput("serving_items_out", TensorProto.Types.DataType.Int64, servingItems.Length);
        builder.KeyOutput(columns.CandidatesColumn, "user_item_ids", m, columns.ItemNames);
        builder.VectorOutput(columns.ScoresColumn, "user_scores", TensorProto.Types.DataType.Float, m);
        builder.TextOutput(columns.SourceColumn, "user_source");
        return builder.Build();
    }

    public static SavedCandidates Read(ModelProto model)
    {
        var items = OnnxTensorReader.Find(model, ItemsTable);
        var shape = OnnxTensorReader.Shape(items);
        int users = shape[0] - 1, m = shape[1];
        var keys = OnnxTensorReader.Int64s(items);
        var scores = OnnxTensorReader.Floats(OnnxTensorReader.Find(model, ScoresTable));
        var names = OnnxTensorReader.Strings(OnnxTensorReader.Find(model, NamesTable));
        // Row 0 is the list of an unknown user (the popular fallback since the training history is saved; empty before).
        var lists = new (uint[] ItemKeys, float[] Scores)[users + 1];
        for (int u = 0; u <= users; u++)
        {
            int row = u * m, count = 0;
            while (count < m && keys[row + count] != 0) count++;
            var itemKeys = new uint[count];
            for (int r = 0; r < count; r++) itemKeys[r] = (uint)keys[row + r];
            lists[u] = (itemKeys, scores.AsSpan(row, count).ToArray());
        }
        var meta = SavedMetadata.Of(model);
        var method = Enum.TryParse<CandidateMethod>(meta.GetValueOrDefault(MethodKey, ""), out var parsed) ? parsed
            : throw new InvalidDataException($"The saved candidate stage has no valid '{MethodKey}' metadata entry.");
        double alpha = double.Parse(meta.GetValueOrDefault(AlphaKey, "NaN"), System.Globalization.CultureInfo.InvariantCulture);
        var defaults = new RetrievalSettings();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var settings = new RetrievalSettings
        {
            Query = meta.TryGetValue(QueryKey, out var q) && Enum.TryParse<QuotaQuery>(q, out var query) ? query : defaults.Query,
            Beta = meta.TryGetValue(BetaKey, out var b) ? double.Parse(b, inv) : defaults.Beta,
            HeadShare = meta.TryGetValue(HeadShareKey, out var h) ? double.Parse(h, inv) : defaults.HeadShare,
            MmrLambda = meta.TryGetValue(MmrLambdaKey, out var l) ? double.Parse(l, inv) : defaults.MmrLambda,
            MmrPoolSize = meta.TryGetValue(MmrPoolKey, out var p) ? int.Parse(p, inv) : defaults.MmrPoolSize,
            InterestWeight = meta.TryGetValue(InterestKey, out var nu) ? double.Parse(nu, inv) : defaults.InterestWeight,
        };
        var saved = new SavedCandidates(meta.GetValueOrDefault(UserColumnKey, ""), meta.GetValueOrDefault(CandidatesColumnKey, ""),
            meta.GetValueOrDefault(ScoresColumnKey, ""), m, new KeyNameList(names[1..]), lists, method, alpha, settings);
        if (model.Graph.Initializer.Any(t => t.Name == HistoryOffsetsTable))
        {
            saved.Serving = new SavedServingTables(
                OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, HistoryOffsetsTable)),
                OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, HistoryItemsTable)),
                OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, ServingItemsTable)),
                meta.GetValueOrDefault(ExcludeSeenKey, "true") == "true",
                meta.GetValueOrDefault(UserVectorsKey, "true") == "true",
                meta.GetValueOrDefault(HistoryColumnKey, MultiInterestColumnNames.History),
                meta.GetValueOrDefault(SourceColumnKey, MultiInterestColumnNames.CandidateSource));
        }
        return saved;
    }
}
