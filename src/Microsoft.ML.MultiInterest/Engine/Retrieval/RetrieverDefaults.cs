namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The defaults of the options every retriever shares (<see cref="RetrieverOptions"/>), in one place.</summary>
public static class RetrieverDefaults
{
    /// <summary>How a new user's history becomes its vector: <see cref="HistoryVector.Auto"/> (the fold-in on ALS vectors, else the mean).</summary>
    public const HistoryVector HistoryVector = Engine.HistoryVector.Auto;
}
