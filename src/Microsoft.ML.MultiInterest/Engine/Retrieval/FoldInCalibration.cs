namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Fits the fold-in to embeddings not trained by implicit ALS (<see cref="HistoryInterestOptions.MatchUserVectors"/>):
/// α0 and λ are chosen from a log grid by how well the fold-in of a whole history reproduces the direction of the user's
/// own vector (the median of 1 − cos over a fixed sample of users), and each user's interests are then scaled by the
/// least-squares factor that maps its whole-history fold-in onto its own vector, so that an interest's scores and the
/// user vector's are on one scale when the retriever takes their maximum. On ALS vectors the grid finds the training
/// objective again (cit-HepPh: α0 = 0.003, λ = 0.0005) and the factors are close to 1.
/// </summary>
internal static class FoldInCalibration
{
    /// <summary>α0 grid: 1e-4 to 100, about three per decade.</summary>
    internal static readonly double[] UnobservedWeights = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10, 30, 100];

    /// <summary>λ grid: 1e-5 to 1, one per decade, with 5e-4 (the cit-HepPh ALS choice) between.</summary>
    internal static readonly double[] Regularizations = [1e-5, 1e-4, 5e-4, 1e-3, 1e-2, 0.1, 1];

    /// <summary>Users sampled (evenly over the list, so deterministic) to score a grid point.</summary>
    internal const int SampleUsers = 256;

    /// <summary>
    /// The options with the grid's best α0 and λ for <paramref name="userEmbeddings"/>, scored on an even sample of the
    /// users with a history in <paramref name="train"/>: a property of the model, the same whichever users are served
    /// afterwards (the protocol's test users or an ML.NET stage's every trained user).
    /// </summary>
    public static HistoryInterestOptions Calibrate(InterestFoldIn foldIn, BipartiteGraph train, EmbeddingMatrix userEmbeddings,
        HistoryInterestOptions options, int threads)
    {
        var sample = Sample(train);
        var best = options.Clone();
        if (sample.Length == 0) return best;
        // The sample reaches beyond the users a caller reads (and checked): a non-finite vector would skew the median unseen.
        userEmbeddings.ThrowIfNotFinite("user embeddings", sample);
        double bestError = double.PositiveInfinity;
        var points = (from a in UnobservedWeights from l in Regularizations select (Alpha0: a, Lambda: l)).ToArray();
        var errors = new double[points.Length];
        int longest = sample.Max(train.DegreeOf);
        Parallel.For(0, points.Length, Parallelism.Options(threads), () => (foldIn.CreateScratch(longest), new float[foldIn.Dimension], new double[sample.Length]),
            (p, _, s) =>
            {
                var candidate = options.Clone();
                candidate.UnobservedWeight = points[p].Alpha0;
                candidate.Regularization = points[p].Lambda;
                var trial = foldIn.WithObjective(candidate);
                var (scratch, x, misfit) = s;
                for (int j = 0; j < sample.Length; j++)
                {
                    int user = sample[j];
                    trial.Solve(train.ItemsOf(user), train.HasWeights ? train.WeightsOf(user) : default, x, scratch);
                    var own = userEmbeddings.ReadRow(user);
                    double norms = VectorMath.Norm(x) * (double)VectorMath.Norm(own);
                    misfit[j] = norms > 0 ? 1 - VectorMath.Dot(x, own) / norms : 2;
                }
                Array.Sort(misfit);
                errors[p] = misfit[misfit.Length / 2];
                return s;
            }, _ => { });
        // The first point of the grid order wins ties, so the choice does not depend on the threads.
        for (int p = 0; p < points.Length; p++)
        {
            if (!(errors[p] < bestError)) continue;
            bestError = errors[p];
            best.UnobservedWeight = points[p].Alpha0;
            best.Regularization = points[p].Lambda;
        }
        return best;
    }

    /// <summary>The factor s minimising ‖s x − u‖ (0 when the fold-in is zero).</summary>
    public static float Scale(ReadOnlySpan<float> foldIn, ReadOnlySpan<float> own)
    {
        double square = VectorMath.Dot(foldIn, foldIn);
        return square > 0 ? (float)(VectorMath.Dot(foldIn, own) / square) : 0f;
    }

    /// <summary>The rows of <paramref name="train"/> with a history, at most <see cref="SampleUsers"/> of them evenly over the list.</summary>
    internal static int[] Sample(BipartiteGraph train)
    {
        var eligible = Enumerable.Range(0, train.UserCount).Where(u => train.DegreeOf(u) > 0).ToArray();
        if (eligible.Length <= SampleUsers) return eligible;
        return Enumerable.Range(0, SampleUsers).Select(j => eligible[(int)((long)j * eligible.Length / SampleUsers)]).ToArray();
    }
}
