namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The representation of each test user the goodness of fit is computed on: for a mixture its positive-weight
/// components (m' x d floats) and their weights; for the unimodal case the user embedding (d floats).
/// </summary>
internal sealed class UserRepresentations
{
    public UserRepresentations(UserRepresentation kind, float[][] points, double[][]? weights)
    {
        Kind = kind;
        Points = points;
        Weights = weights;
    }

    /// <summary><see cref="UserRepresentation.Mixture"/> or <see cref="UserRepresentation.Unimodal"/>.</summary>
    public UserRepresentation Kind { get; }

    /// <summary>Per test user: the component embeddings (mixture) or the user embedding (unimodal).</summary>
    public float[][] Points { get; }

    /// <summary>Per test user: the component weights (mixture); null for the unimodal case.</summary>
    public double[][]? Weights { get; }
}
