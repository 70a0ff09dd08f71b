using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.Serving;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The evaluator and the DataFrame exports read a user's list, representation or an item's embedding from its first row;
/// a later row that holds another value is refused by name (it was dropped unread), while the columns a library stage looks
/// up by the key carry the per-key mark and are read once per key.
/// </summary>
public class EvaluationRowChecksTests
{
    private static readonly MultiInterestEvaluatorOptions Short = new() { Cutoffs = [1, 3] };

    /// <summary>The hand-made case with user 0's second scored row changed by <paramref name="change"/>.</summary>
    private static IDataView ScoredWithLaterRow(MLContext ml, Action<EvaluationTestData.Scored> change)
    {
        var rows = EvaluationTestData.ScoredRows();
        change(rows[^1]);
        return ml.Data.LoadFromEnumerable(rows);
    }

    [Fact]
    public void RepeatedRows_AreAccepted_AndScoreAsOne()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, items) = EvaluationTestData.Views(ml);
        var once = ml.Data.LoadFromEnumerable(EvaluationTestData.ScoredRows().Take(3).ToArray());
        var repeated = ml.MultiInterest().Evaluate(scored, heldOut, items, Short);
        var single = ml.MultiInterest().Evaluate(once, heldOut, items, Short);
        Assert.Equal(single.RecallAtK[3], repeated.RecallAtK[3]);
        Assert.Equal(single.DiversityAtK[3], repeated.DiversityAtK[3]);
        Assert.Equal(single.Emd, repeated.Emd);
    }

    [Fact]
    public void AUsersLaterRowWithAnotherList_IsRefusedNamingTheRank()
    {
        var ml = new MLContext(seed: 1);
        var (_, heldOut, items) = EvaluationTestData.Views(ml);
        var scored = ScoredWithLaterRow(ml, row => row.Candidates = [2, 4, 5]);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, Short));
        Assert.Equal("scored", error.ParamName);
        Assert.Contains("Input column 'Candidates' (option CandidatesColumnName) gives user key 1 two values (item key 1 at rank 2 on its first row, "
            + "item key 4 on a later one): it must hold one candidate list per user", error.Message);
        Assert.Contains("A retriever that reads a History column lists per row", error.Message);

        // A shorter list (more padding) differs too.
        var shorter = ScoredWithLaterRow(ml, row => row.Candidates = [2, 1, 0]);
        Assert.Contains("item key 5 at rank 3 on its first row, no item on a later one",
            Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(shorter, heldOut, items, Short)).Message);
    }

    [Theory]
    [InlineData(UserRepresentation.Unimodal, "UserEmbedding", "vector", false)]
    [InlineData(UserRepresentation.Mixture, "MixtureEmbeddings", "mixture", false)]
    [InlineData(UserRepresentation.Mixture, "MixtureWeights", "mixture", true)]
    public void AUsersLaterRowWithAnotherRepresentation_IsRefusedNamingTheColumnThatDiffers(UserRepresentation representation, string column, string what, bool weightsOnly)
    {
        var ml = new MLContext(seed: 1);
        var (_, heldOut, items) = EvaluationTestData.Views(ml);
        var options = new MultiInterestEvaluatorOptions { Cutoffs = [1, 3], Representation = representation };
        var scored = ScoredWithLaterRow(ml, row =>
        {
            if (!weightsOnly)
            {
                row.UserEmbedding = [0, 1, 2];
                row.MixtureEmbeddings = [0, 1, 0, 0, 0, 2];
            }
            row.MixtureWeights = [0.5, 0.5];
        });
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, options));
        Assert.Equal("scored", error.ParamName);
        Assert.Contains($"Input column '{column}' (option {column}ColumnName) gives user key 1 two values (its first row and a later one differ): "
            + $"it must hold one {what} per user", error.Message);
    }

    [Fact]
    public void EvaluateRetriever_RefusesAFitViewWhoseUserVectorDiffersByRow_NamingFitData()
    {
        var ml = new MLContext(seed: 1);
        var (_, heldOut, items) = EvaluationTestData.Views(ml);
        var rows = EvaluationTestData.ScoredRows();
        rows[^1].UserEmbedding = [0, 1, 2];
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().EvaluateRetriever(ItemsBeside(ml, rows), heldOut, k => ml.MultiInterest().UnimodalRetriever(k),
            new MultiInterestEvaluatorOptions { Cutoffs = [1, 3], Representation = UserRepresentation.Unimodal }));
        Assert.Equal("fitData", error.ParamName);
        Assert.Contains("Input column 'UserEmbedding' (option UserEmbeddingColumnName) gives user key 1 two values (its first row and a later one differ)", error.Message);
    }

    private sealed class FitRow
    {
        [KeyType(EvaluationTestData.Users)]
        public uint User { get; set; }

        [KeyType(EvaluationTestData.Items)]
        public uint Item { get; set; }

        [VectorType(EvaluationTestData.Dimension)]
        public float[] UserEmbedding { get; set; } = [];

        [VectorType(EvaluationTestData.Dimension)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    /// <summary>Scored rows as fit data: each with an item (row i's item is item row i mod 5) and that item's embedding.</summary>
    private static IDataView ItemsBeside(MLContext ml, EvaluationTestData.Scored[] scored)
    {
        var rows = scored.Select((r, i) => new FitRow
        {
            User = r.User, Item = (uint)(i % EvaluationTestData.Items), UserEmbedding = r.UserEmbedding,
            ItemEmbedding = EvaluationTestData.ItemValues.AsSpan(i % EvaluationTestData.Items * EvaluationTestData.Dimension, EvaluationTestData.Dimension).ToArray(),
        }).ToArray();
        return ml.Data.LoadFromEnumerable(rows);
    }

    [Fact]
    public void AnItemsLaterRowWithAnotherEmbedding_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var (scored, heldOut, _) = EvaluationTestData.Views(ml);
        var rows = EvaluationTestData.ItemRows();
        rows[^1].ItemEmbedding = [1, 0, float.NaN];
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, ml.Data.LoadFromEnumerable(rows), Short));
        Assert.Equal("itemEmbeddings", error.ParamName);
        Assert.Contains("Input column 'ItemEmbedding' (option ItemEmbeddingColumnName) gives item key 1 two values (0 at coordinate 2 on its first row, NaN on a later one)",
            error.Message);
    }

    private sealed class ScoredWithSource
    {
        [KeyType(EvaluationTestData.Users)]
        public uint User { get; set; }

        [KeyType(EvaluationTestData.Items)]
        [VectorType(EvaluationTestData.M)]
        public uint[] Candidates { get; set; } = [];

        public string CandidateSource { get; set; } = "";
    }

    [Fact]
    public void AUsersLaterRowServedAnotherWay_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var (_, heldOut, items) = EvaluationTestData.Views(ml);
        var scored = ml.Data.LoadFromEnumerable(EvaluationTestData.ScoredRows().Select((r, i) => new ScoredWithSource
        {
            User = r.User, Candidates = r.Candidates, CandidateSource = i == 3 ? nameof(CandidateSource.Popular) : nameof(CandidateSource.Trained),
        }).ToArray());
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions { Cutoffs = [1, 3], Representation = UserRepresentation.None }));
        Assert.Equal("scored", error.ParamName);
        Assert.Contains("Input column 'CandidateSource' (option CandidateSourceColumnName) gives user key 1 two values (not Popular on its first row, 'Popular' on a later one)",
            error.Message);
    }

    [Fact]
    public void TheLibrarysColumns_CarryThePerKeyMark_AndAListThatFollowsAHistoryDoesNot()
    {
        var p = new EvaluationPipeline();
        var mi = p.Ml.MultiInterest();
        var schema = p.Train.Schema;
        Assert.True(PerKeyAnnotation.Holds(schema["UserEmbedding"], schema["User"]));
        Assert.True(PerKeyAnnotation.Holds(schema["ItemEmbedding"], schema["Item"]));
        Assert.True(PerKeyAnnotation.Holds(schema["MixtureEmbeddings"], schema["User"]));

        var quota = mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 3, CandidatesColumnName = "Quota", CandidateScoresColumnName = "QuotaScores", CandidateSourceColumnName = "QuotaSource" }).Fit(p.Train);
        var both = mi.UnimodalRetriever(3).Fit(p.Train).Transform(quota.Transform(p.HeldOut));
        var scored = mi.RankFusion(new RankFusionEstimator.Options { SourceColumnNames = ["Quota", "Candidates"], Candidates = 3, CandidatesColumnName = "Fused", CandidateScoresColumnName = "FusedScores" })
            .Fit(both).Transform(both);
        foreach (var column in new[] { "Candidates", "CandidateScores", "CandidateSource", "Quota", "Fused", "FusedScores" })
            Assert.True(PerKeyAnnotation.Holds(scored.Schema[column], scored.Schema["User"]), column);
        // Not the held-out view's Item column: the lists follow the user.
        Assert.False(PerKeyAnnotation.Holds(scored.Schema["Candidates"], scored.Schema["Item"]));

        // The library's own pipeline evaluates as before, its later rows unread.
        var metrics = mi.Evaluate(scored, p.HeldOut, p.Train, new MultiInterestEvaluatorOptions { Cutoffs = [3], CandidatesColumnName = "Fused" });
        Assert.True(metrics.UserCount > 0);

        // A list that follows a History column as well as the user is compared row by row.
        using var world = new ServingWorld();
        var withHistory = world.Fitted.Transform(world.Ml.Data.LoadFromEnumerable(new List<ServingWorld.Request> { new() { User = world.Users[0] } }));
        Assert.False(PerKeyAnnotation.Holds(withHistory.Schema["Candidates"], withHistory.Schema["User"]));
    }

    private sealed class ScoredFrameRow
    {
        [KeyType(EvaluationTestData.Users)]
        public uint User { get; set; }

        [KeyType(EvaluationTestData.Items)]
        [VectorType(2)]
        public uint[] Candidates { get; set; } = [];

        [VectorType(2)]
        public float[] CandidateScores { get; set; } = [];
    }

    [Fact]
    public void CandidatesToDataFrame_RefusesAUsersLaterRowWithAnotherList()
    {
        var ml = new MLContext(seed: 1);
        ScoredFrameRow Row(uint user, uint[] items, float[] scores) => new() { User = user, Candidates = items, CandidateScores = scores };
        var same = ml.Data.LoadFromEnumerable(new[] { Row(0, [1, 2], [0.9f, 0.5f]), Row(1, [3, 0], [0.7f, float.NaN]), Row(0, [1, 2], [0.9f, 0.5f]) });
        Assert.Equal(3, ml.MultiInterest().CandidatesToDataFrame(same).Rows.Count);

        var other = ml.Data.LoadFromEnumerable(new[] { Row(0, [1, 2], [0.9f, 0.5f]), Row(0, [1, 2], [0.9f, 0.4f]) });
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().CandidatesToDataFrame(other));
        Assert.Equal("scored", error.ParamName);
        Assert.Contains("The columns 'Candidates' (option candidatesColumnName) and 'CandidateScores' (option scoresColumnName) give user '1' two lists", error.Message);
        Assert.Contains("A retriever that reads a History column lists per row", error.Message);
    }

    [Fact]
    public void CandidatesToDataFrame_ListsUsersTheKeyMappingNeverSaw_UnderTheirRawIds()
    {
        using var world = new ServingWorld();
        string[] firstHistory = [world.Items[0], world.Items[1], world.Items[2]], otherHistory = [world.Items[5]];
        var requests = new List<ServingWorld.Request>
        {
            new() { User = "new-user", History = firstHistory },
            new() { User = "other-new", History = otherHistory },
            new() { User = world.Users[0] },
            new() { User = "new-user", History = firstHistory },
        };
        var scored = world.Fitted.Transform(world.Ml.Data.LoadFromEnumerable(requests));
        var served = ServingWorld.Read(scored);
        Assert.Equal(["History", "History", "Trained", "History"], served.Select(r => r.Source));
        var frame = world.Ml.MultiInterest().CandidatesToDataFrame(scored);
        var byUser = frame.Rows.GroupBy(r => (string)r[0]).ToDictionary(g => g.Key, g => g.Select(r => (string)r[2]).ToArray());
        Assert.Equal(["new-user", "other-new", world.Users[0]], byUser.Keys);
        Assert.Equal(served[0].Items, byUser["new-user"]);
        Assert.Equal(served[1].Items, byUser["other-new"]);
        Assert.Equal(served[2].Items, byUser[world.Users[0]]);

        // One raw id served two histories is two lists for one user: refused, with the likely cause.
        requests[^1].History = otherHistory;
        var twice = world.Fitted.Transform(world.Ml.Data.LoadFromEnumerable(requests));
        var error = Assert.Throws<ArgumentException>(() => world.Ml.MultiInterest().CandidatesToDataFrame(twice));
        Assert.Contains("give user 'new-user' two lists", error.Message);
        Assert.Contains("A retriever that reads a History column lists per row", error.Message);
    }

    private sealed class MixtureFrameRow
    {
        [KeyType(EvaluationTestData.Users)]
        public uint User { get; set; }

        [KeyType(4)]
        [VectorType(2)]
        public uint[] MixtureClusters { get; set; } = [];

        [VectorType(2)]
        public double[] MixtureWeights { get; set; } = [];
    }

    [Fact]
    public void MixturesToDataFrame_RefusesAUsersLaterRowWithAnotherMixture()
    {
        var ml = new MLContext(seed: 1);
        MixtureFrameRow Row(uint user, double first) => new() { User = user, MixtureClusters = [1, 3], MixtureWeights = [first, 1 - first] };
        Assert.Equal(4, ml.MultiInterest().MixturesToDataFrame(ml.Data.LoadFromEnumerable(new[] { Row(0, 0.75), Row(1, 0.5), Row(0, 0.75) })).Rows.Count);
        var error = Assert.Throws<ArgumentException>(() => ml.MultiInterest().MixturesToDataFrame(ml.Data.LoadFromEnumerable(new[] { Row(0, 0.75), Row(0, 0.5) })));
        Assert.Equal("data", error.ParamName);
        Assert.Contains("The columns 'MixtureClusters' (option clustersColumnName) and 'MixtureWeights' (option weightsColumnName) give user '1' two lists", error.Message);
        Assert.DoesNotContain("History", error.Message);
    }
}
