using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One thread's mixture-embedding trainer, organised as <see cref="ChunkWorker"/>: takes chunks of edges, draws the chunk's
/// shared negatives (the chunk's other items, then uniform and degree-proportional draws), scores every component pair of
/// every (edge, negative) with small matrix products over unit copies of the rows, pools each pair's cosine block,
/// applies the margin ranking loss, and back-propagates through the poolings and the normalisation to the raw rows.
/// Each edge's active blocks go straight into the row gradients (no score-sized gradient matrix); with one destination
/// component, the default, an edge's blocks are the columns of its C_s score rows and are pooled all at once in vectors.
/// All buffers are allocated once; nothing is allocated per edge or per chunk. With relations (multi-task training,
/// <see cref="MixtureRelations"/>) each chunk holds the edges of one relation and its negatives come from that relation's
/// destinations; the chunks of the relations are interleaved so each relation advances at the same pace through the slice.
/// </summary>
/// <remarks>
/// Row layout: a user slot s owns component rows s × C_s .. s × C_s + C_s − 1, an item slot s owns rows s × C_d ...
/// Slots 0..c−1 are the chunk's edges; slots c.. hold the sampled negatives. A score matrix of one side has one row per
/// anchor component (edge j, component a: row j × C_a + a) and one column per negative component (negative n,
/// component b: column n × C_n + b), so a pair's cosine block is C_a strided runs of C_n entries.
/// </remarks>
internal sealed partial class MixtureChunkWorker
{
    private readonly GraphEmbeddingOptions _options;
    private readonly EmbeddingTable _users, _items;
    private readonly int[] _edgeUsers, _edgeItems;
    private readonly float[]? _edgeWeights;
    private readonly AliasSampler? _userSampler, _itemSampler;
    private readonly int _cs, _cd, _stride, _sampled;
    private readonly bool _twoSided;
    private readonly MixturePooling _positivePooling, _negativePooling;
    private readonly float _gamma, _theta, _margin;
    private EmbeddingRandom _random;
    private readonly MixtureRelations? _relations;
    private readonly int[] _relationStarts, _relationCursors;
    private int[] _grouped = [];

    private readonly int[] _userSlots, _itemSlots;
    private readonly float[] _userRows, _itemRows, _userUnit, _itemUnit, _userNorms, _itemNorms, _userGrads, _itemGrads;
    private readonly float[] _pos, _dPos, _weights, _posGrads, _block, _blockGrad;
    private readonly int[] _negUserIds, _negItemIds, _negRows;
    private readonly float[] _itemScores, _userScores, _largest, _activeGrads, _columnGrads, _pooled;
    private readonly int[] _activeColumns, _nzRows;
    private readonly float[] _nzWeights;

    // The prepared chunk: edges, in-batch negatives, user slots in use.
    private int _c, _batch, _userSlotCount;

    /// <summary>Test hook: called after each chunk is prepared, with the chunk's relation (−1 without relations), its edges and its negative items.</summary>
    internal Action<int, ReadOnlySpan<int>, ReadOnlySpan<int>>? ChunkPrepared { get; set; }

