namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// How <see cref="ConditionalRetriever"/> lays one user's list out from its components' rankings: components in descending
/// weight order (ties to explicit ones, then the lower condition or cluster), the optional unimodal head, quotas by
/// <see cref="QuotaAllocator"/>, each component taking its quota while skipping items already taken, short components
/// handing their slots on in weight order, the fallback filling the rest. Also used by the ONNX scorer of a merged stage,
/// which proves the same rankings from ONNX Runtime's candidates. One instance per thread.
/// </summary>
internal sealed class ConditionalListLayout
{
    private readonly int[] _ranking;
    private readonly float[] _rankScores;

    /// <summary>Buffers for up to <paramref name="components"/> components of rankings up to <paramref name="capacity"/> deep over <paramref name="items"/> items.</summary>
    public ConditionalListLayout(int items, int components, int capacity)
    {
        components = Math.Max(components, 1);
        Capacity = capacity;
        Taken = new ItemExclusion(items);
        _ranking = new int[components * capacity];
        _rankScores = new float[components * capacity];
        RankCounts = new int[components];
        Take = new int[components];
        Cursor = new int[components];
        Weights = new double[components];
        Keys = new int[components];
        Source = new int[components];
    }

    /// <summary>The deepest ranking a component holds.</summary>
    public int Capacity { get; }

    /// <summary>Component k's weight (scaled by its kind's share).</summary>
    public double[] Weights { get; }

    /// <summary>Component k's key: its condition, or the number of conditions plus its cluster.</summary>
    public int[] Keys { get; }

    /// <summary>Explicit component j as j, implicit component j as −1 − j.</summary>
    public int[] Source { get; }

    /// <summary>How many entries component k's ranking holds.</summary>
    public int[] RankCounts { get; }

    private ItemExclusion Taken { get; }

    private int[] Take { get; }

    private int[] Cursor { get; }

    /// <summary>Component k's ranking, best first.</summary>
    public Span<int> Ranking(int component) => _ranking.AsSpan(component * Capacity, Capacity);

    /// <summary>The scores of <see cref="Ranking"/>.</summary>
    public Span<float> RankScores(int component) => _rankScores.AsSpan(component * Capacity, Capacity);

    /// <summary>Sorts the first <paramref name="n"/> components (weights, keys, sources) into the layout's order (insertion sort: a few components).</summary>
    public void Order(int n)
    {
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && Before(b, b - 1); b--)
            {
                (Weights[b], Weights[b - 1]) = (Weights[b - 1], Weights[b]);
                (Keys[b], Keys[b - 1]) = (Keys[b - 1], Keys[b]);
                (Source[b], Source[b - 1]) = (Source[b - 1], Source[b]);
            }
    }

    private bool Before(int a, int b)
    {
        int byWeight = WeightTies.Compare(Weights[a], Weights[b]);
        if (byWeight != 0) return byWeight > 0;
        return Keys[a] < Keys[b];
    }

    /// <summary>
    /// Writes the list of <paramref name="slots"/> from the first <paramref name="n"/> (ordered) components' rankings: the
    /// head (the fallback's first <see cref="QuotaRetrievalOptions.HeadSlots"/> items), the quotas, the hand-off, the fill.
    /// </summary>
    /// <param name="slots">M.</param>
    /// <param name="n">Components.</param>
    /// <param name="options">Alpha and the head share.</param>
    /// <param name="fallback">The fallback ranking (without excluded items).</param>
    /// <param name="fallbackScores">Its scores.</param>
    /// <param name="hasFallback">Whether there is a fallback (an empty one still fills nothing).</param>
    /// <param name="outIndices">Receives the list.</param>
    /// <param name="outScores">Receives the scores.</param>
    /// <returns>The list's length.</returns>
    public int Write(int slots, int n, ConditionalRetrievalOptions options, ReadOnlySpan<int> fallback, ReadOnlySpan<float> fallbackScores, bool hasFallback,
        Span<int> outIndices, Span<float> outScores)
    {
        Taken.Clear();
        Array.Clear(Cursor, 0, n);
        int written = 0, leftover = 0;
        // The unimodal head: the fallback's first round(share × M) items.
        if (options.HeadShare > 0)
        {
            var head = fallback[..Math.Min(options.HeadSlots(slots), fallback.Length)];
            head.CopyTo(outIndices);
            fallbackScores[..head.Length].CopyTo(outScores);
            foreach (int item in head) Taken.Add(item);
            written = head.Length;
        }
        var take = Take.AsSpan(0, n);
        QuotaAllocator.Allocate(Weights.AsSpan(0, n), Keys.AsSpan(0, n), options.Alpha, slots - written, take);
        for (int k = 0; k < n; k++)
        {
            int got = TakeFrom(k, take[k], outIndices, outScores, ref written);
            leftover += take[k] - got;
        }
        // Short components hand their slots on in weight order.
        for (int k = 0; k < n && leftover > 0; k++) leftover -= TakeFrom(k, leftover, outIndices, outScores, ref written);
        if (hasFallback)
        {
            for (int r = 0; r < fallback.Length && written < slots; r++)
            {
                if (Taken[fallback[r]]) continue;
                Taken.Add(fallback[r]);
                outIndices[written] = fallback[r];
                outScores[written++] = fallbackScores[r];
            }
        }
        return written;
    }

    /// <summary>Appends up to <paramref name="wanted"/> not-yet-taken items of component <paramref name="k"/>'s ranking; returns how many.</summary>
    private int TakeFrom(int k, int wanted, Span<int> indices, Span<float> scores, ref int written)
    {
        var ranking = Ranking(k);
        var rankScores = RankScores(k);
        int got = 0;
        ref int r = ref Cursor[k];
        for (; got < wanted && r < RankCounts[k]; r++)
        {
            int item = ranking[r];
            if (Taken[item]) continue;
            Taken.Add(item);
            indices[written] = item;
            scores[written++] = rankScores[r];
            got++;
        }
        return got;
    }
}
