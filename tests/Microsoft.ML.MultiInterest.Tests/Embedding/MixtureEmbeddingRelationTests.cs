using Microsoft.ML.MultiInterest.Engine;
using Xunit.Abstractions;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

/// <summary>Multi-task mixture embeddings: relations (edge types), relation weights, per-relation negatives, post-hoc weights over a subset.</summary>
public class MixtureEmbeddingRelationTests(ITestOutputHelper output)
{
    private static GraphEmbeddingOptions Options(float[]? relationWeights = null) => new()
    {
        Algorithm = EmbeddingAlgorithm.MixtureEmbedding,
        Dimension = 8,
        Epochs = 30,
        ChunkSize = 16,
        BatchNegatives = 16,
        UniformNegatives = 8,
        DegreeNegatives = 8,
        LearningRate = 0.2f,
        Threads = 1,
        Seed = 3,
        Mixture = new MixtureEmbeddingOptions { SourceComponents = 2, RelationWeights = relationWeights },
    };

    [Fact]
    public void NegativesOfARelationComeFromItsDestinationsOnly()
    {
        var graph = TwoRelationGraph.Create().Train;
        var o = Options();
        var (edgeUsers, edgeItems, edgeWeights, relations) = MixtureRelations.Edges(graph, o);
        Assert.NotNull(relations);
        var order = Enumerable.Range(0, edgeItems.Length).ToArray();
        new EmbeddingRandom(5, 0).Shuffle(order);

        // Without relations the same worker draws negatives of both types: the check below could fail.
        var (mixedTypes, _, _) = Sample(o, graph, edgeUsers, edgeItems, edgeWeights, null, order);
        Assert.True(mixedTypes > 0, "without relations, negatives should mix the two types");

        var (crossed, perRelation, chunkRelations) = Sample(o, graph, edgeUsers, edgeItems, edgeWeights, relations, order);
        Assert.Equal(0, crossed);
        // Every draw of a relation's negatives lands in its type, and the draws cover the whole type (not a fixed subset).
        for (int r = 0; r < 2; r++)
        {
            Assert.True(perRelation[r].Count > 100, $"relation {r}: {perRelation[r].Count} negatives");
            Assert.Equal(TwoRelationGraph.ItemsPerType, perRelation[r].Distinct().Count());
            Assert.All(perRelation[r], i => Assert.Equal(r, TwoRelationGraph.TypeOf(i)));
        }
        // Chunks of the two relations are interleaved, not one relation after the other.
        Assert.Equal([0, 1], chunkRelations.Take(2));
    }

