using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --history</c> on a model whose user key type is wider than the users with edges (ids without an edge interleaved,
/// as a vocabulary fitted on more users than the edges hold gives): the history of a trained user whose key lies beyond the count
/// of users with edges is read by every scorer, not refused as an edge outside the graph.
/// </summary>
public sealed class CliUserKeysWithoutEdgesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-unused-users-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Every_scorer_reads_the_history_of_a_trained_user_keyed_beyond_the_users_with_edges()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var fitted = WideUserKeys.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 5)).Fit(raw);
        string model = Path.Combine(_directory, "wide-users.zip");
        ml.Model.Save(fitted, raw.Schema, model);
        // u15 is the last of 20 user keys, 16 of them with edges: its row, 19, is beyond the 16 users with vectors.
        string user = "u15";
        var trained = MLNetTestData.Edges().Where(e => e.User == user).Select(e => e.Item).ToHashSet();
        string fresh = ml.MultiInterest().CreateRecommender(fitted).Recommend(user).Items[0].ItemId;
        string users = Path.Combine(_directory, "users.tsv"), history = Path.Combine(_directory, "history.tsv");
        File.WriteAllLines(users, ["user", user, "newbie"]);
        File.WriteAllLines(history, ["user\titem", $"{user}\t{fresh}", $"newbie\t{trained.First()}"]);
        var lines = CliHarness.RecommendWithHistoryAlike(_directory, model, users, history);
        var listed = lines.Where(f => f[0] == user).ToArray();
        Assert.NotEmpty(listed);
        Assert.All(listed, f => Assert.Equal("Trained", f[4]));
        Assert.DoesNotContain(fresh, listed.Select(f => f[2]));
        Assert.Contains(lines, f => f[0] == "newbie" && f[4] == "History");
    }
}
