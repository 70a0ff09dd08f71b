using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>The embedding options of <c>reproduce</c>, <c>evaluate</c> and <c>fit</c>, read in one place.</summary>
internal static class EmbeddingFlags
{
    /// <summary>Usage lines for the embedding options, defaults from <see cref="GraphEmbeddingDefaults"/>, <see cref="TruncatedSvdDefaults"/> and <see cref="ImplicitAlsDefaults"/>.</summary>
    public static string Usage => $"""
  --algorithm auto|negative-sampling|truncated-svd|implicit-als ({Name(GraphEmbeddingDefaults.Algorithm)}): auto chooses on a validation hold-out of the training edges
  --validation-fraction X (auto: {GraphEmbeddingDefaults.ValidationFraction}; negative-sampling, implicit-als: 0 = off) --validation-users N ({GraphEmbeddingDefaults.ValidationUsers}) --validation-k N ({GraphEmbeddingDefaults.ValidationCutoff})
  --patience N ({GraphEmbeddingDefaults.EarlyStoppingPatience} epochs without a validation gain) --auto-max-dim N ({GraphEmbeddingDefaults.AutoMaxDimension}) --auto-tolerance X ({GraphEmbeddingDefaults.AutoTolerance}: smaller vectors within this relative share of the best validation Recall win) --auto-sgd (auto also tries negative sampling)
  --svd-normalization A ({TruncatedSvdDefaults.DegreeNormalization}) --svd-smoothing S ({TruncatedSvdDefaults.DegreeSmoothing}) --svd-gamma G ({TruncatedSvdDefaults.SpectralExponent}) --svd-item-degree C ({TruncatedSvdDefaults.ItemDegreeExponent})
  --svd-oversampling P ({TruncatedSvdDefaults.Oversampling}) --svd-power-iterations Q ({TruncatedSvdDefaults.PowerIterations})
  --als-iterations N ({ImplicitAlsDefaults.Iterations}) --als-reg L ({ImplicitAlsDefaults.Regularization}) --als-reg-exponent NU ({ImplicitAlsDefaults.RegularizationExponent}) --als-unobserved A0 ({ImplicitAlsDefaults.UnobservedWeight})
  --als-solver cholesky|cg ({SolverName(ImplicitAlsDefaults.Solver)}) --als-cg-steps N ({ImplicitAlsDefaults.CgSteps})
  --dim N ({GraphEmbeddingDefaults.Dimension}) --epochs N ({GraphEmbeddingDefaults.Epochs}) --loss logistic|ranking|softmax|cosine-contrastive ({GraphEmbeddingDefaults.Loss.ToString().ToLowerInvariant()}) --margin X ({GraphEmbeddingDefaults.Margin}) --negative-weight W ({GraphEmbeddingDefaults.NegativeWeight}: cosine-contrastive) --lr X ({GraphEmbeddingDefaults.LearningRate})
  --uniform-negatives N ({GraphEmbeddingDefaults.UniformNegatives}) --batch-negatives N ({GraphEmbeddingDefaults.BatchNegatives}) --degree-negatives N ({GraphEmbeddingDefaults.DegreeNegatives}) --sgd-init random|truncated-svd ({InitializationName(GraphEmbeddingDefaults.Initialization)}) --logq-correction (subtract log q of the negatives' sampling from every logit; for --loss softmax)
  --l2 L ({GraphEmbeddingDefaults.L2Regularization}) --l2-degree-exponent NU ({GraphEmbeddingDefaults.L2DegreeExponent}) --history-blend G ({GraphEmbeddingDefaults.HistoryBlend}: user vector blended with its history's mean item vector)
""";

