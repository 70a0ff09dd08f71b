using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.DivideConquer;

/// <summary><see cref="DivideConquerEncoder.SelfAttention"/>: positions by recency and a query from the last item.</summary>
public class SelfAttentionEncoderTests
{
    /// <summary>
    /// Every user visits four of six planted item groups, three items each, in a random order; its next item is another
    /// item of the group it is in now. A mean over the whole history weighs the four groups alike; the self-attention
    /// encoder, with positions by recency, learns to read the last items and ranks the next one far higher.
    /// </summary>
    [Fact]
    public void ItReadsTheRecentItems_WhereTheMeanWeighsTheWholeHistoryAlike()
    {
        const int groups = 6, perGroup = 15, users = 240, visited = 4, perVisit = 3;
        var random = new Random(13);
        var sequences = new int[users][];
        var next = new int[users];
        for (int u = 0; u < users; u++)
        {
            var order = Enumerable.Range(0, groups).OrderBy(_ => random.Next()).Take(visited).ToArray();
            var sequence = new List<int>();
            foreach (int g in order)
            {
                var items = Enumerable.Range(0, perGroup).OrderBy(_ => random.Next()).Take(perVisit + 1).Select(i => g * perGroup + i).ToArray();
                sequence.AddRange(items[..perVisit]);
                next[u] = items[perVisit];
            }
            sequences[u] = [.. sequence];
        }
        var graph = SequenceOrderTests.Graph(sequences, users, groups * perGroup);

        double Recall(DivideConquerEncoder encoder)
        {
            var options = DivideConquerTrainingTests.Small(encoder, prompts: false, clusters: null, epochs: 20);
            options.DivideConquer.Clusters = groups;
            options.DivideConquer.GlobalNegativeShare = 1;
            options.DivideConquer.MaxHistory = visited * perVisit;
            options.DivideConquer.Sequences = sequences;
            var fit = GraphEmbeddingTrainerEngine.Fit(graph, options);
            var again = GraphEmbeddingTrainerEngine.Fit(graph, options);
            Assert.Equal(fit.UserEmbeddings.Values, again.UserEmbeddings.Values); // one thread: deterministic
            var lists = new UnimodalRetriever(fit.ItemEmbeddings).Retrieve(fit.UserEmbeddings, Enumerable.Range(0, users).ToArray(), graph, 10, threads: 1);
            return Enumerable.Range(0, users).Count(u => lists.IndicesOf(u).Contains(next[u])) / (double)users;
        }

        double attention = Recall(DivideConquerEncoder.SelfAttention), mean = Recall(DivideConquerEncoder.MeanPooling);
        Assert.True(attention > mean + 0.2, $"Recall@10 of the next item: self-attention {attention:F3}, mean {mean:F3}");
    }

    /// <summary>Items without edges are trained around (the active subgraph) and put back: the positions and W must come back too.</summary>
    [Fact]
    public void AnItemWithoutEdges_KeepsTheTrainedEncoder()
    {
        int[][] sequences = [[0, 1, 2, 3], [4, 5, 6, 7], [1, 3, 5, 7], [2, 0, 6, 4]];
        int[] clusters = [0, 0, 0, 0, 1, 1, 1, 1];
        var compact = SequenceOrderTests.Graph(sequences, 4, 8);
        var wider = SequenceOrderTests.Graph(sequences, 4, 9); // item 8 has no edge
        DivideConquerModel Fit(BipartiteGraph graph, int[] itemClusters)
        {
            var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.SelfAttention, prompts: true, itemClusters, epochs: 3);
            options.DivideConquer.Sequences = sequences;
            return GraphEmbeddingTrainerEngine.Fit(graph, options).DivideConquer!;
        }
        var a = Fit(compact, clusters);
        var b = Fit(wider, [.. clusters, 1]);
        Assert.Equal(a.Positions!.Values, b.Positions!.Values);
        Assert.Equal(a.AttentionMixing!.Values, b.AttentionMixing!.Values);
        Assert.Contains(b.AttentionMixing.Values, v => v != 0f);
        int[] users = [0, 1, 2, 3];
        var servedA = a.BuildMixtures(compact, users, threads: 1, sequences: sequences);
        var servedB = b.BuildMixtures(wider, users, threads: 1, sequences: sequences);
        foreach (int u in users) Assert.Equal(servedA.Embedding(u, 0).ToArray(), servedB.Embedding(u, 0).ToArray());
    }

    [Fact]
    public void WithoutTimeOrder_ItIsRefused_NamingTheSequences()
    {
        var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.SelfAttention, prompts: true, clusters: null);
        var e = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(BipartiteGraph.FromEdges(2, 3, [0, 0, 1], [0, 1, 2]), options));
        Assert.Contains("reads each history in time order: give DivideConquer.Sequences", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serving_NeedsTheSequences_AndReadsThemInOrder()
    {
        int[][] sequences = [[0, 1, 2, 3], [4, 5, 6, 7], [1, 3, 5, 7]];
        var graph = SequenceOrderTests.Graph(sequences, 3, 8);
        var options = DivideConquerTrainingTests.Small(DivideConquerEncoder.SelfAttention, prompts: true, clusters: [0, 0, 0, 0, 1, 1, 1, 1], epochs: 5);
        options.DivideConquer.Sequences = sequences;
        var model = GraphEmbeddingTrainerEngine.Fit(graph, options).DivideConquer!;
        Assert.NotNull(model.Positions);
        Assert.NotNull(model.AttentionMixing);
        int[] users = [0, 1, 2];
        var e = Assert.Throws<ArgumentException>(() => model.BuildMixtures(graph, users, threads: 1));
        Assert.Contains("reads each history in time order: give the users' sequences", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.BuildMixtures(graph, users, threads: 1, sequences: [[0, 1, 2, 3]]));
        var inOrder = model.BuildMixtures(graph, users, threads: 1, sequences: sequences);
        // The same items in another order are another history for this encoder (positions and the last item differ).
        int[][] reversed = [.. sequences.Select(s => s.Reverse().ToArray())];
        var other = model.BuildMixtures(graph, users, threads: 1, sequences: reversed);
        Assert.Equal(inOrder.Clusters(2).ToArray(), other.Clusters(2).ToArray()); // the intent counts items, not their order
        Assert.NotEqual(inOrder.Embedding(2, 0).ToArray(), other.Embedding(2, 0).ToArray());
    }
}
