using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="MultiInterestRecommender.FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/> refuses a new item id
/// that is blank, padded or holds a TAB or line break (it was folded in as a twin of the item it names and served beside
/// it), by both overloads, naming the edge and the id escaped; ids the model knows, and user ids, are read as before.
/// </summary>
public class NewItemIdFormTests
{
    private static MultiInterestRecommender Unimodal(MLContext ml) => ml.MultiInterest().CreateRecommender(MLNetTestData.KeyPipeline(ml)
        .Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
        .Append(ml.MultiInterest().UnimodalRetriever(candidates: 5))
        .Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges())));

    [Theory]
    [InlineData(" i3", "' i3': it has white space at its start or end")]
    [InlineData("i3 ", "'i3 ': it has white space at its start or end")]
    [InlineData(" ", "' ': it is blank (white space only)")]
    [InlineData("\t", "'\\t': it is blank (white space only)")]
    [InlineData("i3\n", "'i3\\n': it holds a line break")]
    [InlineData("i\r3", "'i\\r3': it holds a line break")]
    [InlineData("i\t3", "'i\\t3': it holds a TAB")]
    public void A_new_item_id_that_would_twin_another_is_refused_by_edge_and_id(string id, string gist)
    {
        var ml = new MLContext(seed: 1);
        var recommender = Unimodal(ml);
        var users = MLNetTestData.Edges().Where(e => e.Item == "i3").Select(e => e.User).Take(3).ToArray();
        (string, string)[] edges = [(users[0], "i-new"), (users[1], id), (users[2], "i-new")];
        var error = Assert.Throws<ArgumentException>(() => recommender.FoldInNewItems(edges));
        Assert.Equal("edges", error.ParamName);
        Assert.Contains($"Edge 1 (user '{users[1]}') has the item id {gist}", error.Message, StringComparison.Ordinal);
        Assert.Contains("a new item beside the one it was meant to name", error.Message, StringComparison.Ordinal);
        // The data-view overload reads the rows as edges, in order: the same refusal.
        var view = ml.Data.LoadFromEnumerable(edges.Select(e => new MLNetTestData.Edge { User = e.Item1, Item = e.Item2 }).ToList());
        var viaView = Assert.Throws<ArgumentException>(() => recommender.FoldInNewItems(view));
        Assert.Equal(error.Message, viaView.Message);
        Assert.False(recommender.KnowsItem(id));
    }

    [Fact]
    public void Known_item_ids_and_unknown_padded_users_are_read_as_before()
    {
        var ml = new MLContext(seed: 1);
        var recommender = Unimodal(ml);
        var users = MLNetTestData.Edges().Where(e => e.Item == "i3").Select(e => e.User).Take(2).ToArray();
        // A trained item's edge is counted and not read; a user the model has no vector for (" u1" is not "u1") is counted too.
        var folded = recommender.FoldInNewItems([(users[0], "i3"), (users[0], "i-new"), (users[1], "i-new"), (" " + users[0], "i-new")]);
        Assert.Equal(["i-new"], folded.FoldedItems);
        Assert.Equal(1, folded.KnownItemEdges);
        Assert.Equal(1, folded.UnknownUserEdges);
        // An item folded in before is known: its id is read as that item again.
        Assert.Empty(folded.Recommender.FoldInNewItems([(users[0], "i-new")]).FoldedItems);
    }
}
