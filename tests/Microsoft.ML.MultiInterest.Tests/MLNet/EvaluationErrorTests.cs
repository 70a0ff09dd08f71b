using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

public class EvaluationErrorTests
{
    private static readonly MultiInterestEvaluatorOptions Short = new() { Cutoffs = [1, 3] };

    [Theory]
    [InlineData("Candidates", "CandidatesColumnName")]
    [InlineData("User", "UserColumnName")]
    public void MissingScoredColumn_IsNamed(string column, string option)
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var without = ml.Transforms.DropColumns(column).Fit(scored).Transform(scored);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(without, heldOut, items, Short));
        Assert.Contains($"'{column}'", error.Message);
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void MissingItemEmbeddingColumn_IsNamed()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var without = ml.Transforms.DropColumns("ItemEmbedding").Fit(items).Transform(items);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, without, Short));
        Assert.Contains("'ItemEmbedding'", error.Message);
        Assert.Contains("ItemEmbeddingColumnName", error.Message);
    }

    [Fact]
    public void ExplicitMixtureWithoutItsColumns_IsNamed()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var without = ml.Transforms.DropColumns("MixtureWeights").Fit(scored).Transform(scored);
        var options = new MultiInterestEvaluatorOptions { Cutoffs = [1], Representation = UserRepresentation.Mixture };
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(without, heldOut, items, options));
        Assert.Contains("'MixtureWeights'", error.Message);
        // Auto falls back to the user embedding.
        Assert.Equal(UserRepresentation.Unimodal, ml.MultiInterest().Evaluate(without, heldOut, items, Short).Representation);
    }

    [Fact]
    public void HeldOutItemKeysOfAnotherCardinality_AreRefused()
    {
        var ml = new MLContext(seed: 1);
        var (scored, _, items) = EvaluationTestData.Views(ml);
        var heldOut = ml.Data.LoadFromEnumerable(new[] { new WideEdge { User = 0, Item = 1 } });
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, Short));
        Assert.Contains("'Item'", error.Message);
        Assert.Contains("over 5 values", error.Message);
        Assert.Contains("over 6 values", error.Message);
        Assert.Contains("same fitted MapValueToKey", error.Message);
    }

    [Fact]
    public void HeldOutUserNotAKey_NamesTheType()
    {
        var ml = new MLContext(seed: 1);
        var (scored, _, items) = EvaluationTestData.Views(ml);
        var heldOut = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, Short));
        Assert.Contains("'User'", error.Message);
        Assert.Contains("key type", error.Message);
    }

    [Fact]
    public void TestUserWithoutScoredRow_IsNamed()
    {
        var ml = new MLContext(seed: 1);
        var (_, heldOut, items) = EvaluationTestData.Views(ml);
        var scored = ml.Data.LoadFromEnumerable(EvaluationTestData.ScoredRows().Where(r => r.User != 1).ToArray());
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, Short));
        Assert.Contains("Test user key 2", error.Message);
        Assert.Equal("scored", error.ParamName);
    }

    [Fact]
    public void TestUserWithoutScoredRow_NamesTheRawId()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var retriever = mi.ClusterQuotaRetriever(candidates: 3).Fit(p.Train);
        var firstTestUser = p.TestRaw.GetColumn<string>("User").First();
        var otherEdges = MLNetTestData.Edges().Where(e => e.User != firstTestUser).ToList();
        var others = retriever.Transform(p.Upstream.Transform(p.Ml.Data.LoadFromEnumerable(otherEdges)));
        var error = Assert.Throws<ArgumentException>(() => mi.Evaluate(others, p.HeldOut, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = [3] }));
        Assert.Contains($"('{firstTestUser}')", error.Message);
    }

    [Fact]
    public void CutoffLongerThanTheLists_NamesTheOption()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions()));
        Assert.Contains("Cutoff 50", error.Message);
        Assert.Contains("Cutoffs", error.Message);
        Assert.Contains("EvaluateRetriever", error.Message);
    }

    [Fact]
    public void ItemWithoutEmbedding_IsNamed()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, _) = EvaluationTestData.Views(ml);
        var items = ml.Data.LoadFromEnumerable(EvaluationTestData.ItemRows().Where(r => r.Item != 4).ToArray());
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, Short));
        Assert.Contains("Item key 5", error.Message);
        Assert.Contains("candidate of user key 1", error.Message);
    }

    [Fact]
    public void OnlyUnseenHeldOutKeys_HaveNothingToEvaluate()
    {
        var ml = new MLContext(seed: 1);
        var (scored, _, items) = EvaluationTestData.Views(ml);
        var heldOut = ml.Data.LoadFromEnumerable(new[] { new EvaluationTestData.Edge { User = 0, Item = 9 } }); // out of range: key 0
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, Short));
        Assert.Contains("None of the 1 held-out edges has a user and an item seen in training", error.Message);
        Assert.Equal("heldOut", error.ParamName);
    }

    [Fact]
    public void BadOptions_NameTheOption()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var mi = ml.MultiInterest();
        Assert.Equal("Cutoffs", Assert.Throws<ArgumentException>(() => mi.Evaluate(scored, heldOut, items, new() { Cutoffs = [] })).ParamName);
        Assert.Equal("Cutoffs", Assert.Throws<ArgumentException>(() => mi.Evaluate(scored, heldOut, items, new() { Cutoffs = [2, 2] })).ParamName);
        Assert.Equal("Cutoffs", Assert.Throws<ArgumentOutOfRangeException>(() => mi.Evaluate(scored, heldOut, items, new() { Cutoffs = [0] })).ParamName);
        Assert.Equal("Threads", Assert.Throws<ArgumentOutOfRangeException>(() => mi.Evaluate(scored, heldOut, items, new() { Threads = -1 })).ParamName);
        Assert.Equal("CandidatesColumnName", Assert.Throws<ArgumentException>(() => mi.Evaluate(scored, heldOut, items, new() { CandidatesColumnName = " " })).ParamName);
    }

    private sealed class WideEdge
    {
        [KeyType(EvaluationTestData.Users)]
        public uint User { get; set; }

        [KeyType(6)]
        public uint Item { get; set; }
    }
}
