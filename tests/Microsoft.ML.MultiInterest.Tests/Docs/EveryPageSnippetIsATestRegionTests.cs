namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// Every ```csharp block of README.md, docs/*.md and the package's readme (src/Microsoft.ML.MultiInterest/PACKAGE.md) is
/// the code of a region of this test project, verbatim (de-indented, \n line ends), so each is compiled and run by the test
/// that holds the region: a snippet added to a page without one fails here, naming its page and line. Until 2026-12-06
/// README's "In an ML.NET pipeline", persistence.md's first snippet and the using lines of sweeps.md's and pipeline.md's
/// first snippets were held by no test. Beside it: every fence closes on a line of its own (docs/performance.md had a
/// "``` text" that GitHub does not read as a closing fence), and the inline `mi.Name(...)` calls, which no test compiles,
/// name a catalog method and parameters it has.
/// </summary>
public sealed class EveryPageSnippetIsATestRegionTests
{
    private static readonly string[] CSharp = ["csharp", "cs", "c#"];

    /// <summary>README.md, docs/*.md and PACKAGE.md, relative to the repository root with / separators.</summary>
    private static IEnumerable<string> Pages()
    {
        string root = DocSnippets.RepositoryRoot();
        yield return "README.md";
        foreach (string page in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
            yield return Path.GetRelativePath(root, page).Replace('\\', '/');
        yield return "src/Microsoft.ML.MultiInterest/PACKAGE.md";
    }

    /// <summary>A page's fenced blocks: the line of the opening fence (from 1), its info string, the code de-indented; and the malformed fences.</summary>
    private static (List<(int Line, string Info, string Code)> Blocks, List<string> Malformed) Fences(string page)
    {
        var lines = DocSnippets.Page(page).Split('\n');
        var blocks = new List<(int, string, string)>();
        var malformed = new List<string>();
        int open = -1;
        string info = "";
        var body = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string text = lines[i].Trim();
            if (!text.StartsWith("```", StringComparison.Ordinal))
            {
                if (open >= 0) body.Add(lines[i]);
                continue;
            }
            if (open < 0)
            {
                (open, info) = (i + 1, text[3..].Trim());
                body.Clear();
                continue;
            }
            // A closing fence holds nothing else: "``` text" does not close the block on GitHub, which then runs on.
            if (text != "```") malformed.Add($"{page}:{i + 1}: a closing fence followed by text (\"{Shorten(text)}\")");
            blocks.Add((open, info, body.Any(l => l.Trim().Length > 0) ? DocSnippets.Dedent(body) : ""));
            open = -1;
        }
        if (open >= 0) malformed.Add($"{page}:{open}: a fence never closed");
        return (blocks, malformed);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";

    [Fact]
    public void EveryCSharpBlockOfThePages_IsTheCodeOfATestRegion()
    {
        var regions = DocSnippets.Regions().Select(r => r.Code).ToHashSet(StringComparer.Ordinal);
        var blocks = Pages().SelectMany(page => Fences(page).Blocks
            .Where(b => CSharp.Contains(b.Info, StringComparer.OrdinalIgnoreCase)).Select(b => (Page: page, b.Line, b.Code))).ToList();

        // The pages hold snippets in README, docs and the package readme: an empty list would mean the pages were not read.
        Assert.Contains(blocks, b => b.Page == "README.md");
        Assert.Contains(blocks, b => b.Page.StartsWith("docs/", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Page.EndsWith("PACKAGE.md", StringComparison.Ordinal));
        var uncovered = blocks.Where(b => !regions.Contains(b.Code))
            .Select(b => $"{b.Page}:{b.Line}: {Shorten(b.Code.Split('\n')[0])}").ToList();
        Assert.True(uncovered.Count == 0,
            $"{uncovered.Count} of the pages' {blocks.Count} ```csharp blocks are not the code of any #region of the test project (verbatim, "
            + "de-indented); put each in a test that compiles and runs it, with DocSnippets.AssertOnPage:\n" + string.Join("\n", uncovered));
    }

    [Fact]
    public void EveryInlineCatalogCallOfThePages_NamesAMethodAndItsParameters()
    {
        // Inline code outside the fenced blocks is not compiled: its `mi.Name(...)` calls (mi: the MultiInterestCatalog)
        // must at least name a public method of the catalog and, for named arguments, parameters of one of its overloads.
        var methods = typeof(MultiInterestCatalog).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .ToLookup(m => m.Name, m => m.GetParameters().Select(p => p.Name!).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var call = new System.Text.RegularExpressions.Regex(@"\bmi\.(?<name>\w+)\((?<arguments>[^`]*)\)");
        var named = new System.Text.RegularExpressions.Regex(@"(?:^|[(,]\s*)(?<parameter>[a-z]\w*):\s");
        var wrong = new List<string>();
        int calls = 0;
        foreach (string page in Pages())
        {
            var lines = DocSnippets.Page(page).Split('\n');
            bool fenced = false;
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
                if (fenced) continue;
                var spans = lines[i].Split('`');
                for (int s = 1; s < spans.Length; s += 2)
                    foreach (System.Text.RegularExpressions.Match m in call.Matches(spans[s]))
                    {
                        calls++;
                        string name = m.Groups["name"].Value;
                        var parameters = named.Matches(m.Groups["arguments"].Value).Select(p => p.Groups["parameter"].Value).ToList();
                        if (!methods.Contains(name)) wrong.Add($"{page}:{i + 1}: `{spans[s]}`: no method {name}");
                        else if (!methods[name].Any(overload => parameters.All(overload.Contains)))
                            wrong.Add($"{page}:{i + 1}: `{spans[s]}`: no overload of {name} has the parameters {string.Join(", ", parameters)}");
                    }
            }
        }
        Assert.True(calls > 0, "no inline mi.Name(...) call found: the pages were not read");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void EveryFenceOfThePages_ClosesOnALineOfItsOwn()
    {
        var malformed = Pages().SelectMany(page => Fences(page).Malformed).ToList();
        Assert.True(malformed.Count == 0, string.Join("\n", malformed));
    }
}
