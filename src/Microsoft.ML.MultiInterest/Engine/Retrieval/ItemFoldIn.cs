namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The item side of the implicit-ALS fold-in: the vector the next ALS item step gives an item from the users who engaged
/// it, x = A⁻¹ Σ_(u∈S) y_u with A = α0 XᵀX + p I + Σ_(u∈S) y_u y_uᵀ, X the trained users' vectors and
/// p = λ (|S| + α0 |U|)^ν, the penalty ALS gives item rows (the users are the other side). It is
/// <see cref="InterestFoldIn"/>'s solve with the roles swapped: the table is the users' vectors, the subset the item's users.
/// On vectors no ALS objective produced, the objective is fitted as the user side's is (<see cref="FoldInCalibration"/>,
/// roles swapped: folding the trained items in from their users should reproduce their vectors), and the folded vectors are
/// scaled by the median least-squares factor of that fit, so that their dot products are on the trained items' scale.
/// Read-only after construction; thread-safe.
/// </summary>
internal sealed class ItemFoldIn
{
    private readonly InterestFoldIn _foldIn;

    private ItemFoldIn(InterestFoldIn foldIn, HistoryInterestOptions objective, float scale)
    {
        _foldIn = foldIn;
        Objective = objective;
        Scale = scale;
    }

    /// <summary>The objective solved (α0, λ, ν).</summary>
    public HistoryInterestOptions Objective { get; }

    /// <summary>The factor every folded vector is multiplied by: 1 for the ALS objective, the fitted one otherwise.</summary>
    public float Scale { get; }

    /// <summary>The fold-in solving <paramref name="objective"/> (the one the item vectors were trained with) against <paramref name="users"/>.</summary>
    /// <param name="users">The trained users' vectors (a user without one as a zero row, which adds nothing).</param>
    /// <param name="userCount">|U| of the penalty: the users the embeddings were fitted over.</param>
    /// <param name="objective">α0, λ and ν of the item embedding's ALS objective.</param>
    /// <param name="threads">Parallelism of the one-off user-side work; the result does not depend on it.</param>
    public static ItemFoldIn OfObjective(EmbeddingMatrix users, int userCount, HistoryInterestOptions objective, int threads) =>
        new(new InterestFoldIn(users, objective, threads, userCount), objective.Clone(), 1f);

    /// <summary>
    /// The fold-in fitted to <paramref name="items"/>, vectors no ALS objective produced: α0 and λ from
    /// <see cref="FoldInCalibration"/>'s grid by how well folding a sample of the trained items in from their users
    /// (<paramref name="usersOfItems"/>: row j holds item j's users, rows of <paramref name="users"/>) reproduces their
    /// directions, then the median over that sample of the factor mapping each fold-in onto the item's own vector.
    /// </summary>
    public static ItemFoldIn MatchedTo(EmbeddingMatrix users, int userCount, BipartiteGraph usersOfItems, EmbeddingMatrix items,
        HistoryInterestOptions start, int threads)
    {
        var unfitted = new InterestFoldIn(users, start, threads, userCount);
        var objective = FoldInCalibration.Calibrate(unfitted, usersOfItems, items, start, threads);
        var foldIn = unfitted.WithObjective(objective);
        var sample = FoldInCalibration.Sample(usersOfItems);
        if (sample.Length == 0) return new ItemFoldIn(foldIn, objective, 1f);
        var factors = new float[sample.Length];
        var scratch = foldIn.CreateScratch(sample.Max(usersOfItems.DegreeOf));
        var x = new float[foldIn.Dimension];
        for (int j = 0; j < sample.Length; j++)
        {
            int item = sample[j];
            foldIn.Solve(usersOfItems.ItemsOf(item), usersOfItems.HasWeights ? usersOfItems.WeightsOf(item) : default, x, scratch);
            factors[j] = FoldInCalibration.Scale(x, items.ReadRow(item));
        }
        Array.Sort(factors);
        return new ItemFoldIn(foldIn, objective, factors[factors.Length / 2]);
    }

    /// <summary>
    /// The vectors of items folded in from their users: row k from <paramref name="usersOf"/>[k] (rows of the user table,
    /// weight 1 each; an empty set gives the zero vector). Each item is solved on its own, so the vectors do not depend on
    /// <paramref name="threads"/>.
    /// </summary>
    public EmbeddingMatrix Fold(IReadOnlyList<int[]> usersOf, int threads)
    {
        int d = _foldIn.Dimension;
        var vectors = new EmbeddingMatrix(usersOf.Count, d);
        int longest = usersOf.Count == 0 ? 0 : usersOf.Max(u => u.Length);
        Parallel.For(0, usersOf.Count, Parallelism.Options(threads), () => _foldIn.CreateScratch(longest), (k, _, scratch) =>
        {
            if (usersOf[k].Length == 0) return scratch;
            var row = vectors.Row(k);
            _foldIn.Solve(usersOf[k], default, row, scratch);
            if (Scale != 1f) for (int j = 0; j < d; j++) row[j] *= Scale;
            return scratch;
        }, _ => { });
        return vectors;
    }
}
