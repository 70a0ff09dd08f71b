using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The .NET half of round-robin serving with ONNX Runtime: turns the encoder's weights and clusters and the
/// <see cref="RoundRobinOnnxExporter"/> scorer's per-component lists into final lists, with the merge
/// <see cref="RoundRobinRetriever"/> itself runs (sum an item's fetched components, rank per component, keep
/// <c>max_c w_c / rank_c</c>, ties to the earlier component, then the lower item row). It takes the scorer's per-component
/// lists as they are, so its lists are the retriever's only where ONNX Runtime's float sums do not reorder a near-tie;
/// <see cref="OnnxRoundRobinScorer"/> first turns each component's candidates into the engine's list, and is exact.
/// </summary>
public static class RoundRobinOnnxMerge
{
    /// <summary>Merges one batch.</summary>
    /// <param name="clusters">Encoder output <c>[batch, m]</c>: -1 marks padding components (they are skipped).</param>
    /// <param name="weights">Encoder output <c>[batch, m]</c> weights.</param>
    /// <param name="rows">Scorer output <c>[batch, m, F]</c> item component rows, -1 past the end.</param>
    /// <param name="scores">Scorer output <c>[batch, m, F]</c>.</param>
    /// <param name="batch">Users in the batch.</param>
    /// <param name="components">m, components per user (padded).</param>
    /// <param name="destinationComponents">C_d the scorer was exported with.</param>
    /// <param name="itemCount">I, the number of items.</param>
    /// <param name="cutoff">K, the list length: at most the scorer's exported K (F / C_d, or I).</param>
    /// <returns>One list per user of the batch, scores <c>w_c / rank_c</c>.</returns>
    public static RankedLists Merge(ReadOnlySpan<long> clusters, ReadOnlySpan<double> weights, ReadOnlySpan<long> rows, ReadOnlySpan<float> scores,
        int batch, int components, int destinationComponents, int itemCount, int cutoff)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be non-negative.");
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "components (m) must be at least 1.");
        if (destinationComponents < 1) throw new ArgumentOutOfRangeException(nameof(destinationComponents), destinationComponents, "destinationComponents (C_d) must be at least 1.");
        if (itemCount < 1) throw new ArgumentOutOfRangeException(nameof(itemCount), itemCount, "itemCount must be at least 1.");
        if (clusters.Length != batch * components || weights.Length != batch * components)
            throw new ArgumentException($"clusters and weights must hold batch x m = {batch * components} values.", nameof(clusters));
        int lists = batch * components;
        if (rows.Length != scores.Length || (lists == 0 ? rows.Length != 0 : rows.Length % lists != 0))
            throw new ArgumentException("rows and scores must both be [batch, m, F].", nameof(rows));
        int fetch = lists == 0 ? destinationComponents * cutoff : rows.Length / lists;
        int maxCutoff = fetch >= itemCount * destinationComponents ? itemCount : fetch / destinationComponents;
        if (cutoff < 1 || cutoff > maxCutoff)
            throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff, $"cutoff (K) must be within 1..{maxCutoff}, the K the scorer was exported for.");

        var result = new RankedLists(batch, cutoff);
        var nearest = new RankedLists(components, Math.Max(fetch, 1));
        var scratch = new RoundRobinRetriever.MergeScratch(itemCount, Math.Max(fetch, 1), cutoff);
        var userWeights = new double[components];
        for (int q = 0; q < batch; q++)
        {
            int n = 0;
            for (int c = 0; c < components; c++)
            {
                if (clusters[q * components + c] < 0) continue;
                userWeights[n] = weights[q * components + c];
                var from = rows.Slice((q * components + c) * fetch, fetch);
                var values = scores.Slice((q * components + c) * fetch, fetch);
                var slots = nearest.IndexSlots(n);
                var scoreSlots = nearest.ScoreSlots(n);
                int count = 0;
                while (count < fetch && from[count] >= 0)
                {
                    if (from[count] >= (long)itemCount * destinationComponents)
                        throw new ArgumentException($"Item component row {from[count]} is beyond the {itemCount} x {destinationComponents} rows.", nameof(rows));
                    slots[count] = (int)from[count];
                    scoreSlots[count] = values[count];
                    count++;
                }
                nearest.Counts[n] = count;
                n++;
            }
            result.Counts[q] = RoundRobinRetriever.Merge(nearest, 0, userWeights.AsSpan(0, n), cutoff, destinationComponents, itemCount,
                result.IndexSlots(q), result.ScoreSlots(q), scratch);
        }
        return result;
    }
}
