namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The update rule of <see cref="GraphEmbeddingTrainerEngine"/>.</summary>
public enum EmbeddingOptimizer
{
    /// <summary>
    /// Row-wise Adagrad as in PyTorch-BigGraph: one accumulator per embedding row holding the running sum of the
    /// mean squared gradient; the step is <c>lr · g / (sqrt(acc) + ε)</c>. One scalar per row instead of one per
    /// coordinate saves memory and lets popular rows slow down as a whole.
    /// </summary>
    Adagrad = 0,

    /// <summary>Plain stochastic gradient descent whose learning rate decays linearly to (almost) zero over training.</summary>
    Sgd = 1,
}
