using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using Microsoft.ML.MultiInterest.Tests.Serving;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --onnx --history</c> on a model fitted through the API whose stage reads a new user's history by the
/// divide-and-conquer model (each reading: the model's mixture with the fold-in or the encoder's query, and a unimodal stage
/// by the query): the new users get the recommender's lists, and the log says how their histories were read.
/// </summary>
public sealed class CliDivideConquerOnnxTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-dc-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("mixture", "divide-and-conquer model's mixture and implicit-ALS fold-in")]
    [InlineData("query", "divide-and-conquer model's mixture and divide-and-conquer encoder's query")]
    [InlineData("unimodal", "divide-and-conquer encoder's query")]
    public void RecommendOnnx_WithHistory_ServesNewUsersAsTheRecommender_AndSaysHow(string kind, string reading)
    {
        var world = new DivideConquerWorld();
        var embedding = world.DivideConquer();
        var mi = world.Ml.MultiInterest();
        ITransformer chain = kind switch
        {
            // The stage's user vectors: a new user's vector is the fold-in; without them (Auto), the encoder's query.
            "mixture" => world.QuotaChain(embedding, HistoryMixture.DivideConquer, 5, userColumn: MultiInterestColumnNames.UserEmbedding),
            "query" => world.QuotaChain(embedding, HistoryMixture.DivideConquer, 5),
            _ => new TransformerChain<ITransformer>(world.Keys, embedding,
                mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.Encoder, Threads = 1 }).Fit(embedding.Transform(world.Keyed))),
        };
        string zip = Path.Combine(_directory, kind + ".zip");
        world.Ml.Model.Save(chain, world.Raw.Schema, zip);

        var edges = MLNetTestData.Edges();
        var lines = new List<string> { "user\titem", "u0\t", "u1\t" };
        var history = new List<string> { "user\titem" };
        for (int n = 0; n < 3; n++)
        {
            lines.Add($"new{n}\t");
            history.AddRange(edges.Where(e => e.User == $"u{n + 5}").Select(e => $"new{n}\t{e.Item}"));
        }
        string users = Path.Combine(_directory, "users.tsv"), fresh = Path.Combine(_directory, "history.tsv");
        File.WriteAllLines(users, lines);
        File.WriteAllLines(fresh, history);

        string onnxLists = Path.Combine(_directory, kind + "-onnx.tsv"), apiLists = Path.Combine(_directory, kind + "-api.tsv");
        var onnx = CliHarness.Run("recommend", "--model", zip, "--users", users, "--out", onnxLists, "--onnx", "--history", fresh);
        Assert.True(onnx.ExitCode == 0, onnx.Error + onnx.Out);
        var api = CliHarness.Run("recommend", "--model", zip, "--users", users, "--out", apiLists, "--recommender", "--history", fresh);
        Assert.True(api.ExitCode == 0, api.Error + api.Out);
        Assert.Contains("Lists by source: Trained 2, History 3.", api.Out);
        var onnxRows = File.ReadAllLines(onnxLists).Select(l => string.Join('\t', l.Split('\t')[..3])).ToArray();
        var apiRows = File.ReadAllLines(apiLists).Select(l => string.Join('\t', l.Split('\t')[..3])).ToArray();
        Assert.Equal(apiRows, onnxRows);
        Assert.Contains(onnxRows, r => r.StartsWith("new2\t", StringComparison.Ordinal));
        Assert.Contains($"3 users unknown to the model served from their --history (its {reading}, computed as the engine does)", onnx.Out);
    }
}
