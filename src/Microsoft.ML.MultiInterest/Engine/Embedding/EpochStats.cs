namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>What one training pass did: an epoch of the SGD trainers, an iteration of implicit ALS.</summary>
/// <param name="Epoch">1-based number of the pass (the epoch or the iteration).</param>
/// <param name="MeanLoss">Loss summed over the epoch's edges (weighted), divided by the number of edges.</param>
/// <param name="Seconds">Wall-clock duration of the epoch.</param>
/// <param name="EdgesPerSecond">Positive edges processed per second.</param>
public sealed record EpochStats(int Epoch, double MeanLoss, double Seconds, double EdgesPerSecond);