    /// <summary>One epoch of a worker; counts negatives whose type differs from their chunk's edges' type.</summary>
    private static (int Crossed, List<int>[] PerRelation, List<int> ChunkRelations) Sample(GraphEmbeddingOptions o, BipartiteGraph graph, int[] edgeUsers,
        int[] edgeItems, float[]? edgeWeights, MixtureRelations? relations, int[] order)
    {
        int cs = o.Mixture.SourceComponents;
        var users = new EmbeddingTable(graph.UserCount * cs, o.Dimension);
        var items = new EmbeddingTable(graph.ItemCount, o.Dimension);
        var init = new EmbeddingRandom(1, 0);
        users.InitializeNormal(0.5f, ref init);
        items.InitializeNormal(0.5f, ref init);
        var sampler = relations == null ? AliasSampler.FromDegrees(graph.ItemDegrees(), o.DegreeExponent) : null;
        var worker = new MixtureChunkWorker(o, users, items, edgeUsers, edgeItems, edgeWeights, null, sampler, new EmbeddingRandom(7, 1), relations);
        int crossed = 0;
        var perRelation = new[] { new List<int>(), new List<int>() };
        var chunkRelations = new List<int>();
        worker.ChunkPrepared = (relation, edges, negatives) =>
        {
            chunkRelations.Add(relation);
            int type = TwoRelationGraph.TypeOf(edgeItems[edges[0]]);
            // With relations a chunk holds one relation's edges; without, chunks mix both.
            if (relation >= 0)
            {
                foreach (int e in edges)
                {
                    Assert.Equal(relation, relations!.EdgeRelations[e]);
                    Assert.Equal(type, TwoRelationGraph.TypeOf(edgeItems[e]));
                }
            }
            foreach (int n in negatives)
            {
                if (TwoRelationGraph.TypeOf(n) != type) crossed++;
                perRelation[type].Add(n);
            }
        };
        worker.Run(order, 0, CancellationToken.None);
        return (crossed, perRelation, chunkRelations);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneRelationTrainsExactlyAsWithoutRelations(bool weighted)
    {
        var source = TwoRelationGraph.Create().Train;
        var users = new List<int>();
        var items = new List<int>();
        var weights = new List<float>();
        for (int u = 0; u < source.UserCount; u++)
            foreach (int i in source.ItemsOf(u)) { users.Add(u); items.Add(i); weights.Add(1 + (u * 7 + i) % 3); }
        var w = weighted ? weights.ToArray() : default;
        var plain = BipartiteGraph.FromEdges(source.UserCount, source.ItemCount, users.ToArray(), items.ToArray(), w);
        var single = BipartiteGraph.FromEdges(source.UserCount, source.ItemCount, users.ToArray(), items.ToArray(), w, new int[users.Count], 1);
        Assert.True(single.HasRelations);
        var o = Options();
        o.Epochs = 4;
        var a = GraphEmbeddingTrainerEngine.Fit(plain, o).Mixture!;
        var b = GraphEmbeddingTrainerEngine.Fit(single, With(Options([1f]), 4)).Mixture!;
        var c = GraphEmbeddingTrainerEngine.Fit(single, o).Mixture!;
        foreach (var other in new[] { b, c })
        {
            Assert.Equal(a.UserComponents.Values, other.UserComponents.Values);
            Assert.Equal(a.ItemComponents.Values, other.ItemComponents.Values);
            Assert.Equal(a.UserWeights, other.UserWeights);
        }
    }

    private static GraphEmbeddingOptions With(GraphEmbeddingOptions o, int epochs)
    {
        o.Epochs = epochs;
        return o;
    }

    [Fact]
    public void ARelationOfWeightZeroIsIrrelevant()
    {
        // Two graphs that share relation 0's edges and differ in relation 1's: with relation 1 weighted 0, the components
        // are the same to the bit (relation 1's edges are left out of training, and its negatives with them).
        var a = TwoRelationGraph.Create(relationOneSeed: 2).Train;
        var b = TwoRelationGraph.Create(relationOneSeed: 9).Train;
        Assert.NotEqual(a.EdgeItems.ToArray(), b.EdgeItems.ToArray());
        Assert.All(b.ItemDegrees(), d => Assert.True(d > 0)); // same active nodes, so the same initial draws
        var o = Options([1f, 0f]);
        o.Epochs = 5;
        var ma = GraphEmbeddingTrainerEngine.Fit(a, o).Mixture!;
        var mb = GraphEmbeddingTrainerEngine.Fit(b, o).Mixture!;
        Assert.Equal(ma.UserComponents.Values, mb.UserComponents.Values);
        Assert.Equal(ma.ItemComponents.Values, mb.ItemComponents.Values);
        // With weight 1 the relation counts, and the two graphs train differently.
        var ua = GraphEmbeddingTrainerEngine.Fit(a, With(Options([1f, 1f]), 5)).Mixture!;
        var ub = GraphEmbeddingTrainerEngine.Fit(b, With(Options([1f, 1f]), 5)).Mixture!;
        Assert.NotEqual(ua.UserComponents.Values, ub.UserComponents.Values);
    }

    [Fact]
    public void RelationWeightsMoveWhatIsLearned()
    {
        var planted = TwoRelationGraph.Create();
        var both = GraphEmbeddingTrainerEngine.Fit(planted.Train, Options()).Mixture!;
        var onlyFirst = GraphEmbeddingTrainerEngine.Fit(planted.Train, Options([1f, 0f])).Mixture!;
        var onlySecond = GraphEmbeddingTrainerEngine.Fit(planted.Train, Options([0f, 1f])).Mixture!;
        double both0 = planted.Auc(both, 0), both1 = planted.Auc(both, 1);
        double first0 = planted.Auc(onlyFirst, 0), first1 = planted.Auc(onlyFirst, 1);
        double second0 = planted.Auc(onlySecond, 0), second1 = planted.Auc(onlySecond, 1);
        string figures = $"AUC relation 0 / relation 1: weights [1,1] {both0:F3}/{both1:F3}, [1,0] {first0:F3}/{first1:F3}, [0,1] {second0:F3}/{second1:F3}";
        output.WriteLine(figures);
        // Trained relations are learned; a relation weighted 0 stays at chance (its items keep their random directions).
        Assert.True(both0 > 0.9 && both1 > 0.9, figures);
        Assert.True(first0 > 0.9 && second1 > 0.9, figures);
        Assert.True(Math.Abs(first1 - 0.5) < 0.15 && Math.Abs(second0 - 0.5) < 0.15, figures);
    }

    [Fact]
    public void RelationWeightScalesTheChunkLossAndGradients()
    {
        var graph = TwoRelationGraph.Create(users: 6).Train;
        (double Loss, float[] UserGrads, float[] ItemGrads, MixtureChunkWorker Worker, int Stride) Chunk(float weight)
        {
            var o = Options([1f, weight]);
            o.Margin = 2.5f; // every hinge active: the loss is smooth where finite differences measure it
            o.ChunkSize = 4;
            o.BatchNegatives = 3;
            o.UniformNegatives = 2;
            o.DegreeNegatives = 2;
            o.Mixture.DestinationComponents = 2;
            var (eu, ei, ew, relations) = MixtureRelations.Edges(graph, o);
            var users = new EmbeddingTable(graph.UserCount * 2, o.Dimension);
            var items = new EmbeddingTable(graph.ItemCount * 2, o.Dimension);
            var init = new EmbeddingRandom(11, 0);
            users.InitializeNormal(0.6f, ref init);
            items.InitializeNormal(0.6f, ref init);
            var worker = new MixtureChunkWorker(o, users, items, eu, ei, ew, null, null, new EmbeddingRandom(3, 1), relations);
            var chunk = Enumerable.Range(0, eu.Length).Where(e => relations!.EdgeRelations[e] == 1).Take(4).ToArray();
            worker.Prepare(chunk, 1);
            double loss = worker.Backpropagate();
            return (loss, (float[])worker.UserGradients.Clone(), (float[])worker.ItemGradients.Clone(), worker, users.Stride);
        }
        var one = Chunk(1f);
        var two = Chunk(2f);
        Assert.True(one.Loss > 0);
        Assert.Equal(2 * one.Loss, two.Loss, 1e-9 * one.Loss);
        for (int k = 0; k < one.UserGrads.Length; k++) Assert.Equal(2 * one.UserGrads[k], two.UserGrads[k], 1e-6f * (1 + Math.Abs(one.UserGrads[k])));
        for (int k = 0; k < one.ItemGrads.Length; k++) Assert.Equal(2 * one.ItemGrads[k], two.ItemGrads[k], 1e-6f * (1 + Math.Abs(one.ItemGrads[k])));
        // And the weighted chunk's gradients against finite differences.
        var odd = Chunk(0.7f);
        MixtureEmbeddingGradientTests.Check(odd.Worker, odd.Worker.UserRows, odd.UserGrads, odd.Stride, 8);
        MixtureEmbeddingGradientTests.Check(odd.Worker, odd.Worker.ItemRows, odd.ItemGrads, odd.Stride, 8);
    }

    [Fact]
    public void PostHocWeightsOverARelationSubset()
    {
        var planted = TwoRelationGraph.Create();
        var m = GraphEmbeddingTrainerEngine.Fit(planted.Train, With(Options(), 5)).Mixture!;
        var g = planted.Train;
        // The weights over relation 1 are those over a graph holding only relation 1's edges.
        var users = new List<int>();
        var items = new List<int>();
        var relations = g.EdgeRelations;
        for (int u = 0, e = 0; u < g.UserCount; u++)
            foreach (int i in g.ItemsOf(u)) { if (relations[e++] == 1) { users.Add(u); items.Add(i); } }
        var onlyOne = BipartiteGraph.FromEdges(g.UserCount, g.ItemCount, users.ToArray(), items.ToArray());
        var subset = m.WithWeights(g, 0.2f, 1, [1]);
        Assert.Equal(m.WithWeights(onlyOne, 0.2f, 1).UserWeights, subset.UserWeights);
        Assert.Equal(m.WithWeights(g, 0.2f, 1).UserWeights, m.WithWeights(g, 0.2f, 1, [0, 1]).UserWeights);
        Assert.NotEqual(m.WithWeights(g, 0.2f, 1, [0]).UserWeights, subset.UserWeights);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.WithWeights(g, 0.2f, 1, [2]));

        // Training can compute them over the subset too (Mixture.WeightRelations).
        var o = With(Options(), 5);
        o.Mixture.WeightRelations = [1];
        var trained = GraphEmbeddingTrainerEngine.Fit(g, o).Mixture!;
        Assert.Equal(m.UserComponents.Values, trained.UserComponents.Values);
        Assert.Equal(m.WithWeights(g, o.Mixture.WeightGamma, 1, [1]).UserWeights, trained.UserWeights);
        Assert.NotEqual(m.UserWeights, trained.UserWeights);
        o.Mixture.WeightRelations = [2];
        Assert.Contains("Mixture.WeightRelations names relation 2, but the graph has 2 relation(s)",
            Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(g, o)).Message);
        o.Mixture.WeightRelations = [-1];
        Assert.Equal("WeightRelations", Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(g, o)).ParamName);
        Assert.Throws<ArgumentException>(() => m.WithWeights(g, 0.2f, 1, []));
    }

    [Fact]
    public void RelationsSurviveTheActiveSubgraphAndTheValidationSplit()
    {
        var g = TwoRelationGraph.Create().Train;
        var split = ValidationSplit.Create(g, 0.2, 4);
        Assert.True(split.Train.HasRelations);
        Assert.Equal(2, split.Train.RelationCount);
        var train = split.Train;
        for (int u = 0, e = 0; u < train.UserCount; u++)
            foreach (int i in train.ItemsOf(u)) Assert.Equal(TwoRelationGraph.TypeOf(i), train.EdgeRelations[e++]);

        // An extra item index without edges: training runs on the active subgraph, whose edges keep their relations.
        var users = new List<int>();
        var items = new List<int>();
        var relations = new List<int>();
        for (int u = 0, e = 0; u < g.UserCount; u++)
            foreach (int i in g.ItemsOf(u)) { users.Add(u); items.Add(i); relations.Add(g.EdgeRelations[e++]); }
        var wide = BipartiteGraph.FromEdges(g.UserCount, g.ItemCount + 1, users.ToArray(), items.ToArray(), default, relations.ToArray(), 2);
        var active = ActiveSubgraph.Of(wide)!;
        Assert.Equal(g.EdgeRelations.ToArray(), active.Graph.EdgeRelations.ToArray());
        var o = Options();
        o.ValidationFraction = 0.2;
        o.Epochs = 3;
        var result = GraphEmbeddingTrainerEngine.Fit(wide, o);
        Assert.Equal(g.ItemCount + 1, result.Mixture!.ItemCount);
        Assert.All(result.Mixture.ComponentsOfItem(g.ItemCount).ToArray(), x => Assert.Equal(0f, x));
        Assert.NotEmpty(result.Validation);
    }

    [Fact]
    public void GraphsKeepRelationsThroughSortingAndMerging()
    {
        // Unsorted rows, a duplicate within one relation (weights summed), relations follow their items.
        var g = BipartiteGraph.FromEdges(2, 4, [0, 0, 1, 0, 1], [3, 1, 2, 3, 0], [1f, 2f, 3f, 4f, 5f], [1, 0, 1, 1, 0], 2);
        Assert.Equal([1, 3], g.ItemsOf(0).ToArray());
        Assert.Equal([2f, 5f], g.WeightsOf(0).ToArray());
        Assert.Equal([0, 1, 0, 1], g.EdgeRelations.ToArray());
        Assert.Equal([0, 2], g.ItemsOf(1).ToArray());
        Assert.Equal([5f, 3f], g.WeightsOf(1).ToArray());
    }

    [Fact]
    public void BadRelationInputsAreNamed()
    {
        var pairTwice = Assert.Throws<ArgumentException>(() => BipartiteGraph.FromEdges(1, 2, [0, 0], [1, 1], default, [0, 1], 2));
        Assert.Contains("occurs in relations 0 and 1", pairTwice.Message);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => BipartiteGraph.FromEdges(1, 2, [0], [1], default, [2], 2));
        Assert.Contains("relation 2, outside 0..1", outside.Message);
        Assert.Throws<ArgumentException>(() => BipartiteGraph.FromEdges(1, 2, [0, 0], [0, 1], default, [0], 2));

        var g = TwoRelationGraph.Create(users: 4).Train;
        var count = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(g, Options([1f, 1f, 1f])));
        Assert.Contains("RelationWeights has 3 weights, but the graph has 2 relation(s)", count.Message);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(g, Options([1f, -0.5f])));
        Assert.Equal("RelationWeights", negative.ParamName);
        Assert.Contains("RelationWeights[1] is -0.5", negative.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(g, Options([1f, float.NaN])));
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphEmbeddingTrainerEngine.Fit(g, Options([])));
        var zero = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(g, Options([0f, 0f])));
        Assert.Contains("nothing to train", zero.Message);
        var other = Options();
        other.Algorithm = EmbeddingAlgorithm.NegativeSampling;
        var algorithm = Assert.Throws<ArgumentException>(() => GraphEmbeddingTrainerEngine.Fit(g, other));
        Assert.Contains("only Algorithm = MixtureEmbedding trains on relations", algorithm.Message);
    }

    /// <summary>
    /// Regression (a review): at gamma_T = 0.001 both terms of a user whose cosines are 0.2 and 0.1 underflowed with the fixed
    /// shift of 1, and the weights fell back to uniform. methods.md's w_c ∝ Σ_l e^{M[c,l]/γ_T} gives 1 : e^-100.
    /// </summary>
    [Fact]
    public void PostHocWeights_SurviveAGammaSoSmallThatEveryTermUnderflows()
    {
        var users = new EmbeddingMatrix(2, 2, [0.2f, MathF.Sqrt(1 - 0.04f), 0.1f, MathF.Sqrt(1 - 0.01f)]);
        var items = new EmbeddingMatrix(1, 2, [1f, 0f]);
        var graph = BipartiteGraph.FromEdges(1, 1, [0], [0]);
        var weights = new MixtureEmbeddingResult(2, 1, users, items, [0.5, 0.5]).WithWeights(graph, 0.001f).WeightsOfUser(0).ToArray();
        double ratio = Math.Exp((0.1f - 0.2f) / (double)0.001f);
        Assert.Equal(1 / (1 + ratio), weights[0], 12);
        Assert.InRange(weights[1] / (ratio / (1 + ratio)), 1 - 1e-9, 1 + 1e-9);
    }
}
