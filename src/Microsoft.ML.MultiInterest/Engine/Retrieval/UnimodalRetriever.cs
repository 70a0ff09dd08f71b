namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The single-vector baseline: for each user, the top M items by dot(u, i) over the whole catalogue,
/// excluding the user's training items; equal scores go to the lower item row. Exact brute force, four
/// users at a time against panels of sixteen items (<see cref="PackedPanels"/>). Thread-safe.
/// </summary>
public sealed class UnimodalRetriever
{
    private const int UserBlock = 32;
    private readonly EmbeddingMatrix _items;
    private readonly PackedPanels _panels;

    /// <summary>Creates a retriever over <paramref name="items"/> (not copied).</summary>
    public UnimodalRetriever(EmbeddingMatrix items)
    {
        ArgumentNullException.ThrowIfNull(items);
        items.ThrowIfNotFinite("item embeddings");
        _items = items;
        _panels = new PackedPanels(items);
    }

    /// <summary>Retrieves the top <paramref name="candidates"/> items for each user in <paramref name="users"/>.</summary>
    /// <param name="userEmbeddings">User vectors, one row per user index.</param>
    /// <param name="users">The users (rows of <paramref name="userEmbeddings"/>) to serve.</param>
    /// <param name="exclusions">Optional graph whose items of each user are never returned.</param>
    /// <param name="candidates">M, the list length.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <returns>One list per entry of <paramref name="users"/>.</returns>
    public RankedLists Retrieve(EmbeddingMatrix userEmbeddings, IReadOnlyList<int> users, BipartiteGraph? exclusions, int candidates, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(users);
        if (candidates < 1) throw new ArgumentOutOfRangeException(nameof(candidates), candidates, "Candidates (M) must be at least 1.");
        if (userEmbeddings.Dimension != _items.Dimension)
            throw new ArgumentException($"User embeddings have dimension {userEmbeddings.Dimension}, items {_items.Dimension}.", nameof(userEmbeddings));
        if (exclusions != null && exclusions.ItemCount != _items.Rows)
            throw new ArgumentException($"The exclusion graph has {exclusions.ItemCount} items, the retriever {_items.Rows}.", nameof(exclusions));
        foreach (int u in users)
        {
            if ((uint)u >= (uint)userEmbeddings.Rows) throw new ArgumentOutOfRangeException(nameof(users), $"Unknown user row {u}: there are {userEmbeddings.Rows} users.");
            if (exclusions != null && u >= exclusions.UserCount) throw new ArgumentOutOfRangeException(nameof(users), $"User row {u} is not in the exclusion graph.");
        }
        userEmbeddings.ThrowIfNotFinite("user embeddings");

        var result = new RankedLists(users.Count, candidates);
        int blocks = (users.Count + UserBlock - 1) / UserBlock;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads };
        Parallel.For(0, blocks, parallel, () => new Scratch(_items.Rows, candidates), (block, _, s) =>
        {
            int end = Math.Min(users.Count, (block + 1) * UserBlock);
            for (int q0 = block * UserBlock; q0 < end; q0 += 4)
                ScoreFour(userEmbeddings, users, exclusions, q0, Math.Min(4, end - q0), result, s);
            return s;
        }, _ => { });
        return result;
    }

    private void ScoreFour(EmbeddingMatrix userEmbeddings, IReadOnlyList<int> users, BipartiteGraph? exclusions, int q0, int width, RankedLists result, Scratch s)
    {
        Span<float> scores = stackalloc float[4 * PackedPanels.Width];
        for (int j = 0; j < width; j++)
        {
            s.Selectors[j].Reset(result.Capacity);
            s.Exclusions[j].Load(exclusions == null ? default : exclusions.ItemsOf(users[q0 + j]));
        }
        // Unused lanes repeat the last user; their scores are ignored.
        var a = userEmbeddings.ReadRow(users[q0]);
        var b = userEmbeddings.ReadRow(users[q0 + Math.Min(1, width - 1)]);
        var c = userEmbeddings.ReadRow(users[q0 + Math.Min(2, width - 1)]);
        var d = userEmbeddings.ReadRow(users[q0 + Math.Min(3, width - 1)]);
        for (int panel = 0; panel < _panels.Panels; panel++)
        {
            _panels.Score4(panel, a, b, c, d, scores);
            int first = panel * PackedPanels.Width;
            int count = Math.Min(PackedPanels.Width, _items.Rows - first);
            for (int j = 0; j < width; j++)
            {
                var selector = s.Selectors[j];
                var exclusion = s.Exclusions[j];
                for (int t = 0; t < count; t++)
                {
                    float score = scores[j * PackedPanels.Width + t];
                    if (selector.MightEnter(score) && !exclusion[first + t]) selector.Offer(score, first + t);
                }
            }
        }
        for (int j = 0; j < width; j++)
            result.Counts[q0 + j] = s.Selectors[j].Drain(result.IndexSlots(q0 + j), result.ScoreSlots(q0 + j));
    }

    private sealed class Scratch
    {
        public Scratch(int items, int capacity)
        {
            Selectors = [new(capacity), new(capacity), new(capacity), new(capacity)];
            Exclusions = [new(items), new(items), new(items), new(items)];
        }

        public TopKSelector[] Selectors { get; }
        public ItemExclusion[] Exclusions { get; }
    }
}
