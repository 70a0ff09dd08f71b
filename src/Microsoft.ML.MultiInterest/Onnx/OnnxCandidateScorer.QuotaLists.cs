using System.Runtime.CompilerServices;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>The quota lists laid out from the rankings proved from ONNX Runtime's candidates, as the engine lays them out.</summary>
public sealed partial class OnnxCandidateScorer
{
    /// <summary>
    /// One batch of the quota path: who is served and what ONNX Runtime returned for them. <paramref name="Mixture"/> holds the
    /// user vectors, clusters, queries, quotas and weights (the encoder's outputs, or tables built in .NET, in that order);
    /// <paramref name="Found"/> the quota scorer's component and fallback candidates (rows, scores); <paramref name="M"/> the
    /// components per user of both (the trained users' scorer's, or the fresh histories' own).
    /// </summary>
    private sealed record QuotaBatch(IReadOnlyList<int> Users, int Start, int Batch, BipartiteGraph? Exclusions,
        IReadOnlyList<OrtValue> Mixture, IReadOnlyList<OrtValue> Found, RankedLists? Result, int M)
    {
        public ReadOnlySpan<float> UserVectors => Mixture[0].GetTensorDataAsSpan<float>();

        public ReadOnlySpan<long> Clusters => Mixture[1].GetTensorDataAsSpan<long>();

        public ReadOnlySpan<float> Queries => Mixture[2].GetTensorDataAsSpan<float>();

        public ReadOnlySpan<long> Quotas => Mixture[3].GetTensorDataAsSpan<long>();

        public ReadOnlySpan<double> Weights => Mixture[4].GetTensorDataAsSpan<double>();

        public ReadOnlySpan<long> CandidateRows => Found[0].GetTensorDataAsSpan<long>();

        public ReadOnlySpan<float> CandidateScores => Found[1].GetTensorDataAsSpan<float>();

        /// <summary>The fallback's candidates; empty when the quota graph ran cut to the components' (no unimodal head).</summary>
        public ReadOnlySpan<long> FallbackRows => Found.Count > 2 ? Found[2].GetTensorDataAsSpan<long>() : default;

        public ReadOnlySpan<float> FallbackScores => Found.Count > 2 ? Found[3].GetTensorDataAsSpan<float>() : default;
    }

    /// <summary>
    /// The quota scorer's candidates for a batch's mixture values: the user vectors, clusters, queries and quotas
    /// (<paramref name="mixture"/>'s first four), and the mask when the graph takes one. Per component, and the fallback's
    /// where the caller reads it for every user (<paramref name="fallbackForAll"/>, or a directory with a unimodal head); else
    /// the components' alone, from the graph cut to them, and <see cref="ServeQuota"/> ranks the fill of a short list with the engine.
    /// <paramref name="fresh"/>: the batch is fresh histories, scored by their own scorer where the directory has one.
    /// </summary>
    private IDisposableReadOnlyCollection<OrtValue> RunQuotaScorer(RunOptions options, IReadOnlyList<OrtValue> mixture, OrtValue? mask, bool fallbackForAll, bool fresh = false)
    {
        var (whole, components) = fresh && _historyQuotaScorer != null ? (_historyQuotaScorer, _historyQuotaComponents) : (_quotaScorer!, _quotaComponents);
        bool cut = !fallbackForAll && components != null;
        var session = cut ? components! : whole;
        var names = new List<string>();
        var values = new List<OrtValue>();
        string[] inputs = [UserEmbeddingName, MixtureClustersName, MixtureEmbeddingsName, QuotasName];
        for (int i = 0; i < inputs.Length; i++)
        {
            // The cut graph may not read every input (the user vectors rank only the fallback).
            if (!session.InputMetadata.ContainsKey(inputs[i])) continue;
            names.Add(inputs[i]);
            values.Add(mixture[i]);
        }
        if (mask != null && session.InputMetadata.ContainsKey(ExclusionMaskInput))
        {
            names.Add(ExclusionMaskInput);
            values.Add(mask);
        }
        return cut
            ? session.Run(options, names, values, [ComponentCandidateRowsOutput, ComponentCandidateScoresOutput])
            : session.Run(options, names, values, [ComponentCandidateRowsOutput, ComponentCandidateScoresOutput, FallbackCandidateRowsOutput, FallbackCandidateScoresOutput]);
    }

