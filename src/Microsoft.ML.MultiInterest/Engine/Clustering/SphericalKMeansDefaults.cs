namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of spherical k-means, in one place: <see cref="SphericalKMeansOptions"/>,
/// <see cref="SphericalKMeansTrainer.Options"/>, the catalog's <c>SphericalKMeans</c> parameters and the command-line
/// tools all start from these values (as ML.NET's <c>KMeansTrainer.Defaults</c>).
/// </summary>
public static class SphericalKMeansDefaults
{
    /// <summary>
    /// Number of clusters of the ML.NET trainer and the command-line tools: 2000 (the paper's for cit-HepPh).
    /// <see cref="SphericalKMeansOptions.Clusters"/> has no default and must be set.
    /// </summary>
    public const int NumberOfClusters = 2000;

    /// <summary>Maximum Lloyd iterations: 20.</summary>
    public const int MaxIterations = 20;

    /// <summary>Relative improvement of the objective below which the iterations stop: 1e-4.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Seed of the k-means++ initialisation: 0.</summary>
    public const int Seed = 0;
}
