namespace MultiInterest.Benchmarks;

/// <summary>
/// A synthetic power-law engagement graph with planted communities, generated in memory and deterministic from
/// <see cref="SyntheticGraphOptions.Seed"/>. Each item belongs to one community. Each user has a Lomax-distributed
/// degree and 1..<see cref="SyntheticGraphOptions.MaxInterests"/> interests (communities, weighted 1, 1/2, 1/3, ...),
/// more when its degree exceeds half the items of that many communities;
/// each of its edges picks an interest by weight and then an item of that community by Zipf popularity, or, with
/// probability <see cref="SyntheticGraphOptions.Noise"/>, an item of the whole catalogue by popularity. A user never
/// gets the same item twice (duplicates are redrawn, from the whole catalogue after a few misses). Items no edge reaches are dropped and the rest renumbered.
/// </summary>
internal sealed class SyntheticGraph
{
    private const int RedrawLimit = 32;
    private const int CommunityAttempts = 8;

    private SyntheticGraph(int userCount, int itemCount, int communities, int[] edgeUsers, int[] edgeItems, int[] itemCommunity, long redrawn, int dropped)
    {
        UserCount = userCount;
        ItemCount = itemCount;
        Communities = communities;
        EdgeUsers = edgeUsers;
        EdgeItems = edgeItems;
        ItemCommunity = itemCommunity;
        Redrawn = redrawn;
        Dropped = dropped;
    }

    /// <summary>Number of users (every one has at least one edge).</summary>
    public int UserCount { get; }

    /// <summary>Number of items with at least one edge.</summary>
    public int ItemCount { get; }

    /// <summary>Number of planted communities.</summary>
    public int Communities { get; }

    /// <summary>The user of every edge; edges are grouped by user, users ascending.</summary>
    public int[] EdgeUsers { get; }

    /// <summary>The item of every edge, aligned with <see cref="EdgeUsers"/>.</summary>
    public int[] EdgeItems { get; }

    /// <summary>The planted community of every item.</summary>
    public int[] ItemCommunity { get; }

    /// <summary>Draws that hit an item the user already had and were redrawn.</summary>
    public long Redrawn { get; }

    /// <summary>Edges given up after <c>RedrawLimit</c> duplicate draws in a row (tiny communities, huge degrees).</summary>
    public int Dropped { get; }

    /// <summary>Number of edges.</summary>
    public int EdgeCount => EdgeUsers.Length;

    /// <summary>Generates a graph.</summary>
    public static SyntheticGraph Generate(SyntheticGraphOptions options)
    {
        options.Validate();
        int users = options.UserCount, items = options.ItemCount, communities = options.CommunityCount;
        var random = new SplitMix64((ulong)options.Seed * 0x9E3779B97F4A7C15UL + 0x1234567UL);

        // Items: popularity by (random) rank, community uniformly at random.
        var rank = new int[items];
        for (int i = 0; i < items; i++) rank[i] = i;
        for (int i = items - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (rank[i], rank[j]) = (rank[j], rank[i]);
        }
        var weight = new double[items];
        var community = new int[items];
        for (int i = 0; i < items; i++)
        {
            weight[i] = Math.Pow(rank[i] + 1, -options.PopularityExponent);
            community[i] = random.NextInt(communities);
        }
        var byCommunity = new CumulativeSampler(weight, community, communities);
        var global = new CumulativeSampler(weight, new int[items], 1);

        int cap = (int)Math.Max(1, Math.Min(items / 2, Math.Max(100, 50L * options.Edges / users)));
        var degrees = UserDegrees.Draw(users, options.Edges, cap, options.DegreeTail, ref random);
        long total = 0;
        foreach (int d in degrees) total += d;
        var edgeUsers = new int[total];
        var edgeItems = new int[total];
        var stamp = new int[items]; // stamp[i] == u + 1: user u already has item i
        // A heavy user gets extra interests, so that its communities hold about twice its degree.
        double communitySize = items / (double)communities;
        int mostInterests = Math.Max(options.MaxInterests, (int)Math.Ceiling(2 * cap / communitySize));
        var interests = new int[mostInterests];
        var interestTotals = new double[mostInterests];
        long redrawn = 0;
        int dropped = 0, write = 0;
        for (int u = 0; u < users; u++)
        {
            int n = 1;
            while (n < options.MaxInterests && n < degrees[u] && random.NextDouble() < 0.5) n++;
            n = Math.Clamp((int)Math.Ceiling(2 * degrees[u] / communitySize), n, mostInterests);
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                int c;
                do c = random.NextInt(communities); while (byCommunity.IsEmpty(c));
                interests[j] = c;
                interestTotals[j] = sum += 1.0 / (j + 1);
            }
            for (int e = 0; e < degrees[u]; e++)
            {
                int item = -1;
                for (int attempt = 0; attempt < RedrawLimit; attempt++)
                {
                    int candidate;
                    // After CommunityAttempts duplicates in a row the community is exhausted for this user: go global.
                    if (attempt >= CommunityAttempts || random.NextDouble() < options.Noise)
                    {
                        candidate = global.Draw(0, random.NextDouble());
                    }
                    else
                    {
                        double pick = random.NextDouble() * sum;
                        int j = 0;
                        while (j < n - 1 && interestTotals[j] <= pick) j++;
                        candidate = byCommunity.Draw(interests[j], random.NextDouble());
                    }
                    if (stamp[candidate] != u + 1) { item = candidate; break; }
                    redrawn++;
                }
                if (item < 0) { dropped++; continue; }
                stamp[item] = u + 1;
                edgeUsers[write] = u;
                edgeItems[write] = item;
                write++;
            }
        }
        Array.Resize(ref edgeUsers, write);
        Array.Resize(ref edgeItems, write);

        // Renumber the items some edge reaches, in item order.
        var renumber = new int[items];
        Array.Fill(renumber, -1);
        foreach (int i in edgeItems) renumber[i] = 0;
        int kept = 0;
        for (int i = 0; i < items; i++) if (renumber[i] == 0) renumber[i] = kept++;
        for (int e = 0; e < edgeItems.Length; e++) edgeItems[e] = renumber[edgeItems[e]];
        var keptCommunity = new int[kept];
        for (int i = 0; i < items; i++) if (renumber[i] >= 0) keptCommunity[renumber[i]] = community[i];
        return new SyntheticGraph(users, kept, communities, edgeUsers, edgeItems, keptCommunity, redrawn, dropped);
    }
}
