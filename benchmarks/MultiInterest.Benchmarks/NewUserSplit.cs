using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Benchmarks;

/// <summary>
/// A "between two fits" split of a train/test pair: a seeded sample of the users (all of them with <c>maxUsers</c> 0), of which a
/// seeded share with test edges are taken out of training entirely ("new users"): the model never sees them, and serving reads
/// each one from its training edges as a fresh history; its test edges are what its list should find.
/// </summary>
internal sealed class NewUserSplit
{
    private NewUserSplit(List<RawEdge> fit, Dictionary<string, string[]> histories, Dictionary<string, HashSet<string>> held)
    {
        FitEdges = fit;
        Histories = histories;
        HeldOut = held;
    }

    /// <summary>The training edges of the users kept in training.</summary>
    public List<RawEdge> FitEdges { get; }

    /// <summary>Each new user's history: its training items, in file order.</summary>
    public Dictionary<string, string[]> Histories { get; }

    /// <summary>Each new user's test items.</summary>
    public Dictionary<string, HashSet<string>> HeldOut { get; }

    /// <summary>A row of <see cref="FitRows"/>: one training edge by raw ids.</summary>
    internal sealed class EdgeRow
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";
    }

    /// <summary>The edges the model is fitted on, as the rows of an <see cref="IDataView"/> (columns User and Item, raw ids).</summary>
    public Microsoft.ML.IDataView FitRows(Microsoft.ML.MLContext ml) => ml.Data.LoadFromEnumerable(FitEdges.Select(e => new EdgeRow { User = e.User, Item = e.Item }));

    /// <summary>Splits <paramref name="train"/> and <paramref name="test"/> as the class says.</summary>
    public static NewUserSplit Create(List<RawEdge> train, List<RawEdge> test, double newShare, int maxUsers, int seed)
    {
        var random = new Random(seed);
        var users = train.Select(e => e.User).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (maxUsers > 0 && maxUsers < users.Length) users = users.OrderBy(_ => random.Next()).Take(maxUsers).Order(StringComparer.Ordinal).ToArray();
        var kept = users.ToHashSet();
        var held = new Dictionary<string, HashSet<string>>();
        foreach (var e in test)
            if (kept.Contains(e.User)) (held.TryGetValue(e.User, out var set) ? set : held[e.User] = []).Add(e.Item);
        var candidates = users.Where(held.ContainsKey).ToArray();
        var chosen = candidates.OrderBy(_ => random.Next()).Take((int)Math.Round(newShare * candidates.Length)).ToHashSet();
        var fit = train.Where(e => kept.Contains(e.User) && !chosen.Contains(e.User)).ToList();
        var histories = train.Where(e => chosen.Contains(e.User)).GroupBy(e => e.User).ToDictionary(g => g.Key, g => g.Select(e => e.Item).Distinct().ToArray());
        return new NewUserSplit(fit, histories, held.Where(p => chosen.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value));
    }
}
