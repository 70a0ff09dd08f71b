using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The kNN-Embed stages' options after the embedding (<c>--clusters --iterations --components --neighbors --lambda
/// --alpha</c>), shared by <c>reproduce</c>, <c>evaluate</c>, <c>fit</c> and <c>sweep</c>; defaults from the library.
/// </summary>
internal sealed class PipelineFlags
{
    public CliOption<int> Clusters { get; } = Opt.Int("--clusters", SphericalKMeansDefaults.NumberOfClusters,
        "Spherical k-means clusters of the items (unless given, capped at one per 10 items on small catalogues).", min: 1);

    public CliOption<int> Iterations { get; } = Opt.Int("--iterations", SphericalKMeansDefaults.MaxIterations, "Spherical k-means iterations.", min: 1);

    public CliOption<int> Components { get; } = Opt.Int("--components", KnnSmoothedMixtureDefaults.Components, "m: mixture components per user.", min: 1);

    public CliOption<int> Neighbors { get; } = Opt.Int("--neighbors", KnnSmoothedMixtureDefaults.Neighbors, "k: neighbours that smooth each user's mixture.", min: 1);

    public CliOption<double> Lambda { get; } = Opt.Double("--lambda", KnnSmoothedMixtureDefaults.Lambda, "Smoothing weight (Jelinek-Mercer; 1 = the user's own mixture).", min: 0, max: 1);

    public CliOption<double> Alpha { get; } = Opt.Double("--alpha", ClusterQuotaRetrieverDefaults.Alpha, "Quota exponent: quota proportional to p^alpha.", min: 0);

    /// <summary>Every option of the group.</summary>
    public IReadOnlyList<Option> All => [Clusters, Iterations, Components, Neighbors, Lambda, Alpha];

    /// <summary>The k-means options (tolerance 0: every iteration runs, as the paper's setting does).</summary>
    public SphericalKMeansOptions Clustering(ParseResult r, int seed, int threads) => new()
    {
        Clusters = r.Value(Clusters),
        MaxIterations = r.Value(Iterations),
        Tolerance = 0,
        Seed = seed,
        Threads = threads,
    };
}
