using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Xunit.Abstractions;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>Probes of excludeItems beyond OnnxExcludeItemsTests: large, full and repeated exclusions, batch edges, clustered history pools.</summary>
public sealed class OnnxExcludeItemsProbeTests(ITestOutputHelper output) : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-onnx-exclude-probe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Every difference between the scorer's lists and the recommender's, for trained users and fresh histories.</summary>
    private static List<string> Differences(MultiInterestModel model, MultiInterestRecommender recommender, Func<int[], BipartiteGraph?, int[]?, RankedLists> trained,
        Func<int[][], int[]?, RankedLists> fresh, int[] excluded, string label, bool skipEmptyFresh)
    {
        var userIds = model.GraphEmbedding!.UserIds;
        var itemIds = model.GraphEmbedding.ItemIds;
        var history = model.TrainingHistory();
        int[] users = [.. Enumerable.Range(0, userIds.Count)];
        string[] excludedIds = [.. excluded.Select(r => itemIds[r])];
        var diffs = new List<string>();
        var served = trained(users, history, excluded);
        for (int q = 0; q < users.Length; q++)
        {
            var live = recommender.Recommend(userIds[q], null, 0, excludedIds);
            string a = string.Join(",", live.Items.Select(i => $"{i.ItemId}:{i.Score:R}"));
            string b = string.Join(",", Enumerable.Range(0, served.Counts[q]).Select(r => $"{itemIds[served.IndicesOf(q)[r]]}:{served.ScoresOf(q)[r]:R}"));
            if (a != b) diffs.Add($"{label} trained {userIds[q]}: live [{a}] onnx [{b}]");
        }
        int[][] histories = [[.. history.ItemsOf(0).ToArray().Take(3)], [.. history.ItemsOf(5).ToArray().Take(2)], [0, 1], [.. history.ItemsOf(7).ToArray()]];
        var fromHistories = fresh(histories, excluded);
        for (int q = 0; q < histories.Length; q++)
        {
            var live = recommender.Recommend("someone-new", histories[q].Select(r => itemIds[r]), 0, excludedIds);
            string a = string.Join(",", live.Items.Select(i => $"{i.ItemId}:{i.Score:R}"));
            string b = string.Join(",", Enumerable.Range(0, fromHistories.Counts[q]).Select(r => $"{itemIds[fromHistories.IndicesOf(q)[r]]}:{fromHistories.ScoresOf(q)[r]:R}"));
            if (a != b) diffs.Add($"{label} fresh {q}: live [{a}] onnx [{b}]");
        }
        return diffs;
    }

    [Theory]
    [InlineData("unimodal")]
    [InlineData("quota")]
    [InlineData("mmr")]
    [InlineData("history-mmr")]
    [InlineData("dcm")]
    [InlineData("fusion")]
    [InlineData("clustered-history-mmr")]
    public void LargeFullRepeatedAndSeenExclusions_GiveTheRecommendersLists(string kind)
    {
        var (model, onnx) = ExcludeItemsModels.Exported(_ml, _directory, kind);
        using var _m = model;
        var recommender = _ml.MultiInterest().CreateRecommender(model);
        int items = model.GraphEmbedding!.ItemIds.Count;
        var history = model.TrainingHistory();
        var diffs = new List<string>();
        foreach (int batch in new[] { 1, 3, 1000 })
        {
            var (trained, fresh, scorer) = ExcludeItemsModels.Open(kind, onnx, batch);
            using var _s = scorer;
            var open = trained([.. Enumerable.Range(0, model.GraphEmbedding.UserIds.Count)], history, null);
            int[] firsts = [.. Enumerable.Range(0, open.Counts.Length).Where(q => open.Counts[q] > 0).Select(q => open.IndicesOf(q)[0])];
            var cases = new Dictionary<string, int[]>
            {
                ["all"] = [.. Enumerable.Range(0, items)],
                ["all-but-3"] = [.. Enumerable.Range(3, items - 3)],
                ["half"] = [.. Enumerable.Range(0, items).Where(i => i % 2 == 0)],
                ["repeated+seen"] = [.. firsts, .. firsts, .. history.ItemsOf(0).ToArray(), .. history.ItemsOf(3).ToArray()],
            };
            foreach (var (name, excluded) in cases)
                diffs.AddRange(Differences(model, recommender, trained, fresh, excluded, $"batch {batch} {name}", skipEmptyFresh: kind == "dcm"));
            // Single items, one at a time: each must leave every other list as the recommender leaves it.
            if (batch == 3)
                for (int x = 0; x < items; x++) diffs.AddRange(Differences(model, recommender, trained, fresh, [x], $"single {x}", kind == "dcm"));
            // Exclusions null or given: the excluded items alone, either way (not for a clustered pool with history lists, whose
            // given exclusions are the users' own items and pick lists, which excludeItems must not).
            int[] users = [.. Enumerable.Range(0, model.GraphEmbedding.UserIds.Count)];
            int[] some = [.. firsts.Take(3)];
            var asGraph = BipartiteGraph.FromEdges(users.Length, items, [.. users.SelectMany(u => some.Select(_ => u))], [.. users.SelectMany(_ => some)]);
            var viaNull = trained(users, null, some);
            var viaGraph = trained(users, asGraph, null);
            for (int q = 0; q < users.Length && kind != "clustered-history-mmr"; q++)
                if (!viaNull.IndicesOf(q).SequenceEqual(viaGraph.IndicesOf(q)) || !viaNull.ScoresOf(q).SequenceEqual(viaGraph.ScoresOf(q)))
                    diffs.Add($"batch {batch} null-vs-graph user {q}");
            // A subset of users with the largest row first: the graph built for them must serve them.
            int[] subset = [users[^1], 2, 0];
            var part = trained(subset, null, some);
            for (int q = 0; q < subset.Length; q++)
                if (!part.IndicesOf(q).SequenceEqual(viaNull.IndicesOf(subset[q]))) diffs.Add($"batch {batch} subset {q}");
        }
        foreach (string d in diffs.Take(40)) output.WriteLine(d);
        Assert.Empty(diffs);
    }

    [Fact]
    public void MergedConditional_OutOfRangeUsersAreRefusedAsWithoutExcludedItems()
    {
        using var model = MergedConditionalModel.Saved(_ml, Path.Combine(_directory, "merged.zip"));
        string onnx = Path.Combine(_directory, "merged-onnx");
        model.ExportOnnx(onnx);
        using var scorer = OnnxConditionalMergeScorer.Open(onnx, batchSize: 5);
        int users = scorer.Manifest.Users;
        foreach (int bad in new[] { -1, users, int.MaxValue })
        {
            var plain = Record.Exception(() => scorer.Retrieve([0, bad], null));
            var with = Record.Exception(() => scorer.Retrieve([0, bad], null, [0]));
            output.WriteLine($"{bad}: plain {plain?.GetType().Name}: {plain?.Message} | with {with?.GetType().Name}: {with?.Message}");
            Assert.NotNull(with);
            Assert.Equal(plain!.GetType(), with!.GetType());
        }
    }
}
