using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Saving and reading back candidate lists: a table of M item keys and M scores per user key (row 0 is the list of key 0,
/// the popular fallback), looked up by the user key; when some user keys have no fitted list, rows for the trained users
/// only (<see cref="PresentKeys"/>), every other key reading row 0, and the training history for those users only. The
/// keys are turned into item names by a string table (or, for item ids that are the key numbers, by casting the key to
/// text, so no table per item key is stored) and back into keys by MapValueToKey over the same names.
/// </summary>
internal static partial class CandidatePersistence
{
    private const string ItemsTable = "candidate_items", ScoresTable = "candidate_scores", NamesTable = "item_ids", SourcesTable = "candidate_sources";
    private const string HistoryOffsetsTable = "history_offsets", HistoryItemsTable = "history_items", ServingItemsTable = "serving_items";
    private const string HistoryColumnKey = "HistoryColumn", SourceColumnKey = "SourceColumn", ExcludeSeenKey = "ExcludeSeen", UserVectorsKey = "UserVectors";
    private const string UserColumnKey = "UserColumn", CandidatesColumnKey = "CandidatesColumn", ScoresColumnKey = "ScoresColumn";
    private const string MethodKey = "Method", AlphaKey = "Alpha";
    private const string UserKeys = "candidate_users", UserKeyCountKey = "UserKeyCount", ItemIdsKey = "ItemIds", ItemKeyCountKey = "ItemKeyCount", NumberIds = "KeyNumbers";
    private const string DcmSeedsTable = "dcm_seeds", DcmTemperatureKey = "DcmTemperature", DcmPriorWeightKey = "DcmPriorWeight", DcmIterationsKey = "DcmIterations",
        DcmWeightExponentKey = "DcmWeightExponent";
    private const string QueryKey = "Query", BetaKey = "Beta", HeadShareKey = "HeadShare", MmrLambdaKey = "MmrLambda", MmrPoolKey = "MmrPoolSize", InterestKey = "InterestWeight";
    private const string StageIdKey = "StageId";
    private const string ComponentSourceKey = "RoundRobinComponents";
    private const string ConditionVectorsTable = "condition_vectors", ConditionBetasTable = "condition_betas", ConditionItemsTable = "condition_of_serving_items",
        ConditionNamesTable = "condition_names", ConditionScaleKey = "ConditionScoreScale", MaxConditionsKey = "MaxConditions",
        ImplicitShareKey = "ImplicitShare", FollowedUsersTable = "followed_users", FollowedOffsetsTable = "followed_offsets",
        FollowedConditionsTable = "followed_conditions";

    public static ITransformer CreateSavable(CandidateColumns columns)
    {
        int users = columns.UserCount, m = columns.Candidates;
        // Rows for the trained users after row 0 (key 0 and every untrained key: the popular fallback), or one per user key.
        var fitted = columns.FittedUsers;
        bool perKey = PresentKeys.AreAll(fitted, users);
        int rows = perKey ? users : fitted.Count;
        var keys = new long[(rows + 1) * m];
        var scores = new float[(rows + 1) * m];
        var sources = new string[rows + 1];
        Array.Fill(scores, float.NaN);
        for (int r = 0; r <= rows; r++)
        {
            uint userKey = r == 0 ? 0 : (uint)(perKey ? r : fitted[r - 1] + 1);
            var (items, itemScores, source) = columns.Get(userKey);
            sources[r] = source.ToString();
            for (int j = 0; j < items.Length; j++)
            {
                keys[r * m + j] = items[j];
                scores[r * m + j] = itemScores[j];
            }
        }
        var tables = columns.Live.Tables;
        var offsets = new long[rows + 1];
        int edges = 0;
        for (int r = 0; r < rows; r++) edges += tables.HistoryOf(perKey ? r : fitted[r]).Length;
        var historyItems = new long[edges];
        for (int r = 0; r < rows; r++)
        {
            var seen = tables.HistoryOf(perKey ? r : fitted[r]);
            for (int e = 0; e < seen.Length; e++) historyItems[offsets[r] + e] = tables.ItemRowOf[seen[e]] + 1;
            offsets[r + 1] = offsets[r] + seen.Length;
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
        builder.Metadata(StageIdKey, columns.StageId);
        builder.Metadata(AlphaKey, columns.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        var settings = columns.Settings;
        builder.Metadata(QueryKey, settings.Query.ToString());
        builder.Metadata(BetaKey, settings.Beta.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(HeadShareKey, settings.HeadShare.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(MmrLambdaKey, settings.MmrLambda.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(MmrPoolKey, settings.MmrPoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(InterestKey, settings.InterestWeight.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        if (settings.Interests == MmrInterests.History) AddHistoryInterests(builder, settings);
        else if (settings.HistoryVector == HistoryVector.FoldIn)
        {
            builder.Metadata(HistoryVectorKey, settings.HistoryVector.ToString());
            AddFoldIn(builder, settings);
        }
        else if (settings.HistoryVector == HistoryVector.Encoder) builder.Metadata(HistoryVectorKey, nameof(HistoryVector.Encoder));
        if (settings.ReadsByDivideConquer) AddEncoder(builder, tables.Encoder!, settings);
        if (tables.Learned?.Dcm is { } dcm) AddDcm(builder, dcm);
        if (tables.Learned is { FromMixtureStage: true }) builder.Metadata(ComponentSourceKey, ComponentSourceAnnotation.KnnSmoothedMixture);
        if (tables.Conditional is { } conditional) AddConditional(builder, conditional, settings);
        if (tables.Followed is { Count: > 0 } followed) AddFollowed(builder, followed);
        string key = builder.KeyInput(columns.UserColumn, users);
        string user = PresentKeys.Declare(builder, key, UserKeys, UserKeyCountKey, users, perKey ? Enumerable.Range(0, users).ToArray() : fitted);
        builder.Graph
            .AddInitializer(ItemsTable, [rows + 1, m], keys)
            .AddInitializer(ScoresTable, [rows + 1, m], scores)
            .AddNode("Gather", [ItemsTable, user], ["user_items"], OnnxAttributes.Int("axis", 0));
        if (columns.ItemNames.AreNumbers)
        {
            // The ids are the key numbers: the key's text is its id (a padding 0 reads "0", which names no key, so key 0).
            builder.Metadata(ItemIdsKey, NumberIds);
            builder.Metadata(ItemKeyCountKey, SavedMetadata.Text(columns.ItemCount));
            builder.Graph.AddNode("Cast", ["user_items"], ["user_item_ids"], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.String));
        }
        else
        {
            builder.Graph
                .AddInitializer(OnnxTensors.String(NamesTable, [columns.ItemCount + 1], ["", .. columns.ItemNames]))
                .AddNode("Gather", [NamesTable, "user_items"], ["user_item_ids"], OnnxAttributes.Int("axis", 0));
        }
        builder.Graph
            .AddNode("Gather", [ScoresTable, user], ["user_scores"], OnnxAttributes.Int("axis", 0))
            .AddInitializer(OnnxTensors.String(SourcesTable, [rows + 1, 1], sources))
            .AddNode("Gather", [SourcesTable, user], ["user_source"], OnnxAttributes.Int("axis", 0))
            .AddInitializer(HistoryOffsetsTable, [rows + 1], offsets)
            .AddInitializer(HistoryItemsTable, [historyItems.Length], historyItems)
            .AddInitializer(ServingItemsTable, [servingItems.Length], servingItems)
            // The serving tables feed unused outputs so ONNX Runtime does not drop them with a warning.
            .KeepAsOutput(HistoryOffsetsTable, TensorProto.Types.DataType.Int64, rows + 1)
            .KeepAsOutput(HistoryItemsTable, TensorProto.Types.DataType.Int64, historyItems.Length)
            .KeepAsOutput(ServingItemsTable, TensorProto.Types.DataType.Int64, servingItems.Length);
        builder.KeyOutput(columns.CandidatesColumn, "user_item_ids", m, columns.ItemNames, keysInUse: tables.ItemRowOf.Length);
        builder.VectorOutput(columns.ScoresColumn, "user_scores", TensorProto.Types.DataType.Float, m);
        builder.TextOutput(columns.SourceColumn, "user_source");
        return builder.Build();
    }

    /// <summary>
    /// A round-robin stage over a differentiable-clustering model keeps the soft k-means settings it read from the components
    /// column (the seeds, τ, β, T, the weights' exponent), so a loaded model clusters a fresh history as the fitted stage does.
    /// </summary>
    private static void AddDcm(SavedChainBuilder builder, DcmClustering dcm)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        builder.Metadata(DcmTemperatureKey, dcm.Temperature.ToString("R", inv));
        builder.Metadata(DcmPriorWeightKey, dcm.PriorWeight.ToString("R", inv));
        builder.Metadata(DcmIterationsKey, SavedMetadata.Text(dcm.Iterations));
        builder.Metadata(DcmWeightExponentKey, dcm.WeightExponent.ToString("R", inv));
        builder.Graph
            .AddInitializer(DcmSeedsTable, [dcm.Interests, dcm.Seeds.Dimension], dcm.Seeds.Values)
            .KeepAsOutput(DcmSeedsTable, TensorProto.Types.DataType.Float, dcm.Interests, dcm.Seeds.Dimension);
    }

    private static DcmClustering? ReadDcm(ModelProto model, Dictionary<string, string> meta)
    {
        if (!model.Graph.Initializer.Any(t => t.Name == DcmSeedsTable)) return null;
        var tensor = OnnxTensorReader.Find(model, DcmSeedsTable);
        var shape = OnnxTensorReader.Shape(tensor);
        if (shape is not [var k, var d])
            throw new InvalidDataException($"Initializer '{DcmSeedsTable}' has shape [{string.Join(", ", shape)}]; a [interests, dimension] table was expected.");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        float Float(string key) => meta.TryGetValue(key, out var text) && float.TryParse(text, System.Globalization.NumberStyles.Float, inv, out float value) ? value
            : throw new InvalidDataException($"The saved candidate stage has no number metadata entry '{key}'.");
        // Models saved before the exponent existed have no entry: their weights were the masses themselves.
        float exponent = meta.ContainsKey(DcmWeightExponentKey) ? Float(DcmWeightExponentKey) : DcmDefaults.WeightExponent;
        return new DcmClustering(new EmbeddingMatrix(k, d, OnnxTensorReader.Floats(tensor)), Float(DcmTemperatureKey), Float(DcmPriorWeightKey), SavedMetadata.Int(meta, DcmIterationsKey),
            exponent);
    }

    /// <summary>
    /// A conditional stage keeps its condition parameters (t_c, β_c, the score scale), the condition of each serving item
    /// (-1: none, as <see cref="ItemConditions.None"/>), the condition names, the conditions per user and the implicit
    /// components' share (their clusters and mixtures are the model's k-means and mixture stages), so a loaded model represents
    /// a fresh history as the fitted stage does.
    /// </summary>
    private static void AddConditional(SavedChainBuilder builder, ConditionalModel model, RetrievalSettings settings)
    {
        int count = model.Conditions.Count, d = model.Dimension;
        var vectors = new float[count * d];
        var betas = new float[count];
        for (int c = 0; c < count; c++)
        {
            model.ConditionVector(c).CopyTo(vectors.AsSpan(c * d, d));
            betas[c] = model.HistoryWeight(c);
        }
        var conditionOf = model.Conditions.Assignments.ToArray().Select(c => (long)c).ToArray();
        builder.Metadata(ConditionScaleKey, model.ScoreScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Metadata(MaxConditionsKey, SavedMetadata.Text(settings.MaxConditions));
        builder.Metadata(ImplicitShareKey, settings.ImplicitShare.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        builder.Graph
            .AddInitializer(ConditionVectorsTable, [count, d], vectors)
            .AddInitializer(ConditionBetasTable, [count], betas)
            .AddInitializer(ConditionItemsTable, [conditionOf.Length], conditionOf)
            .AddInitializer(OnnxTensors.String(ConditionNamesTable, [count], [.. model.Conditions.Names]))
            .KeepAsOutput(ConditionVectorsTable, TensorProto.Types.DataType.Float, count, d)
            .KeepAsOutput(ConditionBetasTable, TensorProto.Types.DataType.Float, count)
            .KeepAsOutput(ConditionItemsTable, TensorProto.Types.DataType.Int64, conditionOf.Length)
            .KeepAsOutput(ConditionNamesTable, TensorProto.Types.DataType.String, count);
    }

    /// <summary>The conditions the trained users follow, as CSR over the user rows that follow any (ascending).</summary>
    private static void AddFollowed(SavedChainBuilder builder, IReadOnlyDictionary<int, int[]> followed)
    {
        var users = followed.Keys.Order().ToArray();
        var offsets = new long[users.Length + 1];
        var conditions = new List<long>();
        for (int r = 0; r < users.Length; r++)
        {
            conditions.AddRange(followed[users[r]].Select(c => (long)c));
            offsets[r + 1] = conditions.Count;
        }
        builder.Graph
            .AddInitializer(FollowedUsersTable, [users.Length], users.Select(u => (long)u).ToArray())
            .AddInitializer(FollowedOffsetsTable, [offsets.Length], offsets)
            .AddInitializer(FollowedConditionsTable, [conditions.Count], conditions.ToArray())
            .KeepAsOutput(FollowedUsersTable, TensorProto.Types.DataType.Int64, users.Length)
            .KeepAsOutput(FollowedOffsetsTable, TensorProto.Types.DataType.Int64, offsets.Length)
            .KeepAsOutput(FollowedConditionsTable, TensorProto.Types.DataType.Int64, conditions.Count);
    }

    private static Dictionary<int, int[]>? ReadFollowed(ModelProto model)
    {
        if (!model.Graph.Initializer.Any(t => t.Name == FollowedUsersTable)) return null;
        var users = OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, FollowedUsersTable));
        var offsets = OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, FollowedOffsetsTable));
        var conditions = OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, FollowedConditionsTable));
        if (offsets.Length != users.Length + 1 || offsets[^1] != conditions.Length)
            throw new InvalidDataException($"The saved conditional stage's followed conditions are inconsistent: {users.Length} users, {offsets.Length} offsets, {conditions.Length} conditions.");
        var result = new Dictionary<int, int[]>();
        for (int r = 0; r < users.Length; r++)
            result[checked((int)users[r])] = conditions[(int)offsets[r]..(int)offsets[r + 1]].Select(c => checked((int)c)).ToArray();
        return result;
    }

    private static ConditionalModel? ReadConditional(ModelProto model, Dictionary<string, string> meta)
    {
        if (!model.Graph.Initializer.Any(t => t.Name == ConditionVectorsTable)) return null;
        var vectorsTensor = OnnxTensorReader.Find(model, ConditionVectorsTable);
        if (OnnxTensorReader.Shape(vectorsTensor) is not [var count, var d])
            throw new InvalidDataException($"Initializer '{ConditionVectorsTable}' is not a [conditions, dimension] table.");
        var betas = OnnxTensorReader.Floats(OnnxTensorReader.Find(model, ConditionBetasTable));
        var conditionOf = OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, ConditionItemsTable));
        var names = OnnxTensorReader.Strings(OnnxTensorReader.Find(model, ConditionNamesTable));
        if (betas.Length != count || names.Length != count)
            throw new InvalidDataException($"The saved conditional stage has {count} condition vectors, {betas.Length} history weights and {names.Length} names.");
        if (!meta.TryGetValue(ConditionScaleKey, out var scaleText)
            || !double.TryParse(scaleText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double scale))
            throw new InvalidDataException($"The saved conditional stage has no number metadata entry '{ConditionScaleKey}'.");
        ItemConditions conditions;
        try
        {
            conditions = ItemConditions.Create(conditionOf.Select(c => checked((int)c)).ToArray(), count, names);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"The saved conditional stage's item conditions are invalid: {e.Message}", e);
        }
        return new ConditionalModel(conditions, new EmbeddingMatrix(count, d, OnnxTensorReader.Floats(vectorsTensor)), betas, [], scale);
    }

    public static SavedCandidates Read(ModelProto model)
    {
        var meta = SavedMetadata.Of(model);
        var items = OnnxTensorReader.Find(model, ItemsTable);
        var shape = OnnxTensorReader.Shape(items);
        int rows = shape[0] - 1, m = shape[1];
        // Table row j + 1 belongs to user userRows[j] (version 1: row = user key).
        var userRows = PresentKeys.Read(model, UserKeys);
        if (userRows != null && userRows.Length != rows)
            throw new InvalidDataException($"Initializer '{UserKeys}' has {userRows.Length} keys for the {rows} rows of '{ItemsTable}'.");
        int users = userRows == null ? rows : PresentKeys.KeyCount(meta, UserKeyCountKey, rows);
        var keys = OnnxTensorReader.Int64s(items);
        var scores = OnnxTensorReader.Floats(OnnxTensorReader.Find(model, ScoresTable));
        var names = meta.GetValueOrDefault(ItemIdsKey) == NumberIds
            ? KeyNameList.Numbers(SavedMetadata.Int(meta, ItemKeyCountKey))
            : new KeyNameList(OnnxTensorReader.Strings(OnnxTensorReader.Find(model, NamesTable))[1..]);
        CheckLists(model, rows, keys, scores, names.Count);
        // Row 0 is the list of an unknown user (the popular fallback since the training history is saved; empty before).
        var lists = new (uint[] ItemKeys, float[] Scores)[rows + 1];
        for (int u = 0; u <= rows; u++)
        {
            int row = u * m, count = 0;
            while (count < m && keys[row + count] != 0) count++;
            var itemKeys = new uint[count];
            for (int r = 0; r < count; r++) itemKeys[r] = (uint)keys[row + r];
            lists[u] = (itemKeys, scores.AsSpan(row, count).ToArray());
        }
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
        settings = ReadHistoryMixture(meta, ReadHistoryInterests(meta, settings));
        // Absent from stages other than conditional ones, which keep the default.
        if (meta.ContainsKey(MaxConditionsKey)) settings = settings with { MaxConditions = SavedMetadata.Int(meta, MaxConditionsKey) };
        if (meta.TryGetValue(ImplicitShareKey, out var share)) settings = settings with { ImplicitShare = double.Parse(share, inv) };
        var saved = new SavedCandidates(SavedMetadata.Name(meta, UserColumnKey), SavedMetadata.Name(meta, CandidatesColumnKey),
            SavedMetadata.Name(meta, ScoresColumnKey), m, names, users, userRows, lists, method, alpha, settings);
        saved.Dcm = ReadDcm(model, meta);
        saved.Encoder = ReadEncoder(model, meta, settings);
        saved.ComponentsFromMixtureStage = meta.GetValueOrDefault(ComponentSourceKey) == ComponentSourceAnnotation.KnnSmoothedMixture;
        saved.Conditional = ReadConditional(model, meta);
        saved.Followed = ReadFollowed(model);
        if (method == CandidateMethod.Conditional && saved.Conditional == null)
            throw new InvalidDataException($"The saved conditional stage has no '{ConditionVectorsTable}' initializer: its condition parameters are missing.");
        saved.StageId = meta.GetValueOrDefault(StageIdKey);
        if (model.Graph.Initializer.Any(t => t.Name == HistoryOffsetsTable))
        {
            saved.Serving = new SavedServingTables(
                userRows,
                OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, HistoryOffsetsTable)),
                OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, HistoryItemsTable)),
                OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, ServingItemsTable)),
                meta.GetValueOrDefault(ExcludeSeenKey, "true") == "true",
                meta.GetValueOrDefault(UserVectorsKey, "true") == "true",
                meta.GetValueOrDefault(HistoryColumnKey, MultiInterestColumnNames.History),
                meta.GetValueOrDefault(SourceColumnKey, MultiInterestColumnNames.CandidateSource));
            CheckServing(saved.Serving, rows, names.Count);
            if (saved.Encoder is { } encoder && encoder.Rows.Length != saved.Serving.ServingItemKeys.Length)
                throw new InvalidDataException($"Initializer '{EncoderInputsTable}' has {encoder.Rows.Length} rows for the {saved.Serving.ServingItemKeys.Length} items of '{ServingItemsTable}'.");
        }
        return saved;
    }

    /// <summary>
    /// The candidate tables agree with one another (a damaged or edited zip whose tables still parse would otherwise give
    /// a user another's list, or the popular list marked Trained, or fail later while serving).
    /// </summary>
    private static void CheckLists(ModelProto model, int rows, long[] keys, float[] scores, int itemCount)
    {
        if (rows < 0) throw new InvalidDataException($"Table '{ItemsTable}' has no rows.");
        if (scores.Length != keys.Length)
            throw new InvalidDataException($"Table '{ScoresTable}' holds {scores.Length} scores for the {keys.Length} entries of '{ItemsTable}'.");
        if (model.Graph.Initializer.FirstOrDefault(t => t.Name == SourcesTable) is { } sources && OnnxTensorReader.Shape(sources)[0] != rows + 1)
            throw new InvalidDataException($"Table '{SourcesTable}' has {OnnxTensorReader.Shape(sources)[0]} rows for the {rows + 1} of '{ItemsTable}'.");
        CheckKeys(keys, 0, itemCount, ItemsTable);
    }

    /// <summary>The training history's CSR rows cover its items in order, one row per list row, and every key names an item.</summary>
    private static void CheckServing(SavedServingTables serving, int rows, int itemCount)
    {
        var offsets = serving.HistoryOffsets;
        if (offsets.Length != rows + 1)
            throw new InvalidDataException($"Table '{HistoryOffsetsTable}' has {offsets.Length} offsets for the {rows} user rows of '{ItemsTable}' (it needs {rows + 1}).");
        if (offsets[0] != 0 || offsets[^1] != serving.HistoryItemKeys.Length)
            throw new InvalidDataException($"Table '{HistoryOffsetsTable}' runs from {offsets[0]} to {offsets[^1]}, but '{HistoryItemsTable}' holds "
                + $"{serving.HistoryItemKeys.Length} items (it must run from 0 to that count).");
        for (int r = 0; r < rows; r++)
            if (offsets[r + 1] < offsets[r]) throw new InvalidDataException($"Table '{HistoryOffsetsTable}' decreases at row {r + 1}.");
        CheckKeys(serving.HistoryItemKeys, 1, itemCount, HistoryItemsTable);
        CheckKeys(serving.ServingItemKeys, 1, itemCount, ServingItemsTable);
        // The recommendable items ascend, and every history item is one of them (serving looks them up by binary search).
        var servable = serving.ServingItemKeys;
        for (int j = 1; j < servable.Length; j++)
            if (servable[j] <= servable[j - 1]) throw new InvalidDataException($"Table '{ServingItemsTable}' does not ascend at entry {j}.");
        foreach (long key in serving.HistoryItemKeys)
            if (Array.BinarySearch(servable, key) < 0)
                throw new InvalidDataException($"Table '{HistoryItemsTable}' holds item key {key}, which '{ServingItemsTable}' does not list.");
    }

    private static void CheckKeys(long[] keys, long lowest, int itemCount, string table)
    {
        foreach (long key in keys)
            if (key < lowest || key > itemCount)
                throw new InvalidDataException($"Table '{table}' holds item key {key}, outside {lowest}..{itemCount}.");
    }
}
