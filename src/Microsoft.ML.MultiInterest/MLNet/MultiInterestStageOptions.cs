namespace Microsoft.ML.MultiInterest;

/// <summary>
/// What every stage's options share: where Fit reports its progress and how it is cancelled. Each estimator's own
/// options (<see cref="GraphEmbeddingTrainer.Options"/>, <see cref="SphericalKMeansTrainer.Options"/>,
/// <see cref="KnnSmoothedMixtureEstimator.Options"/>, the <see cref="RetrieverOptions"/>) derive from it.
/// </summary>
public abstract class MultiInterestStageOptions
{
    /// <summary>
    /// Receives the stage's progress during Fit (embedding epochs, or the start and end of an embedding whose epochs are not
    /// known in advance, such as Auto's selection or a factorisation; k-means iterations, the mixture steps, retrieval in
    /// blocks of users); the same messages go to <c>MLContext.Log</c>. Called synchronously on a fitting thread, so keep it short.
    /// Default null (the log only).
    /// </summary>
    public IProgress<MultiInterestProgress>? Progress;

    /// <summary>
    /// Stops Fit, which then throws <see cref="OperationCanceledException"/>. Checked between epochs or chunks of edges, k-means
    /// blocks, the mixture steps and blocks of users, so a cancelled Fit returns within one such unit of work. Default: none.
    /// </summary>
    public CancellationToken CancellationToken;

    /// <summary>
    /// A copy taken when an estimator is made, then checked: the estimator fits with these values, so changing the options
    /// object afterwards changes no estimator made from it (and cannot slip past its checks). Arrays of names and weights
    /// and nested option objects are copied; tables of data the options carry (initial centroids or vectors, item
    /// clusters, sequences) are shared, not copied, and are read at Fit.
    /// </summary>
    internal TOptions Snapshot<TOptions>() where TOptions : MultiInterestStageOptions
    {
        var copy = (TOptions)MemberwiseClone();
        copy.CopyReferences();
        return copy;
    }

    /// <summary>Replaces the copy's arrays and nested option objects by copies of their own (a field-by-field copy shares them).</summary>
    private protected virtual void CopyReferences()
    {
    }
}
