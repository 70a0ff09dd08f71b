using System.Globalization;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The options a sweep can vary, by name: which stage each belongs to, how a text value is applied to
/// <see cref="SweepSettings"/> and how the current value is read back (for the defaults configuration).
/// </summary>
internal static class SweepParameterCatalog
{
    internal sealed record Definition(string Name, SweepStage Stage, bool Numeric, string Meaning,
        Action<SweepSettings, string> Apply, Func<SweepSettings, string> Read);

    private static readonly Definition[] All =
    [
        new("algorithm", SweepStage.Embedding, false, "embedding algorithm: auto, negative-sampling, truncated-svd, implicit-als",
            (s, v) => s.Embedding.Algorithm = ParseAlgorithm(v), s => AlgorithmName(s.Embedding.Algorithm)),
        new("dimension", SweepStage.Embedding, true, "embedding dimension d", (s, v) => s.Embedding.Dimension = Int(v), s => Text(s.Embedding.Dimension)),
        new("epochs", SweepStage.Embedding, true, "negative-sampling epochs", (s, v) => s.Embedding.Epochs = Int(v), s => Text(s.Embedding.Epochs)),
        new("learning-rate", SweepStage.Embedding, true, "negative-sampling learning rate", (s, v) => s.Embedding.LearningRate = (float)Double(v), s => Text(s.Embedding.LearningRate)),
        new("uniform-negatives", SweepStage.Embedding, true, "uniform negatives per chunk", (s, v) => s.Embedding.UniformNegatives = Int(v), s => Text(s.Embedding.UniformNegatives)),
        new("als-regularization", SweepStage.Embedding, true, "implicit-ALS lambda", (s, v) => s.Embedding.Als.Regularization = Double(v), s => Text(s.Embedding.Als.Regularization)),
        new("als-unobserved-weight", SweepStage.Embedding, true, "implicit-ALS alpha0", (s, v) => s.Embedding.Als.UnobservedWeight = Double(v), s => Text(s.Embedding.Als.UnobservedWeight)),
        new("als-iterations", SweepStage.Embedding, true, "implicit-ALS alternations", (s, v) => s.Embedding.Als.Iterations = Int(v), s => Text(s.Embedding.Als.Iterations)),
        new("svd-degree-normalization", SweepStage.Embedding, true, "truncated-SVD degree normalisation a", (s, v) => s.Embedding.Svd.DegreeNormalization = Double(v), s => Text(s.Embedding.Svd.DegreeNormalization)),
        new("svd-degree-smoothing", SweepStage.Embedding, true, "truncated-SVD degree smoothing s", (s, v) => s.Embedding.Svd.DegreeSmoothing = Double(v), s => Text(s.Embedding.Svd.DegreeSmoothing)),
        new("svd-item-degree-exponent", SweepStage.Embedding, true, "truncated-SVD item degree exponent c", (s, v) => s.Embedding.Svd.ItemDegreeExponent = Double(v), s => Text(s.Embedding.Svd.ItemDegreeExponent)),
        new("svd-oversampling", SweepStage.Embedding, true, "truncated-SVD extra sketch columns p", (s, v) => s.Embedding.Svd.Oversampling = Int(v), s => Text(s.Embedding.Svd.Oversampling)),
        new("svd-power-iterations", SweepStage.Embedding, true, "truncated-SVD subspace iterations q", (s, v) => s.Embedding.Svd.PowerIterations = Int(v), s => Text(s.Embedding.Svd.PowerIterations)),
        new("clusters", SweepStage.Clustering, true, "number of item clusters (interests)", (s, v) => s.Clustering.Clusters = Int(v), s => Text(s.Clustering.Clusters)),
        new("kmeans-iterations", SweepStage.Clustering, true, "spherical k-means iterations", (s, v) => s.Clustering.MaxIterations = Int(v), s => Text(s.Clustering.MaxIterations)),
        new("components", SweepStage.Mixture, true, "mixture components per user m", (s, v) => s.Components = Int(v), s => Text(s.Components)),
        new("neighbors", SweepStage.Smoothing, true, "smoothing neighbours k", (s, v) => s.Neighbors = Int(v), s => Text(s.Neighbors)),
        new("lambda", SweepStage.Smoothing, true, "Jelinek-Mercer smoothing weight in [0, 1]", (s, v) => s.Lambda = Double(v), s => Text(s.Lambda)),
        new("alpha", SweepStage.Retrieval, true, "quota exponent", (s, v) => s.Alpha = Double(v), s => Text(s.Alpha)),
        new("method", SweepStage.Retrieval, false, "retrieval method: knn-embed, unimodal, mmr, history-mmr",
            (s, v) => s.Method = ParseMethod(v), s => MethodName(s.Method)),
        new("mmr-lambda", SweepStage.Retrieval, true, "MMR relevance weight in [0, 1] of mmr and history-mmr (when not searched: the method's own default)",
            (s, v) => s.MmrLambda = Double(v), s => Text(s.ResolvedMmrLambda)),
        new("mmr-pool", SweepStage.Retrieval, true, "how many best items mmr and history-mmr re-rank (raised to K; K only re-orders the method's own top K)",
            (s, v) => s.MmrPool = Int(v), s => Text(s.MmrPool)),
        new("interest-weight", SweepStage.Retrieval, true, "history-mmr: weight nu of the proportionality term over the history interests",
            (s, v) => s.InterestWeight = Double(v), s => Text(s.InterestWeight)),
        new("items-per-interest", SweepStage.Retrieval, true, "history-mmr: history items per interest", (s, v) => s.ItemsPerInterest = Int(v), s => Text(s.ItemsPerInterest)),
        new("max-interests", SweepStage.Retrieval, true, "history-mmr: most interests per user", (s, v) => s.MaxInterests = Int(v), s => Text(s.MaxInterests)),
    ];

