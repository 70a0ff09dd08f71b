using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>Users known by a fresh history only: their representation built in .NET, then the directory's scorers.</summary>
public sealed partial class OnnxCandidateScorer
{
    /// <summary>
    /// The cluster-quota lists of users known by their history only, as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> gives a
    /// new user with that history: its mixture (<see cref="MixtureBuilder.BuildMle"/> over the exported clusters, the
    /// unsmoothed Mixture; in a directory with a divide-and-conquer history encoder, the model's own, <see cref="DivideConquerModel.BuildMixtures"/>
    /// on the tables read back from it; in a conditional directory, its conditions and their queries, <see cref="ConditionalModel.Represent"/>
    /// with the exported condition model, over the user's vector) and, as the user's vector, the divide-and-conquer encoder's
    /// single query where the directory's history encoder gives it (<see cref="DivideConquerModel.UserQueries"/>), else its fold-in
    /// or the mean of its item vectors (as the manifest's <see cref="OnnxServingManifest.HistoryFoldIn"/> says), computed in .NET, then the
    /// quota scorer and the exact re-ranking as for trained users. Each history is read as a set. An empty history gets an
    /// empty list (the recommender gives such a user the popular items).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1 (the rows of the item id file).</param>
    /// <param name="excludeHistory">True (the default) to never return a history's own items; needs a directory exported with the exclusion mask.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="NotSupportedException">
    /// The directory was written before it recorded its query, or is conditional without its condition model (export it again).
    /// </exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveClusterQuotaFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null) =>
        Lists(FreshRequest(histories, excludeHistory, null, excludeItems));

    /// <summary>Users whose vectors and mixtures are built in .NET: the rows the quota scorer serves, and how to represent a batch of them.</summary>
    /// <param name="Entries">Rows of <paramref name="Exclusions"/> (user rows, or positions of fresh histories).</param>
    /// <param name="Exclusions">Items never to return per entry; null for none.</param>
    /// <param name="Query">The query inside a component's group the representations are padded with.</param>
    /// <param name="Represent">The vectors and mixtures of entries start..start + batch - 1.</param>
    /// <param name="Empty">Fresh histories without items (no representation: no list), or null.</param>
    private sealed record Represented(int[] Entries, BipartiteGraph? Exclusions, QuotaQuery Query,
        Func<int, int, (EmbeddingMatrix Vectors, MixtureTable Mixtures)> Represent, bool[]? Empty);