    public MixtureChunkWorker(GraphEmbeddingOptions options, EmbeddingTable users, EmbeddingTable items, int[] edgeUsers, int[] edgeItems,
        float[]? edgeWeights, AliasSampler? userSampler, AliasSampler? itemSampler, EmbeddingRandom random, MixtureRelations? relations = null)
    {
        var mix = options.Mixture;
        _options = options;
        _users = users;
        _items = items;
        _edgeUsers = edgeUsers;
        _edgeItems = edgeItems;
        _edgeWeights = edgeWeights;
        _userSampler = userSampler;
        _itemSampler = itemSampler;
        _random = random;
        _relations = relations;
        _relationStarts = new int[(relations?.Count ?? 0) + 1];
        _relationCursors = new int[relations?.Count ?? 0];
        _cs = mix.SourceComponents;
        _cd = mix.DestinationComponents;
        _stride = users.Stride;
        _sampled = options.UniformNegatives + options.DegreeNegatives;
        _twoSided = !mix.OneSidedNegatives;
        _positivePooling = mix.Pooling;
        _negativePooling = PoolingFunctions.NegativePooling(mix.Pooling);
        _gamma = mix.Gamma;
        _theta = mix.Theta;
        _margin = options.Margin;

        int chunk = options.ChunkSize, columns = options.BatchNegatives + _sampled;
        int userSlots = chunk + (_twoSided ? _sampled : 0), itemSlots = chunk + _sampled;
        int wide = Math.Max(_cs, _cd);
        _userSlots = new int[userSlots];
        _itemSlots = new int[itemSlots];
        _userRows = new float[userSlots * _cs * _stride];
        _userUnit = new float[_userRows.Length];
        _userGrads = new float[_userRows.Length];
        _userNorms = new float[userSlots * _cs];
        _itemRows = new float[itemSlots * _cd * _stride];
        _itemUnit = new float[_itemRows.Length];
        _itemGrads = new float[_itemRows.Length];
        _itemNorms = new float[itemSlots * _cd];
        _pos = new float[chunk];
        _dPos = new float[chunk];
        _weights = new float[chunk];
        _posGrads = new float[chunk * _cs * _cd];
        _block = new float[_cs * _cd];
        _blockGrad = new float[_cs * _cd];
        _negUserIds = new int[columns];
        _negItemIds = new int[columns];
        _negRows = new int[columns * wide];
        _itemScores = new float[chunk * _cs * columns * _cd];
        _userScores = _twoSided ? new float[chunk * _cd * columns * _cs] : [];
        _largest = new float[columns];
        _columnGrads = new float[wide * columns];
        _pooled = new float[columns];
        _activeColumns = new int[columns];
        _activeGrads = new float[columns * _cs * _cd];
        _nzRows = new int[Math.Max(chunk, columns) * wide];
        _nzWeights = new float[_nzRows.Length];
    }

    /// <summary>Raw user component rows of the prepared chunk (tests perturb them).</summary>
    internal float[] UserRows => _userRows;

    /// <summary>Raw item component rows of the prepared chunk.</summary>
    internal float[] ItemRows => _itemRows;

    /// <summary>dLoss/dRow of the user rows after <see cref="Backpropagate"/>.</summary>
    internal float[] UserGradients => _userGrads;

    /// <summary>dLoss/dRow of the item rows after <see cref="Backpropagate"/>.</summary>
    internal float[] ItemGradients => _itemGrads;

    /// <summary>Trains on the edges listed in <paramref name="edges"/>, chunk by chunk; returns the summed loss.</summary>
    public double Run(ReadOnlySpan<int> edges, int epoch, CancellationToken ct)
    {
        if (_relations != null) return RunByRelation(edges, epoch, ct);
        double loss = 0;
        int chunk = _options.ChunkSize;
        for (int start = 0; start < edges.Length; start += chunk)
        {
            if (ct.IsCancellationRequested) break;
            float lr = LearningRateSchedule.At(_options, epoch, start, edges.Length);
            Prepare(edges.Slice(start, Math.Min(chunk, edges.Length - start)));
            loss += Backpropagate();
            Update(lr);
        }
        return loss;
    }

    /// <summary>
    /// Trains on <paramref name="edges"/> grouped by relation (a stable counting sort, so each relation keeps the shuffled
    /// order), one relation per chunk; the next chunk comes from the relation that has done the smallest share of its edges.
    /// </summary>
    private double RunByRelation(ReadOnlySpan<int> edges, int epoch, CancellationToken ct)
    {
        var relations = _relations!;
        int count = relations.Count, chunk = _options.ChunkSize;
        var edgeRelations = relations.EdgeRelations;
        if (_grouped.Length < edges.Length) _grouped = new int[edges.Length];
        var starts = _relationStarts;
        var cursors = _relationCursors;
        Array.Clear(starts);
        foreach (int e in edges) starts[edgeRelations[e] + 1]++;
        for (int r = 0; r < count; r++) starts[r + 1] += starts[r];
        starts.AsSpan(0, count).CopyTo(cursors);
        foreach (int e in edges) _grouped[cursors[edgeRelations[e]]++] = e;
        starts.AsSpan(0, count).CopyTo(cursors);

        double loss = 0;
        for (int done = 0; done < edges.Length;)
        {
            if (ct.IsCancellationRequested) break;
            int next = -1;
            long nextDone = 0, nextSize = 1;
            for (int r = 0; r < count; r++)
            {
                long size = starts[r + 1] - starts[r], progress = cursors[r] - starts[r];
                if (progress == size) continue;
                // progress / size < nextDone / nextSize, without division.
                if (next < 0 || progress * nextSize < nextDone * size) (next, nextDone, nextSize) = (r, progress, size);
            }
            int length = Math.Min(chunk, starts[next + 1] - cursors[next]);
            float lr = LearningRateSchedule.At(_options, epoch, done, edges.Length);
            Prepare(_grouped.AsSpan(cursors[next], length), next);
            loss += Backpropagate();
            Update(lr);
            cursors[next] += length;
            done += length;
        }
        return loss;
    }