    private static readonly Dictionary<string, Definition> ByName = All.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every parameter name, in catalog order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToArray();

    /// <summary>Every parameter with its stage and meaning, one line each (for usage texts and error messages).</summary>
    public static IEnumerable<string> Describe() => All.Select(d => $"{d.Name} ({d.Stage.ToString().ToLowerInvariant()}): {d.Meaning}");

    /// <summary>The definition of <paramref name="name"/>; throws naming it and the known names if there is none.</summary>
    public static Definition Get(string name)
    {
        if (name != null && ByName.TryGetValue(name, out var d)) return d;
        throw new ArgumentException($"The search space names an unknown parameter '{name}'; known parameters: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>
    /// Whether a trial with <paramref name="settings"/> reads parameter <paramref name="name"/>: the MMR relevance weight
    /// and pool only the two MMR methods, the history-interest settings only history-interest MMR, the clustering, mixture,
    /// smoothing and quota settings only kNN-Embed (the other methods leave clusters and mixtures unused), the smoothing's
    /// neighbours only at a lambda above 0 (at 0 the mixture is the unsmoothed one, whatever k), and the embedding's
    /// settings only under an algorithm that reads them (<see cref="AlgorithmReads"/>). Trials that differ only in
    /// parameters they do not read are one configuration, and the leaderboard shows such a parameter as unused.
    /// </summary>
    public static bool Applies(string name, SweepSettings settings) => Get(name) switch
    {
        { Name: "mmr-lambda" or "mmr-pool" } => settings.Method is SweepRetrievalMethod.Mmr or SweepRetrievalMethod.HistoryMmr,
        { Name: "interest-weight" or "items-per-interest" or "max-interests" } => settings.Method == SweepRetrievalMethod.HistoryMmr,
        { Name: "neighbors" } => settings.Method == SweepRetrievalMethod.KnnEmbed && settings.Lambda > 0,
        { Stage: SweepStage.Clustering or SweepStage.Mixture or SweepStage.Smoothing } or { Name: "alpha" } => settings.Method == SweepRetrievalMethod.KnnEmbed,
        { Stage: SweepStage.Embedding } => AlgorithmReads(name, settings.Embedding),
        _ => true,
    };

    /// <summary>
    /// The parameters of <paramref name="space"/> no trial reads (<see cref="ReadBySomeTrial"/>). Their values make no
    /// distinct trials, so a space of only such parameters scores the defaults alone.
    /// </summary>
    /// <param name="space">The search space.</param>
    /// <param name="baseSettings">The settings every trial starts from.</param>
    /// <returns>The unread parameters' names, in the space's order.</returns>
    public static IReadOnlyList<string> UnreadParameters(SweepSearchSpace space, SweepSettings baseSettings) =>
        space.Parameters.Select(p => p.Name).Where(name => !ReadBySomeTrial(name, space, baseSettings)).ToArray();

    /// <summary>
    /// Whether some trial of <paramref name="space"/> reads parameter <paramref name="name"/> (<see cref="Applies"/>): under
    /// some combination of the space's values of the parameters that decide what is read (method, lambda, algorithm) and
    /// the base settings' others.
    /// </summary>
    /// <param name="name">A parameter name, in the space or not (then the base settings' value is the one read).</param>
    /// <param name="space">The search space.</param>
    /// <param name="baseSettings">The settings every trial starts from.</param>
    /// <returns>True when at least one such combination reads it.</returns>
    public static bool ReadBySomeTrial(string name, SweepSearchSpace space, SweepSettings baseSettings)
    {
        var gates = space.Parameters.Where(p => p.Name is "method" or "lambda" or "algorithm").ToList();
        var indices = new int[gates.Count];
        do
        {
            var settings = baseSettings.Clone();
            for (int g = 0; g < gates.Count; g++) Get(gates[g].Name).Apply(settings, gates[g].Values[indices[g]]);
            if (Applies(name, settings)) return true;
        }
        while (GridIndices.Advance(indices, g => gates[g].Values.Count));
        return false;
    }

    /// <summary>
    /// Whether the embedding <paramref name="embedding"/> describes reads parameter <paramref name="name"/>. Auto searches
    /// its ranks, the SVD's smoothing and item exponent and ALS's regularisation and unobserved weight itself, but reads the
    /// SVD's degree normalisation, sketch and subspace iterations and the most ALS iterations, and on a graph too small for its hold-out fits implicit ALS
    /// with the configured ALS settings, so those count under Auto too; the dimension and the SGD settings only with its
    /// negative-sampling trial (<see cref="GraphEmbeddingOptions.AutoIncludesNegativeSampling"/>). Negative sampling reads
    /// the SVD's settings when it starts from the truncated SVD. Algorithms beyond these four count as reading everything.
    /// </summary>
    private static bool AlgorithmReads(string name, GraphEmbeddingOptions embedding)
    {
        var a = embedding.Algorithm;
        bool autoSgd = a == EmbeddingAlgorithm.Auto && embedding.AutoIncludesNegativeSampling;
        bool sgd = a == EmbeddingAlgorithm.NegativeSampling || autoSgd;
        bool sgdStartsFromSvd = sgd && embedding.Initialization == EmbeddingInitialization.TruncatedSvd;
        return name switch
        {
            "dimension" => a != EmbeddingAlgorithm.Auto || autoSgd,
            "epochs" or "learning-rate" or "uniform-negatives" => a is not (EmbeddingAlgorithm.TruncatedSvd or EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.Auto) || autoSgd,
            "als-regularization" or "als-unobserved-weight" => a is not (EmbeddingAlgorithm.NegativeSampling or EmbeddingAlgorithm.TruncatedSvd),
            "als-iterations" => a is not (EmbeddingAlgorithm.NegativeSampling or EmbeddingAlgorithm.TruncatedSvd),
            "svd-degree-normalization" or "svd-oversampling" or "svd-power-iterations" => a is not (EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.NegativeSampling) || sgdStartsFromSvd,
            "svd-degree-smoothing" or "svd-item-degree-exponent" => a is not (EmbeddingAlgorithm.ImplicitAls or EmbeddingAlgorithm.NegativeSampling or EmbeddingAlgorithm.Auto) || sgdStartsFromSvd,
            _ => true,
        };
    }

    /// <summary>The canonical text of a number.</summary>
    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The canonical text of an integer.</summary>
    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An algorithm as the space and the CLI spell it.</summary>
    public static string AlgorithmName(EmbeddingAlgorithm a) => a switch
    {
        EmbeddingAlgorithm.NegativeSampling => "negative-sampling",
        EmbeddingAlgorithm.TruncatedSvd => "truncated-svd",
        EmbeddingAlgorithm.ImplicitAls => "implicit-als",
        EmbeddingAlgorithm.MixtureEmbedding => "mixture-embedding",
        EmbeddingAlgorithm.DifferentiableClustering => "differentiable-clustering",
        EmbeddingAlgorithm.DivideConquer => "divide-conquer",
        _ => "auto",
    };

    public static string MethodName(SweepRetrievalMethod m) => m switch
    {
        SweepRetrievalMethod.Unimodal => "unimodal",
        SweepRetrievalMethod.Mmr => "mmr",
        SweepRetrievalMethod.HistoryMmr => "history-mmr",
        _ => "knn-embed",
    };

    /// <summary>The algorithm a space value names (as <c>algorithm</c>'s values are written).</summary>
    public static EmbeddingAlgorithm ParseAlgorithm(string v)
    {
        foreach (var a in Enum.GetValues<EmbeddingAlgorithm>())
            if (string.Equals(AlgorithmName(a), v, StringComparison.OrdinalIgnoreCase) || string.Equals(a.ToString(), v, StringComparison.OrdinalIgnoreCase)) return a;
        throw new FormatException($"'{v}' is not an embedding algorithm (auto, negative-sampling, truncated-svd, implicit-als).");
    }

    private static SweepRetrievalMethod ParseMethod(string v)
    {
        foreach (var m in Enum.GetValues<SweepRetrievalMethod>())
            if (string.Equals(MethodName(m), v, StringComparison.OrdinalIgnoreCase) || string.Equals(m.ToString(), v, StringComparison.OrdinalIgnoreCase)) return m;
        throw new FormatException($"'{v}' is not a retrieval method (knn-embed, unimodal, mmr, history-mmr).");
    }

    private static int Int(string v) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) ? x : throw new FormatException($"'{v}' is not an integer.");

    private static double Double(string v) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) ? x : throw new FormatException($"'{v}' is not a finite number.");
}
