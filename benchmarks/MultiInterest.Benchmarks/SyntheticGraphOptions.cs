namespace MultiInterest.Benchmarks;

/// <summary>
/// Shape of a synthetic engagement graph (<see cref="SyntheticGraph"/>). Users and items are in cit-HepPh's
/// proportion (about 34k users and 28k items per 330k edges); user degrees follow a Lomax (shifted Pareto) law,
/// item popularity a Zipf law, and every user draws most of its items from a few planted communities.
/// </summary>
internal sealed class SyntheticGraphOptions
{
    /// <summary>Users per requested edge (cit-HepPh: ~34k users per 330k edges).</summary>
    public const double UsersPerEdge = 34_000 / 330_000.0;

    /// <summary>Items per requested edge (cit-HepPh: ~28k items per 330k edges).</summary>
    public const double ItemsPerEdge = 28_000 / 330_000.0;

    /// <summary>Edges to draw (before the hold-out split); duplicates are redrawn, so the graph has about this many.</summary>
    public int Edges { get; set; } = 1_000_000;

    /// <summary>Seed of every random choice; the same seed and options give the same graph on any machine.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Planted communities; 0 (default) = min(2000, items / 14), cit-HepPh's items per k-means cluster.</summary>
    public int Communities { get; set; }

    /// <summary>Tail index a of the user degree law P(degree &gt; x) ~ x^-a. Default 1.5 (a heavy tail, finite mean).</summary>
    public double DegreeTail { get; set; } = 1.5;

    /// <summary>Zipf exponent s of item popularity: the item of popularity rank r is drawn with weight r^-s. Default 0.9.</summary>
    public double PopularityExponent { get; set; } = 0.9;

    /// <summary>Share of edges whose item is drawn from the whole catalogue by popularity, ignoring communities. Default 0.05.</summary>
    public double Noise { get; set; } = 0.05;

    /// <summary>Most communities one user draws from (1 + a geometric count, capped here). Default 4.</summary>
    public int MaxInterests { get; set; } = 4;

    /// <summary>Users to create.</summary>
    public int UserCount => Math.Max(1, (int)Math.Round(Edges * UsersPerEdge));

    /// <summary>Items to create (items no edge reaches are dropped afterwards).</summary>
    public int ItemCount => Math.Max(2, (int)Math.Round(Edges * ItemsPerEdge));

    /// <summary>The community count after resolving the default.</summary>
    public int CommunityCount => Communities > 0 ? Communities : Math.Clamp(ItemCount / 14, 2, 2000);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Edges < 100) throw new ArgumentOutOfRangeException(nameof(Edges), Edges, "At least 100 edges are needed.");
        if (Communities < 0 || Communities > ItemCount) throw new ArgumentOutOfRangeException(nameof(Communities), Communities, $"Communities must be 0 (auto) or 1..{ItemCount}.");
        if (!(DegreeTail > 1) || !double.IsFinite(DegreeTail)) throw new ArgumentOutOfRangeException(nameof(DegreeTail), DegreeTail, "The degree tail index must exceed 1 (finite mean).");
        if (!(PopularityExponent >= 0) || !double.IsFinite(PopularityExponent)) throw new ArgumentOutOfRangeException(nameof(PopularityExponent), PopularityExponent, "The Zipf exponent must be finite and non-negative.");
        if (!(Noise >= 0 && Noise <= 1)) throw new ArgumentOutOfRangeException(nameof(Noise), Noise, "Noise must lie in [0, 1].");
        if (MaxInterests < 1) throw new ArgumentOutOfRangeException(nameof(MaxInterests), MaxInterests, "MaxInterests must be at least 1.");
    }
}