    /// <summary>Fills the slots of a chunk (edges, then sampled negatives) and gathers their raw rows.</summary>
    internal void Prepare(ReadOnlySpan<int> edges) => Prepare(edges, -1);

    /// <summary>
    /// Fills the slots of a chunk whose edges are all of relation <paramref name="relation"/> (−1: no relations; negatives
    /// over all items) and gathers their raw rows.
    /// </summary>
    internal void Prepare(ReadOnlySpan<int> edges, int relation)
    {
        int[]? destinations = relation < 0 ? null : _relations!.Destinations[relation];
        AliasSampler? itemSampler = relation < 0 ? _itemSampler : _relations!.DegreeSamplers[relation];
        int c = edges.Length;
        _c = c;
        _batch = Math.Min(_options.BatchNegatives, c);
        for (int j = 0; j < c; j++)
        {
            int e = edges[j];
            _userSlots[j] = _edgeUsers[e];
            _itemSlots[j] = _edgeItems[e];
            _weights[j] = _edgeWeights == null ? 1f : _edgeWeights[e];
        }
        int s = c;
        for (int t = 0; t < _options.UniformNegatives; t++, s++)
        {
            _itemSlots[s] = destinations == null ? _random.NextInt(_items.Rows / _cd) : destinations[_random.NextInt(destinations.Length)];
            if (_twoSided) _userSlots[s] = _random.NextInt(_users.Rows / _cs);
        }
        for (int t = 0; t < _options.DegreeNegatives; t++, s++)
        {
            _itemSlots[s] = destinations == null ? itemSampler!.Sample(ref _random) : destinations[itemSampler!.Sample(ref _random)];
            if (_twoSided) _userSlots[s] = _userSampler!.Sample(ref _random);
        }
        _userSlotCount = _twoSided ? s : c;
        int columns = _batch + _sampled;
        for (int n = 0; n < columns; n++)
        {
            int slot = n < _batch ? n : c + n - _batch;
            _negItemIds[n] = _itemSlots[slot];
            if (_twoSided) _negUserIds[n] = _userSlots[slot];
        }
        Gather(_users, _userSlots, _userSlotCount, _cs, _userRows);
        Gather(_items, _itemSlots, s, _cd, _itemRows);
        ChunkPrepared?.Invoke(relation, edges, _negItemIds.AsSpan(0, columns));
    }

