namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Entry point of the multi-interest retrieval components, reached as <c>mlContext.MultiInterest()</c>, like
/// ML.NET's <c>mlContext.Recommendation()</c>. The estimators and the evaluator are defined in partial files.
/// </summary>
public sealed partial class MultiInterestCatalog
{
    internal MultiInterestCatalog(MLContext context)
    {
        Context = context;
    }

    /// <summary>The ML.NET context the components log to and take their environment from.</summary>
    public MLContext Context { get; }
}

/// <summary>Extension methods that hang the <see cref="MultiInterestCatalog"/> off an <see cref="MLContext"/>.</summary>
public static class MultiInterestCatalogExtensions
{
    /// <summary>The multi-interest retrieval catalog of <paramref name="mlContext"/>.</summary>
    /// <param name="mlContext">The context whose logging, random seed and environment the catalog's estimators use; not null.</param>
    /// <returns>A new catalog over <paramref name="mlContext"/> (cheap: call it wherever needed).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mlContext"/> is null.</exception>
    public static MultiInterestCatalog MultiInterest(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new MultiInterestCatalog(mlContext);
    }
}
