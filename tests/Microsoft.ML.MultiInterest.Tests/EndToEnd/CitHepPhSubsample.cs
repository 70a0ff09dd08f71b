using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.EndToEnd;

/// <summary>
/// A deterministic subsample of the embedded cit-HepPh split: the most cited training items and the
/// users citing enough of them, with the test edges restricted to the same users and items.
/// </summary>
internal sealed class CitHepPhSubsample
{
    public CitHepPhSubsample(int items, int users)
    {
        string dir = FindData();
        var trainEdges = EdgeFile.Read(Path.Combine(dir, "train.tsv.gz"));
        var testEdges = EdgeFile.Read(Path.Combine(dir, "test.tsv.gz"));
        var popular = trainEdges.GroupBy(e => e.Item).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(items).Select(g => g.Key).ToHashSet();
        var kept = trainEdges.Where(e => popular.Contains(e.Item)).ToList();
        var keptTest = testEdges.Where(e => popular.Contains(e.Item)).ToList();
        var testUsers = keptTest.Select(e => e.User).ToHashSet();
        var chosen = kept.GroupBy(e => e.User).Where(g => g.Count() >= 3 && testUsers.Contains(g.Key))
            .Select(g => g.Key).OrderBy(u => u, StringComparer.Ordinal).Take(users).ToHashSet();
        Users = new IdMap();
        Items = new IdMap();
        var trainList = kept.Where(e => chosen.Contains(e.User)).ToList();
        Train = GraphData.Build(trainList, Users, Items, extendIds: true, "train");
        Test = GraphData.Build(keptTest.Where(e => chosen.Contains(e.User) && Items.TryGetIndex(e.Item, out _)).ToList(), Users, Items, extendIds: false, "test");
    }

    public IdMap Users { get; }
    public IdMap Items { get; }
    public BipartiteGraph Train { get; }
    public BipartiteGraph Test { get; }

    public static string FindData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "cit-HepPh");
            if (File.Exists(Path.Combine(candidate, "train.tsv.gz"))) return candidate;
        }
        throw new DirectoryNotFoundException("data/cit-HepPh not found above the test binaries.");
    }
}
