using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One thread's trainer: takes chunks of edges, draws the chunk's shared negatives, scores positives against them
/// with small matrix products, and applies the gradients to the shared tables. All buffers are allocated once, so
/// nothing is allocated per edge or per chunk.
/// </summary>
internal sealed class ChunkWorker
{
    private readonly GraphEmbeddingOptions _options;
    private readonly EmbeddingTable _users;
    private readonly EmbeddingTable _items;
    private readonly int[] _edgeUsers;
    private readonly int[] _edgeItems;
    private readonly float[]? _edgeWeights;
    private readonly AliasSampler? _userSampler;
    private readonly AliasSampler? _itemSampler;
    private readonly int _stride;
    private readonly int _sampled;
    private EmbeddingRandom _random;

    // Slot s < c holds the chunk's s-th edge; slots c..c+sampled-1 hold the sampled negatives.
    private readonly int[] _userSlots, _itemSlots;
    private readonly float[] _userRows, _itemRows, _userGrads, _itemGrads;
    private readonly float[] _pos, _dPos, _weights;
    private readonly int[] _negUserIds, _negItemIds, _negSlots;
    private readonly float[] _itemScores, _userScores;
    private readonly int[] _nzRows;
    private readonly float[] _nzWeights;
    private readonly float[] _lossScratch;
    private readonly float[]? _userLogQ, _itemLogQ;
    private readonly float[]? _userPenalty, _itemPenalty;
    private readonly float[] _sidePos;
    private readonly bool _cosine;
    private readonly float[] _userNorms, _itemNorms;

    public ChunkWorker(GraphEmbeddingOptions options, EmbeddingTable users, EmbeddingTable items,
        int[] edgeUsers, int[] edgeItems, float[]? edgeWeights, AliasSampler? userSampler, AliasSampler? itemSampler, EmbeddingRandom random,
        float[]? userLogQ = null, float[]? itemLogQ = null, float[]? userPenalty = null, float[]? itemPenalty = null)
    {
        _userPenalty = userPenalty;
        _itemPenalty = itemPenalty;
        _userLogQ = userLogQ;
        _itemLogQ = itemLogQ;
        _options = options;
        _users = users;
        _items = items;
        _edgeUsers = edgeUsers;
        _edgeItems = edgeItems;
        _edgeWeights = edgeWeights;
        _userSampler = userSampler;
        _itemSampler = itemSampler;
        _random = random;
        _stride = users.Stride;
        _sampled = options.UniformNegatives + options.DegreeNegatives;

        int chunk = options.ChunkSize;
        int slots = chunk + _sampled;
        int columns = options.BatchNegatives + _sampled;
        _userSlots = new int[slots];
        _itemSlots = new int[slots];
        _userRows = new float[slots * _stride];
        _itemRows = new float[slots * _stride];
        _userGrads = new float[slots * _stride];
        _itemGrads = new float[slots * _stride];
        _pos = new float[chunk];
        _dPos = new float[chunk];
        _weights = new float[chunk];
        _negUserIds = new int[columns];
        _negItemIds = new int[columns];
        _negSlots = new int[columns];
        _itemScores = new float[chunk * columns];
        _userScores = new float[chunk * columns];
        _nzRows = new int[Math.Max(chunk, columns)];
        _nzWeights = new float[Math.Max(chunk, columns)];
        _lossScratch = new float[columns];
        _sidePos = new float[chunk];
        _cosine = options.Loss == EmbeddingLoss.CosineContrastive;
        _userNorms = new float[_cosine ? slots : 0];
        _itemNorms = new float[_cosine ? slots : 0];
    }

    /// <summary>Trains on the edges listed in <paramref name="edges"/>, chunk by chunk; returns the summed loss.</summary>
    /// <param name="edges">Edge ids (positions in the edge arrays), already shuffled.</param>
    /// <param name="epoch">0-based epoch, for the SGD schedule.</param>
    /// <param name="ct">Checked between chunks; on cancellation the method returns early.</param>
    public double Run(ReadOnlySpan<int> edges, int epoch, CancellationToken ct)
    {
        double loss = 0;
        int chunk = _options.ChunkSize;
        for (int start = 0; start < edges.Length; start += chunk)
        {
            if (ct.IsCancellationRequested) break;
            float lr = LearningRateSchedule.At(_options, epoch, start, edges.Length);
            loss += TrainChunk(edges.Slice(start, Math.Min(chunk, edges.Length - start)), lr);
        }
        return loss;
    }