    /// <summary>
    /// Fresh histories (checked, read as sets) as the live path represents them: their mixtures, or their conditions'
    /// queries (the <paramref name="followed"/> ones where given), and their vectors (<see cref="ReadHistory"/>).
    /// </summary>
    private Represented FreshRequest(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory, int[]?[]? followed, IReadOnlyCollection<int>? excludeItems)
    {
        _calls.ThrowIfClosed(this); // entered where the sessions run (Lists, Rankings)
        ArgumentNullException.ThrowIfNull(histories);
        if (_encoder == null || _quotaScorer == null)
            throw new InvalidOperationException("The serving directory holds the unimodal scorer alone (a model without item clusters): it has no mixtures to build.");
        if (Manifest.IsConditional && _conditionModel == null)
            throw new NotSupportedException($"The conditional serving directory has no {OnnxServingDirectory.ConditionModelFileName} (exported before 2026-12, or without the model): "
                + "export it again to serve fresh histories, or serve them with CreateRecommender.");
        if (!Enum.TryParse<QuotaQuery>(Manifest.Query, out var query))
            throw new NotSupportedException("The serving directory does not record its query (exported before 2026-12): export it again to serve fresh histories.");
        CheckHistoryExclusion(excludeHistory);
        var sets = OnnxScorerParts.HistorySets(histories, Manifest, _tables.AbsentItems);
        var exclusions = OnnxScorerParts.HistoryExclusions(sets, excludeHistory, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        return new Represented([.. Enumerable.Range(0, sets.Length)], exclusions, query,
            (start, batch) => RepresentHistories(sets.AsSpan(start, batch), followed?.AsSpan(start, batch).ToArray()), [.. sets.Select(h => h.Length == 0)]);
    }

    /// <summary>
    /// Fresh histories' vectors (item rows, sets; <paramref name="histories"/> the same as a graph, or null to build it) as the
    /// live path reads them: the divide-and-conquer encoder's single query where the directory's history encoder gives it
    /// (<see cref="DivideConquerModel.UserQueries"/>), else <see cref="ReadHistory"/>.
    /// </summary>
    private EmbeddingMatrix HistoryVectors(ReadOnlySpan<int[]> sets, BipartiteGraph? histories = null)
    {
        if (_vectorByModel) return _historyModel!.UserQueries(histories ?? OnnxScorerParts.HistoryGraph(sets.ToArray(), Manifest.Items), threads: 1);
        var vectors = new EmbeddingMatrix(sets.Length, Manifest.Dimension);
        for (int q = 0; q < sets.Length; q++) ReadHistory(sets[q], vectors.Row(q));
        return vectors;
    }

    /// <summary>
    /// Writes a fresh history's vector (item rows, a set) to <paramref name="vector"/> as the live path reads it: the fold-in
    /// the manifest records (<see cref="OnnxServingManifest.HistoryFoldIn"/>), else the mean of its items' vectors.
    /// </summary>
    private void ReadHistory(int[] set, Span<float> vector)
    {
        if (_historyFoldIn == null) _tables.Items.MeanOf(set, vector);
        else _historyFoldIn.Value.SolveWhole(set).CopyTo(vector);
    }

    /// <summary>The quota lists of a request (an empty history gets none, as documented).</summary>
    private RankedLists Lists(Represented request)
    {
        using var inFlight = _calls.Enter(this);
        var result = new RankedLists(request.Entries.Length, Manifest.Candidates);
        RunRepresented(request, result, ServeQuota, fallbackForAll: false);
        for (int q = 0; q < result.QueryCount; q++)
            if (request.Empty?[q] == true) result.Counts[q] = 0;
        return result;
    }

    /// <summary>
    /// The live path's representation of fresh histories (sets of item rows): their vectors (<see cref="ReadHistory"/>), and their MLE mixtures
    /// over the clusters or, in a conditional directory, their conditions' queries (the <paramref name="followed"/> conditions
    /// where given), padded to the components of the scorer that takes fresh histories.
    /// </summary>
    private (EmbeddingMatrix Vectors, MixtureTable Mixtures) RepresentHistories(ReadOnlySpan<int[]> sets, int[]?[]? followed)
    {
        int batch = sets.Length, m = FreshComponents;
        var histories = OnnxScorerParts.HistoryGraph(sets.ToArray(), Manifest.Items);
        var means = HistoryVectors(sets, histories);
        var rows = Enumerable.Range(0, batch).ToArray();
        var mixtures = _conditionModel != null
            ? _conditionModel.Represent(histories, means, _tables.Items, rows, Manifest.MaxConditions, followed, threads: 1).Gather(rows, m)
            // The model's own mixture, as the live stage builds it, padded to the components of the scorer that takes it.
            : _mixtureByModel ? _historyModel!.BuildMixtures(histories, rows, threads: 1).Gather(rows, m)
            : MixtureBuilder.BuildMle(histories, _tables.Clustering, _tables.Items, m, threads: 1);
        return (means, mixtures);
    }

    /// <summary>
    /// Runs the quota scorer over a request's representations, built in .NET in place of the encoder's outputs, and hands each
    /// batch's outputs (mixture values: vectors, clusters, queries, quotas, weights) to <paramref name="serve"/>, with
    /// <paramref name="result"/> (null when <paramref name="serve"/> writes elsewhere); <paramref name="fallbackForAll"/>: whether
    /// <paramref name="serve"/> reads every user's fallback candidates (else only a short list reads the fallback).
    /// </summary>
    private void RunRepresented(Represented request, RankedLists? result, Action<QuotaBatch, Worker> serve, bool fallbackForAll)
    {
        var (entries, exclusions, query, represent, _) = request;
        var options = new QuotaRetrievalOptions { Alpha = Manifest.Alpha, Query = query, Beta = Manifest.Beta, HeadShare = Manifest.HeadShare };
        int m = FreshComponents, d = Manifest.Dimension;
        var worker = CreateWorker();
        using var ahead = new OneBatchAhead();
        ForEachBatch(entries, exclusions, (runOptions, start, batch, _, mask) =>
        {
            var (vectors, mixtures) = represent(start, batch);
            var padded = PaddedMixtures.Create(mixtures, Manifest.Candidates, options, vectors);
            var mixture = new OrtValue[]
            {
                OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, vectors.Values.AsMemory(), [batch, d]),
                OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, padded.Clusters.AsMemory(), [batch, m]),
                OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, padded.Embeddings.AsMemory(), [batch, m, d]),
                OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, padded.Quotas.AsMemory(), [batch, m]),
                OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, padded.Weights.AsMemory(), [batch, m]),
            };
            var inputs = new OrtValueList(mixture);
            IDisposableReadOnlyCollection<OrtValue> found;
            try
            {
                found = RunQuotaScorer(runOptions, mixture, mask, fallbackForAll, fresh: true);
            }
            catch
            {
                inputs.Dispose();
                throw;
            }
            var outputs = new QuotaBatch(entries, start, batch, exclusions, inputs, found, result, m);
            ahead.Start(() => serve(outputs, worker), inputs, found);
        }, quotaComponents: m);
        ahead.Finish();
        Count(worker);
    }

    /// <summary>
    /// Whether <see cref="RetrieveClusterQuotaFromHistories"/> serves this directory: a quota directory that records its query
    /// (a conditional one with its condition model).
    /// </summary>
    public bool ServesQuotaHistories => _quotaScorer != null && (!Manifest.IsConditional || _conditionModel != null) && Enum.TryParse<QuotaQuery>(Manifest.Query, out _);

    /// <summary>Whether <see cref="RetrieveUnimodalFromHistories"/> serves this directory: it has the vector scorer, or is a quota directory.</summary>
    public bool ServesUnimodalHistories => _vectorScorer != null || _quotaScorer != null;

    /// <summary>
    /// The unimodal lists of users known by their history only, as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> gives a new
    /// user with that history when the model retrieves by the single vector: its fold-in or the mean of its item vectors
    /// (<see cref="OnnxServingManifest.HistoryFoldIn"/>; computed in .NET, as the recommender does) ranked against the catalogue by the directory's vector scorer (a quota directory's quota scorer,
    /// whose unimodal fallback ranks the same vector), then the engine's exact re-ranking as for trained users. Each history is
    /// read as a set; an empty history gets an empty list (the recommender gives such a user the popular items).
    /// </summary>
    /// <param name="histories">Per user, item rows 0 to <see cref="OnnxServingManifest.Items"/> - 1 (the rows of the item id file).</param>
    /// <param name="excludeHistory">True (the default) to never return a history's own items; needs a directory exported with the exclusion mask.</param>
    /// <param name="excludeItems">
    /// Item rows never to return to any user of the call, beside the other exclusions: items deleted or blocked since the
    /// export, as the recommender's <c>exclude</c> (they do not change any user's query); needs the exclusion mask.
    /// </param>
    /// <exception cref="NotSupportedException">A unimodal directory written before it held the vector scorer (export it again).</exception>
    /// <returns>One ranked list per history, in the order given (query i for <paramref name="histories"/>[i]), at most <see cref="OnnxServingManifest.Candidates"/> items each, best first.</returns>
    public RankedLists RetrieveUnimodalFromHistories(IReadOnlyList<IReadOnlyList<int>> histories, bool excludeHistory = true, IReadOnlyCollection<int>? excludeItems = null)
    {
        using var inFlight = _calls.Enter(this);
        ArgumentNullException.ThrowIfNull(histories);
        if (_vectorScorer == null && _quotaScorer == null)
            throw new NotSupportedException($"The unimodal serving directory has no {OnnxServingDirectory.VectorScorerFileName} (exported before 2026-12): export it again to serve fresh histories.");
        CheckHistoryExclusion(excludeHistory);
        var sets = OnnxScorerParts.HistorySets(histories, Manifest, _tables.AbsentItems);
        var exclusions = OnnxScorerParts.HistoryExclusions(sets, excludeHistory, OnnxScorerParts.ExcludedItems(excludeItems, Manifest), Manifest.Items);
        int d = Manifest.Dimension, users = sets.Length;
        var means = HistoryVectors(sets);
        var entries = Enumerable.Range(0, users).ToArray();
        var result = new RankedLists(users, Manifest.Candidates);
        var worker = CreateWorker();
        using var ahead = new OneBatchAhead();
        ForEachBatch(entries, exclusions, (runOptions, start, batch, _, mask) =>
        {
            using var vectors = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, means.Values.AsMemory(start * d, batch * d), [batch, d]);
            var found = RankVectors(runOptions, vectors, batch, mask);
            ahead.Start(() => ServeUnimodal(means, entries, start, batch, exclusions, found, result, worker), found);
        });
        ahead.Finish();
        Count(worker);
        for (int q = 0; q < users; q++)
            if (sets[q].Length == 0) result.Counts[q] = 0;
        return result;
    }

    /// <summary>
    /// ONNX Runtime's unimodal candidates (rows, scores) of the given user vectors: the vector scorer's, or in a quota directory
    /// the quota scorer's fallback, fed mixtures without components.
    /// </summary>
    private IDisposableReadOnlyCollection<OrtValue> RankVectors(RunOptions runOptions, OrtValue vectors, int batch, OrtValue? mask)
    {
        var inputNames = new List<string> { UserEmbeddingName };
        var values = new List<OrtValue> { vectors };
        if (_vectorScorer != null)
        {
            if (mask != null)
            {
                inputNames.Add(UnimodalOnnxExporter.ExclusionMaskInput);
                values.Add(mask);
            }
            return _vectorScorer.Run(runOptions, inputNames, values, [UnimodalOnnxExporter.CandidateRowsOutput, UnimodalOnnxExporter.CandidateScoresOutput]);
        }
        int m = Manifest.Components, d = Manifest.Dimension;
        var clusters = new long[batch * m];
        clusters.AsSpan().Fill(PaddedMixtures.NoCluster);
        using var empty = new OrtValueList(
        [
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, clusters.AsMemory(), [batch, m]),
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new float[batch * m * d].AsMemory(), [batch, m, d]),
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new long[batch * m].AsMemory(), [batch, m]),
        ]);
        inputNames.AddRange([MixtureClustersName, MixtureEmbeddingsName, QuotasName]);
        values.AddRange(empty);
        if (mask != null)
        {
            inputNames.Add(ExclusionMaskInput);
            values.Add(mask);
        }
        return _quotaScorer!.Run(runOptions, inputNames, values, [FallbackCandidateRowsOutput, FallbackCandidateScoresOutput]);
    }

    /// <summary>Refuses to exclude the histories' items when the graphs have no exclusion mask input.</summary>
    private void CheckHistoryExclusion(bool excludeHistory)
    {
        if (excludeHistory && !Manifest.ExclusionMask)
            throw new ArgumentException("The models were exported without the exclusion mask input, so they cannot exclude the histories' items; "
                + "export with exclusionMask: true, or pass excludeHistory: false.", nameof(excludeHistory));
    }

    /// <summary>Tensors made here, disposed together (the batch's inputs built in .NET rather than by the encoder).</summary>
    private sealed class OrtValueList(OrtValue[] values) : IDisposableReadOnlyCollection<OrtValue>
    {
        public OrtValue this[int index] => values[index];

        public int Count => values.Length;

        public IEnumerator<OrtValue> GetEnumerator() => ((IEnumerable<OrtValue>)values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => values.GetEnumerator();

        public void Dispose()
        {
            foreach (var value in values) value.Dispose();
        }
    }
}
