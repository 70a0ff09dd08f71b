using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary>
/// The interest term of multi-interest and history-interest MMR fades out below lambda 0.5, so lambda 0 picks for novelty
/// alone as plain MMR does, while from 0.5 up it weighs fully.
/// </summary>
public class InterestFadeTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.2)]
    [InlineData(0.25, 0.5)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.75, 1.0)]
    [InlineData(1.0, 1.0)]
    public void TheWeightRisesLinearlyToNuAtHalfAndStaysThere(double lambda, double share) =>
        Assert.Equal(0.8 * share, MmrRetriever.InterestWeightAt(0.8, lambda), 1e-15);

    [Fact]
    public void EveryLambdaTheHistoryRowMayChooseAndTheDefaultsWeighTheTermInFull()
    {
        // The fade must leave every chosen row as it was: the selection's grid and the defaults lie at or above its end.
        Assert.True(HistoryInterestDefaults.SelectionLambdas.Min() >= MmrRetrieverDefaults.InterestFadeLambda);
        foreach (double lambda in new[] { HistoryInterestDefaults.MmrLambda, MmrRetrieverDefaults.Lambda, new HistoryMmrSelectionOptions().ReorderLambda!.Value })
            Assert.Equal(0.5, MmrRetriever.InterestWeightAt(0.5, lambda));
    }

    [Fact]
    public void AtLambdaZeroAClusterTermOfAnyWeightIsPlainMmr()
    {
        var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 20, itemsPerUserPerGroup: 3);
        var clustering = ItemClustering.Create(groups, 4, items);
        var mixtures = MixtureBuilder.BuildMle(graph, clustering, items, 2);
        var users = TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 11);
        int[] served = Enumerable.Range(0, graph.UserCount).ToArray();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, graph, 40);
        var retriever = new MmrRetriever(items);
        var term = new InterestProportionality(mixtures, served, clustering, 1e6);
        var plain = retriever.Rerank(pool, 12, 0, 40);
        Assert.Equal(plain.Indices, retriever.Rerank(pool, 12, 0, 40, term).Indices);
        // Not the term's absence: at 0.5 the dominant term decides the lists (Sainte-Lague order, InterestMmrTests), and
        // the one sweep over several lambdas gives each lambda's own lists.
        var half = retriever.Rerank(pool, 12, 0.5, 40, term);
        Assert.NotEqual(retriever.Rerank(pool, 12, 0.5, 40).Indices, half.Indices);
        var swept = retriever.RerankMany(pool, 12, [0, 0.25, 0.5], 40, term, threads: 1);
        Assert.Equal(plain.Indices, swept[0].Indices);
        Assert.Equal(retriever.Rerank(pool, 12, 0.25, 40, term).Indices, swept[1].Indices);
        Assert.Equal(half.Indices, swept[2].Indices);
    }

    [Fact]
    public void AtLambdaZeroTheHistoryTermIsAbsentAndAboveItActs()
    {
        var (items, _, graph, _, _, interests, userVectors) = HistoryInterestTests.PlantedInterestsWithWeakUserVectors();
        var retriever = new HistoryInterestRetriever(items);
        var withoutTerm = retriever.Retrieve(userVectors, interests, graph, 8, lambda: 0, interestWeight: 0, poolSize: 60);
        var faded = retriever.Retrieve(userVectors, interests, graph, 8, lambda: 0, interestWeight: 1e6, poolSize: 60);
        Assert.Equal(withoutTerm.Indices, faded.Indices);
        Assert.Equal(withoutTerm.Scores, faded.Scores);
        // Above 0 the term acts, faded (0.25) or in full (0.5): the lists are no longer the term-less ones.
        foreach (double lambda in new[] { 0.25, 0.5 })
            Assert.NotEqual(retriever.Retrieve(userVectors, interests, graph, 8, lambda, interestWeight: 0, poolSize: 60).Indices,
                retriever.Retrieve(userVectors, interests, graph, 8, lambda, interestWeight: 1e6, poolSize: 60).Indices);
    }
}
