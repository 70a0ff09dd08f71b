using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Conditional;
using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.Serving;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Conditional retrieval in an ML.NET pipeline (<see cref="ConditionalRetrieverEstimator"/>) on the planted-topics graph: its
/// lists are the engine's (<see cref="ConditionalModel"/>, <see cref="ConditionalRetriever"/>), they cover the users' topics
/// better than the single vector's, and the stage saves, loads, serves trained and new users live and exports to ONNX (alone,
/// not merged with implicit components).
/// </summary>
public sealed class ConditionalMLNetTests : IClassFixture<ConditionalMLNetTests.World>, IDisposable
{
    private const int M = 10;
    private readonly World _w;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-conditional-").FullName;

    public ConditionalMLNetTests(World world) => _w = world;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>An edge with its item's topic (the explicit condition) as text.</summary>
    public sealed class TopicEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string Topic { get; set; } = "";
    }

    /// <summary>One term of a topic vocabulary (MapValueToKey's key data has one column).</summary>
    public sealed class TopicTerm
    {
        public string Topic { get; set; } = "";
    }

    /// <summary>The planted edges through key mapping (topic 5 outside the topic vocabulary: its items have no condition), ALS and the stage.</summary>
    public sealed class World
    {
        /// <summary>The embedding's implicit-ALS objective, which a new user's history is folded in with.</summary>
        public ImplicitAlsOptions Als { get; } = new() { Iterations = 8, Regularization = 0.05, UnobservedWeight = 0.05 };

        /// <summary>A new user's vector as the stage reads its history (row 0 of <paramref name="history"/>): the ALS fold-in.</summary>
        public EmbeddingMatrix HistoryVector(BipartiteGraph history) =>
            new(1, Items.Dimension, new InterestFoldIn(Items, HistoryInterestOptions.FromAls(Als), threads: 1).SolveWhole(history.ItemsOf(0)));

        public World()
        {
            Ml = new MLContext(seed: 1);
            var mi = Ml.MultiInterest();
            Planted = PlantedTopics.Create();
            var edges = new List<TopicEdge>();
            for (int u = 0; u < Planted.Train.UserCount; u++)
                foreach (int i in Planted.Train.ItemsOf(u))
                    edges.Add(new TopicEdge { User = $"u{u}", Item = $"i{i}", Topic = $"topic{PlantedTopics.TopicOf(i)}" });
            Raw = Ml.Data.LoadFromEnumerable(edges);
            // The topic vocabulary leaves topic 5 out: its values map to the missing key, so its items have no condition.
            var vocabulary = Ml.Data.LoadFromEnumerable(Enumerable.Range(0, PlantedTopics.Topics - 1).Select(t => new TopicTerm { Topic = $"topic{t}" }));
            Keys = Ml.Transforms.Conversion.MapValueToKey("User")
                .Append(Ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(Ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic", keyData: vocabulary))
                .Fit(Raw);
            Keyed = Keys.Transform(Raw);
            Embedding = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 12, Threads = 1, Seed = 3,
                Als = Als,
            }).Fit(Keyed);
            Embedded = Embedding.Transform(Keyed);
            Fitted = mi.ConditionalRetriever(Options()).Fit(Embedded);

            // The engine's inputs: the items with a vector (ascending keys), the training graph over them and their conditions.
            ItemRows = Embedding.ItemEmbeddings.Rows.ToArray();
            Items = Embedding.ItemEmbeddings.Vectors;
            UserVectors = Embedding.UserEmbeddings.ToDense();
            var users = MLNetTestData.Keys(Keyed, "User").Select(k => (int)k - 1).ToArray();
            var items = MLNetTestData.Keys(Keyed, "Item").Select(k => Array.BinarySearch(ItemRows, (int)k - 1)).ToArray();
            Graph = BipartiteGraph.FromEdges(UserVectors.Rows, Items.Rows, users, items);
            Trained = users.Distinct().Order().ToArray();
            var conditionKeys = MLNetTestData.Keys(Keyed, MultiInterestColumnNames.ItemCondition);
            var conditionOf = new int[Items.Rows];
            for (int e = 0; e < items.Length; e++) conditionOf[items[e]] = (int)conditionKeys[e] - 1;
            Conditions = ItemConditions.Create(conditionOf, PlantedTopics.Topics - 1, Enumerable.Range(0, PlantedTopics.Topics - 1).Select(t => $"topic{t}").ToArray());
        }

        public MLContext Ml { get; }

        internal PlantedTopics Planted { get; }

        public IDataView Raw { get; }

        public ITransformer Keys { get; }

        public IDataView Keyed { get; }

        public GraphEmbeddingTransformer Embedding { get; }

        public IDataView Embedded { get; }

        public CandidateRetrievalTransformer Fitted { get; }

        public int[] ItemRows { get; }

        public EmbeddingMatrix Items { get; }

        public EmbeddingMatrix UserVectors { get; }

        public BipartiteGraph Graph { get; }

        public int[] Trained { get; }

        public ItemConditions Conditions { get; }

        public string UserId(int row) => Embedding.UserIds[row];

        public string ItemId(int item) => Embedding.ItemIds[ItemRows[item]];

        /// <summary>The engine's conditional lists of <paramref name="users"/> (rows of <paramref name="graph"/> and <paramref name="vectors"/>) under <paramref name="model"/>.</summary>
        public RankedLists Engine(ConditionalModel model, BipartiteGraph graph, EmbeddingMatrix vectors, int[] users, BipartiteGraph exclusions)
        {
            var table = model.Represent(graph, vectors, Items, users, maxConditions: 3, threads: 1);
            var fill = new UnimodalRetriever(Items).Retrieve(vectors, users, exclusions, ConditionalDefaults.FillFactor * M, threads: 1);
            return new ConditionalRetriever(Items, Conditions).Retrieve(table, null, users, exclusions, [M],
                new ConditionalRetrievalOptions { Alpha = 0.5, HeadShare = 0.2 }, fill, vectors, threads: 1)[0];
        }

        /// <summary>The engine's model trained as the stage trains it.</summary>
        public ConditionalModel EngineModel() =>
            ConditionalModel.Fit(Graph, UserVectors, Items, Conditions, new ConditionalOptions { Epochs = 3, Seed = 4 });
    }

    private static ConditionalRetrieverEstimator.Options Options() => new()
    {
        Candidates = M, MaxConditions = 3, Alpha = 0.5, HeadShare = 0.2, Epochs = 3, Seed = 4, Threads = 1,
    };

    private int[] CompactList(CandidateRetrievalTransformer retriever, int userRow) =>
        retriever.GetCandidates((uint)userRow + 1).ItemKeys.Select(k => Array.BinarySearch(_w.ItemRows, (int)k - 1)).ToArray();

    [Fact]
    public void FittedListsAndTransform_AreTheEnginesConditionalLists_WithoutSeenOrRepeatedItems()
    {
        Assert.Equal(CandidateMethod.Conditional, _w.Fitted.Method);
        Assert.Equal((3, 0.2), (_w.Fitted.Settings.MaxConditions, _w.Fitted.Settings.HeadShare));
        Assert.Equal(0.5, _w.Fitted.Alpha);
        // Topic 5 is outside the vocabulary: its items have no condition, every other item its topic.
        for (int i = 0; i < _w.Items.Rows; i++)
        {
            int topic = PlantedTopics.TopicOf(int.Parse(_w.ItemId(i).AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(topic == PlantedTopics.Topics - 1 ? ItemConditions.None : topic, _w.Conditions.ConditionOf(i));
        }

        var engine = _w.Engine(_w.EngineModel(), _w.Graph, _w.UserVectors, _w.Trained, _w.Graph);
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            int u = _w.Trained[q];
            var list = CompactList(_w.Fitted, u);
            Assert.Equal(engine.IndicesOf(q).ToArray(), list);
            Assert.Equal(engine.ScoresOf(q).ToArray(), _w.Fitted.GetCandidates((uint)u + 1).Scores);
            Assert.Equal(M, list.Length);
            Assert.Equal(M, list.Distinct().Count());
            Assert.DoesNotContain(list, i => _w.Graph.Contains(u, i));
        }

        var rows = ServingWorld.Read(_w.Fitted.Transform(_w.Embedded));
        var userKeys = MLNetTestData.Keys(_w.Embedded, "User");
        for (int r = 0; r < rows.Count; r++)
        {
            int q = Array.BinarySearch(_w.Trained, (int)userKeys[r] - 1);
            Assert.Equal(engine.IndicesOf(q).ToArray().Select(_w.ItemId), rows[r].Items);
            Assert.Equal("Trained", rows[r].Source);
        }
    }

    [Fact]
    public void ConditionalLists_CoverTheUsersTopics_BetterThanTheSingleVector()
    {
        // Items and users in the planted graph's numbering, to read its topics.
        int PlantedItem(int compact) => int.Parse(_w.ItemId(compact).AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        int PlantedUser(int row) => int.Parse(_w.UserId(row).AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        var unimodal = _w.Ml.MultiInterest().UnimodalRetriever(candidates: M).Fit(_w.Embedded);
        double Coverage(CandidateRetrievalTransformer retriever) => _w.Trained.Average(u =>
        {
            var topics = CompactList(retriever, u).Select(i => PlantedTopics.TopicOf(PlantedItem(i))).ToHashSet();
            return (double)_w.Planted.UserTopics[PlantedUser(u)].Count(topics.Contains) / 3;
        });
        double conditional = Coverage(_w.Fitted), single = Coverage(unimodal);
        Assert.True(conditional > single + 0.05, $"Conditional lists cover {conditional:F3} of the users' topics, the single vector's {single:F3}.");
    }

    [Fact]
    public void SaveAndLoad_GiveTheSameLists_AndServeTrainedAndNewUsersLive()
    {
        string path = Path.Combine(_directory, "conditional.zip");
        var chain = new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.Fitted);
        _w.Ml.Model.Save(chain, _w.Raw.Schema, path);
        var expected = ServingWorld.Read(chain.Transform(_w.Raw));
        var loaded = TestModels.Load(_w.Ml, path);
        using (loaded as IDisposable)
            Assert.Equal(expected.Select(r => r.Items), ServingWorld.Read(loaded.Transform(_w.Raw)).Select(r => r.Items));

        using var model = MultiInterestModel.Load(_w.Ml, path);
        Assert.Equal(CandidateMethod.Conditional, model.ServingStage.Method);
        Assert.Equal(_w.Fitted.Settings, model.ServingStage.Settings);
        var engine = model.RetrieveWithEngine(_w.Trained, threads: 1);
        var recommenders = new[] { _w.Ml.MultiInterest().CreateRecommender(chain), _w.Ml.MultiInterest().CreateRecommender(model) };
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            int u = _w.Trained[q];
            var (keys, scores) = _w.Fitted.GetCandidates((uint)u + 1);
            Assert.Equal(keys.Select(k => (int)k - 1), engine.IndicesOf(q).ToArray());
            foreach (var recommender in recommenders)
            {
                var live = recommender.Recommend(_w.UserId(u));
                Assert.Equal(CandidateMethod.Conditional, recommender.Method);
                Assert.Equal(keys.Select(k => _w.Embedding.ItemIds[(int)k - 1]), live.Items.Select(i => i.ItemId));
                Assert.Equal(scores, live.Items.Select(i => i.Score));
            }
        }

        // A new user: its history's ALS fold-in (the embedding is implicit ALS) and its history's conditions, the history excluded.
        int[] history = [.. _w.Graph.ItemsOf(_w.Trained[0]).ToArray().Take(5), .. _w.Graph.ItemsOf(_w.Trained[7]).ToArray().Take(3)];
        var one = BipartiteGraph.FromEdges(1, _w.Items.Rows, new int[history.Length], history);
        var cold = _w.Engine(_w.EngineModel(), one, _w.HistoryVector(one), [0], one);
        foreach (var recommender in recommenders)
        {
            var list = recommender.Recommend("someone-new", history.Select(_w.ItemId));
            Assert.Equal(CandidateSource.History, list.Source);
            Assert.Equal(cold.IndicesOf(0).ToArray().Select(_w.ItemId), list.Items.Select(i => i.ItemId));
            Assert.Empty(list.Items.Select(i => i.ItemId).Intersect(history.Select(_w.ItemId)));
        }
    }

    [Fact]
    public void MergedWithTheKnnEmbedMixture_UnderOneQuotaPolicy_AndSavedLoadedAndServedLive()
    {
        var mi = _w.Ml.MultiInterest();
        var kmeans = mi.SphericalKMeans(numberOfClusters: 12).Fit(_w.Embedded);
        var mixture = mi.KnnSmoothedMixture(components: 3, neighbors: 5).Fit(kmeans.Transform(_w.Embedded));
        var mixed = mixture.Transform(kmeans.Transform(_w.Embedded));
        CandidateRetrievalTransformer Conditional(double share)
        {
            var o = Options();
            (o.ImplicitShare, o.HeadShare, o.Alpha) = (share, 0, 1);
            return mi.ConditionalRetriever(o).Fit(mixed);
        }

        // All the weight on the implicit components: the cluster-quota retriever's items over the same mixtures.
        var implicitOnly = Conditional(1);
        var quota = mi.ClusterQuotaRetriever(candidates: M, alpha: 1).Fit(mixed);
        foreach (int u in _w.Trained) Assert.Equal(CompactList(quota, u).Order(), CompactList(implicitOnly, u).Order());
        // Half each: a list of its own, neither kind's alone, still without seen or repeated items.
        var merged = Conditional(0.5);
        var conditionsOnly = Conditional(0);
        Assert.Equal(0.5, merged.Settings.ImplicitShare);
        Assert.Contains(_w.Trained, u => !CompactList(merged, u).SequenceEqual(CompactList(conditionsOnly, u)));
        Assert.Contains(_w.Trained, u => !CompactList(merged, u).Order().SequenceEqual(CompactList(quota, u).Order()));
        foreach (int u in _w.Trained)
        {
            var list = CompactList(merged, u);
            Assert.Equal(M, list.Distinct().Count());
            Assert.DoesNotContain(list, i => _w.Graph.Contains(u, i));
        }

        // Saved with its k-means and mixture stages, loaded, and served live: the fitted lists, and a new user from its history.
        string path = Path.Combine(_directory, "merged.zip");
        var chain = new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, kmeans, mixture, merged);
        _w.Ml.Model.Save(chain, _w.Raw.Schema, path);
        using var model = MultiInterestModel.Load(_w.Ml, path);
        Assert.Equal(merged.Settings, model.ServingStage.Settings);
        var engine = model.RetrieveWithEngine(_w.Trained, threads: 1);
        var recommenders = new[] { mi.CreateRecommender(chain), mi.CreateRecommender(model) };
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            var keys = merged.GetCandidates((uint)_w.Trained[q] + 1).ItemKeys;
            Assert.Equal(keys.Select(k => (int)k - 1), engine.IndicesOf(q).ToArray());
            foreach (var recommender in recommenders)
                Assert.Equal(keys.Select(k => _w.Embedding.ItemIds[(int)k - 1]), recommender.Recommend(_w.UserId(_w.Trained[q])).Items.Select(i => i.ItemId));
        }
        int[] history = [.. _w.Graph.ItemsOf(_w.Trained[3]).ToArray().Take(6)];
        var fresh = recommenders.Select(r => r.Recommend("someone-new", history.Select(_w.ItemId))).ToArray();
        Assert.All(fresh, list => Assert.Equal(CandidateSource.History, list.Source));
        Assert.Equal(fresh[0].Items.Select(i => i.ItemId), fresh[1].Items.Select(i => i.ItemId));
        Assert.Empty(fresh[0].Items.Select(i => i.ItemId).Intersect(history.Select(_w.ItemId)));

        // ONNX: the conditions' and the clusters' directories, every ranking proved, laid out as the engine merges them, with
        // and without the head; trained users by row, new users from their history, as the recommender serves them.
        foreach (double head in new[] { 0.0, 0.3 })
        {
            var o = Options();
            (o.ImplicitShare, o.HeadShare, o.Alpha) = (0.5, head, 0.5);
            var stage = head == 0 ? merged : mi.ConditionalRetriever(o).Fit(mixed);
            string zip = Path.Combine(_directory, $"merged-{head}.zip");
            _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, kmeans, mixture, stage), _w.Raw.Schema, zip);
            using var saved = MultiInterestModel.Load(_w.Ml, zip);
            string onnx = Path.Combine(_directory, $"merged-onnx-{head}");
            var manifest = saved.ExportOnnx(onnx);
            Assert.Equal(Microsoft.ML.MultiInterest.Onnx.OnnxServingManifest.ConditionalMergedRetrieval, manifest.Retrieval);
            using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxConditionalMergeScorer.Open(onnx, batchSize: 5);
            var expected = saved.RetrieveWithEngine(_w.Trained, threads: 1);
            var served = scorer.Retrieve(_w.Trained, saved.TrainingHistory());
            Assert.Equal(expected.Counts, served.Counts);
            for (int q = 0; q < _w.Trained.Length; q++)
            {
                Assert.Equal(expected.IndicesOf(q).ToArray(), served.IndicesOf(q).ToArray());
                Assert.Equal(expected.ScoresOf(q).ToArray(), served.ScoresOf(q).ToArray());
                Assert.Equal(stage.GetCandidates((uint)_w.Trained[q] + 1).ItemKeys.Select(k => (int)k - 1), served.IndicesOf(q).ToArray());
            }
            Assert.True(scorer.ServesHistories);
            var live = mi.CreateRecommender(saved);
            int[][] compact = [history, [.. _w.Graph.ItemsOf(_w.Trained[8]).ToArray()], []];
            var fromHistories = scorer.RetrieveFromHistories([.. compact.Select(h => (IReadOnlyList<int>)h.Select(i => _w.ItemRows[i]).ToArray())]);
            for (int q = 0; q < compact.Length; q++)
            {
                var list = live.Recommend("someone-new", compact[q].Select(_w.ItemId));
                if (compact[q].Length == 0)
                {
                    Assert.Equal(0, fromHistories.Counts[q]);
                    continue;
                }
                Assert.Equal(list.Items.Select(i => i.ItemId), fromHistories.IndicesOf(q).ToArray().Select(i => _w.Embedding.ItemIds[i]));
                Assert.Equal(list.Items.Select(i => i.Score), fromHistories.ScoresOf(q).ToArray());
            }
            // Topics followed now, beside the implicit components: RecommendFollowing's lists, trained users and fresh histories.
            Assert.Equal(live.Topics, scorer.Topics);
            int[] users = [.. _w.Trained.Take(4)];
            IReadOnlyList<string>[] topics = [["topic1"], ["topic3", "topic0"], ["topic2"], ["topic0", "topic1", "topic2"]];
            var following = scorer.RetrieveFollowing(users, topics, saved.TrainingHistory(), saved.TrainingHistory());
            for (int q = 0; q < users.Length; q++)
            {
                var list = live.RecommendFollowing(_w.UserId(users[q]), topics[q]);
                Assert.Equal(list.Items.Select(i => i.ItemId), following.IndicesOf(q).ToArray().Select(i => _w.Embedding.ItemIds[i]));
                Assert.Equal(list.Items.Select(i => i.Score), following.ScoresOf(q).ToArray());
            }
            var freshFollowing = scorer.RetrieveFollowingFromHistories([.. compact[..2].Select(h => (IReadOnlyList<int>)h.Select(i => _w.ItemRows[i]).ToArray())], topics[..2]);
            for (int q = 0; q < 2; q++)
            {
                var list = live.RecommendFollowing("someone-new", topics[q], compact[q].Select(_w.ItemId));
                Assert.Equal(list.Items.Select(i => i.ItemId), freshFollowing.IndicesOf(q).ToArray().Select(i => _w.Embedding.ItemIds[i]));
                Assert.Equal(list.Items.Select(i => i.Score), freshFollowing.ScoresOf(q).ToArray());
            }
        }
    }

    /// <summary>An edge with its item's topic and the topics its user follows.</summary>
    public sealed class FollowingEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string Topic { get; set; } = "";

        public string[] Follows { get; set; } = [];
    }

    [Fact]
    public void FollowedTopics_ReplaceTheHistorysConditions_AsTheEnginesRepresent_AndAreSavedWithTheStage()
    {
        // User u0 follows one topic outside its three planted ones; u1 follows two of its own; the others follow nothing.
        int outside = Enumerable.Range(0, PlantedTopics.Topics - 1).First(t => !_w.Planted.UserTopics[0].Contains(t));
        int[] own = [.. _w.Planted.UserTopics[1].Where(t => t < PlantedTopics.Topics - 1).Take(2)];
        string[] Follows(int u) => u == 0 ? [$"topic{outside}"] : u == 1 ? own.Select(t => $"topic{t}").ToArray() : [];
        var edges = new List<FollowingEdge>();
        for (int u = 0; u < _w.Planted.Train.UserCount; u++)
            foreach (int i in _w.Planted.Train.ItemsOf(u))
                edges.Add(new FollowingEdge { User = $"u{u}", Item = $"i{i}", Topic = $"topic{PlantedTopics.TopicOf(i)}", Follows = Follows(u) });
        var ml = _w.Ml;
        var raw = ml.Data.LoadFromEnumerable(edges);
        var vocabulary = ml.Data.LoadFromEnumerable(Enumerable.Range(0, PlantedTopics.Topics - 1).Select(t => new TopicTerm { Topic = $"topic{t}" }));
        var keys = ml.Transforms.Conversion.MapValueToKey("User")
            .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic", keyData: vocabulary))
            .Append(ml.Transforms.Conversion.MapValueToKey("Followed", "Follows", keyData: vocabulary))
            .Fit(raw);
        // The same key mapping and vectors as the world's (the same edges in the same order), so its engine inputs apply.
        var embedded = _w.Embedding.Transform(keys.Transform(raw));
        var o = Options();
        o.FollowedConditionsColumnName = "Followed";
        var fitted = ml.MultiInterest().ConditionalRetriever(o).Fit(embedded);

        var followed = _w.Trained.Select(u => _w.UserId(u) switch
        {
            "u0" => new[] { outside },
            "u1" => own,
            _ => null,
        }).ToArray();
        var model = _w.EngineModel();
        var table = model.Represent(_w.Graph, _w.UserVectors, _w.Items, _w.Trained, maxConditions: 3, followed, threads: 1);
        var fill = new UnimodalRetriever(_w.Items).Retrieve(_w.UserVectors, _w.Trained, _w.Graph, ConditionalDefaults.FillFactor * M, threads: 1);
        var engine = new ConditionalRetriever(_w.Items, _w.Conditions).Retrieve(table, null, _w.Trained, _w.Graph, [M],
            new ConditionalRetrievalOptions { Alpha = 0.5, HeadShare = 0.2 }, fill, _w.UserVectors, threads: 1)[0];
        for (int q = 0; q < _w.Trained.Length; q++) Assert.Equal(engine.IndicesOf(q).ToArray(), CompactList(fitted, _w.Trained[q]));
        // u0's list past the unimodal head comes from the topic it follows, which its history does not have.
        int u0 = _w.Trained.Single(u => _w.UserId(u) == "u0");
        var tail = CompactList(fitted, u0).Skip(2).Select(i => PlantedTopics.TopicOf(int.Parse(_w.ItemId(i).AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(tail, t => Assert.Equal(outside, t));
        Assert.NotEqual(CompactList(_w.Fitted, u0), CompactList(fitted, u0));

        // Saved and loaded: the followed topics come back with the stage, and the live lists are the fitted ones.
        string path = Path.Combine(_directory, "followed.zip");
        var chain = new TransformerChain<ITransformer>(keys, _w.Embedding, fitted);
        ml.Model.Save(chain, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        var live = ml.MultiInterest().CreateRecommender(loaded);
        foreach (int u in _w.Trained)
            Assert.Equal(fitted.GetCandidates((uint)u + 1).ItemKeys.Select(k => _w.Embedding.ItemIds[(int)k - 1]), live.Recommend(_w.UserId(u)).Items.Select(i => i.ItemId));
        // And through ONNX: the encoder holds each user's conditions, the followed ones included.
        string onnxDirectory = Path.Combine(_directory, "followed-onnx");
        loaded.ExportOnnx(onnxDirectory);
        using (var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(onnxDirectory))
        {
            var onnx = scorer.RetrieveClusterQuota(_w.Trained, loaded.TrainingHistory());
            for (int q = 0; q < _w.Trained.Length; q++)
                Assert.Equal(fitted.GetCandidates((uint)_w.Trained[q] + 1).ItemKeys.Select(k => (int)k - 1), onnx.IndicesOf(q).ToArray());
            // Fresh histories take their conditions from the history, padded to the encoder's width (wider for the followed topics).
            AssertFreshHistoriesServedAsTheRecommender(loaded, scorer);
        }

        // A followed column over another vocabulary is refused, naming both columns.
        var other = ml.Transforms.Conversion.MapValueToKey("Other", "Follows").Fit(raw).Transform(raw);
        var wrong = _w.Embedding.Transform(keys.Transform(other));
        o.FollowedConditionsColumnName = "Other";
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().ConditionalRetriever(o).Fit(wrong));
        Assert.Contains("'Other' (option FollowedConditionsColumnName)", error.Message);
        Assert.Contains($"'{MultiInterestColumnNames.ItemCondition}'", error.Message);

        // A followed column the data lacks is refused by the shape check too, with the columns the data has.
        o.FollowedConditionsColumnName = "Nope";
        // SchemaShape.Create(DataViewSchema) is internal to ML.NET: called as an estimator chain does.
        var shapeOf = (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public
            | System.Reflection.BindingFlags.NonPublic, [typeof(DataViewSchema)])!.Invoke(null, [wrong.Schema])!;
        var shapeError = Assert.Throws<ArgumentException>(() => ml.MultiInterest().ConditionalRetriever(o).GetOutputSchema(shapeOf));
        Assert.Contains("Input column 'Nope' (option FollowedConditionsColumnName) was not found in the input schema; its columns are", shapeError.Message);
        Assert.Contains("Input column 'Nope' (option FollowedConditionsColumnName) was not found in the data; its columns are",
            Assert.Throws<ArgumentException>(() => ml.MultiInterest().ConditionalRetriever(o).Fit(wrong)).Message);

        // The followed topics belong to the user: u0's second row following another topic is refused, not dropped unread.
        // The same set in another order, or repeated, is the same set of topics: accepted.
        var reordered = edges.Select(e => e.User == "u1" && e != edges.First(f => f.User == "u1")
            ? new FollowingEdge { User = e.User, Item = e.Item, Topic = e.Topic, Follows = [.. e.Follows.Reverse(), .. e.Follows] } : e).ToList();
        o.FollowedConditionsColumnName = "Followed";
        ml.MultiInterest().ConditionalRetriever(o).Fit(_w.Embedding.Transform(keys.Transform(ml.Data.LoadFromEnumerable(reordered))));
        var changed = edges.Select((e, n) => n == 1 && e.User == "u0" ? new FollowingEdge { User = e.User, Item = e.Item, Topic = e.Topic, Follows = ["topic0", "topic1"] } : e).ToList();
        Assert.Equal("u0", changed[1].User);
        var inconsistent = _w.Embedding.Transform(keys.Transform(ml.Data.LoadFromEnumerable(changed)));
        o.FollowedConditionsColumnName = "Followed";
        var differs = Assert.Throws<ArgumentException>(() => ml.MultiInterest().ConditionalRetriever(o).Fit(inconsistent));
        Assert.Contains("Input column 'Followed' (option FollowedConditionsColumnName) gives user key 1 ('u0') two values (its first row follows other conditions than a later row)", differs.Message);
    }

    /// <summary>
    /// Regression (a review): a new user following only a topic of the vocabulary without training items got the popular
    /// list labelled FollowedTopics, as if it came from the topic.
    /// </summary>
    [Fact]
    public void FollowingOnlyTopicsWithoutItems_IsThePopularList_AndSaysSo()
    {
        var ml = new MLContext(seed: 1);
        var edges = Enumerable.Range(0, 6).SelectMany(u => Enumerable.Range(0, 10).Where(i => (i + u) % 3 != 0)
            .Select(i => new TopicEdge { User = $"u{u}", Item = $"i{i}", Topic = i < 5 ? "a" : "b" })).ToArray();
        var raw = ml.Data.LoadFromEnumerable(edges);
        var vocabulary = ml.Data.LoadFromEnumerable(new[] { "a", "b", "unused" }.Select(t => new TopicTerm { Topic = t }));
        var keys = ml.Transforms.Conversion.MapValueToKey("User").Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic", keyData: vocabulary)).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = ml.MultiInterest();
        var embedding = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 2, Threads = 1 }).Fit(keyed);
        var stage = mi.ConditionalRetriever(new ConditionalRetrieverEstimator.Options { Candidates = 4, Epochs = 1, Seed = 4, Threads = 1 }).Fit(embedding.Transform(keyed));
        var recommender = mi.CreateRecommender(new TransformerChain<ITransformer>(keys, embedding, stage));
        var popular = recommender.Recommend("nobody");
        Assert.Equal(CandidateSource.Popular, popular.Source);
        var unused = recommender.RecommendFollowing("nobody", ["unused"]);
        Assert.Equal(CandidateSource.Popular, unused.Source);
        Assert.Equal(popular.Items.Select(i => i.ItemId), unused.Items.Select(i => i.ItemId));
        Assert.Equal(CandidateSource.FollowedTopics, recommender.RecommendFollowing("nobody", ["unused", "b"]).Source);
    }

    [Fact]
    public void RecommendFollowing_TakesTopicsAtRequestTime_AsTheEngineRepresentsFollowedTopics_AndColdStartsFromTheTopicsPopularItems()
    {
        var mi = _w.Ml.MultiInterest();
        var recommender = mi.CreateRecommender(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.Fitted));
        Assert.Equal(Enumerable.Range(0, PlantedTopics.Topics - 1).Select(t => $"topic{t}"), recommender.Topics);
        var model = _w.EngineModel();
        var options = new ConditionalRetrievalOptions { Alpha = 0.5, HeadShare = 0.2 };
        RankedLists Engine(BipartiteGraph graph, EmbeddingMatrix vectors, int user, int[] followed)
        {
            var table = model.Represent(graph, vectors, _w.Items, [user], maxConditions: 3, [followed], threads: 1);
            var fill = new UnimodalRetriever(_w.Items).Retrieve(vectors, [user], graph, ConditionalDefaults.FillFactor * M, threads: 1);
            return new ConditionalRetriever(_w.Items, _w.Conditions).Retrieve(table, null, [user], graph, [M], options, fill, vectors, threads: 1)[0];
        }

        // A trained user who now follows a topic outside its own: the engine's followed representation over its vector and history.
        int u0 = _w.Trained.Single(u => _w.UserId(u) == "u0");
        int outside = Enumerable.Range(0, PlantedTopics.Topics - 1).First(t => !_w.Planted.UserTopics[0].Contains(t));
        var trained = recommender.RecommendFollowing("u0", [$"topic{outside}", $"topic{outside}"]);
        Assert.Equal(CandidateSource.Trained, trained.Source);
        Assert.Equal(Engine(_w.Graph, _w.UserVectors, u0, [outside]).IndicesOf(0).ToArray().Select(_w.ItemId), trained.Items.Select(i => i.ItemId));
        Assert.NotEqual(recommender.Recommend("u0").Items.Select(i => i.ItemId), trained.Items.Select(i => i.ItemId));

        // A new user with a history and two topics: the history's ALS fold-in, the topics' queries.
        int[] history = [.. _w.Graph.ItemsOf(_w.Trained[2]).ToArray().Take(6)];
        var one = BipartiteGraph.FromEdges(1, _w.Items.Rows, new int[history.Length], history);
        var fresh = recommender.RecommendFollowing("someone-new", ["topic1", "topic3"], history.Select(_w.ItemId));
        Assert.Equal(CandidateSource.History, fresh.Source);
        Assert.Equal(Engine(one, _w.HistoryVector(one), 0, [1, 3]).IndicesOf(0).ToArray().Select(_w.ItemId), fresh.Items.Select(i => i.ItemId));

        // Nobody known, two topics: each topic's five most popular items (training degree, ties to the lower item), in topic order.
        var cold = recommender.RecommendFollowing("nobody", ["topic3", "topic1"]);
        Assert.Equal(CandidateSource.FollowedTopics, cold.Source);
        var degrees = _w.Graph.ItemDegrees();
        IEnumerable<string> Popular(int topic) => _w.Conditions.MembersOf(topic).ToArray().OrderByDescending(i => degrees[i]).ThenBy(i => i).Take(M / 2).Select(_w.ItemId);
        Assert.Equal(Popular(1).Concat(Popular(3)), cold.Items.Select(i => i.ItemId));

        // Bad requests: an unknown topic (topic5 is outside the vocabulary), none, or a stage that is not conditional.
        var unknown = Assert.Throws<ArgumentException>(() => recommender.RecommendFollowing("u0", ["topic1", "topic5"]));
        Assert.Contains("'topic5'", unknown.Message);
        Assert.Equal("followedTopics", unknown.ParamName);
        Assert.Equal("followedTopics", Assert.Throws<ArgumentException>(() => recommender.RecommendFollowing("u0", [])).ParamName);
        var unimodal = mi.CreateRecommender(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, mi.UnimodalRetriever(candidates: M).Fit(_w.Embedded)));
        Assert.Empty(unimodal.Topics);
        Assert.Contains("ConditionalRetriever", Assert.Throws<InvalidOperationException>(() => unimodal.RecommendFollowing("u0", ["topic1"])).Message);
    }

    [Fact]
    public void ExportOnnx_ServesTheConditionalLists_AsTheEngineAndTheFittedStage()
    {
        string path = Path.Combine(_directory, "onnx.zip");
        _w.Ml.Model.Save(new TransformerChain<ITransformer>(_w.Keys, _w.Embedding, _w.Fitted), _w.Raw.Schema, path);
        using var model = MultiInterestModel.Load(_w.Ml, path);
        string directory = Path.Combine(_directory, "onnx");
        var manifest = model.ExportOnnx(directory);
        Assert.True(manifest.IsConditional);
        Assert.Equal(2, manifest.HeadSlots);   // HeadShare 0.2 of M = 10
        using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory, batchSize: 7);
        var onnx = scorer.RetrieveClusterQuota(_w.Trained, model.TrainingHistory());
        var engine = model.RetrieveWithEngine(_w.Trained, threads: 1);
        Assert.Equal(engine.Counts, onnx.Counts);
        for (int q = 0; q < _w.Trained.Length; q++)
        {
            Assert.Equal(engine.IndicesOf(q).ToArray(), onnx.IndicesOf(q).ToArray());
            Assert.Equal(engine.ScoresOf(q).ToArray(), onnx.ScoresOf(q).ToArray());
            Assert.Equal(_w.Fitted.GetCandidates((uint)_w.Trained[q] + 1).ItemKeys.Select(k => (int)k - 1), onnx.IndicesOf(q).ToArray());
        }
        AssertFreshHistoriesServedAsTheRecommender(model, scorer);

        // Topics followed at request time, by trained users and by new users known by a history: RecommendFollowing's lists.
        var recommender = _w.Ml.MultiInterest().CreateRecommender(model);
        Assert.Equal(recommender.Topics, scorer.Topics);
        int[] users = [.. _w.Trained.Take(6)];
        IReadOnlyList<string>[] topics = [.. users.Select((_, q) => (IReadOnlyList<string>)(q % 3 == 0 ? ["topic1"] : q % 3 == 1 ? ["topic3", "topic0", "topic3"] : ["topic2", "topic0"]))];
        var following = scorer.RetrieveFollowing(users, topics, model.TrainingHistory(), model.TrainingHistory());
        for (int q = 0; q < users.Length; q++)
        {
            var live = recommender.RecommendFollowing(_w.UserId(users[q]), topics[q]);
            Assert.Equal(CandidateSource.Trained, live.Source);
            Assert.Equal(live.Items.Select(i => i.ItemId), following.IndicesOf(q).ToArray().Select(i => _w.Embedding.ItemIds[i]));
            Assert.Equal(live.Items.Select(i => i.Score), following.ScoresOf(q).ToArray());
        }
        int[][] compact = [[.. _w.Graph.ItemsOf(_w.Trained[2]).ToArray().Take(6)], [.. _w.Graph.ItemsOf(_w.Trained[9]).ToArray()]];
        IReadOnlyList<string>[] freshTopics = [["topic1", "topic3"], ["topic0"]];
        var freshFollowing = scorer.RetrieveFollowingFromHistories([.. compact.Select(h => (IReadOnlyList<int>)h.Select(i => _w.ItemRows[i]).ToArray())], freshTopics);
        for (int q = 0; q < compact.Length; q++)
        {
            var live = recommender.RecommendFollowing("someone-new", freshTopics[q], compact[q].Select(_w.ItemId));
            Assert.Equal(CandidateSource.History, live.Source);
            Assert.Equal(live.Items.Select(i => i.ItemId), freshFollowing.IndicesOf(q).ToArray().Select(i => _w.Embedding.ItemIds[i]));
            Assert.Equal(live.Items.Select(i => i.Score), freshFollowing.ScoresOf(q).ToArray());
        }
        // Bad requests name what is wrong: an unknown topic, no topic, a user given twice.
        Assert.Contains("'topic5'", Assert.Throws<ArgumentException>(() => scorer.RetrieveFollowing([users[0]], [["topic5"]], model.TrainingHistory())).Message);
        Assert.Contains("follows no topic", Assert.Throws<ArgumentException>(() => scorer.RetrieveFollowing([users[0]], [[]], model.TrainingHistory())).Message);
        Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => scorer.RetrieveFollowing([users[0], users[0]], [["topic1"], ["topic2"]], model.TrainingHistory())).Message);

        // The condition model is a graph any ONNX runtime runs without inputs: t_c, beta_c and every item row's condition.
        Assert.Equal(3, manifest.MaxConditions);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ConditionModelFileName));
        using var options = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var tables = session.Run(options, [], [], manifest.ConditionModel!.Outputs.ToArray());
        Assert.Equal([_w.Conditions.Count, _w.Items.Dimension], tables[0].GetTensorTypeAndShape().Shape);
        var conditionOfRow = tables[2].GetTensorDataAsSpan<long>().ToArray();
        for (int i = 0; i < _w.Items.Rows; i++) Assert.Equal(_w.Conditions.ConditionOf(i), conditionOfRow[_w.ItemRows[i]]);
    }

    /// <summary>
    /// Users known by a fresh history only, through the directory's condition model: the recommender's lists for histories
    /// over one, two and several topics, an item-less one and an empty one (no list there; the popular items live).
    /// </summary>
    private void AssertFreshHistoriesServedAsTheRecommender(MultiInterestModel model, Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer scorer)
    {
        Assert.True(scorer.ServesQuotaHistories);
        int[][] compact =
        [
            [.. _w.Graph.ItemsOf(_w.Trained[0]).ToArray().Take(5), .. _w.Graph.ItemsOf(_w.Trained[7]).ToArray().Take(3)],
            [.. _w.Graph.ItemsOf(_w.Trained[3]).ToArray()],
            [.. Enumerable.Range(0, _w.Items.Rows).Where(i => i % 7 == 0)],
            [],
        ];
        var histories = compact.Select(h => (IReadOnlyList<int>)h.Select(i => _w.ItemRows[i]).ToArray()).ToArray();
        var fresh = scorer.RetrieveClusterQuotaFromHistories(histories);
        var recommender = _w.Ml.MultiInterest().CreateRecommender(model);
        for (int q = 0; q < compact.Length; q++)
        {
            var live = recommender.Recommend("someone-new", compact[q].Select(_w.ItemId));
            if (compact[q].Length == 0)
            {
                Assert.Equal(0, fresh.Counts[q]);
                continue;
            }
            Assert.Equal(CandidateSource.History, live.Source);
            Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(q).ToArray().Select(i => _w.Embedding.ItemIds[i]));
            Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void BadOptionsAndInputs_AreRefusedNamingTheOptionOrColumn()
    {
        var mi = new MLContext(seed: 1).MultiInterest();
        string Refused(Action<ConditionalRetrieverEstimator.Options> set) => StageRefusals.RefusedOption(Options, set, mi.ConditionalRetriever);

        Assert.Equal("MaxConditions", Refused(o => o.MaxConditions = 0));
        Assert.Equal("Alpha", Refused(o => o.Alpha = double.NaN));
        Assert.Equal("HeadShare", Refused(o => o.HeadShare = 1.5));
        Assert.Equal("Epochs", Refused(o => o.Epochs = 0));
        Assert.Equal("GlobalNegatives", Refused(o => (o.HardNegatives, o.GlobalNegatives) = (0, 0)));
        Assert.Equal("Temperature", Refused(o => o.Temperature = 0));
        Assert.Equal("ItemConditionColumnName", Refused(o => o.ItemConditionColumnName = ""));
        Assert.Equal("ImplicitShare", Refused(o => o.ImplicitShare = -0.1));
        Assert.Equal("ImplicitQuery", Refused(o => o.ImplicitQuery = (QuotaQuery)9));

        // No condition column in the data, and a column whose every key is missing.
        var dropped = _w.Ml.Transforms.DropColumns(MultiInterestColumnNames.ItemCondition).Fit(_w.Embedded).Transform(_w.Embedded);
        var noColumn = Assert.ThrowsAny<ArgumentException>(() => mi.ConditionalRetriever(Options()).Fit(dropped));
        Assert.Contains(MultiInterestColumnNames.ItemCondition, noColumn.Message);
        var none = _w.Ml.Transforms.Conversion.MapValueToKey("NoTopic", "Topic", keyData: _w.Ml.Data.LoadFromEnumerable(new[] { new TopicTerm { Topic = "no-such-topic" } }))
            .Fit(_w.Raw).Transform(_w.Raw);
        var keyed = _w.Embedding.Transform(_w.Keys.Transform(none));
        var o = Options();
        o.ItemConditionColumnName = "NoTopic";
        var allMissing = Assert.ThrowsAny<ArgumentException>(() => mi.ConditionalRetriever(o).Fit(keyed));
        Assert.Contains("No item has a condition in column 'NoTopic'", allMissing.Message);
    }

    /// <summary>A topic of the vocabulary that no item with a training edge carries is accepted, and the log says what following it gives.</summary>
    [Fact]
    public void ATopicWithoutItems_IsWarnedOf()
    {
        var ml = new MLContext(seed: 1);
        var warnings = MLNetTestData.Warnings(ml);
        var vocabulary = ml.Data.LoadFromEnumerable(Enumerable.Range(0, PlantedTopics.Topics).Select(t => new TopicTerm { Topic = $"topic{t}" })
            .Append(new TopicTerm { Topic = "nobody-reads-this" }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("WithEmpty", "Topic", keyData: vocabulary).Fit(_w.Raw).Transform(_w.Raw);
        var embedded = _w.Embedding.Transform(_w.Keys.Transform(keyed));
        var o = Options();
        o.ItemConditionColumnName = "WithEmpty";
        ml.MultiInterest().ConditionalRetriever(o).Fit(embedded);
        Assert.Contains(warnings, w => w.Contains("1 of the 7 conditions (the first 'nobody-reads-this') hold no item with a training edge", StringComparison.Ordinal));
    }

    [Fact]
    public void AnItemWhoseRowsDisagree_TakesTheConditionMostOfItsRowsCarry()
    {
        var ml = new MLContext(seed: 1);
        // Every item's rows carry its topic t{i / 15}, except item i0's: its first row says t0, two of the other three t1 and
        // one a topic outside the vocabulary (a missing key, which counts for none). The first row alone would give t0. Items i30..i44 have only missing keys: no condition.
        var edges = Enumerable.Range(0, 40).SelectMany(u => Enumerable.Range(0, 6).Select(k => (u * 7 + k * 5) % 60)
            .Select(i => new TopicEdge { User = $"u{u}", Item = $"i{i}", Topic = i is >= 30 and < 45 ? "unknown" : $"t{i / 15}" })).ToList();
        var zero = edges.Where(e => e.Item == "i0").ToList();
        Assert.Equal(4, zero.Count);
        (zero[1].Topic, zero[2].Topic, zero[3].Topic) = ("t1", "t1", "unknown");
        var vocabulary = ml.Data.LoadFromEnumerable(new[] { "t0", "t1", "t3" }.Select(t => new TopicTerm { Topic = t }));
        var data = ml.Data.LoadFromEnumerable(edges);
        var fitted = ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic", keyData: vocabulary)
            .Append(ml.Transforms.Conversion.MapValueToKey("User"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
            .Append(ml.MultiInterest().GraphEmbedding(algorithm: EmbeddingAlgorithm.ImplicitAls, dimension: 8))
            .Append(ml.MultiInterest().ConditionalRetriever(candidates: 5))
            .Fit(data);
        var embedding = (GraphEmbeddingTransformer)fitted.First(t => t is GraphEmbeddingTransformer);
        var tables = fitted.LastTransformer.Columns.Live.Tables;
        var conditions = tables.Conditional!.Conditions;
        string ConditionOf(string item) => conditions.ConditionOf(Array.BinarySearch(tables.ItemRowOf, embedding.ItemIds.ToList().IndexOf(item))) is var c && c >= 0
            ? conditions.Names[c] : "none";
        Assert.Equal(1, zero.Count(e => e.Topic == "t0"));
        Assert.Equal("t1", ConditionOf("i0"));
        Assert.Equal("t0", ConditionOf("i1"));
        Assert.Equal("t3", ConditionOf("i45"));
        Assert.Equal("none", ConditionOf("i31"));
    }

    /// <summary>A row of an item-to-topic table.</summary>
    public sealed class ItemTopic
    {
        public string Item { get; set; } = "";

        public string Topic { get; set; } = "";
    }

    [Fact]
    public void ConditionsFromAnItemTable_AreLookedUpInsideThePipeline_SoServingNeedsUsersAndItemsOnly()
    {
        var ml = new MLContext(seed: 1);
        var edges = Enumerable.Range(0, 40).SelectMany(u => Enumerable.Range(0, 6).Select(k => new MLNetTestData.Edge { User = $"u{u}", Item = $"i{(u * 7 + k * 5) % 60}" })).ToList();
        var train = ml.Data.LoadFromEnumerable(edges);
        var mi = ml.MultiInterest();
        // Items i45..i59 have no topic.
        var table = Enumerable.Range(0, 45).Select(i => new ItemTopic { Item = $"i{i}", Topic = $"t{i / 15}" }).ToList();
        {
            #region ConditionTable
            var topics = ml.Data.LoadFromEnumerable(table);                                     // item<TAB>topic rows
            var vocabulary = ml.Transforms.SelectColumns("Topic").Fit(topics).Transform(topics);   // the topics, one column
            var pipeline = ml.Transforms.Conversion.MapValue("Topic", topics, topics.Schema["Item"], topics.Schema["Topic"], "Item")   // "" for an item without one
                .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic", keyData: vocabulary))   // "": missing key, no condition
                .Append(ml.Transforms.Conversion.MapValueToKey("User"))
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(mi.GraphEmbedding(algorithm: EmbeddingAlgorithm.ImplicitAls, dimension: 16))
                .Append(mi.ConditionalRetriever(candidates: 10));
            var model = pipeline.Fit(train);   // the edges need only User and Item
            #endregion
            var scored = ServingWorld.Read(model.Transform(train));
            Assert.All(scored, r => Assert.Equal(10, r.Items.Length));
            // Each edge's condition key, in the edges' order: missing (0) exactly for the items without a topic.
            var keys = MLNetTestData.Keys(model.Transform(train), MultiInterestColumnNames.ItemCondition);
            for (int e = 0; e < edges.Count; e++)
                Assert.Equal(int.Parse(edges[e].Item.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) >= 45, keys[e] == 0);
        }

        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(ConditionalMLNetTests) + ".cs"), "ConditionTable", "docs/pipeline.md");
    }

    [Fact]
    public void ThePipelinePageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).SelectMany(u => Enumerable.Range(0, 6).Select(k =>
        {
            int item = (u * 7 + k * 5) % 60;
            return new TopicEdge { User = $"u{u}", Item = $"i{item}", Topic = $"t{item / 15}" };
        })).ToList());
        var mi = ml.MultiInterest();
        {
            #region Conditional
            var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
                .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic"))   // each item's topic
                .Append(mi.GraphEmbedding(algorithm: EmbeddingAlgorithm.ImplicitAls, dimension: 16))
                .Append(mi.ConditionalRetriever(candidates: 10, maxConditions: 3, headShare: 0.2));
            var model = pipeline.Fit(train);

            var recommender = mi.CreateRecommender(model);
            RecommendationList known = recommender.Recommend("u1");                      // its vector, one query per topic of its history
            RecommendationList cold = recommender.Recommend("new-user", ["i3", "i31"]);  // the history's vector and topics
            RecommendationList picked = recommender.RecommendFollowing("new-user", ["t1", "t3"]);   // topics chosen at sign-up: their popular items
            #endregion
            Assert.Equal(CandidateSource.Trained, known.Source);
            Assert.Equal(CandidateSource.History, cold.Source);
            Assert.Equal(CandidateSource.FollowedTopics, picked.Source);
            Assert.All(picked.Items, i => Assert.Contains(int.Parse(i.ItemId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) / 15, new[] { 1, 3 }));
            Assert.Equal(10, known.Items.Count);
        }

        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(ConditionalMLNetTests) + ".cs"), "Conditional", "docs/pipeline.md");
    }
}
