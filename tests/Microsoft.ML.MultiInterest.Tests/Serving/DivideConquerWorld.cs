using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// The planted graph of <see cref="MLNetTestData"/> keyed for ML.NET and the small divide-and-conquer GraphEmbedding the
/// new-user serving tests fit on it (d = 8, 2 epochs, one thread), so that each test class states only what it checks.
/// </summary>
internal sealed class DivideConquerWorld
{
    public MLContext Ml { get; } = new(seed: 1);

    /// <summary>
    /// New users' histories of item rows (= item key - 1: every item of the planted graph has edges): one with a repeat, one
    /// of a single item, one of many.
    /// </summary>
    public static readonly int[][] Histories = [[0, 3, 7, 11, 20], [5], [2, 9, 14, 17, 21, 22, 23], [4, 4, 10], [1, 6, 8, 12, 13, 15, 16, 18, 19]];

    /// <summary>The edges as loaded, raw ids.</summary>
    public IDataView Raw { get; }

    /// <summary>The id-to-key mapping fitted on <see cref="Raw"/>.</summary>
    public ITransformer Keys { get; }

    /// <summary><see cref="Raw"/> through <see cref="Keys"/>.</summary>
    public IDataView Keyed { get; }

    /// <summary>The planted graph keyed; with <paramref name="topics"/>, for conditional stages, each edge also carries its item's topic.</summary>
    /// <param name="topics">
    /// Whether each edge carries its item's topic (<see cref="TopicOf"/>) keyed into the item condition column over the
    /// vocabulary of <see cref="Topics"/>: topic <c>t2</c> is left out, so a third of the items have no condition. The users and
    /// items are keyed as without topics (the same item rows).
    /// </param>
    public DivideConquerWorld(bool topics = false)
    {
        if (!topics)
        {
            Raw = Ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            Keys = MLNetTestData.KeyPipeline(Ml).Fit(Raw);
        }
        else
        {
            Raw = Ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Select(e => new ConditionalMLNetTests.TopicEdge { User = e.User, Item = e.Item, Topic = TopicOf(e.Item) }));
            var vocabulary = Ml.Data.LoadFromEnumerable(Topics.Select(t => new ConditionalMLNetTests.TopicTerm { Topic = t }));
            Keys = MLNetTestData.KeyPipeline(Ml)
                .Append(Ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic", keyData: vocabulary)).Fit(Raw);
        }
        Keyed = Keys.Transform(Raw);
    }

    /// <summary>The topics a conditional stage knows (<c>t2</c>, which <see cref="TopicOf"/> gives a third of the items, is not one).</summary>
    public static readonly string[] Topics = ["t0", "t1"];

    /// <summary>The topic of item id <c>i{n}</c>: <c>t{n mod 3}</c>.</summary>
    public static string TopicOf(string item) => $"t{int.Parse(item.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) % 3}";

    /// <summary>A divide-and-conquer GraphEmbedding fitted on <see cref="Keyed"/>; <paramref name="components"/> null keeps the default m.</summary>
    public GraphEmbeddingTransformer DivideConquer(DivideConquerEncoder encoder = DivideConquerEncoder.MeanPooling, int clusters = 3, int? components = null)
    {
        var options = new DivideConquerOptions { Clusters = clusters, Encoder = encoder };
        if (components is int m) options.Components = m;
        return Ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 8, Epochs = 2, Threads = 1, UniformNegatives = 4, Seed = 3,
            DivideConquer = options,
        }).Fit(Keyed);
    }

    /// <summary>
    /// The quota pipeline after <paramref name="embedding"/>: the model's clusters (or k-means' own), kNN-Embed mixtures (m = 2)
    /// for the trained users, and a cluster-quota stage of M = <paramref name="candidates"/> reading a new user's mixture as
    /// <paramref name="mixture"/> and its vector as <paramref name="vector"/> say; <paramref name="userColumn"/> the stage's user vectors (null: none);
    /// <paramref name="configure"/> sets the stage's other options (query, head share, output columns).
    /// </summary>
    public TransformerChain<ITransformer> QuotaChain(GraphEmbeddingTransformer embedding, HistoryMixture mixture, int candidates, bool modelClusters = true,
        string? userColumn = null, HistoryVector vector = HistoryVector.Auto, Action<ClusterQuotaRetrieverEstimator.Options>? configure = null)
    {
        var mi = Ml.MultiInterest();
        var embedded = embedding.Transform(Keyed);
        var clusters = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = modelClusters, Seed = 1 }).Fit(embedded);
        var clustered = clusters.Transform(embedded);
        var mixtures = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var options = new ClusterQuotaRetrieverEstimator.Options
        {
            Candidates = candidates, UserEmbeddingColumnName = userColumn, HistoryMixture = mixture, HistoryVector = vector, Threads = 1,
        };
        configure?.Invoke(options);
        var quota = mi.ClusterQuotaRetriever(options).Fit(mixtures.Transform(clustered));
        return new TransformerChain<ITransformer>(Keys, embedding, clusters, mixtures, quota);
    }

    /// <summary>The graph whose user q holds the item rows of <paramref name="histories"/>[q], over <paramref name="items"/> items.</summary>
    public static BipartiteGraph HistoryGraph(int[][] histories, int items) =>
        BipartiteGraph.FromEdges(histories.Length, items, [.. histories.SelectMany((h, q) => h.Select(_ => q))], [.. histories.SelectMany(h => h)]);

    /// <summary>Saves <paramref name="chain"/> to <paramref name="path"/> with <see cref="Raw"/>'s schema and loads it back.</summary>
    public MultiInterestModel SaveAndLoad(ITransformer chain, string path)
    {
        Ml.Model.Save(chain, Raw.Schema, path);
        return MultiInterestModel.Load(Ml, path);
    }

    /// <summary>
    /// Asserts that <paramref name="recommender"/> serves a new user each of <paramref name="histories"/> (item rows, named by
    /// <paramref name="itemId"/>) from the history, with exactly the items and scores of <paramref name="expected"/>'s list of it.
    /// </summary>
    public static void AssertServes(MultiInterestRecommender recommender, int[][] histories, RankedLists expected, Func<int, string> itemId)
    {
        for (int q = 0; q < histories.Length; q++)
        {
            var list = recommender.Recommend("someone-new", histories[q].Select(itemId));
            Assert.Equal(CandidateSource.History, list.Source);
            Assert.Equal(expected.IndicesOf(q).ToArray().Select(itemId), list.Items.Select(r => r.ItemId));
            Assert.Equal(expected.ScoresOf(q).ToArray(), list.Items.Select(r => r.Score));
        }
    }

    /// <summary>
    /// Asserts that <paramref name="chain"/>'s Transform of request rows of a new user, one per history of
    /// <paramref name="histories"/> in the History column, gives exactly <paramref name="expected"/>'s lists, flagged History.
    /// </summary>
    public void AssertServesHistoryColumn(ITransformer chain, int[][] histories, RankedLists expected, Func<int, string> itemId)
    {
        var requests = histories.Select(h => new ServingWorld.Request { User = "someone-new", History = [.. h.Select(itemId)] });
        var served = ServingWorld.Read(chain.Transform(Ml.Data.LoadFromEnumerable(requests)));
        for (int q = 0; q < histories.Length; q++)
        {
            Assert.Equal("History", served[q].Source);
            Assert.Equal(expected.IndicesOf(q).ToArray().Select(itemId), served[q].Items);
            Assert.Equal(expected.ScoresOf(q).ToArray(), served[q].Scores);
        }
    }
}
