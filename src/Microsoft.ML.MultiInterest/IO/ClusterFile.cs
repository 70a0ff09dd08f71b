using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// Reads and writes item clusters as TSV: header <c>item&lt;TAB&gt;cluster</c>, cluster ids non-negative
/// integers (the protocol breaks ties by the lower cluster id, so ids are kept as given).
/// </summary>
public static class ClusterFile
{
    /// <summary>Reads cluster assignments for the items of <paramref name="items"/>.</summary>
    /// <returns>The cluster of every item row and the cluster count (largest id + 1).</returns>
    /// <exception cref="InvalidDataException">Bad header or cluster id (negative, or not below the number of items), an item missing from the file or unknown to the embeddings.</exception>
    /// <param name="path">A tab-separated file headed "item&lt;TAB&gt;cluster" (a .gz name is decompressed).</param>
    /// <param name="items">The item ids, whose rows the assignments follow; not null.</param>
    public static ItemClusterFile Read(string path, IdMap items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var assignments = new int[items.Count];
        Array.Fill(assignments, -1);
        using var reader = TextTables.OpenRead(path);
        TextTables.ReadHeader(reader, path, "item", "cluster");
        int max = -1;
        foreach (var (lineNumber, line, parts) in TextTables.DataRows(reader, path))
        {
            if (parts.Length < 2) throw new InvalidDataException($"{path}, line {lineNumber}: expected 'item<TAB>cluster' but found '{line}'.");
            if (!items.TryGetIndex(parts[0], out int row))
                throw new InvalidDataException($"{path}, line {lineNumber}: the item '{parts[0]}' has no embedding.");
            if (!int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int cluster) || cluster < 0)
                throw new InvalidDataException($"{path}, line {lineNumber}: the cluster '{parts[1]}' is not a non-negative integer.");
            // Ids run 0..C-1 with at most one cluster per item: a stray large id would size every table by it.
            if (cluster >= items.Count)
                throw new InvalidDataException($"{path}, line {lineNumber}: the cluster id {cluster} is not below the {items.Count} items: cluster ids run 0..C-1, "
                    + "with at most one cluster per item.");
            if (assignments[row] >= 0 && assignments[row] != cluster)
                throw new InvalidDataException($"{path}, line {lineNumber}: the item '{parts[0]}' is assigned twice.");
            assignments[row] = cluster;
            max = Math.Max(max, cluster);
        }
        int missing = Array.IndexOf(assignments, -1);
        if (missing >= 0) throw new InvalidDataException($"The file '{path}' gives no cluster for the item '{items[missing]}'.");
        return new ItemClusterFile(assignments, max + 1);
    }

    /// <summary>Writes the cluster of every item.</summary>
    /// <exception cref="ArgumentException">An item id is empty or holds a TAB or a line break (<see cref="TabSeparatedId"/>): Read could not read it back.</exception>
    /// <param name="path">The file to write (created or overwritten).</param>
    /// <param name="items">The item ids, one per assignment; not null.</param>
    /// <param name="assignments">The cluster of each item row of <paramref name="items"/>.</param>
    public static void Write(string path, IdMap items, ReadOnlySpan<int> assignments)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count != assignments.Length) throw new ArgumentException($"There are {items.Count} ids for {assignments.Length} assignments.", nameof(items));
        // Refused before the file is opened: Read could not read such an id back.
        for (int i = 0; i < items.Count; i++) TextTables.RequireWritableId(path, "item id", items[i], $"of row {i}", nameof(items));
        using var writer = TextTables.OpenWrite(path);
        writer.WriteLine("item\tcluster");
        for (int i = 0; i < assignments.Length; i++) writer.WriteLine($"{items[i]}\t{assignments[i].ToString(CultureInfo.InvariantCulture)}");
    }
}

/// <summary>What <see cref="ClusterFile.Read"/> returns.</summary>
/// <param name="Assignments">The cluster of every item row.</param>
/// <param name="ClusterCount">The number of clusters (largest id + 1).</param>
public sealed record ItemClusterFile(int[] Assignments, int ClusterCount);
