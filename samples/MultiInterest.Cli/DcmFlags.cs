using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// The DCM row of <c>reproduce</c> and <c>evaluate</c> (<c>--dcm</c>): Pinterest's differentiable clustering module
/// (<see cref="EmbeddingAlgorithm.DifferentiableClustering"/>), K interests per user from a soft k-means of its history,
/// trained end to end with the item vectors and served by round-robin retrieval.
/// </summary>
internal static class DcmFlags
{
    /// <summary>Name of the row in metrics.json and candidates.tsv.</summary>
    public const string RowName = "dcm";

    /// <summary>Suffix of a learned row's cluster-quota twin (--learned-quotas).</summary>
    public const string QuotaSuffix = "_quotas";

    /// <summary>Dimension unless --dcm-dim is given (the learned mixtures' per-component dimension).</summary>
    public const int Dimension = 32;

    /// <summary>Epochs at most (chosen on the validation hold-out) unless --dcm-epochs is given.</summary>
    public const int Epochs = 20;

    /// <summary>Learning rate unless --dcm-lr is given.</summary>
    public const float LearningRate = 0.2f;

    /// <summary>Margin unless --dcm-margin is given.</summary>
    public const float Margin = 0.3f;

    /// <summary>Uniform negatives per edge unless --dcm-negatives is given.</summary>
    public const int Negatives = 16;

    public static string Usage => Environment.NewLine + $"""
  --dcm   add the row "DCM (round robin)": Pinterest's differentiable clustering of each user's history (trains one more model)
      --dcm-interests N ({DcmDefaults.Interests}) --dcm-iterations N ({DcmDefaults.Iterations}) --dcm-tau X ({DcmDefaults.Temperature}) --dcm-learn-tau --dcm-beta X ({DcmDefaults.PriorWeight}) --dcm-history N ({DcmDefaults.MaxHistory})
      --dcm-dim N ({Dimension}) --dcm-epochs N ({Epochs}, at most: chosen on the validation hold-out) --dcm-lr X ({LearningRate}) --dcm-margin X ({Margin}) --dcm-negatives N ({Negatives})
      --dcm-pooling max|smoothmax|regularized-smoothmax ({MixtureRows.Name(DcmDefaults.Pooling)}) --dcm-gamma X ({DcmDefaults.Gamma}) --dcm-validation-fraction X ({GraphEmbeddingDefaults.ValidationFraction}; 0 = no selection)
  --learned-quotas   also serve every learned multi-vector row (mixture embeddings, DCM) by cluster quotas over a spherical k-means of its own item vectors (--clusters, --alpha)
""" + Environment.NewLine;

    /// <summary>Reads the flags; null unless --dcm is given (the other --dcm-* flags are still consumed).</summary>
    public static GraphEmbeddingOptions? Read(CommandLine cl, int seed, int threads)
    {
        bool on = cl.Flag("dcm");
        var dcm = new DcmOptions
        {
            Interests = cl.Int("dcm-interests", DcmDefaults.Interests),
            Iterations = cl.Int("dcm-iterations", DcmDefaults.Iterations),
            Temperature = (float)cl.Double("dcm-tau", DcmDefaults.Temperature),
            LearnTemperature = cl.Flag("dcm-learn-tau"),
            PriorWeight = (float)cl.Double("dcm-beta", DcmDefaults.PriorWeight),
            MaxHistory = cl.Int("dcm-history", DcmDefaults.MaxHistory),
            Gamma = (float)cl.Double("dcm-gamma", DcmDefaults.Gamma),
        };
        var pooling = cl.String("dcm-pooling");
        if (pooling != null)
        {
            dcm.Pooling = Enum.GetValues<MixturePooling>().FirstOrDefault(p => string.Equals(MixtureRows.Name(p), pooling, StringComparison.OrdinalIgnoreCase), (MixturePooling)(-1));
            if (dcm.Pooling < 0) throw new UsageException($"--dcm-pooling must be one of {string.Join(", ", Enum.GetValues<MixturePooling>().Select(MixtureRows.Name))}, not '{pooling}'.");
        }
        var options = new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering,
            Dimension = cl.Int("dcm-dim", Dimension),
            Epochs = cl.Int("dcm-epochs", Epochs),
            LearningRate = (float)cl.Double("dcm-lr", LearningRate),
            Margin = (float)cl.Double("dcm-margin", Margin),
            UniformNegatives = cl.Int("dcm-negatives", Negatives),
            ValidationFraction = cl.Double("dcm-validation-fraction", GraphEmbeddingDefaults.ValidationFraction),
            Dcm = dcm,
            Seed = seed,
            Threads = threads,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"DCM option {e.ParamName}: {e.Message.Split(Environment.NewLine)[0]}");
        }
        return on ? options : null;
    }

    /// <summary>The settings in words, for the log.</summary>
    public static string Describe(GraphEmbeddingOptions o) =>
        $"K={o.Dcm.Interests} T={o.Dcm.Iterations} tau={o.Dcm.Temperature}{(o.Dcm.LearnTemperature ? " (learned)" : "")} beta={o.Dcm.PriorWeight} L={o.Dcm.MaxHistory} d={o.Dimension} "
        + $"pooling={MixtureRows.Name(o.Dcm.Pooling)} gamma={o.Dcm.Gamma} margin={o.Margin} negatives={o.UniformNegatives} lr={o.LearningRate} epochs<={o.Epochs}";
}
