using Microsoft.Data.Analysis;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// docs/tutorial.md's code is this test's region, compiled and run on a small planted graph written as a CSV file: the
/// test fails when the tutorial and the library drift apart.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class TutorialTests
{
    [Fact]
    public void Tutorial_Compiles_Runs_AndMatchesTheDoc()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mi-tutorial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string csvPath = Path.Combine(directory, "interactions.csv");
            string modelPath = Path.Combine(directory, "model.zip");
            var graph = DocSnippets.WritePlantedCsv(csvPath, "User,Item");
            var output = new StringWriter();
            var console = Console.Out;
            Console.SetOut(output);
            #region Tutorial
            var mlContext = new MLContext(seed: 1);
            var mi = mlContext.MultiInterest();

            // 1. Interactions from a CSV file: a header line "User,Item" (other names: userColumnName/itemColumnName), string or integer ids.
            IDataView edges = mi.LoadEdges(csvPath, separator: ',');

            // 2. A sweep over the kNN smoothing, scored on a validation hold-out carved from these edges (never a test file).
            //    The embedding and the clusters are fitted once and reused by every trial.
            var space = new SweepSearchSpace().Add("lambda", 0, 0.4, 0.8).Add("neighbors", 5, 10);
            var options = new SweepOptions
            {
                Strategy = SweepStrategy.Grid,
                Cutoff = 10,
                BaseSettings = new SweepSettings
                {
                    Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 8 },
                    Clustering = new SphericalKMeansOptions { Clusters = 8 },
                    Components = 3,
                },
            };
            MultiInterestSweepResult sweep = mi.Sweep(edges, space, options);
            DataFrame leaderboard = sweep.Leaderboard;                  // one row per trial, best first
            Console.WriteLine(sweep.LeaderboardText(3));                // the first 3 as aligned text

            // 3. The best setting, refitted on all edges, saved as an ML.NET zip, loaded and served.
            sweep.SaveModel(modelPath);
            using MultiInterestModel loaded = MultiInterestModel.Load(mlContext, modelPath); // disposing deletes its temporary files
            MultiInterestRecommender recommender = mi.CreateRecommender(loaded);
            RecommendationList list = recommender.Recommend("u1", count: 5);  // "u1": a user id of your file (one it lacks gets Source Popular)
            foreach (Recommendation r in list.Items) Console.WriteLine($"{r.Rank}. {r.ItemId} {r.Score:F3} ({list.Source})");
            #endregion
            Console.SetOut(console);

            Assert.Equal(5, leaderboard.Rows.Count); // the 3 x 2 grid less one (at lambda 0 the neighbours are not read); the defaults (lambda 0.8, 10 neighbours) are one of its points
            Assert.Equal(5, list.Items.Count);
            Assert.Equal(CandidateSource.Trained, list.Source);
            Assert.DoesNotContain(list.Items, r => graph.ItemsOf(1).ToArray().Select(i => $"i{i}").Contains(r.ItemId));
            Assert.Contains("1. i", output.ToString());
            Assert.Contains("(Trained)", output.ToString());

            DocSnippets.AssertOnPage(Path.Combine("Docs", nameof(TutorialTests) + ".cs"), "Tutorial", "docs/tutorial.md");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The page's line that shows the library's warnings: a CSV repeating one of its lines makes the sweep warn, on standard error.</summary>
    [Fact]
    public void TheTutorialsLogLine_ShowsTheSweepsWarnings()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mi-tutorial-log-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var error = Console.Error;
        try
        {
            string csvPath = Path.Combine(directory, "interactions.csv");
            DocSnippets.WritePlantedCsv(csvPath, "User,Item");
            File.AppendAllLines(csvPath, [File.ReadLines(csvPath).Skip(1).First()]);
            var warnings = new StringWriter();
            Console.SetError(warnings);
            var mlContext = new MLContext(seed: 1);
            #region TutorialLog
            mlContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) Console.Error.WriteLine(e.Message); };
            #endregion
            var mi = mlContext.MultiInterest();
            var options = new SweepOptions { MaxTrials = 1, Cutoff = 10, BaseSettings = new SweepSettings { Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 8 }, Clustering = new SphericalKMeansOptions { Clusters = 8 } } };
            mi.Sweep(mi.LoadEdges(csvPath, separator: ','), new SweepSearchSpace().Add("lambda", 0.8), options, refitBest: false);
            Console.SetError(error);

            Assert.Contains("1 of the", warnings.ToString(), StringComparison.Ordinal);
            Assert.Contains("edge rows repeat a (user, item) pair", warnings.ToString(), StringComparison.Ordinal);
            DocSnippets.AssertOnPage(Path.Combine("Docs", nameof(TutorialTests) + ".cs"), "TutorialLog", "docs/tutorial.md");
        }
        finally
        {
            Console.SetError(error);
            Directory.Delete(directory, recursive: true);
        }
    }
}
