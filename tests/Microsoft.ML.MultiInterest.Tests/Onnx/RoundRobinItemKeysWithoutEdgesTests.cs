using Google.Protobuf;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Round robin over an item key type wider than the items with edges (MapValueToKey fitted on a vocabulary of more ids): the
/// ONNX round-robin scorer has an item component row per key, zero for a key without edges, which the stage never recommends.
/// An interest whose K x C_d nearest item components reach dot products below 0 would fetch such a zero row (dot 0) ahead of
/// them, and the merge would list it: the exported directories must give the stage's lists, for trained users and fresh
/// histories (a history naming an id without edges reads as without it, as in the recommender), for the learned mixtures
/// (mixture embeddings, DCM) and the kNN-Embed mixtures alike.
/// </summary>
public sealed class RoundRobinItemKeysWithoutEdgesTests : IDisposable
{
    /// <summary>K: most of the 24 items, so that the interests' nearest lists run into items scored below 0.</summary>
    private const int Candidates = 16;

    private readonly MLContext _ml = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-onnx-rr-unused-items-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// A saved round-robin model over the wide item keys: <paramref name="embedding"/>, then <paramref name="between"/> (kNN-Embed's
    /// stages, or none), then the retriever; with the fitted retrieval stage, whose lists are the expected ones.
    /// </summary>
    private (MultiInterestModel Model, CandidateRetrievalTransformer Stage) Saved(string name, GraphEmbeddingTrainer.Options embedding,
        Func<MultiInterestCatalog, IDataView, ITransformer>? between, RoundRobinRetrieverEstimator.Options retriever)
    {
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = WideItemKeys.KeyPipeline(_ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = _ml.MultiInterest();
        var vectors = mi.GraphEmbedding(embedding).Fit(keyed);
        Assert.False(vectors.ItemEmbeddings.IsDense);
        var data = vectors.Transform(keyed);
        var middle = between?.Invoke(mi, data);
        if (middle != null) data = middle.Transform(data);
        var stage = mi.RoundRobinRetriever(retriever).Fit(data);
        ITransformer[] chain = middle == null ? [keys, vectors, stage] : [keys, vectors, middle, stage];
        string path = Path.Combine(_directory, name + ".zip");
        _ml.Model.Save(new TransformerChain<ITransformer>(chain), raw.Schema, path);
        return (MultiInterestModel.Load(_ml, path), stage);
    }

    /// <summary>
    /// Exports <paramref name="model"/> and checks its round-robin directory against the fitted <paramref name="stage"/>, the
    /// engine and the recommender: every trained user's list (training history excluded), item for item and score for score,
    /// and fresh histories, one of them naming an id without edges.
    /// </summary>
    private void AssertServedAsTheStage(string name, MultiInterestModel model, CandidateRetrievalTransformer stage)
    {
        string onnx = Path.Combine(_directory, name + "-onnx");
        model.ExportOnnx(onnx);
        using var scorer = OnnxRoundRobinScorer.Open(onnx, batchSize: 4);
        var embedding = model.GraphEmbedding!;
        var itemIds = embedding.ItemIds;
        var recommender = _ml.MultiInterest().CreateRecommender(model);
        int[] users = [.. Enumerable.Range(0, embedding.UserEmbeddings.KeyCount).Where(embedding.UserEmbeddings.Contains)];
        var served = scorer.Retrieve(users, model.TrainingHistory());
        var engine = model.RetrieveWithEngine(users, threads: 1);
        for (int q = 0; q < users.Length; q++)
        {
            var (keys, scores) = stage.GetCandidates((uint)users[q] + 1);
            int count = keys.TakeWhile(k => k != 0).Count();
            int[] expected = [.. keys[..count].Select(k => (int)k - 1)];
            Assert.Equal(expected, served.IndicesOf(q).ToArray());
            Assert.Equal(scores[..count], served.ScoresOf(q).ToArray());
            Assert.Equal(expected, engine.IndicesOf(q).ToArray());
            Assert.Equal(scores[..count], engine.ScoresOf(q).ToArray());
            var live = recommender.Recommend(embedding.UserIds[users[q]]);
            Assert.Equal(expected.Select(r => itemIds[r]), live.Items.Select(i => i.ItemId));
        }

        // New users: their histories' lists as the recommender gives them. The last history names an id without edges, which the
        // recommender ignores as unknown: the scorer must drop it too, not read it as a zero vector.
        Assert.True(scorer.ServesHistories);
        var fitted = embedding.ItemEmbeddings.Rows;
        int absent = Enumerable.Range(0, itemIds.Count).First(r => !embedding.ItemEmbeddings.Contains(r));
        Assert.StartsWith("unused", itemIds[absent], StringComparison.Ordinal);
        int[][] histories = [[fitted[1], fitted[3], fitted[5]], [fitted[8]], [fitted[12], fitted[14], fitted[20], fitted[22]], [fitted[2], absent, fitted[6], fitted[19]]];
        var fresh = scorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)]);
        for (int q = 0; q < histories.Length; q++)
        {
            var live = recommender.Recommend("someone-new", histories[q].Select(r => itemIds[r]));
            Assert.Equal(CandidateSource.History, live.Source);
            Assert.Equal(live.Items.Select(r => r.ItemId), fresh.IndicesOf(q).ToArray().Select(r => itemIds[r]));
            Assert.Equal(live.Items.Select(r => r.Score), fresh.ScoresOf(q).ToArray());
            Assert.DoesNotContain(live.Items, r => r.ItemId.StartsWith("unused", StringComparison.Ordinal));
        }
        // A history of such ids alone is no history: the scorer's answer to an empty one (DCM's seeds, else no list), the
        // popular items from the recommender.
        var alone = scorer.RetrieveFromHistories([[absent]]);
        var empty = scorer.RetrieveFromHistories([Array.Empty<int>()]);
        Assert.Equal(empty.IndicesOf(0).ToArray(), alone.IndicesOf(0).ToArray());
        Assert.Equal(empty.ScoresOf(0).ToArray(), alone.ScoresOf(0).ToArray());
        Assert.Equal(CandidateSource.Popular, recommender.Recommend("someone-new", [itemIds[absent]]).Source);
    }

    /// <summary>
    /// Whether some trained user's interest has fewer than K x C_d unseen fitted item components scoring at least 0: its
    /// nearest list then reaches below 0, where a zero row (dot 0) would be fetched first (so the test bites).
    /// </summary>
    private static bool SomeInterestReachesBelowZero(MultiInterestModel model, MixtureTable interests, EmbeddingMatrix itemComponents, int destinationComponents)
    {
        // Over the key table: the keys without an item count as seen, so only the fitted items are counted.
        var history = model.TrainingHistory();
        var present = model.GraphEmbedding!.ItemEmbeddings;
        int[] trained = [.. Enumerable.Range(0, history.UserCount).Where(model.GraphEmbedding.UserEmbeddings.Contains)];
        var users = new List<int>();
        var items = new List<int>();
        foreach (int u in trained)
            foreach (int i in history.ItemsOf(u).ToArray().Concat(Enumerable.Range(0, present.KeyCount).Where(r => !present.Contains(r))))
            {
                users.Add(u);
                items.Add(i);
            }
        return SomeInterestReachesBelowZero(interests, itemComponents, destinationComponents, BipartiteGraph.FromEdges(history.UserCount, present.KeyCount, [.. users], [.. items]),
            Candidates, trained);
    }

    /// <summary>As above, over <paramref name="itemComponents"/> less each user's <paramref name="excluded"/> items, lists of <paramref name="k"/>.</summary>
    private static bool SomeInterestReachesBelowZero(MixtureTable interests, EmbeddingMatrix itemComponents, int destinationComponents, BipartiteGraph excluded, int k,
        IEnumerable<int>? users = null)
    {
        int d = itemComponents.Dimension;
        foreach (int u in users ?? Enumerable.Range(0, excluded.UserCount))
        {
            var seen = excluded.ItemsOf(u).ToArray();
            for (int c = 0; c < interests.ComponentCount(u); c++)
            {
                var query = interests.Embedding(u, c);
                int clear = 0;
                for (int r = 0; r < itemComponents.Rows; r++)
                {
                    if (seen.Contains(r / destinationComponents)) continue;
                    float dot = 0;
                    for (int j = 0; j < d; j++) dot += query[j] * itemComponents.Values[r * d + j];
                    if (dot >= 0) clear++;
                }
                if (clear < k * destinationComponents) return true;
            }
        }
        return false;
    }

    [Fact]
    public void MixtureEmbeddingDirectory_ListsOnlyFittedItems_ForTrainedUsersAndFreshHistories()
    {
        var (model, stage) = Saved("mixture", RoundRobinRetrieverMLNetTests.Embedding("mixture"), null, new RoundRobinRetrieverEstimator.Options { Candidates = Candidates });
        using (model)
        {
            var mixture = model.GraphEmbedding!.Mixture!;
            var users = Enumerable.Range(0, mixture.UserCount).ToArray();
            Assert.True(SomeInterestReachesBelowZero(model, mixture.ToMixtureTable(users), mixture.ItemComponents, mixture.DestinationComponents),
                "no interest's nearest list reached below 0: the zero rows could not have shown");
            AssertServedAsTheStage("mixture", model, stage);
        }
    }

    [Fact]
    public void DcmDirectory_ListsOnlyFittedItems_ForTrainedUsersAndFreshHistories()
    {
        var (model, stage) = Saved("dcm", RoundRobinRetrieverMLNetTests.Embedding("dcm"), null, new RoundRobinRetrieverEstimator.Options { Candidates = Candidates });
        using (model)
        {
            var mixture = model.GraphEmbedding!.Mixture!;
            var users = Enumerable.Range(0, mixture.UserCount).ToArray();
            Assert.True(SomeInterestReachesBelowZero(model, mixture.ToMixtureTable(users), mixture.ItemComponents, 1),
                "no interest's nearest list reached below 0: the zero rows could not have shown");
            AssertServedAsTheStage("dcm", model, stage);
        }
    }

    [Fact]
    public void AFusionWithADcmSource_GivesAHistoryOfUnknownIdsAloneNoList()
    {
        // A DCM source answers a history it reads as empty with its seeds; the fused list of a history of ids without edges
        // must be empty, as for an empty history (the recommender gives both the popular items).
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = _ml.MultiInterest();
        var pipeline = WideItemKeys.KeyPipeline(_ml)
            .Append(mi.GraphEmbedding(algorithm: EmbeddingAlgorithm.ImplicitAls, dimension: 16))
            .Append(mi.UnimodalRetriever(candidates: 10))
            .Append(_ml.Transforms.CopyColumns("UnimodalCandidates", MultiInterestColumnNames.Candidates))
            .Append(mi.WarmStartedDifferentiableClustering(interests: 4))
            .Append(mi.RoundRobinRetriever(candidates: 10))
            .Append(mi.RankFusion(["UnimodalCandidates", MultiInterestColumnNames.Candidates], [0.5, 0.5], candidates: 10));
        string path = Path.Combine(_directory, "fusion.zip"), onnx = Path.Combine(_directory, "fusion-onnx");
        _ml.Model.Save(pipeline.Fit(raw), raw.Schema, path);
        using var model = MultiInterestModel.Load(_ml, path);
        model.ExportOnnx(onnx);
        var embedding = model.GraphEmbedding!;
        int absent = Enumerable.Range(0, embedding.ItemIds.Count).First(r => !embedding.ItemEmbeddings.Contains(r));
        int present = Enumerable.Range(0, embedding.ItemIds.Count).First(embedding.ItemEmbeddings.Contains);
        Assert.Equal(CandidateSource.Popular, mi.CreateRecommender(model).Recommend("someone-new", [embedding.ItemIds[absent]]).Source);
        using var scorer = OnnxFusionScorer.Open(onnx, batchSize: 2);
        var lists = scorer.RetrieveFromHistories([[absent], [], [absent, present]]);
        Assert.Equal(0, lists.Counts[0]);
        Assert.Equal(0, lists.Counts[1]);
        Assert.Equal(10, lists.Counts[2]); // an id the model knows beside it: a list
    }

    [Fact]
    public void DcmHistoryEncoderGraph_ReadsARowWithoutAnItemAsPadding()
    {
        // A client in another language runs the history encoder itself: a row without an item must count as padding does, not
        // as a zero vector, which takes a share of every interest's mass and so changes the weights.
        var (model, _) = Saved("dcm-encoder", RoundRobinRetrieverMLNetTests.Embedding("dcm"), null, new RoundRobinRetrieverEstimator.Options { Candidates = Candidates });
        using (model)
        {
            string onnx = Path.Combine(_directory, "dcm-encoder-onnx");
            var manifest = model.ExportOnnx(onnx);
            var embedding = model.GraphEmbedding!;
            var fitted = embedding.ItemEmbeddings.Rows;
            int absent = Enumerable.Range(0, embedding.ItemIds.Count).First(r => !embedding.ItemEmbeddings.Contains(r));
            long[] rows = [fitted[2], absent, fitted[6], fitted[19], fitted[2], -1, fitted[6], fitted[19], absent, absent, -1, -1, -1, -1, -1, -1];
            using var session = new OnnxSessionFactory().CreateSession(Path.Combine(onnx, manifest.HistoryEncoder!.File));
            using var input = OrtValue.CreateTensorValueFromMemory(rows, [4, 4]);
            using var run = new RunOptions();
            using var outputs = session.Run(run, manifest.HistoryEncoder.Inputs, [input], manifest.HistoryEncoder.Outputs);
            var clusters = outputs[0].GetTensorDataAsSpan<long>().ToArray();
            var weights = outputs[1].GetTensorDataAsSpan<double>().ToArray();
            var interests = outputs[2].GetTensorDataAsSpan<float>().ToArray();
            int k = manifest.Components, d = manifest.Dimension;
            // The history with the absent row is the history with padding there; absent rows alone are the empty history.
            foreach (var (with, without) in new[] { (0, 1), (2, 3) })
            {
                Assert.Equal(clusters.AsSpan(without * k, k).ToArray(), clusters.AsSpan(with * k, k).ToArray());
                Assert.Equal(weights.AsSpan(without * k, k).ToArray(), weights.AsSpan(with * k, k).ToArray());
                Assert.Equal(interests.AsSpan(without * k * d, k * d).ToArray(), interests.AsSpan(with * k * d, k * d).ToArray());
            }
        }
    }

    [Fact]
    public void TheEnginesFetches_SkipTheKeysWithoutAnItem()
    {
        // A directory without candidate slack sends every component list the candidates fill to the engine's search over the
        // key table (as one exported before the slack is served): with K x C_d running past the items scored above 0, a search
        // that does not skip the zero rows fetches them ahead of the items scored below 0.
        const int k = 14, cd = 2, cs = 2, users = 12, itemCount = 24, d = 8;
        var random = new Random(61);
        float Gaussian() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var keyRow = new int[itemCount];
        int keys = 0;
        for (int i = 0; i < itemCount; i++)
        {
            if (i % 4 == 0) keys++; // a key without an item before every fourth item
            keyRow[i] = keys++;
        }
        var components = new EmbeddingMatrix(itemCount * cd, d);
        var keyComponents = new EmbeddingMatrix(keys * cd, d);
        for (int r = 0; r < components.Rows; r++)
        {
            for (int j = 0; j < d; j++) components.Row(r)[j] = Gaussian();
            components.ReadRow(r).CopyTo(keyComponents.Row(keyRow[r / cd] * cd + r % cd));
        }
        var userComponents = new EmbeddingMatrix(users * cs, d);
        for (int r = 0; r < userComponents.Rows; r++)
            for (int j = 0; j < d; j++) userComponents.Row(r)[j] = Gaussian();
        var weights = Enumerable.Range(0, users * cs).Select(_ => 0.05 + random.NextDouble()).ToArray();
        var compact = new MixtureEmbeddingResult(cs, cd, userComponents, components, weights);
        var overKeys = new MixtureEmbeddingResult(cs, cd, userComponents, keyComponents, weights);
        var seenUsers = new List<int>();
        var seenItems = new List<int>();
        for (int u = 0; u < users; u++)
            foreach (int i in Enumerable.Range(0, itemCount).OrderBy(_ => random.Next()).Take(random.Next(0, 5)))
            {
                seenUsers.Add(u);
                seenItems.Add(i);
            }
        var seen = BipartiteGraph.FromEdges(users, itemCount, [.. seenUsers], [.. seenItems]);
        var seenKeys = BipartiteGraph.FromEdges(users, keys, [.. seenUsers], [.. seenItems.Select(i => keyRow[i])]);

        string directory = Path.Combine(_directory, "fetches");
        var absence = ItemAbsence.Mask(new KeyedEmbeddings(keys, keyRow, new EmbeddingMatrix(itemCount, 1)));
        OnnxServingDirectory.ExportRoundRobinOverKeys(overKeys, k, directory, exclusionMask: true, dcm: null, absence);
        using (var file = File.Create(Path.Combine(directory, OnnxServingDirectory.RoundRobinScorerFileName)))
            RoundRobinOnnxExporter.BuildScorer(keyComponents, cd, cs, k, exclusionMask: true, slack: 0, itemAbsence: absence).WriteTo(file);
        string manifestPath = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        Assert.True(json.Remove("candidate_slack"));
        Robustness.BadInputFixtures.AsFormatVersion1(json);
        File.WriteAllText(manifestPath, json.ToJsonString());
        ServingChecksums.Reseal(Path.GetDirectoryName(manifestPath)!); // damaged on purpose, to reach the check behind the checksums

        int[] served = [.. Enumerable.Range(0, users)];
        var expected = new RoundRobinRetriever(components, cd).Retrieve(compact.ToMixtureTable(served), served, seen, [k], threads: 1)[0];
        Assert.True(SomeInterestReachesBelowZero(compact.ToMixtureTable(served), components, cd, seen, k),
            "no interest's nearest list reached below 0: the zero rows could not have shown");
        using var scorer = OnnxRoundRobinScorer.Open(directory, batchSize: 5);
        var got = scorer.Retrieve(served, seenKeys);
        Assert.Equal(expected.Counts, got.Counts);
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray().Select(i => keyRow[i]), got.IndicesOf(q).ToArray());
            Assert.Equal(expected.ScoresOf(q).ToArray(), got.ScoresOf(q).ToArray());
        }
        Assert.True(scorer.Rescanned > 0, "no list was fetched by the engine: the search's exclusions were not exercised");
    }

    [Fact]
    public void KnnEmbedDirectory_ListsOnlyFittedItems_ForTrainedUsersAndFreshHistories()
    {
        var (model, stage) = Saved("knn", MLNetTestData.SmallEmbedding(),
            (mi, data) =>
            {
                var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(data);
                var knn = mi.KnnSmoothedMixture(components: 3, neighbors: 2).Fit(kmeans.Transform(data));
                return new TransformerChain<ITransformer>(kmeans, knn);
            },
            new RoundRobinRetrieverEstimator.Options
            {
                UserComponentsColumnName = MultiInterestColumnNames.MixtureEmbeddings, UserComponentWeightsColumnName = MultiInterestColumnNames.MixtureWeights,
                ItemComponentsColumnName = MultiInterestColumnNames.ItemEmbedding, Candidates = Candidates,
            });
        using (model)
        {
            var saved = model.Mixtures!.Mixtures;
            var users = Enumerable.Range(0, saved.UserCount).Where(u => saved.ComponentCount(u) > 0).ToArray();
            var table = MixtureTable.ForUsers(saved.UserCount, users, saved.MaxComponents, saved.Dimension);
            foreach (int u in users) MixtureEmbeddingResult.WriteSorted(table, u, saved.Embeddings(u), saved.Weights(u));
            Assert.True(SomeInterestReachesBelowZero(model, table, model.GraphEmbedding!.ItemEmbeddings.DenseView(), 1),
                "no interest's nearest list reached below 0: the zero rows could not have shown");
            AssertServedAsTheStage("knn", model, stage);
        }
    }
}
