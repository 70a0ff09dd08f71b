using System.IO.Compression;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>
/// Writes a synthetic split as the files the CLI and the <c>knn</c> command read: <c>train.tsv.gz</c> and
/// <c>test.tsv.gz</c> (user&lt;TAB&gt;item, ids <c>u0, u1, ...</c> and <c>i0, i1, ...</c>) and <c>planted_clusters.tsv</c>
/// (item&lt;TAB&gt;cluster: the planted communities, in the item-cluster file format). Meant for small graphs.
/// </summary>
internal static class SyntheticFiles
{
    /// <summary>Writes the three files into <paramref name="directory"/>.</summary>
    public static void Write(string directory, BipartiteGraph train, BipartiteGraph test, int[] itemCommunity)
    {
        Directory.CreateDirectory(directory);
        WriteEdges(Path.Combine(directory, "train.tsv.gz"), train);
        WriteEdges(Path.Combine(directory, "test.tsv.gz"), test);
        using var clusters = new StreamWriter(Path.Combine(directory, "planted_clusters.tsv")) { NewLine = "\n" };
        clusters.WriteLine("item\tcluster");
        for (int i = 0; i < itemCommunity.Length; i++) clusters.WriteLine($"i{i}\t{itemCommunity[i]}");
    }

    private static void WriteEdges(string path, BipartiteGraph graph)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip, new System.Text.UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine("user\titem");
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int item in graph.ItemsOf(u)) writer.WriteLine($"u{u}\ti{item}");
    }
}
