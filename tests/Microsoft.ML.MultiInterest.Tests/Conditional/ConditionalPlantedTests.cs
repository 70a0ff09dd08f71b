using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Conditional;

/// <summary>Conditional retrieval on a planted graph with known topics, against the unconditioned single vector.</summary>
public class ConditionalPlantedTests
{
    private sealed record World(PlantedTopics Topics, GraphEmbeddingResult Fit, ItemConditions Conditions, int[] Users, RankedLists Unimodal);

    private static World Create()
    {
        var topics = PlantedTopics.Create(seed: 1);
        var fit = topics.Embed();
        var users = Enumerable.Range(0, PlantedTopics.Users).ToArray();
        var unimodal = new UnimodalRetriever(fit.ItemEmbeddings).Retrieve(fit.UserEmbeddings, users, topics.Train, 40, 1);
        return new World(topics, fit, topics.Conditions(), users, unimodal);
    }

    private static RankedLists Conditional(World w, ConditionalModel model, int m)
    {
        var table = model.Represent(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, maxConditions: 3, threads: 1);
        return new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions).Retrieve(table, null, w.Users, w.Topics.Train, [m], null, w.Unimodal, null, 1)[0];
    }

    [Fact]
    public void ConditionalListsRecoverEachTopicsHeldOutItemsBetterThanTheSingleVectorAndCoverEveryTopic()
    {
        var w = Create();
        var model = ConditionalModel.Fit(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Conditions, new ConditionalOptions { Epochs = 10 });
        foreach (int m in new[] { 10, 20 })
        {
            var unimodal = ProtocolEvaluator.Prefix(w.Unimodal, m);
            var conditional = Conditional(w, model, m);
            // Mean over (user, planted topic) of the topic's held-out recall, and the same over the two minor topics.
            Assert.True(w.Topics.TopicRecall(conditional, w.Users) > w.Topics.TopicRecall(unimodal, w.Users) + 0.01, $"M = {m}: per-topic recall");
            Assert.True(w.Topics.TopicRecall(conditional, w.Users, minorOnly: 1) > w.Topics.TopicRecall(unimodal, w.Users, minorOnly: 1) + 0.03, $"M = {m}: minor topics");
            Assert.Equal(1.0, w.Topics.TopicCoverage(conditional, w.Users));
        }
        Assert.True(w.Topics.TopicCoverage(ProtocolEvaluator.Prefix(w.Unimodal, 10), w.Users) < 0.5);
    }

    [Fact]
    public void TrainingImprovesTheRankingInsideTheConditionsAndLowersTheLoss()
    {
        var w = Create();
        var model = ConditionalModel.Fit(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Conditions, new ConditionalOptions { Epochs = 10 });
        // A model that has not moved from t = 0, β = 0 queries each condition with the user vector itself.
        var untrained = ConditionalModel.Fit(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Conditions, new ConditionalOptions { Epochs = 1, LearningRate = 1e-9f });
        Assert.True(w.Topics.TopicRecall(Conditional(w, model, 10), w.Users) > w.Topics.TopicRecall(Conditional(w, untrained, 10), w.Users));
        Assert.True(model.Stats[^1].MeanLoss < model.Stats[0].MeanLoss);
        Assert.Contains(Enumerable.Range(0, PlantedTopics.Topics), c => model.HistoryWeight(c) != 0);
    }

    [Fact]
    public void ASeedFixesTheModelAndThreadsDoNotChangeTheLists()
    {
        var w = Create();
        var options = new ConditionalOptions { Epochs = 2, Seed = 9 };
        var a = ConditionalModel.Fit(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Conditions, options);
        var b = ConditionalModel.Fit(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Conditions, options);
        var c = ConditionalModel.Fit(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Conditions, new ConditionalOptions { Epochs = 2, Seed = 10 });
        for (int k = 0; k < PlantedTopics.Topics; k++)
        {
            Assert.Equal(a.ConditionVector(k).ToArray(), b.ConditionVector(k).ToArray());
            Assert.Equal(a.HistoryWeight(k), b.HistoryWeight(k));
        }
        Assert.NotEqual(a.ConditionVector(0).ToArray(), c.ConditionVector(0).ToArray());
        var one = a.Represent(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, 3, null, 1);
        var two = a.Represent(w.Topics.Train, w.Fit.UserEmbeddings, w.Fit.ItemEmbeddings, w.Users, 3, null, 2);
        var retriever = new ConditionalRetriever(w.Fit.ItemEmbeddings, w.Conditions);
        var listsOne = retriever.Retrieve(one, null, w.Users, w.Topics.Train, [10, 20], null, w.Unimodal, null, 1);
        var listsTwo = retriever.Retrieve(two, null, w.Users, w.Topics.Train, [10, 20], null, w.Unimodal, null, 2);
        for (int t = 0; t < 2; t++) Assert.Equal(listsOne[t].Indices, listsTwo[t].Indices);
    }
}
