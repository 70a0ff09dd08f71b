using System.Reflection;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Api;

/// <summary>
/// The library's public surface is written down in docs/public-api.txt (one exported type per line). A change to it
/// must be deliberate: this test fails on any difference and prints the lines to add or remove.
/// </summary>
public class PublicApiTests
{
    /// <summary>Engine helpers that must never be public: kernels, selectors and allocators behind the components.</summary>
    private static readonly string[] InternalHelpers =
    [
        "Microsoft.ML.MultiInterest.Engine.VectorMath", "Microsoft.ML.MultiInterest.Engine.TopKSelector",
        "Microsoft.ML.MultiInterest.Engine.QuotaAllocator", "Microsoft.ML.MultiInterest.Engine.QueryBlend",
        "Microsoft.ML.MultiInterest.Engine.ValidationScorer", "Microsoft.ML.MultiInterest.Engine.Parallelism",
        "Microsoft.ML.MultiInterest.Engine.EmbeddingRandom", "Microsoft.ML.MultiInterest.Engine.ChunkWorker",
    ];

    private static string[] ExportedTypes() =>
        typeof(GraphEmbeddingOptions).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();

    private static string ListPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "public-api.txt");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("docs/public-api.txt was not found above the test directory.");
    }

    [Fact]
    public void ExportedTypes_AreExactlyTheDocumentedList()
    {
        var documented = File.ReadAllLines(ListPath()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var actual = ExportedTypes();
        var added = actual.Except(documented).ToArray();
        var removed = documented.Except(actual).ToArray();
        Assert.True(added.Length == 0 && removed.Length == 0,
            "The public API changed. If deliberate, update docs/public-api.txt.\nNew public types:\n  " + string.Join("\n  ", added)
            + "\nNo longer public:\n  " + string.Join("\n  ", removed));
    }

    [Fact]
    public void EngineHelpers_AreNotPublic()
    {
        var exported = ExportedTypes();
        Assert.Empty(exported.Intersect(InternalHelpers));
    }
}