    /// <summary>Reads every embedding flag; the options are validated, and a bad value names its flag.</summary>
    public static GraphEmbeddingOptions Read(CommandLine cl, int seed, int threads)
    {
        var o = new GraphEmbeddingOptions
        {
            Dimension = cl.Int("dim", GraphEmbeddingDefaults.Dimension),
            Epochs = cl.Int("epochs", GraphEmbeddingDefaults.Epochs),
            LearningRate = (float)cl.Double("lr", GraphEmbeddingDefaults.LearningRate),
            Margin = (float)cl.Double("margin", GraphEmbeddingDefaults.Margin),
            NegativeWeight = (float)cl.Double("negative-weight", GraphEmbeddingDefaults.NegativeWeight),
            UniformNegatives = cl.Int("uniform-negatives", GraphEmbeddingDefaults.UniformNegatives),
            BatchNegatives = cl.Int("batch-negatives", GraphEmbeddingDefaults.BatchNegatives),
            DegreeNegatives = cl.Int("degree-negatives", GraphEmbeddingDefaults.DegreeNegatives),
            ValidationFraction = cl.Double("validation-fraction", 0),
            ValidationUsers = cl.Int("validation-users", GraphEmbeddingDefaults.ValidationUsers),
            ValidationCutoff = cl.Int("validation-k", GraphEmbeddingDefaults.ValidationCutoff),
            EarlyStoppingPatience = cl.Int("patience", GraphEmbeddingDefaults.EarlyStoppingPatience),
            AutoMaxDimension = cl.Int("auto-max-dim", GraphEmbeddingDefaults.AutoMaxDimension),
            AutoTolerance = cl.Double("auto-tolerance", GraphEmbeddingDefaults.AutoTolerance),
            AutoIncludesNegativeSampling = cl.Flag("auto-sgd"),
            PopularityCorrection = cl.Flag("logq-correction"),
            L2Regularization = (float)cl.Double("l2", GraphEmbeddingDefaults.L2Regularization),
            L2DegreeExponent = (float)cl.Double("l2-degree-exponent", GraphEmbeddingDefaults.L2DegreeExponent),
            HistoryBlend = (float)cl.Double("history-blend", GraphEmbeddingDefaults.HistoryBlend),
            Svd = new TruncatedSvdOptions
            {
                DegreeNormalization = cl.Double("svd-normalization", TruncatedSvdDefaults.DegreeNormalization),
                DegreeSmoothing = cl.Double("svd-smoothing", TruncatedSvdDefaults.DegreeSmoothing),
                SpectralExponent = cl.Double("svd-gamma", TruncatedSvdDefaults.SpectralExponent),
                ItemDegreeExponent = cl.Double("svd-item-degree", TruncatedSvdDefaults.ItemDegreeExponent),
                Oversampling = cl.Int("svd-oversampling", TruncatedSvdDefaults.Oversampling),
                PowerIterations = cl.Int("svd-power-iterations", TruncatedSvdDefaults.PowerIterations),
            },
            Als = new ImplicitAlsOptions
            {
                Iterations = cl.Int("als-iterations", ImplicitAlsDefaults.Iterations),
                Regularization = cl.Double("als-reg", ImplicitAlsDefaults.Regularization),
                RegularizationExponent = cl.Double("als-reg-exponent", ImplicitAlsDefaults.RegularizationExponent),
                UnobservedWeight = cl.Double("als-unobserved", ImplicitAlsDefaults.UnobservedWeight),
                CgSteps = cl.Int("als-cg-steps", ImplicitAlsDefaults.CgSteps),
            },
            Seed = seed,
            Threads = threads,
        };
        var algorithm = cl.String("algorithm");
        if (algorithm != null) o.Algorithm = ParseAlgorithm(algorithm);
        var init = cl.String("sgd-init");
        if (init != null) o.Initialization = ParseInitialization(init);
        var solver = cl.String("als-solver");
        if (solver != null) o.Als.Solver = ParseSolver(solver);
        var loss = cl.String("loss");
        if (loss != null)
            o.Loss = Enum.TryParse<EmbeddingLoss>(loss.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed : throw new UsageException($"--loss must be one of logistic, ranking, softmax, cosine-contrastive, not '{loss}'.");
        try
        {
            o.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException($"Embedding option {e.ParamName}: {e.Message.Split(Environment.NewLine)[0]}");
        }
        return o;
    }

    /// <summary>The command-line spelling of an algorithm: kebab case.</summary>
    public static string Name(EmbeddingAlgorithm a) => a switch
    {
        EmbeddingAlgorithm.NegativeSampling => "negative-sampling",
        EmbeddingAlgorithm.TruncatedSvd => "truncated-svd",
        EmbeddingAlgorithm.ImplicitAls => "implicit-als",
        EmbeddingAlgorithm.MixtureEmbedding => "mixture-embedding",
        EmbeddingAlgorithm.DifferentiableClustering => "differentiable-clustering",
        _ => a.ToString().ToLowerInvariant(),
    };

    private static EmbeddingAlgorithm ParseAlgorithm(string value)
    {
        foreach (var a in Enum.GetValues<EmbeddingAlgorithm>())
            if (string.Equals(Name(a), value, StringComparison.OrdinalIgnoreCase) || string.Equals(a.ToString(), value, StringComparison.OrdinalIgnoreCase))
                return a;
        throw new UsageException($"--algorithm must be one of {string.Join(", ", Enum.GetValues<EmbeddingAlgorithm>().Select(Name))}, not '{value}'.");
    }

    /// <summary>The command-line spelling of an SGD initialisation.</summary>
    public static string InitializationName(EmbeddingInitialization i) => i == EmbeddingInitialization.TruncatedSvd ? "truncated-svd" : "random";

    private static EmbeddingInitialization ParseInitialization(string value)
    {
        foreach (var i in Enum.GetValues<EmbeddingInitialization>())
            if (string.Equals(InitializationName(i), value, StringComparison.OrdinalIgnoreCase)) return i;
        throw new UsageException($"--sgd-init must be one of {string.Join(", ", Enum.GetValues<EmbeddingInitialization>().Select(InitializationName))}, not '{value}'.");
    }

    /// <summary>The command-line spelling of an ALS solver.</summary>
    public static string SolverName(ImplicitAlsSolver s) => s == ImplicitAlsSolver.ConjugateGradient ? "cg" : "cholesky";

    private static ImplicitAlsSolver ParseSolver(string value)
    {
        foreach (var s in Enum.GetValues<ImplicitAlsSolver>())
            if (string.Equals(SolverName(s), value, StringComparison.OrdinalIgnoreCase) || string.Equals(s.ToString(), value, StringComparison.OrdinalIgnoreCase))
                return s;
        throw new UsageException($"--als-solver must be one of {string.Join(", ", Enum.GetValues<ImplicitAlsSolver>().Select(SolverName))}, not '{value}'.");
    }
}
