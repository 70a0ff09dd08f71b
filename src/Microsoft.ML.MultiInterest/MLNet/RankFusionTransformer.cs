using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Fitted rank fusion (<see cref="RankFusionEstimator"/>): Transform appends, per row, the <see cref="RankFusion"/> of the
/// row's source candidate lists: M item keys, best first (KeyValues = the sources' item ids, so MapKeyToValue gives raw ids),
/// and their fused scores; a row whose sources hold fewer than M distinct items is padded with key 0 and NaN scores. The lists
/// equal the engine's <see cref="RankFusion.Fuse"/> of the same lists. Saves with <c>mlContext.Model.Save</c> (the fusion
/// becomes an ONNX graph of a few operators, no table per user).
/// </summary>
/// <remarks>
/// Thread-safe: the state is immutable and every getter keeps its own buffers. At Fit the stage notes which retrieval stage
/// filled each source column (an annotation the retrievers put on their Candidates column, kept by CopyColumns and saved with
/// the model), so <see cref="MultiInterestCatalog.CreateRecommender(ITransformer)"/> on a pipeline ending in a fusion, or on the
/// loaded model, serves the fused lists of those stages' live retrieval. <see cref="MultiInterestModel.ExportOnnx"/> exports one
/// retrieval stage and refuses a fusing model.
/// </remarks>
public sealed class RankFusionTransformer : MultiInterestTransformerBase
{
    internal RankFusionTransformer(string[] sources, string?[] stageIds, int[] sizes, double[] weights, int candidates, string candidatesColumn, string scoresColumn, KeyNameList itemNames)
    {
        SourceColumnNames = sources;
        SourceSizes = sizes;
        SourceStageIds = stageIds;
        Weights = weights;
        Candidates = candidates;
        CandidatesColumnName = candidatesColumn;
        CandidateScoresColumnName = scoresColumn;
        ItemNames = itemNames;
    }

    /// <summary>The source candidate columns, in fusion order (earlier sources win ties).</summary>
    public IReadOnlyList<string> SourceColumnNames { get; }

    /// <summary>The length of each source column's lists, as seen at Fit.</summary>
    internal IReadOnlyList<int> SourceSizes { get; }

    /// <summary>
    /// The retrieval stage that filled each source column at Fit (<see cref="CandidateStageId"/>), or null for a column of
    /// another origin: how a recommender finds the stages to fuse.
    /// </summary>
    internal IReadOnlyList<string?> SourceStageIds { get; }

    /// <summary>w_l per source.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>M, the length of every fused list.</summary>
    public int Candidates { get; }

    /// <summary>The fused item keys column.</summary>
    public string CandidatesColumnName { get; }

    /// <summary>The fused scores column.</summary>
    public string CandidateScoresColumnName { get; }

    /// <summary>The cardinality of the item keys the candidates are drawn from.</summary>
    public int ItemCount => ItemNames.Count;

    /// <summary>The raw id of each item key (key - 1), as text.</summary>
    internal KeyNameList ItemNames { get; }

    /// <summary>
    /// The item ids of the first source column and each source's list length, after checking that every source is a key vector
    /// of the same key type.
    /// </summary>
    internal static (KeyNameList Items, int[] Sizes, string?[] StageIds) SourcesOf(DataViewSchema schema, IReadOnlyList<string> sources)
    {
        var sizes = new int[sources.Count];
        var stageIds = new string?[sources.Count];
        var first = Source(schema, sources, 0, out sizes[0], out int items);
        stageIds[0] = CandidateStageId.Read(first);
        for (int l = 1; l < sources.Count; l++)
        {
            stageIds[l] = CandidateStageId.Read(Source(schema, sources, l, out sizes[l], out int count));
            if (count != items)
                throw new ArgumentException($"Input column '{sources[l]}' (option SourceColumnNames[{l}]) is a key over {count} items, but '{sources[0]}' "
                    + $"is a key over {items}: fuse the lists of retrievers fitted on the same item keys.");
        }
        return (KeyNames.Of(first, items), sizes, stageIds);
    }

    /// <summary>
    /// The stage behind each source of weight &gt; 0 (those with weight 0 add nothing, so need none), in source order, with its
    /// weight: <paramref name="stageOf"/> finds a stage by its fingerprint; a source with none fails through
    /// <paramref name="unserved"/>, which gets <see cref="UnservedSource"/>'s message.
    /// </summary>
    internal static (T[] Stages, double[] Weights) ServedSources<T>(IReadOnlyList<string> columns, IReadOnlyList<string?> stageIds, IReadOnlyList<double> weights,
        Func<string, T?> stageOf, Func<string, Exception> unserved) where T : class
    {
        var counted = Enumerable.Range(0, columns.Count).Where(l => weights[l] > 0).ToArray();
        var stages = counted.Select(l => (l < stageIds.Count && stageIds[l] is { } id ? stageOf(id) : null) ?? throw unserved(UnservedSource(columns[l]))).ToArray();
        return (stages, counted.Select(l => weights[l]).ToArray());
    }

