namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The step size of the SGD trainers at a point of the run, in one place for every chunk worker.</summary>
internal static class LearningRateSchedule
{
    /// <summary>
    /// <see cref="GraphEmbeddingOptions.LearningRate"/>; for <see cref="EmbeddingOptimizer.Sgd"/> decayed linearly over the
    /// whole run and floored so that the last steps still move (Adagrad scales its steps itself).
    /// </summary>
    /// <param name="o">Rate, optimiser and epochs.</param>
    /// <param name="epoch">0-based epoch.</param>
    /// <param name="done">Edges of this worker's slice already trained in this epoch.</param>
    /// <param name="slice">Edges in this worker's slice.</param>
    public static float At(GraphEmbeddingOptions o, int epoch, int done, int slice)
    {
        float lr = o.LearningRate;
        if (o.Optimizer != EmbeddingOptimizer.Sgd) return lr;
        double progress = (epoch + (double)done / slice) / o.Epochs;
        return lr * (float)Math.Max(1e-4, 1.0 - progress);
    }
}
