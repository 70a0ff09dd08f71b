using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// The learned-mixture rows of <c>reproduce</c> and <c>evaluate</c> (<c>--mixture-embeddings</c>): Instagram's mixture
/// embeddings served by round-robin retrieval, and the fair control, one vector per user with as many parameters
/// (dimension C_s × d) trained by the same loss.
/// </summary>
internal sealed record MixtureRows(GraphEmbeddingOptions Mixture, GraphEmbeddingOptions Control, float[] WeightGammaSweep)
{
    /// <summary>Name of the mixture row in metrics.json and candidates.tsv.</summary>
    public const string MixtureName = "mixture_embeddings";

    /// <summary>Name of the equal-size single-vector row.</summary>
    public const string ControlName = "single_vector_equal_size";

    /// <summary>Per-component dimension of the rows unless --mix-dim is given.</summary>
    public const int Dimension = 32;

    /// <summary>Epochs at most (the number is chosen on the validation hold-out) unless --mix-epochs is given.</summary>
    public const int Epochs = 20;

    /// <summary>Learning rate unless --mix-lr is given.</summary>
    public const float LearningRate = 0.2f;

    /// <summary>
    /// Margin of the mixture unless --mix-margin is given: chosen on a validation split of cit-HepPh's training edges
    /// (docs/results.md). The regularised pooling adds θ Σ M to the positives only, which eats into a small margin.
    /// </summary>
    public const float Margin = 1.0f;

    /// <summary>Margin of the equal-size single vector unless --mix-control-margin is given (its own best on the same validation split).</summary>
    public const float ControlMargin = 0.3f;

    public static string Usage => $"""
  --mixture-embeddings   add the rows "Mixture embeddings (round robin)" and the equal-size single vector (trains two more models)
      --mix-components N ({MixtureEmbeddingDefaults.SourceComponents}) --mix-item-components N ({MixtureEmbeddingDefaults.DestinationComponents}) --mix-dim N ({Dimension} per component; the control gets N x components)
      --mix-epochs N ({Epochs}, at most: chosen on the validation hold-out) --mix-lr X ({LearningRate}) --mix-margin X ({Margin}) --mix-control-margin X ({ControlMargin}) --mix-validation-fraction X ({GraphEmbeddingDefaults.ValidationFraction}; 0 = no selection)
      --mix-pooling max|smoothmax|regularized-smoothmax ({Name(MixtureEmbeddingDefaults.Pooling)}) --mix-gamma X ({MixtureEmbeddingDefaults.Gamma}) --mix-theta X ({MixtureEmbeddingDefaults.Theta})
      --mix-weight-gamma X ({MixtureEmbeddingDefaults.WeightGamma}) --mix-two-sided (also corrupt users)
      --mix-weight-gamma-sweep X,Y,...   also report the mixture row with post-hoc weights at each of these temperatures (for choosing on a validation split)
""";

    /// <summary>Reads the flags; null unless --mixture-embeddings is given (the other --mix-* flags are still consumed).</summary>
    public static MixtureRows? Read(CommandLine cl, int seed, int threads)
    {
        bool on = cl.Flag("mixture-embeddings");
        var mix = new MixtureEmbeddingOptions
        {
            SourceComponents = cl.Int("mix-components", MixtureEmbeddingDefaults.SourceComponents),
            DestinationComponents = cl.Int("mix-item-components", MixtureEmbeddingDefaults.DestinationComponents),
            Gamma = (float)cl.Double("mix-gamma", MixtureEmbeddingDefaults.Gamma),
            Theta = (float)cl.Double("mix-theta", MixtureEmbeddingDefaults.Theta),
            WeightGamma = (float)cl.Double("mix-weight-gamma", MixtureEmbeddingDefaults.WeightGamma),
            OneSidedNegatives = !cl.Flag("mix-two-sided"),
        };
        var pooling = cl.String("mix-pooling");
        if (pooling != null)
        {
            mix.Pooling = Enum.GetValues<MixturePooling>().FirstOrDefault(p => string.Equals(Name(p), pooling, StringComparison.OrdinalIgnoreCase), (MixturePooling)(-1));
            if (mix.Pooling < 0) throw new UsageException($"--mix-pooling must be one of {string.Join(", ", Enum.GetValues<MixturePooling>().Select(Name))}, not '{pooling}'.");
        }
        var options = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.MixtureEmbedding,
            Dimension = cl.Int("mix-dim", Dimension),
            Epochs = cl.Int("mix-epochs", Epochs),
            LearningRate = (float)cl.Double("mix-lr", LearningRate),
            Margin = (float)cl.Double("mix-margin", Margin),
            ValidationFraction = cl.Double("mix-validation-fraction", GraphEmbeddingDefaults.ValidationFraction),
            Mixture = mix,
            Seed = seed,
            Threads = threads,
        };
        var control = options.Clone();
        control.Dimension = options.Dimension * mix.SourceComponents;
        control.Mixture.SourceComponents = 1;
        control.Mixture.DestinationComponents = 1;
        control.Margin = (float)cl.Double("mix-control-margin", ControlMargin);
        try
        {
            options.Validate();
            control.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"Mixture-embedding option {e.ParamName}: {e.Message.Split(Environment.NewLine)[0]}");
        }
        var sweep = (cl.String("mix-weight-gamma-sweep") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(x => float.TryParse(x, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) && v >= 1e-3f && v <= 1e3f
                ? v : throw new UsageException($"--mix-weight-gamma-sweep takes numbers within 0.001..1000, not '{x}'.")).ToArray();
        return on ? new MixtureRows(options, control, sweep) : null;
    }

    /// <summary>The command-line spelling of a pooling.</summary>
    public static string Name(MixturePooling p) => p switch
    {
        MixturePooling.RegularizedSmoothmax => "regularized-smoothmax",
        _ => p.ToString().ToLowerInvariant(),
    };
}
