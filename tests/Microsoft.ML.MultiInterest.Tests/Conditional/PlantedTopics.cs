using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Conditional;

/// <summary>
/// A planted graph with known topics: items in <see cref="Topics"/> topics of two sub-styles each; every user has three
/// topics (a main one and two minor ones, about 15, 7 and 5 items), mostly of one preferred sub-style per topic, and a
/// quarter of each topic's items held out. Each edge carries its item's topic, the explicit condition.
/// </summary>
internal sealed class PlantedTopics
{
    public const int Topics = 6;
    public const int ItemsPerTopic = 40;
    public const int Users = 180;
    private static readonly int[] PerTopic = [15, 7, 5];

    public required BipartiteGraph Train { get; init; }
    public required BipartiteGraph Test { get; init; }

    /// <summary>The three planted topics of each user, main first.</summary>
    public required int[][] UserTopics { get; init; }

    /// <summary>The topic of each training edge (CSR order of <see cref="Train"/>), the explicit condition column.</summary>
    public required int[] EdgeTopics { get; init; }

    public static int TopicOf(int item) => item / ItemsPerTopic;

    public static PlantedTopics Create(int seed = 5)
    {
        var random = new Random(seed);
        var train = new List<(int, int)>();
        var test = new List<(int, int)>();
        var userTopics = new int[Users][];
        for (int u = 0; u < Users; u++)
        {
            var topics = Enumerable.Range(0, Topics).OrderBy(_ => random.Next()).Take(3).ToArray();
            userTopics[u] = topics;
            for (int k = 0; k < 3; k++)
            {
                int style = random.Next(2), t = topics[k];
                var chosen = new HashSet<int>();
                while (chosen.Count < PerTopic[k])
                {
                    // 85% from the preferred sub-style, popular items more often (a skewed draw).
                    int s = random.NextDouble() < 0.85 ? style : 1 - style;
                    int rank = (int)(20 * Math.Pow(random.NextDouble(), 1.7));
                    chosen.Add(t * ItemsPerTopic + s * 20 + rank);
                }
                int held = Math.Max(1, chosen.Count / 4), h = 0;
                foreach (int i in chosen.OrderBy(_ => random.Next()))
                    (h++ < held ? test : train).Add((u, i));
            }
        }
        var trainGraph = Graph(train);
        var edgeTopics = new int[trainGraph.EdgeCount];
        for (int e = 0; e < edgeTopics.Length; e++) edgeTopics[e] = TopicOf(trainGraph.EdgeItems[e]);
        return new PlantedTopics { Train = trainGraph, Test = Graph(test), UserTopics = userTopics, EdgeTopics = edgeTopics };
    }

    /// <summary>Implicit-ALS vectors of the training graph (small and fast).</summary>
    public GraphEmbeddingResult Embed(int dimension = 12) => GraphEmbeddingTrainerEngine.Fit(Train, new GraphEmbeddingOptions
    {
        Algorithm = EmbeddingAlgorithm.ImplicitAls,
        Dimension = dimension,
        Threads = 1,
        Seed = 3,
        Als = new ImplicitAlsOptions { Iterations = 8, Regularization = 0.05, UnobservedWeight = 0.05 },
    });

    /// <summary>The explicit conditions: each item's topic, from the edges' condition column.</summary>
    public ItemConditions Conditions() =>
        ItemConditions.FromEdges(Train.ItemCount, Train.EdgeItems, EdgeTopics, Topics, Enumerable.Range(0, Topics).Select(t => "topic" + t).ToArray());

    /// <summary>Mean over (user, planted topic) pairs of the share of the topic's held-out items in the user's list.</summary>
    public double TopicRecall(RankedLists lists, IReadOnlyList<int> users, int minorOnly = 0)
    {
        double sum = 0;
        int pairs = 0;
        for (int q = 0; q < users.Count; q++)
        {
            int u = users[q];
            var list = lists.IndicesOf(q).ToArray();
            foreach (int t in UserTopics[u].Skip(minorOnly))
            {
                var held = Test.ItemsOf(u).ToArray().Where(i => TopicOf(i) == t).ToArray();
                if (held.Length == 0) continue;
                sum += (double)held.Count(list.Contains) / held.Length;
                pairs++;
            }
        }
        return sum / pairs;
    }

    /// <summary>The share of users whose list holds an item of each of their three topics.</summary>
    public double TopicCoverage(RankedLists lists, IReadOnlyList<int> users)
    {
        int covered = 0;
        for (int q = 0; q < users.Count; q++)
        {
            var topics = lists.IndicesOf(q).ToArray().Select(TopicOf).ToHashSet();
            if (UserTopics[users[q]].All(topics.Contains)) covered++;
        }
        return (double)covered / users.Count;
    }

    private static BipartiteGraph Graph(List<(int User, int Item)> edges) =>
        BipartiteGraph.FromEdges(Users, Topics * ItemsPerTopic, edges.Select(e => e.User).ToArray(), edges.Select(e => e.Item).ToArray());
}
