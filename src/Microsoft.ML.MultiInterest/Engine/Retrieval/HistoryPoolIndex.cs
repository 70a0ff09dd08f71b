namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The clustered pool search of <see cref="HistoryInterestRetriever"/>: an inverted file over the items, whose lists are
/// <see cref="CoarseQuantizer"/>'s spherical k-means clusters of the unit item vectors, the lists' rows being the items'
/// own (unnormalised) vectors, so scores are inner products. A user's interest vectors pick their lists by centroid score
/// and all search the union of those lists, a tile of up to six interests per loaded panel (with
/// <see cref="HistoryPoolOptions.UserProbes"/>, the user's own vector leads its rows and probes that many lists).
/// </summary>
/// <remarks>
/// A (vector, item) score is the exact search's to the bit (<see cref="PanelRows"/>' arithmetic is
/// <see cref="TiledTopKSearch"/>'s), exclusions and the tie rule are the same, and every list searched is scanned whole, so
/// with probes = lists each interest's list is the exact one (up to the order in which near-tied boundary items are
/// offered, see <see cref="TopKSelector.Better"/>). Each user is searched on its own, so results do not depend on the
/// thread count. Built once per retriever; thread-safe for concurrent searches.
/// </remarks>
internal sealed class HistoryPoolIndex
{
    private readonly PanelRows _centroids;
    private readonly PanelRows _lists;
    private readonly int[] _listOf;
    private readonly int[] _sizes;
    private readonly int _maxPanels;

    /// <summary>The items whose row is zero (no item behind it, <see cref="ZeroItems"/>), ascending: never a candidate.</summary>
    private readonly int[] _absent;

    /// <summary>Whether zero rows are left out (<see cref="_absent"/> found by a scan), kept by <see cref="WithItems"/>.</summary>
    private readonly bool _skipsZeroRows;

    /// <summary>Trains the lists on the unit vectors of <paramref name="items"/> and packs the items by list.</summary>
    public HistoryPoolIndex(EmbeddingMatrix items, HistoryPoolOptions options)
        : this(items, options, skipZeroRows: true)
    {
    }

    /// <summary>As the public constructor; <paramref name="skipZeroRows"/> false pools a zero row as any item (every row an item: <see cref="UnimodalRetriever(EmbeddingMatrix, bool)"/>).</summary>
    internal HistoryPoolIndex(EmbeddingMatrix items, HistoryPoolOptions options, bool skipZeroRows)
        : this(items, Train(items, options), options.Probes, options.UserProbes, options.HistoryLists, skipZeroRows)
    {
    }

    /// <summary>
    /// An index over lists trained before (<see cref="Centroids"/> and <see cref="ListOf"/> of another index, as an ONNX
    /// directory keeps them): the same lists, so the same searches.
    /// </summary>
    /// <param name="items">The item vectors the lists were trained on.</param>
    /// <param name="centroids">The lists' centroids, one row per list.</param>
    /// <param name="listOf">Each item's list, 0 to the centroid count - 1.</param>
    /// <param name="probes">Lists each interest probes.</param>
    /// <param name="userProbes">Lists a user's own vector probes when it leads its rows.</param>
    /// <param name="historyLists">Whether the lists of the user's excluded items are searched too.</param>
    /// <exception cref="ArgumentException">The tables do not fit the items or each other.</exception>
    public HistoryPoolIndex(EmbeddingMatrix items, EmbeddingMatrix centroids, int[] listOf, int probes, int userProbes, bool historyLists)
        : this(items, centroids, listOf, probes, userProbes, historyLists, skipZeroRows: true)
    {
    }