    private double TrainChunk(ReadOnlySpan<int> edges, float lr)
    {
        int c = edges.Length, stride = _stride, sampled = _sampled;
        int batch = Math.Min(_options.BatchNegatives, c);
        int columns = batch + sampled;
        int slots = c + sampled;

        // 1. Slots: the chunk's own users/items, then the sampled negatives (shared by the whole chunk).
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
            _userSlots[s] = _random.NextInt(_users.Rows);
            _itemSlots[s] = _random.NextInt(_items.Rows);
        }
        for (int t = 0; t < _options.DegreeNegatives; t++, s++)
        {
            _userSlots[s] = _userSampler!.Sample(ref _random);
            _itemSlots[s] = _itemSampler!.Sample(ref _random);
        }

        // Negative columns: in-batch ones are slots 0..batch-1, sampled ones slots c..c+sampled-1.
        for (int n = 0; n < columns; n++)
        {
            int slot = n < batch ? n : c + n - batch;
            _negSlots[n] = slot;
            _negUserIds[n] = _userSlots[slot];
            _negItemIds[n] = _itemSlots[slot];
        }

        // 2. Gather a snapshot of the rows (other threads may write the tables meanwhile).
        Gather(_users, _userSlots, slots, _userRows);
        Gather(_items, _itemSlots, slots, _itemRows);
        if (_cosine)
        {
            // Cosine scores: the products below run on unit rows; their norms carry the gradients back (step 5).
            Normalize(_userRows, slots, _userNorms);
            Normalize(_itemRows, slots, _itemNorms);
        }

        // 3. Scores: positives, items corrupted (chunk users × negative items), users corrupted (chunk items × negative users).
        ref float ur = ref MemoryMarshal.GetArrayDataReference(_userRows);
        ref float ir = ref MemoryMarshal.GetArrayDataReference(_itemRows);
        for (int j = 0; j < c; j++)
            _pos[j] = ChunkKernels.Dot(ref Unsafe.Add(ref ur, j * stride), ref Unsafe.Add(ref ir, j * stride), stride);
        var itemScores = _itemScores.AsSpan(0, c * columns);
        var userScores = _userScores.AsSpan(0, c * columns);
        ScoreAgainstNegatives(_userRows, _itemRows, c, batch, sampled, itemScores, columns);
        ScoreAgainstNegatives(_itemRows, _userRows, c, batch, sampled, userScores, columns);

        // 4. Loss and dLoss/dScore, both sides sharing the positive.
        var dPos = _dPos.AsSpan(0, c);
        dPos.Clear();
        var kind = _options.Loss;
        double loss = ChunkLoss.Apply(kind, _options.Margin, _options.NegativeWeight, SidePositives(_itemLogQ, _itemSlots, c, itemScores, _negItemIds, columns), itemScores,
                          _itemSlots.AsSpan(0, c), _negItemIds.AsSpan(0, columns), _weights, dPos, _lossScratch)
                    + ChunkLoss.Apply(kind, _options.Margin, _options.NegativeWeight, SidePositives(_userLogQ, _userSlots, c, userScores, _negUserIds, columns), userScores,
                          _userSlots.AsSpan(0, c), _negUserIds.AsSpan(0, columns), _weights, dPos, _lossScratch);

        // 5. Back-propagate into per-slot gradients.
        _userGrads.AsSpan(0, slots * stride).Clear();
        _itemGrads.AsSpan(0, slots * stride).Clear();
        ref float ug = ref MemoryMarshal.GetArrayDataReference(_userGrads);
        ref float ig = ref MemoryMarshal.GetArrayDataReference(_itemGrads);
        for (int j = 0; j < c; j++)
        {
            if (dPos[j] == 0f) continue;
            ChunkKernels.AddScaled(ref Unsafe.Add(ref ug, j * stride), ref Unsafe.Add(ref ir, j * stride), dPos[j], stride);
            ChunkKernels.AddScaled(ref Unsafe.Add(ref ig, j * stride), ref Unsafe.Add(ref ur, j * stride), dPos[j], stride);
        }
        Backward(itemScores, c, columns, _userRows, _itemRows, _userGrads, _itemGrads);
        Backward(userScores, c, columns, _itemRows, _userRows, _itemGrads, _userGrads);
        if (_cosine)
        {
            ThroughNormalization(_userGrads, _userRows, _userNorms, slots);
            ThroughNormalization(_itemGrads, _itemRows, _itemNorms, slots);
        }

