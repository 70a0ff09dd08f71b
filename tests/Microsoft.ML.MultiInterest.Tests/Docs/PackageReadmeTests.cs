using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// The package's readme (src/Microsoft.ML.MultiInterest/PACKAGE.md, shown on the package's gallery page) holds this test's
/// region, compiled and run on a small planted graph written as a TSV file headed as the library's own files are; and the project packs that readme and the
/// licence.
/// </summary>
[Collection(ConsoleCapture.Name)]
public sealed class PackageReadmeTests
{
    private const string Readme = "src/Microsoft.ML.MultiInterest/PACKAGE.md";

    [Fact]
    public void PackageReadmeSnippet_Compiles_Runs_AndMatchesThePage()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mi-package-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var graph = PlantedGraph.Create().Train;
            string path = Path.Combine(directory, "interactions.tsv");
            File.WriteAllLines(path, new[] { "user\titem" }.Concat(
                Enumerable.Range(0, graph.UserCount).SelectMany(u => graph.ItemsOf(u).ToArray().Select(i => $"u{u}\ti{i}"))));
            var output = new StringWriter();
            var console = Console.Out;
            Console.SetOut(output);
            RecommendationList? served;
            try
            {
                #region Package
                var ml = new MLContext(seed: 1);
                var mi = ml.MultiInterest();
                IDataView edges = mi.LoadEdges(path);                  // a TSV file: header "user<TAB>item" (any case), one engagement per line
                var pipeline = ml.Transforms.Conversion.MapValueToKey("User")
                    .Append(ml.Transforms.Conversion.MapValueToKey("Item"))
                    .Append(mi.GraphEmbedding())                        // Auto: truncated SVD or implicit ALS, chosen on a hold-out
                    .Append(mi.HistoryInterestMmr());                   // one vector's recall, spread over the user's interests
                ITransformer model = pipeline.Fit(edges);
                MultiInterestRecommender recommender = mi.CreateRecommender(model);
                RecommendationList list = recommender.Recommend("u1", count: 10);
                foreach (Recommendation r in list.Items) Console.WriteLine($"{r.Rank}. {r.ItemId} ({list.Source})");
                #endregion
                served = list;
            }
            finally
            {
                Console.SetOut(console);
            }

            Assert.Equal(CandidateSource.Trained, served.Source);
            Assert.Equal(10, served.Items.Count);
            var seen = graph.ItemsOf(1).ToArray().Select(i => $"i{i}").ToHashSet();
            Assert.DoesNotContain(served.Items, r => seen.Contains(r.ItemId));
            Assert.Equal(10, served.Items.Select(r => r.ItemId).Distinct().Count());
            Assert.Contains("1. i", output.ToString());
            DocSnippets.AssertOnPage(Path.Combine("Docs", nameof(PackageReadmeTests) + ".cs"), "Package", Readme);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void TheLibraryProject_PacksItsReadmeAndLicence()
    {
        var project = System.Xml.Linq.XDocument.Load(Path.Combine(DocSnippets.RepositoryRoot(), "src", "Microsoft.ML.MultiInterest", "Microsoft.ML.MultiInterest.csproj"));
        string? Property(string name) => project.Descendants(name).SingleOrDefault()?.Value;
        Assert.Equal("PACKAGE.md", Property("PackageReadmeFile"));
        Assert.Equal("MIT", Property("PackageLicenseExpression"));
        Assert.Contains(project.Descendants("None"), n => (string?)n.Attribute("Include") == "PACKAGE.md" && (string?)n.Attribute("Pack") == "true");
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(DocSnippets.RepositoryRoot(), "LICENSE")), StringComparison.Ordinal);
    }
}
