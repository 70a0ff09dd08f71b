using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary><c>recommend --onnx</c> on a saved round-robin model: trained users by row, and for DCM new users from their --history.</summary>
public sealed class CliRoundRobinOnnxTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-rr-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("dcm")]
    [InlineData("mixture")]
    [InlineData("history")]
    [InlineData("knn")]
    [InlineData("unimodal")]
    [InlineData("mmr")]
    public void RecommendOnnx_WithHistory_GivesTheRecommendersLists_NewUsersIncluded(string kind)
    {
        var ml = new MLContext(seed: 1);
        var edges = MLNetTestData.Edges();
        var raw = ml.Data.LoadFromEnumerable(edges);
        var mi = ml.MultiInterest();
        // "history" is history-interest MMR over ALS vectors, whose directory serves new users by its fold-in too.
        // "knn" is the kNN-Embed pipeline, whose quota directory builds a new user's mixture from its history.
        var als = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = Microsoft.ML.MultiInterest.Engine.EmbeddingAlgorithm.ImplicitAls, Dimension = 8, Seed = 2 });
        ITransformer model = kind switch
        {
            "history" => MLNetTestData.KeyPipeline(ml).Append(als).Append(mi.HistoryInterestMmr(candidates: 5)).Fit(raw),
            "knn" => MLNetTestData.KeyPipeline(ml).Append(als).Append(mi.SphericalKMeans(numberOfClusters: 6)).Append(mi.KnnSmoothedMixture(components: 3, neighbors: 4))
                .Append(mi.ClusterQuotaRetriever(candidates: 5)).Fit(raw),
            // A unimodal model without clusters (the unimodal directory's vector scorer), and multi-interest MMR (its pool's).
            "unimodal" => MLNetTestData.KeyPipeline(ml).Append(als).Append(mi.UnimodalRetriever(candidates: 5)).Fit(raw),
            "mmr" => MLNetTestData.KeyPipeline(ml).Append(als).Append(mi.SphericalKMeans(numberOfClusters: 6)).Append(mi.KnnSmoothedMixture(components: 3, neighbors: 4))
                .Append(mi.MmrRetriever(candidates: 5, lambda: 0.6, poolSize: 12, interestWeight: 0.3)).Fit(raw),
            _ => MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding(kind))).Append(mi.RoundRobinRetriever(candidates: 5)).Fit(raw),
        };
        string zip = Path.Combine(_directory, kind + ".zip");
        ml.Model.Save(model, raw.Schema, zip);

        // Three trained users and three new ones, each new one with the items of a trained user (and an id the model does not know).
        var trained = edges.Select(e => e.User).Distinct().Take(3).ToArray();
        var lines = new List<string> { "user\titem" };
        lines.AddRange(trained.Select(u => $"{u}\t"));
        var history = new List<string> { "user\titem" };
        for (int n = 0; n < 3; n++)
        {
            lines.Add($"new{n}\t");
            history.AddRange(edges.Where(e => e.User == $"u{n + 5}").Select(e => $"new{n}\t{e.Item}"));
            history.Add($"new{n}\tunknown-item");
        }
        history.Add($"{trained[0]}\t{edges.First(e => e.User != trained[0]).Item}");
        history.Add($"{trained[1]}\tunknown-item");
        string users = Path.Combine(_directory, "users.tsv"), fresh = Path.Combine(_directory, "history.tsv");
        File.WriteAllLines(users, lines);
        File.WriteAllLines(fresh, history);

        string onnxLists = Path.Combine(_directory, kind + "-onnx.tsv"), apiLists = Path.Combine(_directory, kind + "-api.tsv");
        var onnx = CliHarness.Run("recommend", "--model", zip, "--users", users, "--out", onnxLists, "--onnx", "--history", fresh);
        Assert.True(onnx.ExitCode == 0, onnx.Error + onnx.Out);
        var api = CliHarness.Run("recommend", "--model", zip, "--users", users, "--out", apiLists, "--recommender", "--history", fresh);
        Assert.True(api.ExitCode == 0, api.Error + api.Out);
        // The log tells the new users' history edges (those naming items the model knows) from the edges naming unknown items
        // (one per new user, one of a trained user's), and says where the lists came from.
        int newUserEdges = history.Count(l => l.StartsWith("new", StringComparison.Ordinal) && !l.EndsWith("unknown-item", StringComparison.Ordinal));
        // The live recommender's log says the same (before 2026-12-05 only --engine and --onnx did).
        foreach (string log in new[] { onnx.Out, api.Out })
        {
            Assert.Contains($"{newUserEdges} edges of users the model does not know", log);
            Assert.Contains("4 edges with an item the model does not know", log);
        }
        Assert.Contains("Lists by source: Trained 3, History 3.", api.Out);
        var onnxRows = File.ReadAllLines(onnxLists).Select(l => string.Join('\t', l.Split('\t')[..3])).ToArray();
        var apiRows = File.ReadAllLines(apiLists).Select(l => string.Join('\t', l.Split('\t')[..3])).ToArray();
        if (kind is "history" or "knn" or "unimodal" or "mmr")
        {
            Assert.Equal(apiRows, onnxRows);
            Assert.Contains(onnxRows, r => r.StartsWith("new2\t5\t", StringComparison.Ordinal));
            // Stages that fold a history in alone read a trained user who brings one from its whole history, as --recommender does.
            if (kind is "history" or "unimodal")
                Assert.Contains("with a --history read from their whole history", onnx.Out);
            else
                Assert.DoesNotContain("read from their whole history", onnx.Out);
            Assert.Contains("3 users unknown to the model served from their --history (its " + kind switch
            {
                "history" => "fold-in and interests",
                // Implicit-ALS vectors: the history's fold-in (fit's --history-vector auto).
                "knn" => "Mixture and implicit-ALS fold-in",
                "unimodal" => "implicit-ALS fold-in, computed",
                _ => "implicit-ALS fold-in and mixture",
            }, onnx.Out);
        }
        else if (kind == "dcm")
        {
            // Every user, new ones included, gets the recommender's list, in the users file's order.
            Assert.Equal(apiRows, onnxRows);
            Assert.Contains(onnxRows, r => r.StartsWith("new2\t5\t", StringComparison.Ordinal));
            Assert.Contains("3 users unknown to the model served from their --history by the DCM history encoder's soft k-means", onnx.Out);
            Assert.Contains("fetched again with the engine", onnx.Out);
        }
        else
        {
            // Mixture embeddings have no history encoder: a new user is one component, its items' mean vector, as the recommender serves it.
            Assert.Equal(apiRows, onnxRows);
            Assert.Contains("3 users unknown to the model served from their --history (one component, its items' mean vector", onnx.Out);
        }
    }
}
