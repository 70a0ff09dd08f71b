using System.Runtime.InteropServices;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Data;

/// <summary>Options of <see cref="HoldOutSplitter"/>; the defaults are the evaluation protocol's.</summary>
public sealed class HoldOutSplitOptions
{
    /// <summary>Share of each eligible user's edges held out, rounded up, at most all but one (a user keeps a training edge). Default 0.2.</summary>
    public double HoldOutFraction { get; set; } = 0.2;

    /// <summary>Users with fewer edges than this keep all of them in training. Default 3.</summary>
    public int MinimumUserEdges { get; set; } = 3;

    /// <summary>
    /// Drop edges whose user id equals its item id (self-citations). Default true, the protocol's rule for a citation graph,
    /// where both ids name papers; set it to false for a user-item graph whose users and items are numbered separately,
    /// where such a pair is a real edge.
    /// </summary>
    public bool DropSelfLoops { get; set; } = true;

    /// <summary>Seed of the random draw. Default 20261123.</summary>
    public int Seed { get; set; } = 20261123;

    internal void Validate()
    {
        if (!(HoldOutFraction > 0 && HoldOutFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(HoldOutFraction), HoldOutFraction, "HoldOutFraction must lie strictly between 0 and 1.");
        if (MinimumUserEdges < 2)
            throw new ArgumentOutOfRangeException(nameof(MinimumUserEdges), MinimumUserEdges, "MinimumUserEdges must be at least 2 so a user keeps a training edge.");
    }
}

/// <summary>The two parts of a split.</summary>
/// <param name="Train">Training edges, sorted by (user, item).</param>
/// <param name="Test">Held-out edges, sorted by (user, item).</param>
/// <param name="ReturnedToTraining">Held-out edges put back because their item had no training edge.</param>
/// <param name="SelfLoopsDropped">Input edges left out because their user id equals their item id (<see cref="HoldOutSplitOptions.DropSelfLoops"/>).</param>
/// <param name="DuplicatesDropped">
/// Input edges merged into an earlier edge of the same (user, item) pair. When any input edge weighs other than 1 (a
/// weighted log), their weights are added to its weight, as the graph builders add the weights of repeats, so that a split
/// file trains as the unsplit one would; an unweighted log stays unweighted (a repeat is the same edge again).
/// </param>
public sealed record HoldOutSplit(IReadOnlyList<RawEdge> Train, IReadOnlyList<RawEdge> Test, int ReturnedToTraining, int SelfLoopsDropped, int DuplicatesDropped);

/// <summary>
/// The evaluation protocol's per-user hold-out, for users' own data: drop self-loops and merge duplicate
/// pairs (the weights of a weighted log added); for each user with at least 3 edges hold out ceil(20%) of its edges chosen uniformly at random
/// with a fixed seed; a held-out edge whose item never appears in the training part goes back to
/// training. (The canonical cit-HepPh files were drawn with numpy's generator; this uses .NET's seeded
/// <see cref="Random"/>, so the same protocol gives a different, equally valid draw.)
/// </summary>
public static class HoldOutSplitter
{
    /// <summary>Splits <paramref name="edges"/>.</summary>
    /// <param name="edges">The raw edges, any order; read once; not null.</param>
    /// <param name="options">Hold-out fraction, seed and self-loop rule; null for the defaults. Validated first.</param>
    /// <returns>The training and test edges and the counts of edges returned to training, self-loops dropped and duplicates merged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="edges"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public static HoldOutSplit Split(IEnumerable<RawEdge> edges, HoldOutSplitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(edges);
        options ??= new HoldOutSplitOptions();
        options.Validate();

