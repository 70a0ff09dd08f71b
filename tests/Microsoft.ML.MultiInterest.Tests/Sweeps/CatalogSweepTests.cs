using Microsoft.Data.Analysis;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Embedding;
using Names = Microsoft.ML.MultiInterest.MultiInterestColumnNames.Leaderboard;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

public class CatalogSweepTests
{
    private sealed class IntEdge
    {
        public int User { get; set; }

        public int Item { get; set; }
    }

    /// <summary>The planted graph's training edges as (user row, item row) pairs.</summary>
    private static IEnumerable<(int User, int Item)> PlantedPairs()
    {
        var graph = PlantedGraph.Create().Train;
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u).ToArray()) yield return (u, i);
    }

    private static IDataView Edges(MLContext ml) =>
        ml.Data.LoadFromEnumerable(PlantedPairs().Select(p => new IntEdge { User = 1000 + p.User, Item = 5000 + p.Item }).ToList());

    private static SweepOptions Options()
    {
        var options = SweepTestData.Options();
        options.Seed = null;
        return options;
    }

    [Fact]
    public void Sweep_gives_a_leaderboard_and_a_refitted_model_that_saves_and_loads()
    {
        var ml = new MLContext(seed: 3);
        var messages = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains("Sweep", StringComparison.Ordinal)) lock (messages) messages.Add(e.Message); };
        var result = ml.MultiInterest().Sweep(Edges(ml), SweepTestData.LambdaByNeighbors(), Options());

        string[] expected = [Names.Rank, Names.Trial, Names.IsDefaults, Names.Rung, Names.Users, Names.Fidelity, "neighbors", "lambda",
            Names.Objective, Names.VersusBest, Names.VersusBestStandardError, Names.Recall, Names.Ndcg, Names.Diversity, Names.Seconds, Names.RefitSeconds,
            Names.ReusedStages, Names.ParetoFront];
        Assert.Equal(expected.OrderBy(n => n), result.Leaderboard.Columns.Select(c => c.Name).OrderBy(n => n));
        // The first row is the best, 0 behind itself; the frame's gap column is the trial's paired gap.
        Assert.Equal(0.0, (double)result.Leaderboard[Names.VersusBest][0]);
        Assert.Equal(result.Outcome.Trials.Single(t => t.Number == (int)result.Leaderboard[Names.Trial][5]).VersusBest!.Value.StandardError,
            (double)result.Leaderboard[Names.VersusBestStandardError][5]);
        // The defaults and 5 of the 6 grid points: at lambda 0 the neighbours are not read, so k = 5 and 10 are one trial.
        Assert.Equal(6, result.Leaderboard.Rows.Count);
        Assert.Equal(result.Best!.Number, (int)result.Leaderboard[Names.Trial][0]);
        // The frame leaves the unread neighbours missing, as the text shows "-".
        for (long r = 0; r < result.Leaderboard.Rows.Count; r++)
            Assert.Equal(double.Parse((string)result.Leaderboard["lambda"][r], System.Globalization.CultureInfo.InvariantCulture) == 0, result.Leaderboard["neighbors"][r] == null);
        var view = result.LeaderboardView;
        Assert.Equal(6, view.GetColumn<double>(Names.Recall).Count());
        Assert.Contains(messages, m => m.Contains("trial 1 (defaults)", StringComparison.Ordinal));

        Assert.NotNull(result.Model);
        Assert.Contains("is a directory: SaveModel writes one zip file", Assert.Throws<IOException>(() => result.SaveModel(Path.GetTempPath())).Message);
        string path = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.zip");
        try
        {
            result.SaveModel(path);
            var loaded = MultiInterestModel.Load(new MLContext(seed: 1), path);
            Assert.NotEmpty(loaded.CandidateLists);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_history_mmr_sweep_refits_the_history_interest_stage_with_the_chosen_lambda_and_pool()
    {
        var ml = new MLContext(seed: 3);
        var options = Options();
        options.IncludeDefaults = false;
        var space = new SweepSearchSpace().Add(SweepRetrievalMethod.HistoryMmr).Add("mmr-lambda", 0.6, 0.9).Add("mmr-pool", 150);
        var result = ml.MultiInterest().Sweep(Edges(ml), space, options);
        var stage = Assert.IsType<TransformerChain<CandidateRetrievalTransformer>>(result.Model).LastTransformer;
        Assert.Equal(MmrInterests.History, stage.Settings.Interests);
        Assert.Equal(double.Parse(result.Best!.Parameters["mmr-lambda"], System.Globalization.CultureInfo.InvariantCulture), stage.Settings.MmrLambda);
        Assert.Equal(HistoryInterestDefaults.InterestWeight, stage.Settings.InterestWeight);
        Assert.Equal(150, stage.Settings.MmrPoolSize); // the pool searched, kept by the refitted stage
    }

    /// <summary>
    /// Regression (a review): successive halving stopped inside its first rung has trials but no best; SaveModel said "no trial
    /// finished", which read as if none had run.
    /// </summary>
    [Fact]
    public void A_halving_sweep_stopped_before_any_trial_reached_every_user_says_so()
    {
        var ml = new MLContext(seed: 3);
        var options = SweepTestData.Options(SweepStrategy.SuccessiveHalving);
        options.IncludeDefaults = false;
        options.HalvingConfigurations = 9;
        options.MaxTrials = 2;
        var result = ml.MultiInterest().Sweep(Edges(ml), new SweepSearchSpace().Add("components", 1, 2, 3).Add("lambda", 0, 0.5, 1.0), options);
        Assert.Null(result.Best);
        Assert.Equal(2, result.Outcome.Trials.Count);
        Assert.All(result.Outcome.Trials, t => Assert.True(t.Fidelity < 1));
        var error = Assert.Throws<InvalidOperationException>(() => result.SaveModel(Path.Combine(Path.GetTempPath(), "never.zip")));
        Assert.Contains("no trial was scored on every validation user (2 ran on a part of them", error.Message, StringComparison.Ordinal);
        Assert.Contains("TrialBudget", error.Message, StringComparison.Ordinal);
    }

    private sealed class WeightedEdge
    {
        public int User { get; set; }

        public int Item { get; set; }

        public float Weight { get; set; }
    }

    /// <summary>The planted edges with a Weight column: <paramref name="weight"/> of (user, item).</summary>
    private static IDataView WeightedEdges(MLContext ml, Func<int, int, float> weight) =>
        ml.Data.LoadFromEnumerable(PlantedPairs().Select(p => new WeightedEdge { User = 1000 + p.User, Item = 5000 + p.Item, Weight = weight(p.User, p.Item) }).ToList());

    /// <summary>
    /// A named weight column reaches the trials and the refit: weights all 1 give the unweighted sweep's figures and
    /// vectors exactly, other weights other ones; a Weight column left unnamed is warned of, not silently read or dropped.
    /// </summary>
    [Fact]
    public void A_named_weight_column_trains_the_trials_and_the_refit_on_the_weights()
    {
        var space = new SweepSearchSpace().Add("lambda", 0, 0.8);
        (SweepOutcome Outcome, float[] Vectors, List<string> Warnings) Run(Func<int, int, float>? weight)
        {
            var ml = new MLContext(seed: 3);
            var warnings = new List<string>();
            ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
            var result = weight == null ? ml.MultiInterest().Sweep(Edges(ml), space, Options())
                : ml.MultiInterest().Sweep(WeightedEdges(ml, weight), space, Options(), weightColumnName: MultiInterestColumnNames.Weight);
            var embedding = ((IEnumerable<ITransformer>)result.Model!).OfType<GraphEmbeddingTransformer>().Single();
            return (result.Outcome, embedding.UserEmbeddings.ToDense().Values, warnings);
        }
        var plain = Run(null);
        var ones = Run((_, _) => 1f);
        var counts = Run((u, i) => 1 + (u * 7 + i) % 5);
        Assert.Equal(plain.Outcome.Trials.Select(t => t.Objective), ones.Outcome.Trials.Select(t => t.Objective));
        Assert.Equal(plain.Vectors, ones.Vectors);
        Assert.NotEqual(plain.Outcome.Trials.Select(t => t.Objective), counts.Outcome.Trials.Select(t => t.Objective));
        Assert.NotEqual(plain.Vectors, counts.Vectors);
        Assert.Empty(counts.Warnings);

        var ml = new MLContext(seed: 3);
        var unnamed = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (unnamed) unnamed.Add(e.Message); };
        ml.MultiInterest().Sweep(WeightedEdges(ml, (u, i) => 2), space, Options(), refitBest: false);
        Assert.Contains(unnamed, m => m.Contains("The edges have a 'Weight' column, but weightColumnName is not set", StringComparison.Ordinal));
    }

    [Fact]
    public void The_context_seed_makes_the_sweep_repeatable()
    {
        var space = new SweepSearchSpace().Add("components", 2, 3, 5).Add("lambda", 0, 0.4, 0.8);
        SweepOutcome Run(int seed)
        {
            var ml = new MLContext(seed);
            var options = Options();
            options.Strategy = SweepStrategy.Random;
            options.MaxTrials = 4;
            return ml.MultiInterest().Sweep(Edges(ml), space, options, refitBest: false).Outcome;
        }
        var a = Run(11);
        var b = Run(11);
        Assert.Equal(a.Seed, b.Seed);
        Assert.Equal(a.Trials.Select(t => t.Objective), b.Trials.Select(t => t.Objective));
        Assert.Equal(a.Trials.Select(t => t.Parameters["lambda"]), b.Trials.Select(t => t.Parameters["lambda"]));
        Assert.NotEqual(a.Seed, Run(12).Seed);
    }

    [Fact]
    public void A_sweep_cancelled_before_any_trial_finished_throws_instead_of_returning_an_empty_result()
    {
        var ml = new MLContext(seed: 3);
        var e = Assert.Throws<OperationCanceledException>(() =>
            ml.MultiInterest().Sweep(Edges(ml), SweepTestData.LambdaByNeighbors(), Options(), cancellationToken: new CancellationToken(canceled: true)));
        Assert.True(e.CancellationToken.IsCancellationRequested);
        Assert.Equal("The sweep was cancelled before it started: there is no trial to return.", e.Message);
    }

    [Fact]
    public void An_id_column_of_an_unusable_type_is_named()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { User = true, Item = "a" } }.Select(r => new BoolEdge { User = r.User, Item = r.Item }));
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.MultiInterest().Sweep(data, SweepTestData.LambdaByNeighbors(), Options()));
        Assert.Contains("userColumnName", e.Message);
    }

    private sealed class BoolEdge
    {
        public bool User { get; set; }

        public string Item { get; set; } = "";
    }
}
