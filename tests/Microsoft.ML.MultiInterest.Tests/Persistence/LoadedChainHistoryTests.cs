using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>
/// The chain <c>mlContext.Model.Load</c> returns is ML.NET's own transformers, which look the saved lists up by user key and
/// have no input for a <c>History</c> column (every input of such a chain is a required column, so one for History would
/// refuse every request without it). A new user with a history therefore gets the popular list from it, where the fitted
/// chain and the recommender of <c>MultiInterestModel.Load</c> read the history: docs/persistence.md says so, and this test
/// keeps that sentence true.
/// </summary>
public class LoadedChainHistoryTests
{
    private sealed class Request
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public string[] History { get; set; } = [];
    }

    [Fact]
    public void ANewUsersHistory_IsReadByTheFittedChainAndTheRecommender_NotByTheLoadedChain()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 4)).Fit(raw);
        var zip = new MemoryStream();
        ml.Model.Save(fitted, raw.Schema, zip);
        var requests = ml.Data.LoadFromEnumerable(new[] { new Request { User = "new-user", History = ["i3", "i7"] } });
        Assert.Equal("History", fitted.Transform(requests).GetColumn<string>("CandidateSource").Single());

        var loaded = ml.Model.Load(new MemoryStream(zip.ToArray()), out _);
        try
        {
            Assert.Equal("Popular", loaded.Transform(requests).GetColumn<string>("CandidateSource").Single());
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
        using var model = MultiInterestModel.Load(ml, new MemoryStream(zip.ToArray()));
        Assert.Equal(CandidateSource.History, ml.MultiInterest().CreateRecommender(model).Recommend("new-user", ["i3", "i7"]).Source);

        // MultiInterestModel's Transformer cannot read it either, but says so on the context's log, once per model.
        var warnings = MLNetTestData.Warnings(ml);
        Assert.Equal("Popular", model.Transformer.Transform(requests).GetColumn<string>("CandidateSource").Single());
        Assert.Equal("Popular", model.Transformer.Transform(requests).GetColumn<string>("CandidateSource").Single());
        Assert.Single(warnings, w => w.Contains("The input has a 'History' column, which the loaded model's Transformer does not read", StringComparison.Ordinal));
        // Rows without one are not warned of.
        var quiet = new MLContext(seed: 1);
        var quietWarnings = MLNetTestData.Warnings(quiet);
        using var other = MultiInterestModel.Load(quiet, new MemoryStream(zip.ToArray()));
        Assert.NotEmpty(other.Transformer.Transform(raw).GetColumn<string>("CandidateSource").ToArray());
        Assert.DoesNotContain(quietWarnings, w => w.Contains("does not read", StringComparison.Ordinal));
    }
}