    /// <summary>
    /// A session of <paramref name="quotaScorer"/> cut to its component candidates (<see cref="OnnxGraphPruning"/>); it was
    /// opened whole just before, and the bytes cut are the ones the opening verified (<see cref="OnnxVerifiedOpening"/>).
    /// </summary>
    private static InferenceSession OpenComponentsOnly(string directory, OnnxServingGraph quotaScorer, OnnxSessionFactory? sessions, OnnxSharedTables? shared = null)
    {
        string path = Path.Combine(directory, quotaScorer.File);
        byte[] cut = OnnxGraphPruning.KeepOutputs(OnnxVerifiedOpening.ReadAllBytes(path), [ComponentCandidateRowsOutput, ComponentCandidateScoresOutput]);
        // The cut keeps the file's references to its side file (ONNX external data), resolved in the file's folder.
        sessions ??= new OnnxSessionFactory();
        // The cut holds the item table as its whole graph does: given the same shared one.
        return OnnxVerifiedOpening.CreateSession(sessions, cut, path, shared, quotaScorer.File);
    }

    /// <summary>
    /// The engine's list for every user of the batch: the unimodal head (if exported with one), then each component takes
    /// its quota, cut and handed on as <see cref="ClusterQuotaRetriever"/> (or, for a conditional directory,
    /// <see cref="ConditionalRetriever"/>) does, from its proved ranking; lists the components cannot fill take the unimodal ranking.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ServeQuota(QuotaBatch b, Worker worker)
    {
        int listLength = Manifest.Candidates, m = b.M, d = Manifest.Dimension, k = ComponentCandidates, kFallback = CatalogueCandidates;
        int headSlots = Manifest.HeadSlots;
        bool extrasAfterQuotas = Manifest.IsConditional;
        var userVectors = b.UserVectors;
        var clusters = b.Clusters;
        var queries = b.Queries;
        var quotas = b.Quotas;
        var candidateRows = b.CandidateRows;
        var candidateScores = b.CandidateScores;
        var fallbackRows = b.FallbackRows;
        var fallbackScores = b.FallbackScores;
        var take = worker.Take;
        var granted = worker.Granted;
        var available = worker.Available;
        var counts = worker.CandidateCounts;
        worker.ShortLists.Clear();
        for (int q = 0; q < b.Batch; q++)
        {
            int position = b.Start + q, user = b.Users[position];
            var outItems = b.Result!.IndexSlots(position);
            var outScores = b.Result.ScoreSlots(position);
            var userFallbackRows = fallbackRows.IsEmpty ? default : fallbackRows.Slice(q * kFallback, kFallback);
            var userFallbackScores = fallbackScores.IsEmpty ? default : fallbackScores.Slice(q * kFallback, kFallback);
            // The unimodal head: the engine's fallback's first H items. The graph masked its own head out of the components;
            // if that is another set (a near-tie at the head's end), the components are ranked by the engine instead.
            int fallbackCount = -1, written = 0;
            bool rankByEngine = false;
            if (headSlots > 0)
            {
                fallbackCount = worker.Rerank.Catalogue(userVectors.Slice(q * d, d), user, userFallbackRows, userFallbackScores, b.Exclusions, worker.Fallback, worker.FallbackScores);
                written = Math.Min(headSlots, fallbackCount);
                worker.Fallback.AsSpan(0, written).CopyTo(outItems);
                worker.FallbackScores.AsSpan(0, written).CopyTo(outScores);
                rankByEngine = !SameHead(worker.Fallback.AsSpan(0, written), userFallbackRows[..headSlots], userFallbackScores[..headSlots]);
            }
            var head = worker.Fallback.AsSpan(0, written);
            // Components are stored by weight; padding (cluster -1) follows the real ones.
            int n = 0;
            while (n < m && clusters[q * m + n] >= 0) n++;
            for (int j = 0; j < n; j++)
            {
                take[j] = checked((int)quotas[q * m + j]);
                counts[j] = rankByEngine
                    ? worker.Rerank.ScanComponent(queries.Slice((q * m + j) * d, d), checked((int)clusters[q * m + j]), user, b.Exclusions, head,
                        worker.ComponentRanking(j), worker.ComponentRankingScores(j))
                    : OnnxRerank.Finite(candidateScores.Slice((q * m + j) * k, k));
                available[j] = Math.Min(listLength, counts[j]);
                granted[j] = Math.Min(take[j], available[j]);
            }
            ClusterQuotaRetriever.HandOff(take.AsSpan(0, n), available.AsSpan(0, n));
            // Each component's ranking, as far as the list takes it.
            for (int j = 0; j < n && !rankByEngine; j++)
            {
                if (take[j] == 0) continue;
                int slot = (q * m + j) * k;
                worker.Rerank.Component(queries.Slice((q * m + j) * d, d), checked((int)clusters[q * m + j]), candidateRows.Slice(slot, k), candidateScores.Slice(slot, k),
                    counts[j], take[j], user, b.Exclusions, head, worker.ComponentRanking(j), worker.ComponentRankingScores(j));
            }
            // Cluster quotas: each component's whole take in turn. Conditional: every quota first, then the hand-off in component order.
            for (int j = 0; j < n; j++)
                written = Append(worker, j, 0, extrasAfterQuotas ? granted[j] : take[j], outItems, outScores, written);
            if (extrasAfterQuotas)
                for (int j = 0; j < n; j++) written = Append(worker, j, granted[j], take[j], outItems, outScores, written);
            if (written < listLength)
            {
                // What the components cannot fill comes from the unimodal top M, as in the engine (only these users need it exactly):
                // proved from the graph's candidates, or, where the graph ran cut to its components, ranked after the batch.
                if (fallbackCount < 0 && fallbackRows.IsEmpty)
                    worker.ShortLists.Add(q);
                else
                {
                    if (fallbackCount < 0)
                        fallbackCount = worker.Rerank.Catalogue(userVectors.Slice(q * d, d), user, userFallbackRows, userFallbackScores, b.Exclusions, worker.Fallback, worker.FallbackScores);
                    written = ClusterQuotaRetriever.Fill(worker.Fallback.AsSpan(0, fallbackCount), worker.FallbackScores.AsSpan(0, fallbackCount), outItems, outScores,
                        written, listLength);
                }
            }
            b.Result.Counts[position] = written;
        }
        if (worker.ShortLists.Count > 0) FillShortLists(b, worker);
    }

