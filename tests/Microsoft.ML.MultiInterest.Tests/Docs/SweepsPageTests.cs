using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// docs/sweeps.md's first snippet is this test's region, compiled and run (the library's defaults underneath) on a small
/// planted graph written as a CSV file with the snippet's column names.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class SweepsPageTests
{
    [Fact]
    public void The_sweeps_page_snippet_compiles_runs_and_matches_the_page()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mi-sweeps-page-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var console = Console.Out;
        try
        {
            string interactionsPath = Path.Combine(directory, "interactions.csv"), modelPath = Path.Combine(directory, "model.zip");
            DocSnippets.WritePlantedCsv(interactionsPath, "user_id,item_id");
            var output = new StringWriter();
            Console.SetOut(output);
            #region SweepsPage
            var ml = new MLContext(seed: 1);
            var mi = ml.MultiInterest();
            IDataView edges = mi.LoadEdges(interactionsPath, "user_id", "item_id");  // or any view with User/Item id columns
            var space = new SweepSearchSpace()
                .Add("lambda", 0, 0.4, 0.8)
                .Add("neighbors", 10, 20);
            var result = mi.Sweep(edges, space, new SweepOptions { Metric = SweepMetric.Recall, Cutoff = 50 });
            Console.WriteLine(result.LeaderboardText(5));  // aligned text; result.Leaderboard is the DataFrame (LeaderboardView: an IDataView)
            result.SaveModel(modelPath);                     // the best setting refitted on all edges, mlContext.Model.Save
            #endregion
            Console.SetOut(console);

            // The 3 x 2 grid less one (at lambda 0 the neighbours are not read); the defaults (lambda 0.8, k 10) are one of its points.
            Assert.Equal(5, result.Outcome.Trials.Count);
            Assert.Equal(5, result.Leaderboard.Rows.Count);
            // The text printed is the text asked for (other tests' threads may write to the console too, so only it is parsed).
            string text = result.LeaderboardText(5);
            Assert.Contains(text, output.ToString(), StringComparison.Ordinal);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^Rank  Trial  Users +lambda  neighbors  Objective", lines[0]);
            // Five ranks, the best first, its figures to 4 decimals in aligned columns.
            Assert.StartsWith("1 ", lines[1], StringComparison.Ordinal);
            Assert.Contains(result.Best!.Recall.ToString("F4", System.Globalization.CultureInfo.InvariantCulture), lines[1], StringComparison.Ordinal);
            Assert.StartsWith("5 ", lines[5], StringComparison.Ordinal);
            Assert.Equal(lines[0].IndexOf("Objective", StringComparison.Ordinal), lines[1].IndexOf(result.Best.Objective.ToString("F4", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            Assert.True(File.Exists(modelPath));
            using (var model = MultiInterestModel.Load(new MLContext(seed: 1), modelPath))
                Assert.NotNull(model.Transformer);

            DocSnippets.AssertOnPage(Path.Combine("Docs", nameof(SweepsPageTests) + ".cs"), "SweepsPage", "docs/sweeps.md");
        }
        finally
        {
            Console.SetOut(console);
            Directory.Delete(directory, recursive: true);
        }
    }
}
