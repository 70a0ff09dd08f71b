using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The negatives' half of <see cref="MixtureChunkWorker.Backpropagate"/>: pooling, hinge, and the sparse backward pass.</summary>
internal sealed partial class MixtureChunkWorker
{
    /// <summary>
    /// Pools every (edge, negative) block with the negative pooling, applies the hinge against the edge's positive and
    /// back-propagates each active block straight into the row gradients: the anchors' rows get Σ dLoss/dM · negative row,
    /// the negatives' rows Σ dLoss/dM · anchor row. Both poolings of negatives are at most the block's largest cosine, so a
    /// block whose largest entry does not reach pos − margin is inactive without pooling it; once training has separated
    /// most negatives, most blocks end there, and only the active ones cost more than a comparison (no score-sized
    /// gradient matrix is cleared or scanned). The negative that is the edge's own entity is skipped.
    /// </summary>
    private double LossSide(ReadOnlySpan<float> scores, int anchorComponents, int negativeComponents, int[] positiveIds, int[] negativeIds,
        Span<float> dPos, float[] anchors, float[] negatives, float[] anchorGrads, float[] negativeGrads)
    {
        int ld = (_batch + _sampled) * negativeComponents, edgeScores = anchorComponents * ld;
        bool byColumns = negativeComponents == 1 && _negativePooling == MixturePooling.Smoothmax;
        double loss = 0;
        for (int j = 0; j < _c; j++)
        {
            float w = _weights[j], threshold = _pos[j] - _margin;
            var rows = scores.Slice(j * edgeScores, edgeScores);
            int count = byColumns
                ? SmoothmaxEdge(rows, anchorComponents, threshold, w, positiveIds[j], negativeIds, ref loss)
                : BlockEdge(rows, anchorComponents, negativeComponents, threshold, w, positiveIds[j], negativeIds, ref loss);
            if (count == 0) continue;
            dPos[j] -= w * count;
            BackwardEdge(j, count, anchorComponents, negativeComponents, anchors, negatives, anchorGrads, negativeGrads, _stride);
        }
        return loss;
    }

    /// <summary>
    /// One edge's blocks in general (any number of negative components, any pooling): each block whose largest cosine
    /// reaches the threshold is pooled on its own (<see cref="PoolingFunctions.Pool"/>), the active ones' weighted dLoss/dM
    /// written to <c>_activeGrads</c> and their columns to <c>_activeColumns</c>. Returns how many are active.
    /// </summary>
    private int BlockEdge(ReadOnlySpan<float> rows, int anchorComponents, int negativeComponents, float threshold, float w, int self, int[] negativeIds,
        ref double loss)
    {
        int columns = _batch + _sampled, ld = columns * negativeComponents, pairs = anchorComponents * negativeComponents;
        var block = _block.AsSpan(0, pairs);
        var largest = _largest.AsSpan(0, columns);
        BlockMaxima(rows, anchorComponents, negativeComponents, columns, largest);
        int count = 0;
        for (int n = 0; n < columns; n++)
        {
            if (largest[n] <= threshold || negativeIds[n] == self) continue;
            for (int a = 0, at = n * negativeComponents, k = 0; a < anchorComponents; a++, at += ld)
                for (int b = 0; b < negativeComponents; b++, k++) block[k] = rows[at + b];
            var blockGrad = _activeGrads.AsSpan(count * pairs, pairs);
            float hinge = PoolingFunctions.Pool(_negativePooling, block, _gamma, 0f, blockGrad) - threshold;
            if (hinge <= 0f) continue;
            loss += w * hinge;
            if (w != 1f) TensorPrimitives.Multiply(blockGrad, w, blockGrad);
            _activeColumns[count++] = n;
        }
        return count;
    }