    /// <summary>
    /// Fills the batch's short lists (<see cref="Worker.ShortLists"/>, each holding what its components gave) from the engine's
    /// unimodal top M of each user, ranked in one search of the catalogue for all of them: a search per list cost more than
    /// ONNX Runtime's ranking of the whole batch where many lists are short (lastfm-2k: 40 %).
    /// </summary>
    private void FillShortLists(QuotaBatch b, Worker worker)
    {
        int d = Manifest.Dimension, listLength = Manifest.Candidates;
        var shortLists = worker.ShortLists;
        var userVectors = b.UserVectors;
        var queries = new EmbeddingMatrix(shortLists.Count, d);
        var users = new int[shortLists.Count];
        for (int k = 0; k < shortLists.Count; k++)
        {
            userVectors.Slice(shortLists[k] * d, d).CopyTo(queries.Row(k));
            users[k] = b.Users[b.Start + shortLists[k]];
        }
        var fills = worker.Rerank.FillFromCatalogue(queries, users, b.Exclusions);
        for (int k = 0; k < shortLists.Count; k++)
        {
            int position = b.Start + shortLists[k];
            b.Result!.Counts[position] = ClusterQuotaRetriever.Fill(fills.IndicesOf(k), fills.ScoresOf(k), b.Result.IndexSlots(position), b.Result.ScoreSlots(position),
                b.Result.Counts[position], listLength);
        }
    }

    /// <summary>Appends entries <paramref name="from"/>..<paramref name="to"/> of component <paramref name="component"/>'s ranking to the list.</summary>
    private static int Append(Worker worker, int component, int from, int to, Span<int> outItems, Span<float> outScores, int written)
    {
        int count = to - from;
        if (count <= 0) return written;
        worker.ComponentRanking(component).Slice(from, count).CopyTo(outItems[written..]);
        worker.ComponentRankingScores(component).Slice(from, count).CopyTo(outScores[written..]);
        return written + count;
    }

    /// <summary>Whether the engine's head holds the same items as the graph's: ONNX Runtime's first H fallback candidates that are not excluded.</summary>
    private static bool SameHead(ReadOnlySpan<int> engineHead, ReadOnlySpan<long> onnxRows, ReadOnlySpan<float> onnxScores)
    {
        if (OnnxRerank.Finite(onnxScores) != engineHead.Length) return false;
        foreach (int item in engineHead)
            if (!onnxRows[..engineHead.Length].Contains(item)) return false;
        return true;
    }
}
