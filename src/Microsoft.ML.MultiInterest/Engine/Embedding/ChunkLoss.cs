using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The losses of <see cref="EmbeddingLoss"/> on one side of a chunk: every positive j (score <c>pos[j]</c>) against the
/// shared negatives n (scores <c>scores[j, n]</c>). Turns the score matrix in place into dLoss/dScore and adds
/// dLoss/dPos into <c>dPos</c>. A negative that is the positive's own entity (an in-batch negative on the
/// diagonal, or a sampled duplicate) is masked: it gets no loss and no gradient.
/// </summary>
internal static class ChunkLoss
{
    /// <summary>Applies the loss; returns the chunk's weighted loss.</summary>
    /// <param name="kind">Which loss.</param>
    /// <param name="margin">Margin of the ranking and cosine contrastive losses.</param>
    /// <param name="negativeWeight">Weight w of the cosine contrastive loss's negatives (their mean, times w).</param>
    /// <param name="pos">Positive scores, one per edge of the chunk.</param>
    /// <param name="scores">Negative scores, row-major <c>pos.Length × negIds.Length</c>; overwritten with gradients.</param>
    /// <param name="posIds">The corrupted side's entity of each positive edge (for masking).</param>
    /// <param name="negIds">The entity of each negative column.</param>
    /// <param name="weights">Edge weights (scale each edge's whole loss).</param>
    /// <param name="dPos">Receives the gradient with respect to each positive score (added).</param>
    /// <param name="scratch">Work space of at least <c>negIds.Length</c> floats.</param>
    public static double Apply(EmbeddingLoss kind, float margin, float negativeWeight, ReadOnlySpan<float> pos, Span<float> scores,
        ReadOnlySpan<int> posIds, ReadOnlySpan<int> negIds, ReadOnlySpan<float> weights, Span<float> dPos, Span<float> scratch)
    {
        int c = pos.Length, n = negIds.Length;
        double total = 0;
        for (int j = 0; j < c; j++)
        {
            var row = scores.Slice(j * n, n);
            int self = posIds[j];
            float w = weights[j];
            total += kind switch
            {
                EmbeddingLoss.Ranking => Ranking(margin, pos[j], row, self, negIds, w, ref dPos[j]),
                EmbeddingLoss.Logistic => Logistic(pos[j], row, self, negIds, w, w / n, scratch, ref dPos[j]),
                EmbeddingLoss.CosineContrastive => CosineContrastive(margin, pos[j], row, self, negIds, w, w * negativeWeight / n, ref dPos[j]),
                _ => Softmax(pos[j], row, self, negIds, w, ref dPos[j]),
            };
        }
        return total;
    }

    private static double Ranking(float margin, float pos, Span<float> row, int self, ReadOnlySpan<int> negIds, float w, ref float dPos)
    {
        float threshold = pos - margin; // a negative is violated when it scores above pos − margin
        double loss = 0;
        int violated = 0;
        for (int n = 0; n < row.Length; n++)
        {
            float s = row[n];
            if (s > threshold && negIds[n] != self)
            {
                loss += s - threshold;
                row[n] = w;
                violated++;
            }
            else
            {
                row[n] = 0f;
            }
        }
        dPos -= w * violated;
        return w * loss;
    }

    private static double CosineContrastive(float margin, float pos, Span<float> row, int self, ReadOnlySpan<int> negIds, float w, float negWeight, ref float dPos)
    {
        double loss = 0;
        for (int n = 0; n < row.Length; n++)
        {
            float s = row[n];
            if (s > margin && negIds[n] != self)
            {
                loss += s - margin;
                row[n] = negWeight;
            }
            else
            {
                row[n] = 0f;
            }
        }
        dPos -= w;
        return w * (1 - pos) + negWeight * loss;
    }

    private static double Logistic(float pos, Span<float> row, int self, ReadOnlySpan<int> negIds, float w, float negWeight, Span<float> scratch, ref float dPos)
    {
        // Negatives are averaged (weight 1/N, as PyTorch-BigGraph does): summed, a hundred negatives outvote the
        // positive and training collapses towards scoring everything low.
        // Vectorised: e = exp(min(s, 30)); σ(s) = e / (1 + e); softplus(s) = log(1 + e). The clamp only keeps exp finite.
        scratch = scratch.Slice(0, row.Length);
        TensorPrimitives.Min(row, 30f, row);
        TensorPrimitives.Exp(row, row);
        TensorPrimitives.Add(row, 1f, scratch);
        TensorPrimitives.Divide(row, scratch, row);
        TensorPrimitives.Log(scratch, scratch);
        double negLoss = TensorPrimitives.Sum(scratch);
        for (int n = 0; n < row.Length; n++)
        {
            if (negIds[n] != self) continue;
            negLoss -= scratch[n];
            row[n] = 0f;
        }
        TensorPrimitives.Multiply(row, negWeight, row);
        dPos -= w * Sigmoid(-pos);
        return w * Softplus(-pos) + negWeight * negLoss;
    }

    private static double Softmax(float pos, Span<float> row, int self, ReadOnlySpan<int> negIds, float w, ref float dPos)
    {
        // Shift by the largest score so that no exponential overflows.
        float max = pos;
        for (int n = 0; n < row.Length; n++)
            if (row[n] > max && negIds[n] != self) max = row[n];
        float ePos = MathF.Exp(pos - max);
        float z = ePos;
        for (int n = 0; n < row.Length; n++)
        {
            if (negIds[n] == self) { row[n] = 0f; continue; }
            float e = MathF.Exp(row[n] - max);
            row[n] = e;
            z += e;
        }
        float scale = w / z;
        for (int n = 0; n < row.Length; n++) row[n] *= scale;
        dPos += w * (ePos / z - 1f);
        return w * (Math.Log(z) + max - pos);
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static float Softplus(float x) => x > 0 ? x + MathF.Log(1f + MathF.Exp(-x)) : MathF.Log(1f + MathF.Exp(x));
}
