using System.Globalization;

namespace MultiInterest.Benchmarks;

/// <summary>
/// The Kuaishou paper's protocol split of a ratings file (<c>user item rating timestamp</c>, whitespace separated, as
/// MovieLens' <c>u.data</c>): every rated item is relevant; per user, by timestamp (ties in file order), the last item is
/// the test item, the penultimate the validation item, the rest training. Users with fewer than 3 ratings keep all in
/// training and are not evaluated. Ids are mapped to dense indices in order of first appearance. A <c>.gz</c> file is
/// decompressed, and a first line naming the columns (as <c>prepare_datasets.py movielens</c> writes) is skipped.
/// </summary>
internal sealed class LeaveLastOutSplit
{
    /// <summary>The file's lines, as the library reads text: through gzip for a name ending in .gz, checked for truncation.</summary>
    private static IEnumerable<string> Lines(string path)
    {
        using var reader = Microsoft.ML.MultiInterest.IO.TextFile.OpenRead(path);
        while (reader.ReadLine() is { } line) yield return line;
    }

    public required int UserCount { get; init; }
    public required int ItemCount { get; init; }

    /// <summary>Per user, its items oldest first (validation and test items last).</summary>
    public required int[][] Sequences { get; init; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static LeaveLastOutSplit Read(string path)
    {
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = new Dictionary<string, int>(StringComparer.Ordinal);
        var events = new List<List<(long Time, int Order, int Item)>>();
        int line = 0;
        foreach (string raw in Lines(path))
        {
            line++;
            if (raw.Length == 0) continue;
            var f = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            bool header = line == 1 && f.Length >= 4 && !long.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
            if (header) continue;
            if (f.Length < 4 || !long.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long time))
                throw new InvalidDataException($"{path} line {line}: expected 'user item rating timestamp' (whitespace separated, an integer time), "
                    + $"got '{(raw.Length > 80 ? raw[..80] + "..." : raw)}'.");
            if (!users.TryGetValue(f[0], out int u)) { users[f[0]] = u = users.Count; events.Add([]); }
            if (!items.TryGetValue(f[1], out int i)) items[f[1]] = i = items.Count;
            events[u].Add((time, line, i));
        }
        var sequences = events.Select(list =>
        {
            list.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));
            var seen = new HashSet<int>();
            // A re-rated item counts once, at its first time.
            return list.Select(e => e.Item).Where(seen.Add).ToArray();
        }).ToArray();
        return new LeaveLastOutSplit { UserCount = users.Count, ItemCount = items.Count, Sequences = sequences };
    }

    /// <summary>Whether user <paramref name="u"/> has validation and test items.</summary>
    public bool Evaluated(int u) => Sequences[u].Length >= 3;

    /// <summary>Each user's training items of a phase, oldest first (the graph of <see cref="Phase"/>, in time order).</summary>
    public int[][] PhaseSequences(bool test) =>
        Sequences.Select((s, u) => Evaluated(u) ? s[..(s.Length - (test ? 1 : 2))] : s).ToArray();

    /// <summary>
    /// The training graph of a phase: for validation all but the last two items of each evaluated user, for test all but
    /// the last; the target of each evaluated user (-1 for the others).
    /// </summary>
    public (Microsoft.ML.MultiInterest.Engine.BipartiteGraph Train, int[] Targets) Phase(bool test)
    {
        var us = new List<int>();
        var its = new List<int>();
        var targets = new int[UserCount];
        for (int u = 0; u < UserCount; u++)
        {
            var s = Sequences[u];
            int keep = Evaluated(u) ? s.Length - (test ? 1 : 2) : s.Length;
            for (int j = 0; j < keep; j++) { us.Add(u); its.Add(s[j]); }
            targets[u] = Evaluated(u) ? s[keep] : -1;
        }
        return (Microsoft.ML.MultiInterest.Engine.BipartiteGraph.FromEdges(UserCount, ItemCount, us.ToArray(), its.ToArray()), targets);
    }
}
