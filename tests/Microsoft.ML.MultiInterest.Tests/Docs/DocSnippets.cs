using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Embedding;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// The documents' code snippets are regions of test files, compiled and run there: this finds a region's code and checks
/// that the page shows it verbatim, so a page cannot drift from code that works.
/// </summary>
internal static class DocSnippets
{
    /// <summary>The repository root (the folder holding MLMultiInterest.sln), found above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLMultiInterest.sln"))) return dir.FullName;
        throw new InvalidOperationException("MLMultiInterest.sln not found above the test binaries.");
    }

    /// <summary>The code between <c>#region name</c> and <c>#endregion</c> in a file of the test project, de-indented, with \n line ends.</summary>
    /// <param name="testFile">The file, relative to the test project (e.g. <c>MLNet/RankFusionMLNetTests.cs</c>).</param>
    /// <param name="name">The region's name.</param>
    public static string Region(string testFile, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "tests", "Microsoft.ML.MultiInterest.Tests", testFile))
            .SkipWhile(l => l.Trim() != "#region " + name).Skip(1).TakeWhile(l => l.Trim() != "#endregion").ToList();
        Assert.NotEmpty(lines);
        return Dedent(lines);
    }

    /// <summary>
    /// Every region of the test project's .cs files (bin/ and obj/ left out): the file relative to the test project, the
    /// region's name and its code as <see cref="Region"/> gives it.
    /// </summary>
    public static IReadOnlyList<(string File, string Name, string Code)> Regions()
    {
        string project = Path.Combine(RepositoryRoot(), "tests", "Microsoft.ML.MultiInterest.Tests");
        var regions = new List<(string, string, string)>();
        foreach (string file in Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(project, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (!line.StartsWith("#region ", StringComparison.Ordinal)) continue;
                var body = lines.Skip(i + 1).TakeWhile(l => l.Trim() != "#endregion").ToList();
                if (body.Any(l => l.Trim().Length > 0)) regions.Add((relative, line["#region ".Length..], Dedent(body)));
            }
        }
        return regions;
    }

    /// <summary>The lines less their common indentation, joined with \n.</summary>
    public static string Dedent(IReadOnlyList<string> lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    /// <summary>The text of a page of the repository (e.g. <c>docs/pipeline.md</c>) with \n line ends.</summary>
    public static string Page(string page) => File.ReadAllText(Path.Combine(RepositoryRoot(), page)).Replace("\r\n", "\n");

    /// <summary>
    /// Writes the planted graph's training edges to <paramref name="path"/> as a CSV under <paramref name="header"/> (ids
    /// <c>u0</c>, <c>i0</c>...), the interactions file a page's snippet reads, and returns the graph.
    /// </summary>
    public static BipartiteGraph WritePlantedCsv(string path, string header)
    {
        var graph = PlantedGraph.Create().Train;
        File.WriteAllLines(path, new[] { header }.Concat(
            Enumerable.Range(0, graph.UserCount).SelectMany(u => graph.ItemsOf(u).ToArray().Select(i => $"u{u},i{i}"))));
        return graph;
    }

    /// <summary>Asserts that <paramref name="page"/> shows the code of region <paramref name="name"/> of <paramref name="testFile"/> verbatim.</summary>
    public static void AssertOnPage(string testFile, string name, string page) =>
        Assert.Contains(Region(testFile, name), Page(page), StringComparison.Ordinal);
}