    /// <summary>As the public constructor over lists trained before; <paramref name="skipZeroRows"/> false pools a zero row as any item.</summary>
    internal HistoryPoolIndex(EmbeddingMatrix items, EmbeddingMatrix centroids, int[] listOf, int probes, int userProbes, bool historyLists, bool skipZeroRows)
    {
        int n = items.Rows, d = items.Dimension;
        if (centroids.Dimension != d || centroids.Rows < 1)
            throw new ArgumentException($"The lists' centroids are {centroids.Rows} x {centroids.Dimension}; the items have dimension {d}.", nameof(centroids));
        if (listOf.Length != n || listOf.Any(l => (uint)l >= (uint)centroids.Rows))
            throw new ArgumentException($"The item-to-list table must give each of the {n} items a list in 0..{centroids.Rows - 1}.", nameof(listOf));
        if (probes < 0 || userProbes < 0) throw new ArgumentOutOfRangeException(nameof(probes), "Probes must not be negative.");
        Dimension = d;
        Items = n;
        Centroids = centroids;
        Lists = centroids.Rows;
        Probes = Math.Min(probes, Lists);
        UserProbes = Math.Min(userProbes, Lists);
        HistoryLists = historyLists;
        _listOf = listOf;
        _skipsZeroRows = skipZeroRows;
        _absent = skipZeroRows ? ZeroItems.Indices(ZeroItems.Flags(items)) : [];

        // Counting sort by list; within a list items stay in ascending row order.
        var start = new int[Lists + 1];
        foreach (int l in _listOf) start[l + 1]++;
        for (int l = 0; l < Lists; l++) start[l + 1] += start[l];
        _sizes = new int[Lists];
        for (int l = 0; l < Lists; l++) _sizes[l] = start[l + 1] - start[l];
        var order = new int[n];
        var next = start[..Lists];
        for (int i = 0; i < n; i++) order[next[_listOf[i]]++] = i;
        _lists = new PanelRows(items.Values, d, order, start);
        _centroids = new PanelRows(centroids.Values, d, Enumerable.Range(0, Lists).ToArray(), [0, Lists]);
        for (int l = 0; l < Lists; l++) _maxPanels = Math.Max(_maxPanels, _lists.PanelCount(l));
    }

    /// <summary>Spherical k-means of the unit item vectors: the lists' centroids and each item's list.</summary>
    private static (EmbeddingMatrix Centroids, int[] ListOf) Train(EmbeddingMatrix items, HistoryPoolOptions options)
    {
        int n = items.Rows, d = items.Dimension;
        int padded = (n + NearestCentroidKernel.PointTile - 1) / NearestCentroidKernel.PointTile * NearestCentroidKernel.PointTile;
        var unit = new float[(long)padded * d];
        for (int i = 0; i < n; i++)
        {
            var row = unit.AsSpan(i * d, d);
            items.ReadRow(i).CopyTo(row);
            VectorMath.NormalizeInPlace(row);
        }
        int lists = options.Lists == 0 ? ClusteredNeighborIndexOptions.AutomaticLists(n) : Math.Min(options.Lists, Math.Max(1, n));
        var quantizer = n == 0
            ? new CoarseQuantizer.Result(new EmbeddingMatrix(1, d), [])
            : CoarseQuantizer.Train(unit, n, d, lists, new ClusteredNeighborIndexOptions { Lists = lists, Seed = options.Seed, Threads = options.Threads });
        return (quantizer.Centroids, quantizer.Lists);
    }

    private HistoryPoolIndex(EmbeddingMatrix items, (EmbeddingMatrix Centroids, int[] ListOf) trained, int probes, int userProbes, bool historyLists, bool skipZeroRows)
        : this(items, trained.Centroids, trained.ListOf, probes, userProbes, historyLists, skipZeroRows)
    {
    }

    /// <summary>
    /// This index over <paramref name="items"/>, its own items followed by new ones: the same lists and centroids (not
    /// retrained, so every item here keeps its list), each new item in the list whose centroid has the highest cosine to its
    /// vector (<see cref="NearestCentroid"/>, the rule the lists' k-means assigns by; ties to the lower list).
    /// </summary>
    /// <param name="items">This index's items (same rows), then the new items' vectors.</param>
    /// <param name="from">
    /// The first row placed anew (default: the first new one): rows from it on, folded in before and perhaps solved again
    /// since, go to their nearest list too.
    /// </param>
    internal HistoryPoolIndex WithItems(EmbeddingMatrix items, int? from = null)
    {
        if (items.Rows < Items || items.Dimension != Dimension)
            throw new ArgumentException($"The items must extend the index's {Items} x {Dimension}, not be {items.Rows} x {items.Dimension}.", nameof(items));
        int first = from ?? Items;
        if ((uint)first > (uint)Items) throw new ArgumentOutOfRangeException(nameof(from), first, $"The first row placed anew must lie in 0..{Items}.");
        var listOf = new int[items.Rows];
        _listOf.AsSpan(0, first).CopyTo(listOf);
        for (int i = first; i < items.Rows; i++) listOf[i] = NearestCentroid.Of(Centroids, items.ReadRow(i)).Cluster;
        return new HistoryPoolIndex(items, Centroids, listOf, Probes, UserProbes, HistoryLists, _skipsZeroRows);
    }

