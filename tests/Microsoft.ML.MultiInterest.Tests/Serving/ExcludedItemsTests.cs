using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// Items taken out of the catalogue after the fit (deleted, blocked) can be kept out of every list without a refit, and,
/// unlike passing them as history, without changing the query of a user served from its history.
/// </summary>
public class ExcludedItemsTests
{
    [Fact]
    public void Recommend_WithExclusions_LeavesThemOut_AndKeepsTheOtherItemsInOrder()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var model = MLNetTestData.KeyPipeline(ml)
            .Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 5))
            .Fit(raw);
        var recommender = ml.MultiInterest().CreateRecommender(model);
        var trainedUser = MLNetTestData.Edges()[0].User;
        var history = MLNetTestData.Edges().Where(e => e.User == trainedUser).Select(e => e.Item).Take(2).ToArray();

        foreach (var (user, fresh) in new[] { (trainedUser, (string[]?)null), ("a-new-user", history) })
        {
            var plain = recommender.Recommend(user, fresh, count: 8);
            Assert.NotEqual(CandidateSource.Popular, plain.Source);
            var gone = plain.Items.Take(2).Select(r => r.ItemId).ToArray();
            var served = recommender.Recommend(user, fresh, 8, exclude: gone.Append("an-id-the-model-never-saw"));
            Assert.Equal(plain.Source, served.Source);
            Assert.Empty(served.Items.Select(r => r.ItemId).Intersect(gone));
            // The same ranking with the two items taken out: the query did not change.
            Assert.Equal(plain.Items.Skip(2).Select(r => r.ItemId), served.Items.Take(6).Select(r => r.ItemId));
            Assert.Equal(8, served.Items.Count);
        }

        // The popular fallback leaves them out too.
        var popular = recommender.Recommend("nobody", null, 5, exclude: null);
        var top = popular.Items[0].ItemId;
        Assert.DoesNotContain(top, recommender.Recommend("nobody", null, 5, exclude: [top]).Items.Select(r => r.ItemId));
    }
}
