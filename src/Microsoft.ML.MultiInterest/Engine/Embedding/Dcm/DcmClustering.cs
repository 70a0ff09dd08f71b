namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// What the interests of any history need of a trained <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> model
/// besides the unit item vectors: the K unit seeds, τ, β and T. Serving computes with it the interests of a user who has
/// only a fresh history, by the soft k-means the trainer runs on a training user's whole history (<see cref="DcmTrainer"/>),
/// so a new user with a trained user's history gets that user's interests (up to float rounding).
/// </summary>
internal sealed class DcmClustering
{
    /// <summary>Wraps trained parameters; throws naming the first invalid one (they may come from a saved model).</summary>
    public DcmClustering(EmbeddingMatrix seeds, float temperature, float priorWeight, int iterations, float weightExponent = DcmDefaults.WeightExponent)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Rows < 1 || seeds.Dimension < 1) throw new ArgumentException($"The DCM seeds are a {seeds.Rows} x {seeds.Dimension} table; at least one seed of dimension 1 is needed.", nameof(seeds));
        seeds.ThrowIfNotFinite("DCM seeds");
        if (!float.IsFinite(temperature) || temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The DCM temperature must be finite and positive.");
        if (!float.IsFinite(priorWeight) || priorWeight < 0) throw new ArgumentOutOfRangeException(nameof(priorWeight), priorWeight, "The DCM prior weight must be finite and non-negative.");
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "The DCM iterations must be at least 1.");
        if (!float.IsFinite(weightExponent) || weightExponent < 0) throw new ArgumentOutOfRangeException(nameof(weightExponent), weightExponent, "The DCM weight exponent must be finite and non-negative.");
        WeightExponent = weightExponent;
        Seeds = seeds;
        Temperature = temperature;
        PriorWeight = priorWeight;
        Iterations = iterations;
    }

    /// <summary>The K unit seeds.</summary>
    public EmbeddingMatrix Seeds { get; }

    /// <summary>τ.</summary>
    public float Temperature { get; }

    /// <summary>β.</summary>
    public float PriorWeight { get; }

    /// <summary>T.</summary>
    public int Iterations { get; }

    /// <summary>a, the power of the soft masses in the weights (<see cref="DcmOptions.WeightExponent"/>).</summary>
    public float WeightExponent { get; }

    /// <summary>K, interests per user.</summary>
    public int Interests => Seeds.Rows;

    /// <summary>
    /// The interests of the history <paramref name="history"/> (rows of <paramref name="unitItems"/>) as a one-user table
    /// (user 0) in descending weight order, the interest indices as clusters, as <see cref="MixtureEmbeddingResult.ToMixtureTable"/>
    /// lays out a trained user: the soft k-means of the history's unit vectors from the seeds, weighted by the clusters' soft masses;
    /// the seeds with equal weights for an empty history.
    /// </summary>
    public MixtureTable InterestsOf(EmbeddingMatrix unitItems, ReadOnlySpan<int> history)
    {
        int k = Interests, d = Seeds.Dimension, n = history.Length;
        if (unitItems.Dimension != d) throw new ArgumentException($"The items have dimension {unitItems.Dimension}, the DCM seeds {d}.", nameof(unitItems));
        var components = new float[k * d];
        var weights = new double[k];
        if (n == 0)
        {
            Seeds.Values.AsSpan(0, k * d).CopyTo(components);
            Array.Fill(weights, 1.0 / k);
        }
        else
        {
            // The clustering's kernels step a whole SIMD vector at a time: rows padded with zeros to a multiple of its width, as the
            // trainer's are (rows of d floats, d not such a multiple, were read and written past their ends).
            int s = EmbeddingTable.PaddedStride(d);
            var rows = new float[n * s];
            for (int i = 0; i < n; i++) unitItems.ReadRow(history[i]).CopyTo(rows.AsSpan(i * s, d));
            UnitRows.Normalize(rows, rows, new float[n], n, s);
            var seeds = new float[k * s];
            for (int c = 0; c < k; c++) Seeds.ReadRow(c).CopyTo(seeds.AsSpan(c * s, d));
            var clustering = new SoftClustering(k, Iterations, n, s);
            clustering.Forward(rows, n, seeds, Temperature, PriorWeight);
            var interests = clustering.Interests;
            for (int c = 0; c < k; c++) interests.Slice(c * s, d).CopyTo(components.AsSpan(c * d, d));
            Masses(clustering, weights, WeightExponent);
        }
        var table = new MixtureTable(1, k, d);
        MixtureEmbeddingResult.WriteSorted(table, 0, components, weights);
        return table;
    }

    /// <summary>
    /// The interests' weights after a <see cref="SoftClustering.Forward"/>: the soft masses normalised to sum 1 (equal when all
    /// are 0), then raised to <paramref name="exponent"/> and normalised again (<see cref="WeightPower.Apply"/>).
    /// </summary>
    internal static void Masses(SoftClustering clustering, Span<double> weights, float exponent)
    {
        int k = weights.Length;
        double total = 0;
        for (int c = 0; c < k; c++) total += weights[c] = clustering.Mass(c);
        for (int c = 0; c < k; c++) weights[c] = total > 0 ? weights[c] / total : 1.0 / k;
        WeightPower.Apply(weights, exponent);
    }
}