        var input = edges as IReadOnlyList<RawEdge> ?? edges.ToList();
        bool weighted = input.Any(e => e.Weight != 1f);
        var distinct = new Dictionary<(string, string), RawEdge>();
        int selfLoops = 0, duplicates = 0;
        foreach (var e in input)
        {
            if (options.DropSelfLoops && e.User == e.Item)
            {
                selfLoops++;
                continue;
            }
            ref var kept = ref CollectionsMarshal.GetValueRefOrAddDefault(distinct, (e.User, e.Item), out bool repeated);
            if (!repeated)
            {
                kept = e;
                continue;
            }
            // In a weighted log a repeat adds its weight, as BipartiteGraph.FromEdges merges repeats: the split trains as the
            // whole file would.
            duplicates++;
            if (!weighted) continue;
            float sum = kept.Weight + e.Weight;
            if (!float.IsFinite(sum))
                throw new ArgumentException($"The weights of the edge ('{e.User}', '{e.Item}') add up to more than a float holds: scale the weights down.", nameof(edges));
            kept = kept with { Weight = sum };
        }
        if (distinct.Count == 0)
            throw new ArgumentException(input.Count == 0 ? "There are no edges to split."
                : $"There are no edges to split: every one of the {input.Count:N0} edges is a self-loop (user id = item id), which the protocol drops. "
                + "Where users and items are numbered separately (ratings, plays: user 5 and item 5 are two things), keep them: DropSelfLoops = false "
                + "(the command line's split --keep-self-loops).", nameof(edges));
        var sorted = distinct.Values.OrderBy(e => e.User, IdComparer.Instance).ThenBy(e => e.Item, IdComparer.Instance).ToList();

        var random = new Random(options.Seed);
        var heldOut = new bool[sorted.Count];
        for (int start = 0; start < sorted.Count;)
        {
            int end = start;
            while (end < sorted.Count && sorted[end].User == sorted[start].User) end++;
            int degree = end - start;
            if (degree >= options.MinimumUserEdges)
            {
                // At most all but one: a user keeps a training edge (a fraction above 1/2 would otherwise take all of a small user's).
                int count = Math.Min((int)Math.Ceiling(options.HoldOutFraction * degree - 1e-9), degree - 1);
                // Partial Fisher-Yates over the user's edge positions.
                var positions = Enumerable.Range(start, degree).ToArray();
                for (int j = 0; j < count; j++)
                {
                    int pick = j + random.Next(degree - j);
                    (positions[j], positions[pick]) = (positions[pick], positions[j]);
                    heldOut[positions[j]] = true;
                }
            }
            start = end;
        }

        var trainItems = new HashSet<string>(StringComparer.Ordinal);
        for (int e = 0; e < sorted.Count; e++) if (!heldOut[e]) trainItems.Add(sorted[e].Item);
        var train = new List<RawEdge>();
        var test = new List<RawEdge>();
        int returned = 0;
        for (int e = 0; e < sorted.Count; e++)
        {
            if (heldOut[e] && trainItems.Contains(sorted[e].Item)) test.Add(sorted[e]);
            else
            {
                if (heldOut[e]) returned++;
                train.Add(sorted[e]);
            }
        }
        return new HoldOutSplit(train, test, returned, selfLoops, duplicates);
    }

    /// <summary>
    /// A total order of ids: integers first, by value (read in the invariant culture), then every other id ordinally. Comparing
    /// two integers by value and any other pair ordinally was not transitive (2 &lt; 10 by value, "10" &lt; "1a" &lt; "2" ordinally),
    /// so a file of mixed ids was sorted by its line order; and the current culture's sign rules made some cultures read
    /// "-5" as text.
    /// </summary>
    private sealed class IdComparer : IComparer<string>
    {
        public static readonly IdComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            bool xInteger = long.TryParse(x, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long a);
            bool yInteger = long.TryParse(y, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long b);
            if (xInteger && yInteger) return a != b ? a.CompareTo(b) : string.CompareOrdinal(x, y);
            if (xInteger != yInteger) return xInteger ? -1 : 1;
            return string.CompareOrdinal(x, y);
        }
    }
}
