namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Splits test users into four activity groups by training degree (the number of training edges): the upper bounds
/// are the degrees at the 25th, 50th and 75th percentile ranks of the sorted degrees, and a user goes to the first
/// group whose bound its degree does not exceed, so users of equal degree always share a group. Groups partition the
/// users; with heavily tied degrees a group may be empty.
/// </summary>
public sealed class ActivityQuartiles
{
    /// <summary>The number of groups: 4.</summary>
    public const int Count = 4;

    private ActivityQuartiles(int[] groups, int[] lower, int[] upper, int[] sizes)
    {
        Groups = groups;
        LowerDegree = lower;
        UpperDegree = upper;
        Sizes = sizes;
    }

    /// <summary>The group (0 = least active) of each user, in the order of the degrees given.</summary>
    public IReadOnlyList<int> Groups { get; }

    /// <summary>The smallest degree in each group (0 for an empty group).</summary>
    public IReadOnlyList<int> LowerDegree { get; }

    /// <summary>The largest degree in each group (0 for an empty group).</summary>
    public IReadOnlyList<int> UpperDegree { get; }

    /// <summary>How many users each group holds; they sum to the number of users.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Assigns each user of <paramref name="degrees"/> to its quartile.</summary>
    /// <param name="degrees">Training degree per user, non-negative.</param>
    /// <returns>Each user's group and each group's degree bounds and size.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A degree is negative.</exception>
    public static ActivityQuartiles Assign(ReadOnlySpan<int> degrees)
    {
        int n = degrees.Length;
        var sorted = degrees.ToArray();
        foreach (int d in sorted)
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(degrees), d, "Degrees must not be negative.");
        Array.Sort(sorted);
        Span<int> bounds = stackalloc int[Count - 1];
        for (int b = 0; b < Count - 1; b++) bounds[b] = n == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling((b + 1) * (double)n / Count) - 1)];
        var groups = new int[n];
        var lower = new int[Count];
        var upper = new int[Count];
        var sizes = new int[Count];
        Array.Fill(lower, int.MaxValue);
        for (int u = 0; u < n; u++)
        {
            int g = 0;
            while (g < Count - 1 && degrees[u] > bounds[g]) g++;
            groups[u] = g;
            sizes[g]++;
            lower[g] = Math.Min(lower[g], degrees[u]);
            upper[g] = Math.Max(upper[g], degrees[u]);
        }
        for (int g = 0; g < Count; g++)
            if (sizes[g] == 0) lower[g] = 0;
        return new ActivityQuartiles(groups, lower, upper, sizes);
    }
}
