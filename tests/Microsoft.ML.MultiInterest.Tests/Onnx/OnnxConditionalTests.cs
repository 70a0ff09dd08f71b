using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// Conditional retrieval through ONNX (<see cref="OnnxServingDirectory.ExportConditional"/>): the quota graphs over the items
/// grouped by condition give <see cref="ConditionalRetriever"/>'s lists, its layout included (the unimodal head, the quotas,
/// then the hand-off in component order, the unimodal fill; items without a condition reached by the fill only).
/// </summary>
public sealed class OnnxConditionalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"onnx-conditional-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The world's clusters as conditions, every fifth item without one.</summary>
    private static ItemConditions Conditions(MixtureWorld w)
    {
        var conditionOf = w.Clustering.Assignments.ToArray();
        for (int i = 0; i < conditionOf.Length; i += 5) conditionOf[i] = ItemConditions.None;
        return ItemConditions.Create(conditionOf, w.Clustering.ClusterCount);
    }

    private static RankedLists Engine(MixtureWorld w, ItemConditions conditions, int[] served, int m, double alpha, double headShare, bool excludeSeen)
    {
        var seen = excludeSeen ? w.Seen : null;
        var fill = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, seen, ConditionalDefaults.FillFactor * m, threads: 1);
        return new ConditionalRetriever(w.Items, conditions).Retrieve(w.Mixtures, null, served, seen, [m],
            new ConditionalRetrievalOptions { Alpha = alpha, HeadShare = headShare }, fill, w.Users, threads: 1)[0];
    }

    [Theory]
    [InlineData(0.0, 1.0, 10)]
    [InlineData(0.3, 0.5, 10)]
    [InlineData(0.0, 0.0, 7)]
    [InlineData(1.0, 1.0, 6)]
    public void ThePlainGraphAndTheExactScorerGiveTheEnginesConditionalLists(double headShare, double alpha, int m)
    {
        // Integer embeddings: every score exact, so the plain graph's lists must match slot for slot too.
        var w = MixtureWorld.Create(seed: 31, dimension: 3, integers: true);
        var conditions = Conditions(w);
        var manifest = OnnxServingDirectory.ExportConditional(w.Users, w.Items, conditions, w.Mixtures, m, alpha, headShare, _directory, exclusionMask: true);
        Assert.True(manifest.IsConditional);
        Assert.Equal(new QuotaRetrievalOptions { HeadShare = headShare }.HeadSlots(m), manifest.HeadSlots);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        var expected = Engine(w, conditions, served, m, alpha, headShare, excludeSeen: true);

        EngineLists.AssertPlainQuotaGraphGives(_directory, served, w.Seen, expected, m);
        using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 5);
        EngineLists.AssertIdentical(expected, scorer.RetrieveClusterQuota(served, w.Seen));
        EngineLists.AssertIdentical(Engine(w, conditions, served, m, alpha, headShare, excludeSeen: false), scorer.RetrieveClusterQuota(served));
    }

    [Fact]
    public void TheWorldExercisesWhatSetsTheConditionalLayoutApart()
    {
        // The cluster-quota layout would give the same items in another order for some users (the hand-off's place), and
        // the fill of 2M the same lists as a fill of M (why the graph reads M).
        var w = MixtureWorld.Create(seed: 31, dimension: 3, integers: true);
        var conditions = Conditions(w);
        int[] served = [.. Enumerable.Range(0, w.Users.Rows)];
        const int m = 10;
        var conditional = Engine(w, conditions, served, m, 1.0, 0.0, excludeSeen: true);
        var asClusters = ItemClustering.Create([.. conditions.Assignments.ToArray().Select(c => c < 0 ? w.Clustering.ClusterCount : c)], w.Clustering.ClusterCount + 1, w.Items);
        var fill = new UnimodalRetriever(w.Items).Retrieve(w.Users, served, w.Seen, m, threads: 1);
        var quota = new ClusterQuotaRetriever(w.Items, asClusters).Retrieve(w.Mixtures, served, w.Seen, [m], new QuotaRetrievalOptions(), fill, w.Users, threads: 1)[0];
        Assert.Equal(conditional.Counts, quota.Counts);
        Assert.All(Enumerable.Range(0, served.Length), q => Assert.Equal(conditional.IndicesOf(q).ToArray().Order(), quota.IndicesOf(q).ToArray().Order()));
        Assert.Contains(Enumerable.Range(0, served.Length), q => !conditional.IndicesOf(q).SequenceEqual(quota.IndicesOf(q)));
        var shallow = new ConditionalRetriever(w.Items, conditions).Retrieve(w.Mixtures, null, served, w.Seen, [m], new ConditionalRetrievalOptions(), fill, w.Users, threads: 1)[0];
        Assert.Equal(conditional.Indices, shallow.Indices);
    }

    [Fact]
    public void NearTiesStillGiveTheEnginesLists()
    {
        var w = NearTieWorld.Create(seed: 47);
        var conditions = Conditions(w);
        const int m = 10;
        int[] served = [.. Enumerable.Range(0, w.Users.Rows), 4];
        foreach (double headShare in new[] { 0.0, 0.4 })
        {
            OnnxServingDirectory.ExportConditional(w.Users, w.Items, conditions, w.Mixtures, m, 1.0, headShare, _directory, exclusionMask: true);
            using var scorer = OnnxCandidateScorer.Open(_directory, batchSize: 6);
            EngineLists.AssertIdentical(Engine(w, conditions, served, m, 1.0, headShare, excludeSeen: true), scorer.RetrieveClusterQuota(served, w.Seen));
            Assert.True(scorer.ProvedFromCandidates > 50, $"{scorer.ProvedFromCandidates} rankings proved");
        }
    }

    [Fact]
    public void BadArgumentsAreRefusedNamingThem()
    {
        var w = MixtureWorld.Create(seed: 5);
        var conditions = Conditions(w);
        var tooFew = ItemConditions.Create(new int[w.Items.Rows - 1], 1);
        Assert.Contains("conditions cover", Assert.Throws<ArgumentException>(() =>
            OnnxServingDirectory.ExportConditional(w.Users, w.Items, tooFew, w.Mixtures, 5, 1, 0, _directory)).Message);
        var narrow = ItemConditions.Create(new int[w.Items.Rows], 1);
        Assert.Contains("outside the conditions' 0..0", Assert.Throws<ArgumentException>(() =>
            OnnxServingDirectory.ExportConditional(w.Users, w.Items, narrow, w.Mixtures, 5, 1, 0, _directory)).Message);
        Assert.Equal("HeadShare", Assert.Throws<ArgumentOutOfRangeException>(() =>
            OnnxServingDirectory.ExportConditional(w.Users, w.Items, conditions, w.Mixtures, 5, 1, 1.5, _directory)).ParamName);
        Assert.False(Directory.Exists(_directory));
    }
}
