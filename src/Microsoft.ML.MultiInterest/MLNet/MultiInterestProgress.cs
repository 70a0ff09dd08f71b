namespace Microsoft.ML.MultiInterest;

/// <summary>One progress report of a fitting stage.</summary>
/// <param name="Stage">The estimator reporting (e.g. <c>GraphEmbeddingTrainer</c>).</param>
/// <param name="Message">What was done, as written to <c>MLContext.Log</c>.</param>
/// <param name="Completed">Units done so far (epochs, iterations, steps or users).</param>
/// <param name="Total">Units in all; 0 when not known in advance (an early-stopped or validated run).</param>
public sealed record MultiInterestProgress(string Stage, string Message, int Completed, int Total);