        // L2 penalty: each edge of the chunk pulls its own user and item towards 0 (never the sampled negatives, so that
        // a row's total penalty per epoch follows its degree as configured).
        if (_userPenalty != null)
        {
            for (int j = 0; j < c; j++)
            {
                VectorMath.AddScaled(_userGrads.AsSpan(j * stride, stride), _userRows.AsSpan(j * stride, stride), _userPenalty[_userSlots[j]]);
                VectorMath.AddScaled(_itemGrads.AsSpan(j * stride, stride), _itemRows.AsSpan(j * stride, stride), _itemPenalty![_itemSlots[j]]);
            }
        }

        // 6. Update the shared tables.
        var optimizer = _options.Optimizer;
        for (int t = 0; t < slots; t++)
        {
            RowUpdate.Apply(_users, _userSlots[t], _userGrads.AsSpan(t * stride, stride), optimizer, lr);
            RowUpdate.Apply(_items, _itemSlots[t], _itemGrads.AsSpan(t * stride, stride), optimizer, lr);
        }
        return loss;
    }

    /// <summary>
    /// The positives' scores as one side's loss sees them: as they are, or, with the popularity correction, every logit
    /// (positives and the side's negative columns, corrected in place) minus log q of its entity. The shift is a
    /// constant of the parameters, so the gradients with respect to the scores are unchanged.
    /// </summary>
    private ReadOnlySpan<float> SidePositives(float[]? logQ, int[] slots, int c, Span<float> scores, int[] negIds, int columns)
    {
        if (logQ == null) return _pos.AsSpan(0, c);
        var pos = _sidePos.AsSpan(0, c);
        for (int j = 0; j < c; j++)
        {
            pos[j] = _pos[j] - logQ[slots[j]];
            var row = scores.Slice(j * columns, columns);
            for (int n = 0; n < columns; n++) row[n] -= logQ[negIds[n]];
        }
        return pos;
    }

    private void Normalize(float[] rows, int count, float[] norms)
    {
        for (int t = 0; t < count; t++) norms[t] = VectorMath.NormalizeInPlace(rows.AsSpan(t * _stride, _stride));
    }

    /// <summary>
    /// Turns gradients with respect to unit rows x̂ = x / |x| into gradients with respect to x:
    /// g ← (g − x̂ (x̂ · g)) / |x| (the component along x̂ does not change the cosine). A zero row gets no gradient.
    /// </summary>
    private void ThroughNormalization(float[] grads, float[] unitRows, float[] norms, int count)
    {
        int stride = _stride;
        for (int t = 0; t < count; t++)
        {
            var g = grads.AsSpan(t * stride, stride);
            var x = unitRows.AsSpan(t * stride, stride);
            float norm = norms[t];
            if (norm == 0f) { g.Clear(); continue; }
            float along = VectorMath.Dot(x, g);
            VectorMath.AddScaled(g, x, -along);
            System.Numerics.Tensors.TensorPrimitives.Multiply(g, 1f / norm, g);
        }
    }

    private void Gather(EmbeddingTable table, int[] rows, int count, float[] destination)
    {
        int stride = _stride;
        var values = table.Values;
        for (int t = 0; t < count; t++)
            Array.Copy(values, rows[t] * stride, destination, t * stride, stride);
    }

    /// <summary>scores[j, n] = dot(anchor[j], negative column n), the columns being in-batch then sampled slots.</summary>
    private void ScoreAgainstNegatives(float[] anchors, float[] negatives, int c, int batch, int sampled, Span<float> scores, int columns)
    {
        int stride = _stride;
        ChunkKernels.Scores(anchors, c, negatives, batch, stride, scores, columns);
        if (sampled > 0)
            ChunkKernels.Scores(anchors, c, negatives.AsSpan(c * stride), sampled, stride, scores.Slice(batch), columns);
    }

    /// <summary>Back-propagates one side's dLoss/dScore into the per-slot gradients (<see cref="ChunkKernels.BackwardSparse"/>).</summary>
    private void Backward(ReadOnlySpan<float> g, int c, int columns, float[] anchors, float[] negatives, float[] anchorGrads, float[] negativeGrads) =>
        ChunkKernels.BackwardSparse(g, c, columns, _negSlots, anchors, negatives, anchorGrads, negativeGrads, _stride, _nzRows, _nzWeights);
}
