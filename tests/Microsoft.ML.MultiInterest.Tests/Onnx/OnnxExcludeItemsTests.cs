using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Items deleted or blocked since the export (<c>excludeItems</c>): every ONNX scorer leaves them out of the lists of trained
/// users and fresh histories alike, as <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int, IEnumerable{string})"/>
/// does with its <c>exclude</c>, item for item and score for score (the blocked items change no user's query).
/// </summary>
public sealed class OnnxExcludeItemsTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-onnx-exclude-items-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("unimodal")]
    [InlineData("quota")]
    [InlineData("mmr")]
    [InlineData("history-mmr")]
    [InlineData("dcm")]
    [InlineData("fusion")]
    public void ExcludedItems_AreLeftOutAsTheRecommenderLeavesThemOut(string kind)
    {
        var (model, onnx) = ExcludeItemsModels.Exported(_ml, _directory, kind);
        using var _m = model;
        var (trained, fresh, scorer) = ExcludeItemsModels.Open(kind, onnx, batch: 4);
        using var _ = scorer;
        var recommender = _ml.MultiInterest().CreateRecommender(model);
        var userIds = model.GraphEmbedding!.UserIds;
        var itemIds = model.GraphEmbedding.ItemIds;
        var history = model.TrainingHistory();
        int[] users = [.. Enumerable.Range(0, userIds.Count)];

        // Blocked: the first item of a few users' lists, so that leaving them out must change those lists.
        var open = trained(users, history, null);
        int[] blocked = [.. Enumerable.Range(0, 6).Select(q => open.IndicesOf(q)[0]).Distinct()];
        string[] blockedIds = [.. blocked.Select(r => itemIds[r])];
        var served = trained(users, history, blocked);
        for (int q = 0; q < users.Length; q++)
        {
            var live = recommender.Recommend(userIds[users[q]], null, 0, blockedIds);
            Assert.Equal(live.Items.Select(i => i.ItemId), served.IndicesOf(q).ToArray().Select(r => itemIds[r]));
            Assert.Equal(live.Items.Select(i => i.Score), served.ScoresOf(q).ToArray());
            Assert.Empty(served.IndicesOf(q).ToArray().Intersect(blocked));
        }

        // New users: their histories' lists as the recommender gives them with the same items excluded; a blocked item in a
        // history still shapes its representation, and an empty history still gets what it got.
        int[][] histories = [[.. history.ItemsOf(0).ToArray().Take(3)], [.. history.ItemsOf(5).ToArray().Take(2), blocked[^1]], [blocked[0]], []];
        var fromHistories = fresh(histories, blocked);
        for (int q = 0; q < histories.Length; q++)
        {
            if (histories[q].Length == 0)
            {
                // A DCM directory answers an empty history with its seeds (docs/onnx.md), the others with no list.
                if (kind == "dcm") Assert.Empty(fromHistories.IndicesOf(q).ToArray().Intersect(blocked));
                else Assert.Equal(0, fromHistories.Counts[q]);
                continue;
            }
            var live = recommender.Recommend("someone-new", histories[q].Select(r => itemIds[r]), 0, blockedIds);
            Assert.Equal(live.Items.Select(i => i.ItemId), fromHistories.IndicesOf(q).ToArray().Select(r => itemIds[r]));
            Assert.Equal(live.Items.Select(i => i.Score), fromHistories.ScoresOf(q).ToArray());
        }
        Assert.Contains(Enumerable.Range(0, histories.Length - 1), q => fresh([histories[q]], null).IndicesOf(0).ToArray().Intersect(blocked).Any());

        // Rows outside the items are refused naming the argument and the place.
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => trained([0], history, [blocked[0], itemIds.Count]));
        Assert.Equal("excludeItems", refused.ParamName);
        Assert.Contains($"item row {itemIds.Count} (position 1)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExcludedItems_NeedTheExclusionMask()
    {
        var w = MixtureWorld.Create(seed: 3);
        string directory = Path.Combine(_directory, "no-mask");
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 6, 1.0, directory, exclusionMask: false);
        using var scorer = OnnxCandidateScorer.Open(directory);
        Assert.Equal(6, scorer.RetrieveUnimodal([0, 1]).Counts[0]);
        var refused = Assert.Throws<ArgumentException>(() => scorer.RetrieveUnimodal([0, 1], excludeItems: [2]));
        Assert.Equal("excludeItems", refused.ParamName);
        Assert.Contains("exclusion mask", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExcludedItems_AreLeftOutOfMergedConditionalLists_AsTheRecommenderLeavesThemOut()
    {
        using var model = MergedConditionalModel.Saved(_ml, Path.Combine(_directory, "merged.zip"));
        string onnx = Path.Combine(_directory, "merged-onnx");
        model.ExportOnnx(onnx);
        using var scorer = OnnxConditionalMergeScorer.Open(onnx, batchSize: 5);
        var recommender = _ml.MultiInterest().CreateRecommender(model);
        var userIds = model.GraphEmbedding!.UserIds;
        var itemIds = model.GraphEmbedding.ItemIds;
        var history = model.TrainingHistory();
        int[] users = [.. Enumerable.Range(0, 40)];
        var open = scorer.Retrieve(users, history);
        int[] blocked = [.. Enumerable.Range(0, 8).Select(q => open.IndicesOf(q)[0]).Distinct()];
        string[] blockedIds = [.. blocked.Select(r => itemIds[r])];
        var served = scorer.Retrieve(users, history, blocked);
        int[][] histories = [[.. history.ItemsOf(0).ToArray().Take(5)], [.. history.ItemsOf(9).ToArray().Take(4), blocked[0]]];
        var fromHistories = scorer.RetrieveFromHistories(histories, excludeItems: blocked);
        var following = scorer.RetrieveFollowing(users, [.. users.Select(_ => (IReadOnlyList<string>)["topic1"])], history, history, blocked);
        for (int q = 0; q < users.Length; q++)
        {
            Assert.Equal(recommender.Recommend(userIds[q], null, 0, blockedIds).Items.Select(i => i.ItemId), served.IndicesOf(q).ToArray().Select(r => itemIds[r]));
            Assert.Empty(following.IndicesOf(q).ToArray().Intersect(blocked));
        }
        for (int q = 0; q < histories.Length; q++)
            Assert.Equal(recommender.Recommend("someone-new", histories[q].Select(r => itemIds[r]), 0, blockedIds).Items.Select(i => i.ItemId),
                fromHistories.IndicesOf(q).ToArray().Select(r => itemIds[r]));
    }
}
