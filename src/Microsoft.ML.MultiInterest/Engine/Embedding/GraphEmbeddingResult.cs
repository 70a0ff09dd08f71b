namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Embeddings learned by <see cref="GraphEmbeddingTrainerEngine.Fit"/>.</summary>
public sealed class GraphEmbeddingResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="userEmbeddings">One row per user index of the graph.</param>
    /// <param name="itemEmbeddings">One row per item index of the graph.</param>
    /// <param name="epochs">Statistics of each epoch, in order.</param>
    public GraphEmbeddingResult(EmbeddingMatrix userEmbeddings, EmbeddingMatrix itemEmbeddings, IReadOnlyList<EpochStats> epochs)
    {
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        ArgumentNullException.ThrowIfNull(epochs);
        UserEmbeddings = userEmbeddings;
        ItemEmbeddings = itemEmbeddings;
        Epochs = epochs;
    }

    /// <summary>User embeddings; row <c>u</c> belongs to user index <c>u</c> of the training graph.</summary>
    public EmbeddingMatrix UserEmbeddings { get; }

    /// <summary>Item embeddings; row <c>i</c> belongs to item index <c>i</c> of the training graph.</summary>
    public EmbeddingMatrix ItemEmbeddings { get; }

    /// <summary>Per-epoch statistics, in training order.</summary>
    public IReadOnlyList<EpochStats> Epochs { get; }

    /// <summary>Total training time in seconds (sum over epochs).</summary>
    public double TotalSeconds => Epochs.Sum(e => e.Seconds);

    /// <summary>The algorithm that produced the vectors (for <see cref="EmbeddingAlgorithm.Auto"/>, the one it chose).</summary>
    public EmbeddingAlgorithm Algorithm { get; init; } = EmbeddingAlgorithm.NegativeSampling;

    /// <summary>The settings that produced the vectors, in words (for Auto, the chosen trial).</summary>
    public string Settings { get; init; } = "";

    /// <summary>
    /// The implicit-ALS objective that produced the vectors (a copy), when <see cref="Algorithm"/> is
    /// <see cref="EmbeddingAlgorithm.ImplicitAls"/>; null otherwise. Fold-ins that must match the embeddings, such as
    /// <see cref="HistoryInterestOptions.FromAls"/>, read it.
    /// </summary>
    public ImplicitAlsOptions? Als { get; init; }

    /// <summary>Validation measurements, in the order taken (empty when no validation hold-out was used).</summary>
    public IReadOnlyList<ValidationPoint> Validation { get; init; } = [];

    /// <summary>
    /// The components of a <see cref="EmbeddingAlgorithm.MixtureEmbedding"/> model (null for single-vector algorithms). Then
    /// <see cref="UserEmbeddings"/> and <see cref="ItemEmbeddings"/> hold each entity's mean component.
    /// </summary>
    public MixtureEmbeddingResult? Mixture { get; init; }

    /// <summary>The seeds and settings of a <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> model, to compute interests of new histories (null otherwise).</summary>
    public DcmModel? Dcm { get; init; }

    /// <summary>
    /// The encoder, prompts, clustering and intent model of a <see cref="EmbeddingAlgorithm.DivideConquer"/> model (null
    /// otherwise). Then <see cref="UserEmbeddings"/> holds <see cref="DivideConquerModel.UserQueries"/> of the training graph.
    /// </summary>
    public DivideConquerModel? DivideConquer { get; init; }

    /// <summary>
    /// For <see cref="EmbeddingAlgorithm.Auto"/>, the concrete options of the final fit it chose (algorithm, dimension,
    /// objective, iterations; no validation fraction), so the same fit can be repeated on other edges, such as a
    /// validation hold-out (<see cref="HistoryMmrLambdaSelection"/>); null for other algorithms, whose options are the given ones.
    /// </summary>
    public GraphEmbeddingOptions? ChosenOptions { get; init; }

    /// <summary>
    /// For <see cref="EmbeddingAlgorithm.Auto"/> with <see cref="GraphEmbeddingOptions.KeepHoldout"/>: the validation hold-out
    /// it chose on and the chosen trial's vectors fitted without it; null otherwise.
    /// </summary>
    public ValidationHoldout? Holdout { get => _holdout; init => _holdout = value; }

    private ValidationHoldout? _holdout;

    /// <summary>
    /// The same result without <see cref="Holdout"/> (a shallow copy), so that the hold-out's tables can be collected once
    /// the settings chosen on it are known.
    /// </summary>
    /// <returns>A new shallow copy with no hold-out.</returns>
    public GraphEmbeddingResult WithoutHoldout()
    {
        var copy = (GraphEmbeddingResult)MemberwiseClone();
        copy._holdout = null;
        return copy;
    }

    /// <summary>Seconds spent choosing (validation fits and scoring) before the final fit; 0 without validation.</summary>
    public double SelectionSeconds { get; init; }
}
