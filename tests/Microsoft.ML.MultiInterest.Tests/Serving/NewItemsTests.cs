using Microsoft.ML.MultiInterest.Tests.Docs;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// Items added to the catalogue after the fit (between two fits of a daily retrain): the model has no vector for them, so it
/// never recommends them, a history skips them, and <see cref="MultiInterestRecommender.KnowsItem"/> tells them apart. The
/// "New items between fits" snippets of docs/persistence.md are the last two tests' regions, compiled and run; the fold-in
/// itself is tested in <see cref="NewItemFoldInTests"/>.
/// </summary>
public class NewItemsTests
{
    private static MultiInterestRecommender Fit(MLContext ml, IEnumerable<MLNetTestData.Edge> edges) =>
        ml.MultiInterest().CreateRecommender(MLNetTestData.KeyPipeline(ml)
            .Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 5))
            .Fit(ml.Data.LoadFromEnumerable(edges)));

    [Fact]
    public void KnowsItem_TellsAnItemAddedSinceTheFit_WhichRecommendSkipsAndSimilarItemsRefuses()
    {
        var ml = new MLContext(seed: 1);
        var all = MLNetTestData.Edges();
        // "i5" is added to the catalogue after the fit: its edges are today's, not the fit's.
        const string newItem = "i5";
        Assert.Contains(all, e => e.Item == newItem);
        var recommender = Fit(ml, all.Where(e => e.Item != newItem));
        var known = all.Where(e => e.Item != newItem).Select(e => e.Item).Distinct().ToArray();

        Assert.All(known, id => Assert.True(recommender.KnowsItem(id)));
        Assert.False(recommender.KnowsItem(newItem));
        Assert.False(recommender.KnowsItem(""));
        Assert.False(recommender.KnowsItem(" " + known[0])); // ids are matched exactly as written
        Assert.Throws<ArgumentNullException>(() => recommender.KnowsItem(null!));

        // A history naming it is read without it: the same list as the history of the known items alone, never holding it.
        string[] history = [known[0], known[1]];
        var without = recommender.Recommend("new-user", history, count: 8);
        var with = recommender.Recommend("new-user", [.. history, newItem], count: 8);
        Assert.Equal(CandidateSource.History, with.Source);
        Assert.Equal(without.Items, with.Items);
        Assert.DoesNotContain(with.Items, r => r.ItemId == newItem);
        // A history of new items only gives the flagged popular list; a trained user's list never holds it either.
        Assert.Equal(CandidateSource.Popular, recommender.Recommend("new-user", [newItem]).Source);
        Assert.DoesNotContain(recommender.Recommend("u0", count: 20).Items, r => r.ItemId == newItem);
        var refused = Assert.Throws<ArgumentException>(() => recommender.SimilarItems(newItem, 3));
        Assert.Equal("itemId", refused.ParamName);
        Assert.Contains($"'{newItem}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePersistencePageFoldInSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var recommender = Fit(ml, MLNetTestData.Edges());
        var before = recommender;

        #region FoldInNewItems
        // The day's engagements by raw ids (user, item); "i-new" was added to the catalogue after the fit.
        (string, string)[] today = [("u1", "i-new"), ("u2", "i-new"), ("u5", "i-new"), ("u1", "i3"), ("visitor", "i-new")];
        NewItemsFoldIn folded = recommender.FoldInNewItems(today);
        // folded.FoldedItems: ["i-new"]; KnownItemEdges 1 (i3 keeps its trained vector); UnknownUserEdges 1 ("visitor").
        string summary = folded.ToString();   // one line of those counts, for a log
        recommender = folded.Recommender;   // swap the reference: the old recommender is unchanged and still serves
        RecommendationList list = recommender.Recommend("new-user", ["i3", "i-new"]);   // i-new read in the history
        IReadOnlyList<Recommendation> like = recommender.SimilarItems("i-new", 5);       // and recommendable, like any item
        #endregion

        Assert.Equal(["i-new"], folded.FoldedItems);
        Assert.Equal(1, folded.KnownItemEdges);
        Assert.Equal(1, folded.UnknownUserEdges);
        Assert.Equal("Folded in 1 item from 3 edges of trained users; of the 5 edges given, 1 of a known item, 1 of a user without a trained vector and 0 repeating a pair "
            + "were not read; 0 items left unknown (no edge of a trained user); solved with the objective fitted to the trained items.", summary);
        Assert.False(before.KnowsItem("i-new"));
        Assert.True(recommender.KnowsItem("i-new"));
        Assert.Equal(CandidateSource.History, list.Source);
        Assert.NotEqual(before.Recommend("new-user", ["i3", "i-new"]).Items, list.Items); // i3 alone before; i3 and i-new now
        Assert.Equal(5, like.Count);
        Assert.Contains(recommender.Recommend("u3", count: 30).Items, r => r.ItemId == "i-new");
        DocSnippets.AssertOnPage(Path.Combine("Serving", nameof(NewItemsTests) + ".cs"), "FoldInNewItems", "docs/persistence.md");
    }

    [Fact]
    public void ThePersistencePageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var recommender = Fit(ml, MLNetTestData.Edges());
        // Your own ranking of today's items for the user (e.g. co-occurrence counts of today's edges), best first.
        string[] newItemRanking = ["i-new", "i-newer", "i3", "i-newest", "i-later"];

        #region NewItems
        // Today's history of a user, by raw ids; "i-new" was added to the catalogue after the fit.
        string[] history = ["i3", "i7", "i-new"];
        string[] unknown = history.Where(id => !recommender.KnowsItem(id)).ToArray();   // ["i-new"]: Recommend skips it
        RecommendationList list = recommender.Recommend("new-user", history);           // History: from i3 and i7 only
        // Until the next fit, new items reach a list only from a source that knows them: give the last slots (here at most 2)
        // to the best new items of your own ranking (newItemRanking), the model's list before them.
        string[] fresh = newItemRanking.Where(id => !recommender.KnowsItem(id) && !history.Contains(id)).Take(2).ToArray();
        List<string> items = [.. list.Items.Take(list.Items.Count - fresh.Length).Select(r => r.ItemId), .. fresh];
        #endregion

        Assert.Equal(["i-new"], unknown);
        Assert.Equal(CandidateSource.History, list.Source);
        Assert.Equal(recommender.Recommend("new-user", ["i3", "i7"]).Items, list.Items);
        Assert.Equal(["i-newer", "i-newest"], fresh);
        Assert.Equal(list.Items.Count, items.Count);
        Assert.Equal(fresh, items[^2..]);
        Assert.Equal(list.Items.Take(items.Count - 2).Select(r => r.ItemId), items[..^2]);
        DocSnippets.AssertOnPage(Path.Combine("Serving", nameof(NewItemsTests) + ".cs"), "NewItems", "docs/persistence.md");
    }
}