    /// <summary>Loss of the prepared chunk and its gradients with respect to the gathered raw rows (the rows are not changed).</summary>
    internal double Backpropagate()
    {
        int c = _c, batch = _batch, sampled = _sampled, columns = batch + sampled, stride = _stride, cs = _cs, cd = _cd;
        int userRowCount = _userSlotCount * cs, itemRowCount = (c + sampled) * cd;
        UnitRows.Normalize(_userRows, _userUnit, _userNorms, userRowCount, stride);
        UnitRows.Normalize(_itemRows, _itemUnit, _itemNorms, itemRowCount, stride);
        _userGrads.AsSpan(0, userRowCount * stride).Clear();
        _itemGrads.AsSpan(0, itemRowCount * stride).Clear();

        // 1. Positives: pool each edge's C_s × C_d block, keeping dPool/dM.
        int pairs = cs * cd;
        ref float uu = ref MemoryMarshal.GetArrayDataReference(_userUnit);
        ref float iu = ref MemoryMarshal.GetArrayDataReference(_itemUnit);
        for (int j = 0; j < c; j++)
        {
            for (int a = 0; a < cs; a++)
                for (int l = 0; l < cd; l++)
                    _block[a * cd + l] = ChunkKernels.Dot(ref Unsafe.Add(ref uu, (j * cs + a) * stride), ref Unsafe.Add(ref iu, (j * cd + l) * stride), stride);
            _pos[j] = PoolingFunctions.Pool(_positivePooling, _block.AsSpan(0, pairs), _gamma, _theta, _posGrads.AsSpan(j * pairs, pairs));
        }
        var dPos = _dPos.AsSpan(0, c);
        dPos.Clear();

        // 2. Items corrupted: chunk users' components against the negative items' components.
        int itemLd = columns * cd;
        var itemScores = _itemScores.AsSpan(0, c * cs * itemLd);
        ScoreSide(_userUnit, c * cs, _itemUnit, c, cd, itemScores, itemLd);
        NegativeRows(c, cd);
        double loss = LossSide(itemScores, cs, cd, _itemSlots, _negItemIds, dPos, _userUnit, _itemUnit, _userGrads, _itemGrads);

        // 3. Users corrupted (two-sided only): chunk items' components against the negative users' components.
        if (_twoSided)
        {
            int userLd = columns * cs;
            var userScores = _userScores.AsSpan(0, c * cd * userLd);
            ScoreSide(_itemUnit, c * cd, _userUnit, c, cs, userScores, userLd);
            NegativeRows(c, cs);
            loss += LossSide(userScores, cd, cs, _userSlots, _negUserIds, dPos, _itemUnit, _userUnit, _itemGrads, _userGrads);
        }

        // 4. Positives: dLoss/dM = dLoss/dPos · dPool/dM, into both sides' unit gradients.
        ref float ug = ref MemoryMarshal.GetArrayDataReference(_userGrads);
        ref float ig = ref MemoryMarshal.GetArrayDataReference(_itemGrads);
        for (int j = 0; j < c; j++)
        {
            if (dPos[j] == 0f) continue;
            for (int a = 0; a < cs; a++)
            {
                for (int l = 0; l < cd; l++)
                {
                    float g = dPos[j] * _posGrads[j * pairs + a * cd + l];
                    if (g == 0f) continue;
                    int ur = (j * cs + a) * stride, ir = (j * cd + l) * stride;
                    ChunkKernels.AddScaled(ref Unsafe.Add(ref ug, ur), ref Unsafe.Add(ref iu, ir), g, stride);
                    ChunkKernels.AddScaled(ref Unsafe.Add(ref ig, ir), ref Unsafe.Add(ref uu, ur), g, stride);
                }
            }
        }

        // 5. Through the normalisation, to the raw rows.
        UnitRows.ChainRule(_userGrads, _userUnit, _userNorms, userRowCount, stride);
        UnitRows.ChainRule(_itemGrads, _itemUnit, _itemNorms, itemRowCount, stride);
        return loss;
    }

    /// <summary>Applies the gradients to the shared tables and puts every updated component back on the unit sphere.</summary>
    private void Update(float lr)
    {
        var optimizer = _options.Optimizer;
        Apply(_users, _userSlots, _userSlotCount, _cs, _userGrads, optimizer, lr);
        Apply(_items, _itemSlots, _c + _sampled, _cd, _itemGrads, optimizer, lr);
    }

    private void Apply(EmbeddingTable table, int[] slots, int count, int components, float[] gradients, EmbeddingOptimizer optimizer, float lr)
    {
        int stride = _stride;
        for (int t = 0; t < count; t++)
        {
            for (int a = 0; a < components; a++)
            {
                int row = slots[t] * components + a;
                var g = gradients.AsSpan((t * components + a) * stride, stride);
                RowUpdate.Apply(table, row, g, optimizer, lr);
                UnitRows.Project(table.Values.AsSpan(row * stride, stride));
            }
        }
    }

    private void Gather(EmbeddingTable table, int[] slots, int count, int components, float[] destination)
    {
        int block = components * _stride;
        for (int t = 0; t < count; t++) Array.Copy(table.Values, slots[t] * block, destination, t * block, block);
    }

    /// <summary>scores[r, q] = dot(anchor r, negative column q): in-batch negatives are slots 0..batch−1, sampled ones slots c...</summary>
    private void ScoreSide(float[] anchors, int anchorRows, float[] negatives, int c, int negativeComponents, Span<float> scores, int ld)
    {
        int stride = _stride, batchRows = _batch * negativeComponents;
        ChunkKernels.Scores(anchors, anchorRows, negatives, batchRows, stride, scores, ld);
        if (_sampled > 0)
            ChunkKernels.Scores(anchors, anchorRows, negatives.AsSpan(c * negativeComponents * stride), _sampled * negativeComponents, stride, scores.Slice(batchRows), ld);
    }

    /// <summary>The unit row of each negative column (component b of negative n), for the backward pass.</summary>
    private void NegativeRows(int c, int negativeComponents)
    {
        int columns = _batch + _sampled;
        for (int n = 0; n < columns; n++)
        {
            int slot = n < _batch ? n : c + n - _batch;
            for (int b = 0; b < negativeComponents; b++) _negRows[n * negativeComponents + b] = slot * negativeComponents + b;
        }
    }
}