    /// <summary>The lists' centroids (unit length, one row per list): what an ONNX directory keeps to rebuild the index.</summary>
    public EmbeddingMatrix Centroids { get; }

    /// <summary>Each item's list.</summary>
    public ReadOnlySpan<int> ListOf => _listOf;

    /// <summary>Inverted lists built.</summary>
    public int Lists { get; }

    /// <summary>Lists each interest probes by centroid score (clamped to <see cref="Lists"/>).</summary>
    public int Probes { get; }

    /// <summary>Lists a user's own vector probes when it leads its user's rows (clamped to <see cref="Lists"/>).</summary>
    public int UserProbes { get; }

    /// <summary>Whether the lists of the user's excluded items are searched too.</summary>
    public bool HistoryLists { get; }

    /// <summary>Items indexed.</summary>
    public int Items { get; }

    /// <summary>Dimension of the items.</summary>
    public int Dimension { get; }

    /// <summary>
    /// The top <paramref name="k"/> items of every row of <paramref name="queries"/>: user q's interests are rows
    /// <paramref name="firstInterest"/>[q]..[q+1), searched without the items of <paramref name="users"/>[q] in
    /// <paramref name="exclusions"/>. Inputs are the caller's to check.
    /// </summary>
    /// <param name="queries">The interest vectors, user after user.</param>
    /// <param name="firstInterest">User q's first row of <paramref name="queries"/>, and one past the last user's.</param>
    /// <param name="users">The users, whose items in <paramref name="exclusions"/> are never returned.</param>
    /// <param name="exclusions">Optional graph of excluded items (the training graph, also the history lists' source).</param>
    /// <param name="k">Items per interest.</param>
    /// <param name="threads">Degree of parallelism (0 = all cores); the result does not depend on it.</param>
    /// <param name="scanned">Optional: receives the item rows searched for each user.</param>
    /// <param name="userLead">Whether each user's first row is its own vector, which probes <see cref="UserProbes"/> lists.</param>
    /// <param name="historyLists">
    /// The graph whose items of each user pick the history lists (with <see cref="HistoryLists"/>); null for
    /// <paramref name="exclusions"/>. A request's excluded items that are not its history are in the exclusions only: never
    /// returned, but they pick no list.
    /// </param>
    public RankedLists Search(EmbeddingMatrix queries, int[] firstInterest, IReadOnlyList<int> users, BipartiteGraph? exclusions, int k, int threads,
        int[]? scanned = null, bool userLead = false, BipartiteGraph? historyLists = null)
    {
        var result = new RankedLists(queries.Rows, k);
        Parallel.For(0, users.Count, Parallelism.Options(threads), () => new Scratch(this, k), (q, _, s) =>
        {
            // Every excluded item is left out; the history lists are picked by the user's own items alone.
            var excluded = exclusions is { } all ? all.ItemsOf(users[q]) : default;
            var history = historyLists is { } own ? own.ItemsOf(users[q]) : excluded;
            int rows = SearchUser(queries, firstInterest[q], firstInterest[q + 1], userLead, excluded, history, result, s);
            if (scanned != null) scanned[q] = rows;
            return s;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// Sets <paramref name="searched"/>[l] for every list l the user's rows <paramref name="from"/>..<paramref name="to"/>-1
    /// search (cleared first), as <see cref="Search"/> picks them: what an ONNX pool scorer's list mask is made of.
    /// </summary>
    internal void MarkSearchedLists(EmbeddingMatrix queries, int from, int to, bool userLead, ReadOnlySpan<int> history, Span<bool> searched, Scratch s)
    {
        searched[..Lists].Clear();
        int touched = PickLists(queries, from, to, userLead, history, s);
        for (int i = 0; i < touched; i++) searched[s.Touched[i]] = true;
    }

    /// <summary>Scratch for one thread's calls of <see cref="MarkSearchedLists"/>.</summary>
    internal Scratch CreateScratch() => new(this, 1);

    /// <summary>
    /// The lists a user's rows search, ascending, in <paramref name="s"/>.Touched (their count returned): those of its
    /// excluded items (with <see cref="HistoryLists"/>) and those each row probes by centroid score.
    /// </summary>
    private int PickLists(EmbeddingMatrix queries, int from, int to, bool userLead, ReadOnlySpan<int> history, Scratch s)
    {
        int touched = 0;
        if (HistoryLists)
        {
            foreach (int item in history) touched = Touch(_listOf[item], touched, s);
        }
        // The lists each interest probes, a tile of interests per pass over the centroids.
        for (int t = from; t < to && (Probes > 0 || userLead); t += PanelQueryTile.Queries)
        {
            int used = LoadTile(queries, t, Math.Min(PanelQueryTile.Queries, to - t), s);
            _centroids.ScoreQueries(s.QueryTile, used, 0, _centroids.PanelCount(0), s.Tile, s.CentroidScores, s.CentroidOffsets);
            for (int r = 0; r < used; r++)
            {
                int probes = userLead && t + r == from ? UserProbes : Probes;
                if (probes == 0) continue;
                var selector = s.ListSelector;
                selector.Reset(probes);
                var scores = s.CentroidScores.AsSpan(s.CentroidOffsets[r], Lists);
                float bound = float.NegativeInfinity;
                for (int l = 0; l < Lists; l++)
                {
                    if (scores[l] < bound) continue;
                    selector.Offer(scores[l], l);
                    bound = selector.EntryBound;
                }
                int picked = selector.Drain(s.Picked, default);
                for (int p = 0; p < picked; p++) touched = Touch(s.Picked[p], touched, s);
            }
        }
        // Ascending list order: the offers of a user do not depend on which interest probed a list first.
        Array.Sort(s.Touched, 0, touched);
        for (int i = 0; i < touched; i++) s.Marked[s.Touched[i]] = false;
        return touched;
    }

    /// <summary>Searches one user's interests; returns the item rows scanned.</summary>
    private int SearchUser(EmbeddingMatrix queries, int from, int to, bool userLead, ReadOnlySpan<int> excluded, ReadOnlySpan<int> history, RankedLists result, Scratch s)
    {
        s.Excluded.Load(excluded);
        int touched = PickLists(queries, from, to, userLead, history, s);
        int rows = 0;
        for (int i = 0; i < touched; i++) rows += _sizes[s.Touched[i]];

        int width = _lists.Width;
        var ids = _lists.Ids;
        // A tile's scores over every touched list, row r's block at r * total, so that each row first finds its k-th best
        // score and offers only what can enter: with a few hundred items scanned for k = 100, offering them all to the
        // heap would cost more than scoring them.
        int total = 0;
        for (int i = 0; i < touched; i++)
        {
            s.ListOffsets[i] = total;
            total += _lists.PanelCount(s.Touched[i]) * width;
        }
        s.Ensure(total);
        int k = result.Capacity;
        for (int t = from; t < to; t += PanelQueryTile.Queries)
        {
            int used = LoadTile(queries, t, Math.Min(PanelQueryTile.Queries, to - t), s);
            for (int i = 0; i < touched; i++)
            {
                int list = s.Touched[i];
                int panels = _lists.PanelCount(list);
                if (panels == 0) continue;
                for (int r = 0; r < PanelQueryTile.Queries; r++) s.ScoreOffsets[r] = r * total + s.ListOffsets[i];
                _lists.ScoreQueries(s.QueryTile, used, _lists.FirstPanel(list), panels, s.Tile, s.Scores, s.ScoreOffsets);
            }
            for (int r = 0; r < used; r++)
            {
                var scores = s.Scores.AsSpan(r * total, total);
                int eligible = 0;
                for (int i = 0; i < touched; i++)
                {
                    int slotBase = _lists.FirstPanel(s.Touched[i]) * width;
                    int slots = _lists.PanelCount(s.Touched[i]) * width;
                    for (int slot = 0; slot < slots; slot++)
                    {
                        int item = ids[slotBase + slot];
                        // Padding slots (-1) and the user's excluded items never enter.
                        if (item >= 0 && !s.Excluded[item]) s.Candidates[eligible++] = scores[s.ListOffsets[i] + slot];
                    }
                }
                // Below the k-th best score by more than the tie tolerance nothing can enter (the selector's EntryBound rule).
                float bound = float.NegativeInfinity;
                if (eligible > k)
                {
                    float kth = KthLargest(s.Candidates.AsSpan(0, eligible), k);
                    bound = kth - 4 * TopKSelector.RelativeTolerance * Math.Abs(kth);
                }
                var top = s.Selectors[r];
                top.Reset(k);
                for (int i = 0; i < touched; i++)
                {
                    int slotBase = _lists.FirstPanel(s.Touched[i]) * width;
                    int slots = _lists.PanelCount(s.Touched[i]) * width;
                    int offset = s.ListOffsets[i];
                    for (int slot = 0; slot < slots; slot++)
                    {
                        float score = scores[offset + slot];
                        if (score < bound) continue;
                        int item = ids[slotBase + slot];
                        if (item < 0 || s.Excluded[item]) continue;
                        top.Offer(score, item);
                    }
                }
                result.Counts[t + r] = top.Drain(result.IndexSlots(t + r), result.ScoreSlots(t + r));
            }
        }
        s.Excluded.Clear();
        return rows;
    }

    /// <summary>The <paramref name="k"/>-th largest of <paramref name="values"/> (1 ≤ k ≤ length), by quickselect
    /// with the middle element as pivot (deterministic); the values are reordered.</summary>
    private static float KthLargest(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1, target = k - 1;
        while (lo < hi)
        {
            float pivot = values[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] > pivot) i++;
                while (values[j] < pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return values[target];
        }
        return values[target];
    }

    private static int Touch(int list, int touched, Scratch s)
    {
        if (s.Marked[list]) return touched;
        s.Marked[list] = true;
        s.Touched[touched] = list;
        return touched + 1;
    }

    /// <summary>Copies <paramref name="used"/> query rows from <paramref name="first"/> into the tile, repeating the last
    /// into the padding rows (their scores are dropped).</summary>
    private int LoadTile(EmbeddingMatrix queries, int first, int used, Scratch s)
    {
        int d = Dimension;
        for (int r = 0; r < PanelQueryTile.Queries; r++)
            queries.ReadRow(first + Math.Min(r, used - 1)).CopyTo(s.QueryTile.AsSpan(r * d, d));
        return used;
    }

    /// <summary>Per-thread buffers, so a user allocates nothing.</summary>
    internal sealed class Scratch
    {
        public Scratch(HistoryPoolIndex index, int k)
        {
            int centroidSlots = index._centroids.PanelCount(0) * index._centroids.Width;
            int listSlots = index._maxPanels * index._lists.Width;
            ScoreOffsets = new int[PanelQueryTile.Queries];
            QueryTile = new float[PanelQueryTile.Queries * index.Dimension];
            Tile = new float[PanelQueryTile.Queries * 2 * index._lists.Width];
            CentroidScores = new float[PanelQueryTile.Queries * centroidSlots];
            Ensure(listSlots);
            ListOffsets = new int[index.Lists];
            CentroidOffsets = new int[PanelQueryTile.Queries];
            for (int r = 0; r < PanelQueryTile.Queries; r++) CentroidOffsets[r] = r * centroidSlots;
            int probes = Math.Max(1, Math.Max(index.Probes, index.UserProbes));
            ListSelector = new TopKSelector(probes);
            Picked = new int[probes];
            Marked = new bool[index.Lists];
            Touched = new int[index.Lists];
            Excluded = new ItemExclusion(index.Items, index._absent);
            Selectors = Enumerable.Range(0, PanelQueryTile.Queries).Select(_ => new TopKSelector(k)).ToArray();
        }

        public float[] QueryTile { get; }

        public float[] Tile { get; }

        public float[] CentroidScores { get; }

        /// <summary>A tile's scores over a user's lists, row r's block first; grown per user when a user scans more.</summary>
        public float[] Scores { get; private set; } = [];

        /// <summary>One row's eligible scores, reordered by the k-th best selection.</summary>
        public float[] Candidates { get; private set; } = [];

        /// <summary>Where each touched list's slots start in a row's block.</summary>
        public int[] ListOffsets { get; }

        /// <summary>Room for <paramref name="slots"/> slots per row.</summary>
        public void Ensure(int slots)
        {
            if (Candidates.Length >= slots) return;
            int size = Math.Max(slots, 2 * Candidates.Length);
            Candidates = new float[size];
            Scores = new float[PanelQueryTile.Queries * size];
        }

        public int[] CentroidOffsets { get; }

        public int[] ScoreOffsets { get; }

        public TopKSelector ListSelector { get; }

        public int[] Picked { get; }

        /// <summary>Lists already in <see cref="Touched"/> for the current user; cleared after each user.</summary>
        public bool[] Marked { get; }

        public int[] Touched { get; }

        public ItemExclusion Excluded { get; }

        public TopKSelector[] Selectors { get; }
    }
}