    /// <summary>Why a fusion cannot be served live when source column <paramref name="column"/> has no retrieval stage behind it.</summary>
    internal static string UnservedSource(string column) =>
        $"The rank fusion's source column '{column}' was not filled by a retrieval stage of this model, so it cannot be served live: "
        + "fuse the Candidates of retrievers fitted in the same pipeline (renamed by their CandidatesColumnName option or CopyColumns).";

    private static DataViewSchema.Column Source(DataViewSchema schema, IReadOnlyList<string> sources, int l, out int size, out int items)
    {
        var column = ColumnChecks.Find(schema, sources[l], $"SourceColumnNames[{l}]");
        if (column.Type is not VectorDataViewType { IsKnownSize: true, ItemType: KeyDataViewType key } || key.RawType != typeof(uint))
            throw NotCandidates(sources[l], l, column.Type);
        return ColumnChecks.KeyVector(schema, sources[l], $"SourceColumnNames[{l}]", out size, out items);
    }

    /// <summary>
    /// A source that is not a list of item keys, said as such: the usual cause is a retriever's scores (or source) column
    /// named among the sources, whose output-name clash with the fusion's own scores would otherwise be reported instead.
    /// </summary>
    internal static ArgumentException NotCandidates(string name, int l, object type) =>
        new($"Source '{name}' (option SourceColumnNames[{l}]) is not a key vector column of candidates: it is {type}, where a fusion reads "
            + "each source's list of item keys (a known-size vector of UInt32 keys: a retriever's CandidatesColumnName, such as 'Candidates'), not its scores "
            + "or sources. Name the candidate columns of the stages to fuse.", "SourceColumnNames");

    private protected override IReadOnlyList<AppendedColumn> MakeColumns(DataViewSchema inputSchema)
    {
        var columns = new DataViewSchema.Column[SourceColumnNames.Count];
        for (int l = 0; l < columns.Length; l++)
        {
            columns[l] = Source(inputSchema, SourceColumnNames, l, out int size, out int items);
            ColumnChecks.SameCardinality(SourceColumnNames[l], $"SourceColumnNames[{l}]", ItemCount, items);
            ColumnChecks.SameSize(SourceColumnNames[l], $"SourceColumnNames[{l}]", SourceSizes[l], size);
        }
        string[] inputs = [.. SourceColumnNames.Distinct()];
        int m = Candidates;
        // Sources all looked up by one user column fuse into a list that follows that user alone: the mark carries over.
        string? perUser = PerKeyAnnotation.Shared(columns);
        DataViewSchema.Annotations? PerUser(DataViewSchema.Annotations? others = null) => perUser == null ? others : PerKeyAnnotation.With(perUser, others);
        return
        [
            AppendedColumn.Create<VBuffer<uint>>(CandidatesColumnName, new VectorDataViewType(new KeyDataViewType(typeof(uint), ItemCount), m), inputs, row =>
            {
                var fuse = Fuser(row, columns);
                return (ref VBuffer<uint> value) =>
                {
                    var (items, _, count) = fuse();
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Clear();
                    for (int j = 0; j < count; j++) editor.Values[j] = (uint)items[j] + 1;
                    value = editor.Commit();
                };
            }, PerUser(KeyValuesAnnotation.Of(ItemNames))),
            AppendedColumn.Create<VBuffer<float>>(CandidateScoresColumnName, new VectorDataViewType(NumberDataViewType.Single, m), inputs, row =>
            {
                var fuse = Fuser(row, columns);
                return (ref VBuffer<float> value) =>
                {
                    var (_, scores, count) = fuse();
                    var editor = VBufferEditor.Create(ref value, m);
                    editor.Values.Fill(float.NaN);
                    scores.AsSpan(0, count).CopyTo(editor.Values);
                    value = editor.Commit();
                };
            }, PerUser()),
        ];
    }

    /// <summary>A function that fuses the current row's source lists into buffers it owns (item rows = key - 1) and returns them with their length.</summary>
    private Func<(int[] Items, float[] Scores, int Count)> Fuser(DataViewRow row, DataViewSchema.Column[] columns)
    {
        var getters = columns.Select(c => row.GetGetter<VBuffer<uint>>(c)).ToArray();
        var lists = new VBuffer<uint>[columns.Length];
        var fusion = new RankFusionRow();
        var items = new int[Candidates];
        var scores = new float[Candidates];
        return () =>
        {
            fusion.Clear();
            for (int l = 0; l < getters.Length; l++)
            {
                if (Weights[l] == 0) continue;
                getters[l](ref lists[l]);
                // Ranks are positions in the list; key 0 (padding, or a missing key) holds its place but names no item.
                var keys = lists[l].GetValues();
                var positions = lists[l].GetIndices();
                for (int j = 0; j < keys.Length; j++)
                    if (keys[j] != 0) fusion.Add((int)keys[j] - 1, Weights[l], l, lists[l].IsDense ? j : positions[j]);
            }
            return (items, scores, fusion.TakeBest(items, scores));
        };
    }

    private protected override ITransformer CreateSavableModel() => RankFusionPersistence.CreateSavable(this);
}