    /// <summary>
    /// One edge's blocks when each is a column (one negative component) pooled by smoothmax: every column pooled, with its
    /// derivatives, at once in vectors (<see cref="PoolingFunctions.SmoothmaxColumns"/>), then the active ones' weighted
    /// dLoss/dM written to <c>_activeGrads</c> and their columns to <c>_activeColumns</c>. Returns how many are active.
    /// </summary>
    private int SmoothmaxEdge(ReadOnlySpan<float> rows, int anchorComponents, float threshold, float w, int self, int[] negativeIds, ref double loss)
    {
        int columns = _batch + _sampled;
        var pooled = _pooled.AsSpan(0, columns);
        var gradients = _columnGrads.AsSpan(0, anchorComponents * columns);
        PoolingFunctions.SmoothmaxColumns(rows, anchorComponents, columns, _gamma, pooled, gradients);
        int count = 0;
        for (int n = 0; n < columns; n++)
        {
            float hinge = pooled[n] - threshold;
            if (hinge <= 0f || negativeIds[n] == self) continue;
            loss += w * hinge;
            int at = count * anchorComponents;
            for (int a = 0; a < anchorComponents; a++) _activeGrads[at + a] = w * gradients[a * columns + n];
            _activeColumns[count++] = n;
        }
        return count;
    }

    /// <summary>largest[n] = the largest cosine of edge block n (the pooled value's upper bound).</summary>
    private static void BlockMaxima(ReadOnlySpan<float> rows, int anchorComponents, int negativeComponents, int columns, Span<float> largest)
    {
        int ld = columns * negativeComponents;
        if (negativeComponents == 1)
        {
            rows.Slice(0, columns).CopyTo(largest);
            for (int a = 1; a < anchorComponents; a++) TensorPrimitives.Max(largest, rows.Slice(a * ld, columns), largest);
            return;
        }
        for (int n = 0; n < columns; n++)
        {
            float m = float.NegativeInfinity;
            for (int a = 0, at = n * negativeComponents; a < anchorComponents; a++, at += ld)
                for (int b = 0; b < negativeComponents; b++) m = MathF.Max(m, rows[at + b]);
            largest[n] = m;
        }
    }

    /// <summary>
    /// Adds edge <paramref name="j"/>'s active blocks (columns in <c>_activeColumns</c>, dLoss/dM in <c>_activeGrads</c>) to
    /// the row gradients: each anchor component's row gets its weighted negatives in one pass, each negative
    /// component's row its weighted anchor components.
    /// </summary>
    private void BackwardEdge(int j, int count, int anchorComponents, int negativeComponents, float[] anchors, float[] negatives,
        float[] anchorGrads, float[] negativeGrads, int stride)
    {
        int pairs = anchorComponents * negativeComponents, anchorFirst = j * anchorComponents;
        var rows = _nzRows;
        var weights = _nzWeights;
        for (int a = 0; a < anchorComponents; a++)
        {
            int t = 0;
            for (int i = 0; i < count; i++)
            {
                int n = _activeColumns[i];
                for (int b = 0; b < negativeComponents; b++)
                {
                    rows[t] = _negRows[n * negativeComponents + b];
                    weights[t++] = _activeGrads[i * pairs + a * negativeComponents + b];
                }
            }
            ChunkKernels.AddWeightedRows(anchorGrads.AsSpan((anchorFirst + a) * stride, stride), negatives, rows, weights, t, stride);
        }
        for (int a = 0; a < anchorComponents; a++) rows[a] = anchorFirst + a;
        for (int i = 0; i < count; i++)
        {
            int n = _activeColumns[i];
            for (int b = 0; b < negativeComponents; b++)
            {
                for (int a = 0; a < anchorComponents; a++) weights[a] = _activeGrads[i * pairs + a * negativeComponents + b];
                ChunkKernels.AddWeightedRows(negativeGrads.AsSpan(_negRows[n * negativeComponents + b] * stride, stride), anchors, rows, weights,
                    anchorComponents, stride);
            }
        }
    }
}
