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

    /// <summary>
    /// Relative improvement of the objective below which the iterations stop: 1e-4, the library's (<see cref="SphericalKMeansOptions"/>,
    /// <see cref="SphericalKMeansTrainer.Options"/>, the catalog's <c>SphericalKMeans</c>).
    /// </summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// The tolerance of the protocol's runs: 0, so every one of <see cref="MaxIterations"/> iterations runs unless a fixed
    /// point comes first (the paper's 20 iterations). The command-line tools (<c>--kmeans-tolerance</c>) and
    /// <see cref="SweepSettings.Clustering"/> start from it, so that their figures do not depend on when the objective
    /// flattens; a pipeline built with <see cref="Tolerance"/> may stop earlier and cluster differently.
    /// </summary>
    public const double ProtocolTolerance = 0;

    /// <summary>Seed of the k-means++ initialisation: 0.</summary>
    public const int Seed = 0;
}
