using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.DivideConquer;

/// <summary>The learned next-cluster intent (<see cref="NextClusterIntent"/>) and serving quotas from given intents.</summary>
public class NextClusterIntentTests
{
    private const int Clusters = 4, PerCluster = 10;

    /// <summary>Items 0..39 in four clusters of ten (item / 10), with unit vectors on four axes.</summary>
    private static ItemClustering Clustering()
    {
        var assignments = Enumerable.Range(0, Clusters * PerCluster).Select(i => i / PerCluster).ToArray();
        var items = new EmbeddingMatrix(assignments.Length, Clusters);
        for (int i = 0; i < assignments.Length; i++) items.Row(i)[assignments[i]] = 1;
        return ItemClustering.Create(assignments, Clusters, items);
    }

    /// <summary>Users who walk the clusters in a cycle, one item each (0, 1, 2, 3, 0, ...), from a random start: the next cluster follows the last.</summary>
    private static int[][] CycleWalks(int users, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, users).Select(_ =>
        {
            int start = random.Next(Clusters);
            return Enumerable.Range(0, length).Select(t => (start + t) % Clusters * PerCluster + random.Next(PerCluster)).ToArray();
        }).ToArray();
    }

    [Fact]
    public void LearnsTheTransition_ThatACountedShareCannotSee_Deterministically()
    {
        var clustering = Clustering();
        var train = CycleWalks(200, 12, seed: 1);
        var model = NextClusterIntent.Fit(train, clustering, decay: 0.5, maxHistory: 8, epochs: 3);
        var fresh = CycleWalks(40, 7, seed: 2);
        var users = Enumerable.Range(0, fresh.Length).ToArray();
        var p = model.Predict(fresh, users);
        foreach (int u in users)
        {
            int last = clustering.ClusterOf(fresh[u][^1]), next = (last + 1) % Clusters;
            var row = p.ReadRow(u);
            Assert.Equal(1, row.ToArray().Sum(), 4);
            // The counted share of the recent items would put the last cluster (or a tie) first; the learned model the next one.
            Assert.True(row[next] > 0.8f, $"user {u}: p(next cluster {next}) = {row[next]:F3}");
        }
        Assert.Equal(p.Values, NextClusterIntent.Fit(train, clustering, decay: 0.5, maxHistory: 8, epochs: 3).Predict(fresh, users).Values);
    }

    [Fact]
    public void Untrained_PredictsTheClustersFrequency_AndAnEmptyHistoryGetsIt()
    {
        var clustering = Clustering();
        // Every predicted item (all but each sequence's first) is in cluster 2, but for one in cluster 0.
        int[][] train = [[5, 25, 26, 27], [31, 21, 3]];
        var model = NextClusterIntent.Fit(train, clustering, epochs: 0);
        var p = model.Predict([[], [12]], [0, 1]);
        // Add-one frequencies of the predicted items' clusters: (1 + 1, 1, 1 + 4, 1) / 9.
        double[] expected = [2 / 9.0, 1 / 9.0, 5 / 9.0, 1 / 9.0];
        for (int u = 0; u < 2; u++)
            for (int c = 0; c < Clusters; c++) Assert.Equal(expected[c], p.ReadRow(u)[c], 5);
    }

    [Fact]
    public void BadInput_NamesTheArgument()
    {
        var clustering = Clustering();
        int[][] train = [[0, 11]];
        Assert.Equal("decay", Assert.Throws<ArgumentOutOfRangeException>(() => NextClusterIntent.Fit(train, clustering, decay: 0)).ParamName);
        Assert.Equal("decay", Assert.Throws<ArgumentOutOfRangeException>(() => NextClusterIntent.Fit(train, clustering, decay: 1.5)).ParamName);
        Assert.Equal("maxHistory", Assert.Throws<ArgumentOutOfRangeException>(() => NextClusterIntent.Fit(train, clustering, maxHistory: 0)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => NextClusterIntent.Fit(train, clustering, learningRate: double.NaN)).ParamName);
        Assert.Contains("item 40", Assert.Throws<ArgumentException>(() => NextClusterIntent.Fit([[0, 40]], clustering)).Message, StringComparison.Ordinal);
        var model = NextClusterIntent.Fit(train, clustering);
        Assert.Contains("item -1", Assert.Throws<ArgumentException>(() => model.Predict([[-1]], [0])).Message, StringComparison.Ordinal);
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict([[1]], [1])).ParamName);
    }

    [Fact]
    public void BuildMixtures_ServesGivenIntents_AndClusterQueriesMatchItsQueries()
    {
        var (_, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 40, itemsPerUserPerGroup: 4);
        var model = GraphEmbeddingTrainerEngine.Fit(graph, DivideConquerTrainingTests.Small(DivideConquerEncoder.MeanPooling, true, itemGroup, epochs: 2)).DivideConquer!;
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        // Given intents: all mass on a cluster the user never touched, the rest split over two others.
        var intents = new EmbeddingMatrix(graph.UserCount, 4);
        var untouched = users.Select(u => Enumerable.Range(0, 4).First(c => !userGroups[u].Contains(c))).ToArray();
        foreach (int u in users)
        {
            intents.Row(u)[untouched[u]] = 0.7f;
            intents.Row(u)[userGroups[u][0]] = 0.2f;
            intents.Row(u)[userGroups[u][1]] = 0.1f;
        }
        var mixtures = model.BuildMixtures(graph, users, threads: 1, intents: intents);
        var queries = model.ClusterQueries(graph, users, untouched, threads: 1);
        foreach (int u in users)
        {
            Assert.Equal([untouched[u], userGroups[u][0], userGroups[u][1]], mixtures.Clusters(u).ToArray());
            Assert.Equal(0.7, mixtures.Weights(u)[0], 6);
            // BuildMixtures' queries are the unit ClusterQueries.
            var unit = queries.ReadRow(u).ToArray();
            VectorMath.NormalizeInPlace(unit);
            Assert.Equal(unit, mixtures.Embedding(u, 0).ToArray());
        }
        Assert.Equal("intents", Assert.Throws<ArgumentException>(() => model.BuildMixtures(graph, users, 1, intents: new EmbeddingMatrix(graph.UserCount, 3))).ParamName);
        Assert.Equal("clusters", Assert.Throws<ArgumentOutOfRangeException>(() => model.ClusterQueries(graph, [0], [4])).ParamName);
        Assert.Equal("clusters", Assert.Throws<ArgumentException>(() => model.ClusterQueries(graph, [0, 1], [0])).ParamName);
    }

    [Fact]
    public void WithinClusterRecall_RanksTheTargetAmongItsClustersUnseenItems_AsASortWould()
    {
        var clustering = Clustering();
        var random = new Random(3);
        var items = new EmbeddingMatrix(Clusters * PerCluster, 3);
        for (int i = 0; i < items.Values.Length; i++) items.Values[i] = (float)Math.Round(random.NextDouble() * 4) / 4; // ties on purpose
        const int users = 30;
        var seenEdges = Enumerable.Range(0, users).SelectMany(u => Enumerable.Range(0, 6).Select(_ => (u, i: random.Next(items.Rows)))).Distinct().ToArray();
        var seen = BipartiteGraph.FromEdges(users, items.Rows, seenEdges.Select(e => e.u).ToArray(), seenEdges.Select(e => e.i).ToArray());
        var userList = Enumerable.Range(0, users).ToArray();
        var targets = userList.Select(u => Enumerable.Range(0, items.Rows).Where(i => !seen.Contains(u, i)).ElementAt(random.Next(20))).ToArray();
        var queries = new EmbeddingMatrix(users, 3);
        for (int i = 0; i < queries.Values.Length; i++) queries.Values[i] = (float)random.NextDouble() - 0.5f;
        int[] cutoffs = [1, 3, 5];
        var recall = WithinClusterRecall.Compute(items, clustering, seen, userList, targets, queries, cutoffs);
        for (int t = 0; t < cutoffs.Length; t++)
        {
            int hits = 0;
            foreach (int u in userList)
            {
                // Reference: sort the cluster's unseen items by score (descending, ties to the lower index) and look for the target.
                float Score(int i) => queries.ReadRow(u).ToArray().Zip(items.ReadRow(i).ToArray(), (a, b) => a * b).Sum();
                var ranked = clustering.MembersOf(clustering.ClusterOf(targets[u])).ToArray().Where(i => !seen.Contains(u, i))
                    .OrderByDescending(Score).ThenBy(i => i).ToArray();
                if (Array.IndexOf(ranked, targets[u]) < cutoffs[t]) hits++;
            }
            Assert.Equal(hits / (double)users, recall[t], 12);
        }
        Assert.True(recall[0] < recall[2], "a cutoff of 5 finds more targets than a cutoff of 1");
        targets[0] = seen.ItemsOf(0)[0];
        Assert.Contains("among its seen items", Assert.Throws<ArgumentException>(() => WithinClusterRecall.Compute(items, clustering, seen, userList, targets, queries, cutoffs)).Message,
            StringComparison.Ordinal);
    }
}
