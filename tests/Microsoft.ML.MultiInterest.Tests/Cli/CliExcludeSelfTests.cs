using Microsoft.ML.MultiInterest.Tests.Serving;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --exclude-self</c> on a graph whose users and items are the same nodes (<see cref="SameNodeGraph"/>): a
/// user's own id leaves its list (trained, from a --history, the popular fallback), the rest of the list kept in order with
/// one slot freed, users whose id is no item unchanged, and the recommender, the engine and ONNX Runtime give the same lists.
/// </summary>
public sealed class CliExcludeSelfTests : IDisposable
{
    private const int M = 8;
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-exclude-self-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>The lists of a candidates file: user -> items in rank order.</summary>
    private static Dictionary<string, string[]> Lists(string path) =>
        File.ReadAllLines(path).Skip(1).Select(l => l.Split('\t')).GroupBy(f => f[0])
            .ToDictionary(g => g.Key, g => g.OrderBy(f => int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)).Select(f => f[2]).ToArray());

    /// <summary>recommend for the users file with the history file and <paramref name="extra"/> options; the lists written.</summary>
    private Dictionary<string, string[]> Recommend(string model, string name, params string[] extra)
    {
        var run = CliHarness.Run(["recommend", "--model", PathOf(model), "--users", PathOf("users.tsv"), "--history", PathOf("history.tsv"), "--out", PathOf(name), .. extra]);
        Assert.True(run.ExitCode == 0, run.Error);
        if (extra.Contains("--exclude-self")) Assert.Contains("--exclude-self: 4 users of 6 have ids that are items of the model", run.Out, StringComparison.Ordinal);
        return Lists(PathOf(name));
    }

    [Fact]
    public void ExcludeSelf_LeavesTheOwnIdOut_FreeingOneSlot_TheSameFromEveryScorer()
    {
        File.WriteAllLines(PathOf("train.tsv"), SameNodeGraph.TsvLines());
        string trainedA = SameNodeGraph.Node(0, 0), trainedB = SameNodeGraph.Node(1, 2);
        string popularOnly = SameNodeGraph.Node(0, SameNodeGraph.PerGroup - 1), fromHistory = SameNodeGraph.Node(1, SameNodeGraph.PerGroup - 1);
        // Two papers the model knows as users, a cited-only paper served the popular list and one served from its --history,
        // and two users whose id is no item: a reader and a newcomer with a history.
        File.WriteAllLines(PathOf("users.tsv"), ["user", trainedA, trainedB, popularOnly, fromHistory, "r0", "newcomer"]);
        File.WriteAllLines(PathOf("history.tsv"), ["user\titem", $"{fromHistory}\t{SameNodeGraph.Node(1, 0)}", $"{fromHistory}\t{SameNodeGraph.Node(1, 1)}",
            $"newcomer\t{SameNodeGraph.Node(2, 0)}", $"newcomer\t{SameNodeGraph.Node(2, 1)}"]);
        var fit = CliHarness.Run("fit", "--train", PathOf("train.tsv"), "--model", PathOf("u.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "unimodal", "--candidates", $"{M}");
        Assert.True(fit.ExitCode == 0, fit.Error);

        var plain = Recommend("u.zip", "plain.tsv");
        var served = Recommend("u.zip", "served.tsv", "--exclude-self");
        foreach (string user in new[] { trainedA, trainedB, popularOnly, fromHistory })
        {
            Assert.Contains(user, plain[user]);
            Assert.DoesNotContain(user, served[user]);
            Assert.Equal(M, served[user].Length);
            // One slot freed: the list without the option, the own id taken out, then the next item.
            Assert.Equal(plain[user].Where(i => i != user), served[user][..(M - 1)]);
        }
        Assert.Equal(plain["r0"], served["r0"]);
        Assert.Equal(plain["newcomer"], served["newcomer"]);

        foreach (string scorer in new[] { "--engine", "--onnx" })
        {
            var other = Recommend("u.zip", $"other{scorer}.tsv", "--exclude-self", scorer);
            foreach (var (user, list) in served) Assert.Equal(list, other[user]);
        }
    }

    [Fact]
    public void OnAHistoryListsPool_TheEngineAndOnnx_HandTheSelfUsersToTheRecommender_AndFollowedTopicsOnOnnxAreRefused()
    {
        File.WriteAllLines(PathOf("train.tsv"), SameNodeGraph.TsvLines());
        string trained = SameNodeGraph.Node(0, 0);
        File.WriteAllLines(PathOf("users.tsv"), ["user", trained, SameNodeGraph.Node(2, 3), SameNodeGraph.Node(0, 5), SameNodeGraph.Node(1, 5), "r1", "newcomer"]);
        File.WriteAllLines(PathOf("history.tsv"), ["user\titem", $"newcomer\t{SameNodeGraph.Node(2, 0)}"]);
        var fit = CliHarness.Run("fit", "--train", PathOf("train.tsv"), "--model", PathOf("h.zip"), "--algorithm", "truncated-svd", "--dim", "4", "--threads", "1",
            "--retriever", "history-mmr", "--history-pool", "clustered", "--history-pool-history-lists", "--history-pool-probes", "0", "--candidates", $"{M}");
        Assert.True(fit.ExitCode == 0, fit.Error);
        var live = Recommend("h.zip", "live.tsv", "--exclude-self");
        Assert.All(live, p => Assert.DoesNotContain(p.Key, p.Value));
        foreach (string scorer in new[] { "--engine", "--onnx" })
        {
            var run = CliHarness.Run("recommend", "--model", PathOf("h.zip"), "--users", PathOf("users.tsv"), "--history", PathOf("history.tsv"),
                "--out", PathOf("other.tsv"), "--exclude-self", scorer);
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Contains("2 trained users whose id is an item served by MultiInterestRecommender", run.Out, StringComparison.Ordinal);
            var other = Lists(PathOf("other.tsv"));
            foreach (var (user, list) in live) Assert.Equal(list, other[user]);
        }

        File.WriteAllLines(PathOf("follows.tsv"), ["user\ttopic", $"{trained}\tt"]);
        var refused = CliHarness.Run("recommend", "--model", PathOf("h.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("x.tsv"),
            "--exclude-self", "--onnx", "--follows", PathOf("follows.tsv"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--exclude-self is not served with followed topics by ONNX Runtime", refused.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A same-node graph larger than the MMR pool (100): 300 papers citing 3 to 8 papers each, mostly of their own group (the
    /// paper's number mod 10), some anywhere. On it a paper's own id, were it read as one of its items, would add its list to
    /// the clustered pool's search and change some pools.
    /// </summary>
    private static List<(string User, string Item)> CrossCitingGraph()
    {
        const int papers = 300, groups = 10;
        var random = new Random(3);
        var edges = new SortedSet<(int, int)>();
        for (int u = 0; u < papers; u++)
        {
            int cites = random.Next(3, 9);
            for (int c = 0; c < cites; c++)
            {
                int v = random.NextDouble() < 0.3 ? random.Next(papers) : groups * random.Next(papers / groups) + u % groups;
                if (v != u) edges.Add((u, v));
            }
        }
        return [.. edges.Select(e => ($"p{e.Item1}", $"p{e.Item2}"))];
    }

    [Fact]
    public void OnAHistoryListsPool_TheOwnIdReadAsAnItem_WouldChangeTheEnginesLists_SoTheSelfUsersAreHandedOver()
    {
        var edges = CrossCitingGraph();
        File.WriteAllLines(PathOf("train.tsv"), ["user\titem", .. edges.Select(e => $"{e.User}\t{e.Item}")]);
        var papers = edges.Select(e => e.User).Distinct().ToArray();
        File.WriteAllLines(PathOf("users.tsv"), ["user", .. papers]);
        var fit = CliHarness.Run("fit", "--train", PathOf("train.tsv"), "--model", PathOf("x.zip"), "--algorithm", "truncated-svd", "--dim", "8", "--threads", "1",
            "--retriever", "history-mmr", "--history-mmr-lambda", "0.75", "--history-pool", "clustered", "--history-pool-history-lists", "--history-pool-probes", "0",
            "--history-pool-lists", "60", "--candidates", "20");
        Assert.True(fit.ExitCode == 0, fit.Error);
        var live = CliHarness.Run("recommend", "--model", PathOf("x.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("live.tsv"), "--exclude-self");
        Assert.True(live.ExitCode == 0, live.Error);
        var lists = Lists(PathOf("live.tsv"));
        Assert.All(lists, p => Assert.DoesNotContain(p.Key, p.Value));

        // The reason for the hand-over: the engine given each own id among the user's exclusions (its own items) searches that
        // item's list too, and some lists differ from the recommender's.
        var ml = new MLContext(seed: 1);
        using (var model = MultiInterestModel.Load(ml, PathOf("x.zip")))
        {
            var embedding = model.GraphEmbedding!;
            var userRows = ServingData.RowsOf(embedding.UserIds, embedding.UserEmbeddings.Contains);
            var itemRows = ServingData.RowsOf(embedding.ItemIds);
            var withSelf = SelfExclusions.Add(model.TrainingHistory(), papers, userRows, itemRows, out int selfItems);
            var engine = model.RetrieveWithEngine(papers.Select(u => userRows[u]).ToArray(), withSelf, threads: 1);
            int differing = Enumerable.Range(0, papers.Length)
                .Count(q => !engine.IndicesOf(q).ToArray().Select(i => embedding.ItemIds[i]).SequenceEqual(lists[papers[q]]));
            Assert.True(differing > 0, "no list differs: the hand-over would not be needed on this graph");
            foreach (string scorer in new[] { "--engine", "--onnx" })
            {
                var run = CliHarness.Run("recommend", "--model", PathOf("x.zip"), "--users", PathOf("users.tsv"), "--out", PathOf("other.tsv"), "--exclude-self", scorer);
                Assert.True(run.ExitCode == 0, run.Error);
                var other = Lists(PathOf("other.tsv"));
                foreach (var (user, list) in lists) Assert.Equal(list, other[user]);
                Assert.Contains($"{selfItems} trained users whose id is an item served by MultiInterestRecommender", run.Out, StringComparison.Ordinal);
            }
        }
    }
}
