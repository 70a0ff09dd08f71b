using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// <see cref="MultiInterestRecommender.RecommendFollowing(string, IEnumerable{string}, IEnumerable{string}, int, IEnumerable{string})"/>
/// leaves the items of <c>exclude</c> out as <c>Recommend</c> does: the list keeps its length, filled from the next items,
/// for a trained user, a user known by a history and one known by its topics only.
/// </summary>
public class FollowingExclusionsTests
{
    private const int Count = 6;

    private static string[] Ids(RecommendationList list) => list.Items.Select(r => r.ItemId).ToArray();

    [Fact]
    public void RecommendFollowing_with_exclusions_leaves_them_out_and_fills_the_list()
    {
        var ml = new MLContext(seed: 1);
        var recommender = SameNodeGraph.ConditionalRecommender(ml, Count);
        string[] history = [SameNodeGraph.Node(1, 0), SameNodeGraph.Node(1, 1)];
        foreach (var (user, fresh) in new[] { ("r1", (string[]?)null), ("a-new-user", history), ("nobody", null) })
        {
            var plain = recommender.RecommendFollowing(user, ["t1", "t2"], fresh, Count);
            Assert.Equal(Count, plain.Items.Count);
            // The source positional overload is the one without exclusions.
            Assert.Equal(Ids(plain), Ids(recommender.RecommendFollowing(user, ["t1", "t2"], fresh, Count, exclude: null)));
            var gone = Ids(plain).Take(2).ToArray();
            var served = recommender.RecommendFollowing(user, ["t1", "t2"], fresh, Count, exclude: gone.Append("an-id-the-model-never-saw"));
            Assert.Equal(plain.Source, served.Source);
            Assert.Equal(Count, served.Items.Count);
            Assert.Empty(Ids(served).Intersect(gone));
            // The other items stay: the two slots are filled from the next items, the query unchanged.
            Assert.Subset(Ids(served).ToHashSet(), Ids(plain).Skip(2).ToHashSet());
        }
        var error = Assert.Throws<ArgumentException>(() => recommender.RecommendFollowing("r1", ["t1"], null, Count, exclude: ["n1", null!]));
        Assert.Equal("exclude", error.ParamName);
    }
}
