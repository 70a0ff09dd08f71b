namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One candidate measured by <see cref="AutoEmbedding"/>: its validation figure, how to rebuild its validation
/// vectors, and how to configure its final fit on all training edges.</summary>
internal sealed record AutoTrial(string Name, int Dimension, double Recall, Func<(EmbeddingMatrix Users, EmbeddingMatrix Items)> Vectors,
    Action<GraphEmbeddingOptions> Configure);
