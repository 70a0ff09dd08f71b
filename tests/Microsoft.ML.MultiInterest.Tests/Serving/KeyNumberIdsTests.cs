using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A model whose key columns carry no KeyValues (integer ids loaded as keys by ML.NET's text loader, or <c>[KeyType]</c>
/// fields) names its users and items by the key numbers 1..N. An id that is no key number (0, past the cardinality, not an
/// integer) cannot name anything there, so the recommender refuses it rather than serve the popular fallback: the text
/// loader maps a file's 0 to key 1, and a caller asking by the file's ids would otherwise get another user's list, or the
/// popular one, without a word.
/// </summary>
public class KeyNumberIdsTests
{
    private const int Users = 16, Items = 24;

    /// <summary>The planted edges written with integer ids from 0 ("u3" as 3) and loaded as keys by the text loader, as a user would.</summary>
    private static IDataView LoadedByTextLoader(MLContext ml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"key-number-ids-{Environment.ProcessId}.tsv");
        File.WriteAllLines(path, new[] { "user\titem" }.Concat(MLNetTestData.Edges().Select(e => $"{e.User[1..]}\t{e.Item[1..]}")));
        var view = ml.Data.LoadFromTextFile(path, [
            new TextLoader.Column("User", DataKind.UInt32, [new TextLoader.Range(0)], new KeyCount(Users)),
            new TextLoader.Column("Item", DataKind.UInt32, [new TextLoader.Range(1)], new KeyCount(Items))], '\t', hasHeader: true);
        // Cached: the file is read at Fit and not needed after.
        return ml.Data.Cache(view);
    }

    private static ITransformer Fit(MLContext ml, IDataView view) =>
        ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Append(ml.MultiInterest().UnimodalRetriever(candidates: 5)).Fit(view);

    [Fact]
    public void ThePipelinePageLoaderSnippet_CompilesRuns_AndIsOnThePage()
    {
        var mlContext = new MLContext(seed: 1);
        string path = Path.Combine(Path.GetTempPath(), $"key-number-snippet-{Environment.ProcessId}.tsv");
        File.WriteAllLines(path, new[] { "user\titem" }.Concat(MLNetTestData.Edges().Select(e => $"{e.User[1..]}\t{e.Item[1..]}")));
        var pipeline = mlContext.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Append(mlContext.MultiInterest().UnimodalRetriever(candidates: 5));

        #region KeyNumberIds
        // edges.tsv: a header line, then "user<TAB>item" with integer ids from 0 (users 0..15, items 0..23).
        IDataView view = mlContext.Data.LoadFromTextFile(path, new[]
        {
            new TextLoader.Column("User", DataKind.UInt32, new[] { new TextLoader.Range(0) }, new KeyCount(16)),
            new TextLoader.Column("Item", DataKind.UInt32, new[] { new TextLoader.Range(1) }, new KeyCount(24)),
        }, '\t', hasHeader: true);
        MultiInterestRecommender recommender = mlContext.MultiInterest().CreateRecommender(pipeline.Fit(view));
        RecommendationList first = recommender.Recommend("1");   // the file's user 0 (key 1); its items are the file's item + 1
        // recommender.Recommend("0") throws an ArgumentException (userId): no key is 0
        #endregion

        Assert.Equal(CandidateSource.Trained, first.Source);
        Assert.Equal("userId", Assert.Throws<ArgumentException>(() => recommender.Recommend("0")).ParamName);
        Docs.DocSnippets.AssertOnPage(Path.Combine("Serving", nameof(KeyNumberIdsTests) + ".cs"), "KeyNumberIds", "docs/pipeline.md");
    }

    [Fact]
    public void TextLoaderKeys_FileIdZero_IsKeyOne()
    {
        // The convention the refusal explains: ML.NET's text loader stores a file's value v as key v + 1.
        var ml = new MLContext(seed: 1);
        var view = LoadedByTextLoader(ml);
        Assert.Equal(uint.Parse(MLNetTestData.Edges()[0].User[1..], System.Globalization.CultureInfo.InvariantCulture) + 1, view.GetColumn<uint>("User").First());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    [InlineData("u3")]
    [InlineData("03")]
    public void Recommend_AnIdThatIsNoKeyNumber_IsRefusedNamingTheConvention(string userId)
    {
        var ml = new MLContext(seed: 1);
        var recommender = ml.MultiInterest().CreateRecommender(Fit(ml, LoadedByTextLoader(ml)));
        var error = Assert.Throws<ArgumentException>(() => recommender.Recommend(userId));
        Assert.Equal("userId", error.ParamName);
        Assert.Contains($"'{userId}'", error.Message);
        Assert.Contains("column 'User'", error.Message);
        Assert.Contains("key numbers 1..16", error.Message);
        Assert.Contains("text loader", error.Message);
        Assert.Contains("MapValueToKey", error.Message);
        Assert.Throws<ArgumentException>(() => recommender.Explain(userId));
    }

    [Fact]
    public void Recommend_KeyNumbers_ServeTheUsersOfThoseKeys_AndAHistoryIdThatIsNoKeyNumberIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var recommender = ml.MultiInterest().CreateRecommender(Fit(ml, LoadedByTextLoader(ml)));
        // Key 1 is the file's user 0; its list names items by key number too (the file's item + 1).
        var list = recommender.Recommend("1");
        Assert.Equal(CandidateSource.Trained, list.Source);
        Assert.All(list.Items, r => Assert.InRange(int.Parse(r.ItemId, System.Globalization.CultureInfo.InvariantCulture), 1, Items));
        var fresh = recommender.Recommend("1", history: ["2", "3"]);
        Assert.Equal(CandidateSource.Trained, fresh.Source);
        var history = Assert.Throws<ArgumentException>(() => recommender.Recommend("1", history: ["2", "0"]));
        Assert.Equal("history", history.ParamName);
        Assert.Contains("'0'", history.Message);
        Assert.Contains("column 'Item'", history.Message);
        Assert.Contains("key numbers 1..24", history.Message);
        var exclude = Assert.Throws<ArgumentException>(() => recommender.Recommend("1", null, 5, exclude: ["25"]));
        Assert.Equal("exclude", exclude.ParamName);
        var similar = Assert.Throws<ArgumentException>(() => recommender.SimilarItems("0", 3));
        Assert.Equal("itemId", similar.ParamName);
        Assert.Contains("key numbers 1..24", similar.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    [InlineData("u3")]
    [InlineData("03")]
    public void FoldInNewItems_AUserIdThatIsNoKeyNumber_IsRefusedNamingTheEdge_AsRecommendRefusesIt(string userId)
    {
        // Before, such an edge was counted as a new user's and dropped: the file's user 0 asked as "0" lost its edges silently.
        var ml = new MLContext(seed: 1);
        var recommender = ml.MultiInterest().CreateRecommender(Fit(ml, LoadedByTextLoader(ml)));
        var error = Assert.Throws<ArgumentException>(() => recommender.FoldInNewItems([("1", "25"), (userId, "25")]));
        Assert.Equal("edges", error.ParamName);
        Assert.Contains($"The user id '{userId}' (edge 1 of edges) is no key of column 'User', which has no KeyValues", error.Message);
        Assert.Contains("key numbers 1..16", error.Message);
        Assert.Contains("MapValueToKey", error.Message);
    }

    [Fact]
    public void FoldInNewItems_KeyNumberUsers_FoldInANewItemWhateverItsId_ItemIdsAreNotKeyNumbers()
    {
        // A new item has no key number: "25", past the model's 24 item keys, and "i-new" are new items, folded in and served.
        var ml = new MLContext(seed: 1);
        var recommender = ml.MultiInterest().CreateRecommender(Fit(ml, LoadedByTextLoader(ml)));
        var fold = recommender.FoldInNewItems([("1", "25"), ("2", "25"), ("3", "i-new"), ("4", "24")]);
        Assert.Equal(new[] { "25", "i-new" }, fold.FoldedItems.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(1, fold.KnownItemEdges);
        Assert.Equal(0, fold.UnknownUserEdges);
        Assert.True(fold.Recommender.KnowsItem("25"));
        Assert.Equal(CandidateSource.Trained, fold.Recommender.Recommend("1", history: ["25", "i-new"]).Source);
        // Still refused after the fold-in: the users are named as before.
        Assert.Throws<ArgumentException>(() => fold.Recommender.Recommend("0"));
    }

    [Fact]
    public void LoadedModel_RefusesAnIdThatIsNoKeyNumber()
    {
        var ml = new MLContext(seed: 1);
        var view = LoadedByTextLoader(ml);
        var stream = new MemoryStream();
        ml.Model.Save(Fit(ml, view), view.Schema, stream);
        using var model = MultiInterestModel.Load(ml, new MemoryStream(stream.ToArray()));
        var recommender = ml.MultiInterest().CreateRecommender(model);
        Assert.Equal(CandidateSource.Trained, recommender.Recommend("1").Source);
        var error = Assert.Throws<ArgumentException>(() => recommender.Recommend("0"));
        Assert.Contains("key numbers 1..16", error.Message);
    }

    [Fact]
    public void ModelWithKeyValues_UnknownUser_StillGetsThePopularFallback()
    {
        // Ids mapped by MapValueToKey carry KeyValues: "0" is then just a user the model does not know (a new user).
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 5)).Fit(raw);
        var recommender = ml.MultiInterest().CreateRecommender(model);
        Assert.Equal(CandidateSource.Popular, recommender.Recommend("0").Source);
        // An unknown history item is skipped, as documented.
        Assert.Equal(CandidateSource.Trained, recommender.Recommend("u3", history: ["0"]).Source);
    }
}
