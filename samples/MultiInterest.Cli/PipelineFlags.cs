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

    public CliOption<double> Tolerance { get; } = Opt.Double("--kmeans-tolerance", SphericalKMeansDefaults.ProtocolTolerance,
        $"Spherical k-means: stop once an iteration improves the objective by less than this share (0 = run every iteration, the protocol's; the library's pipelines default to {SphericalKMeansDefaults.Tolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)}, which the learned-mixture rows' and divide-and-conquer's own item clusterings keep whatever this says).", min: 0);

    public CliOption<int> Components { get; } = Opt.Int("--components", KnnSmoothedMixtureDefaults.Components, "m: mixture components per user.", min: 1);

    public CliOption<int> Neighbors { get; } = Opt.Int("--neighbors", KnnSmoothedMixtureDefaults.Neighbors, "k: neighbours that smooth each user's mixture.", min: 1);

    public CliOption<double> Lambda { get; } = Opt.Double("--lambda", KnnSmoothedMixtureDefaults.Lambda, "Smoothing weight (Jelinek-Mercer): the neighbours' share of each mixture; 0 = the user's own, unsmoothed (the Mixture row).", min: 0, max: 1);

    public CliOption<double> Alpha { get; } = Opt.Double("--alpha", ClusterQuotaRetrieverDefaults.Alpha, "Quota exponent: quota proportional to p^alpha.", min: 0);

    /// <summary>Every option of the group.</summary>
    public IReadOnlyList<Option> All => [Clusters, Iterations, Tolerance, Components, Neighbors, Lambda, Alpha];

    /// <summary>
    /// <c>fit</c>'s quota stage beyond alpha (<c>--query --beta --head-share</c>), with the library's defaults; <c>evaluate</c>
    /// and <c>reproduce</c> have flags of the same names for their tuned row instead (<see cref="TunedRowFlags"/>).
    /// </summary>
    internal sealed class QuotaStage
    {
        public CliOption<QuotaQuery> Query { get; } = Opt.Choice("--query", ClusterQuotaRetrieverDefaults.Query, q => q.ToString().ToLowerInvariant(),
            "The quota stage: the query inside a cluster (component = the paper's u^c, user = the user's own vector, blend).");

        public CliOption<double> Beta { get; } = Opt.Double("--beta", ClusterQuotaRetrieverDefaults.Beta, "The quota stage: the user vector's weight in the blend query.", min: 0);

        public CliOption<double> HeadShare { get; } = Opt.Double("--head-share", ClusterQuotaRetrieverDefaults.HeadShare,
            "The quota stage: share of each list taken by the unimodal head before the quotas (0 = none, 1 = the unimodal list).", min: 0, max: 1);

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All => [Query, Beta, HeadShare];

        /// <summary>The given flags among <see cref="All"/>, for a refusal where the stage is not the quota stage.</summary>
        public IEnumerable<string> Given(ParseResult r) => All.Where(r.Given).Select(o => o.Name);
    }

    /// <summary>The k-means options (by default tolerance 0: every iteration runs, as the paper's setting does).</summary>
    public SphericalKMeansOptions Clustering(ParseResult r, int seed, int threads) => new()
    {
        Clusters = r.Value(Clusters),
        MaxIterations = r.Value(Iterations),
        Tolerance = r.Value(Tolerance),
        Seed = seed,
        Threads = threads,
    };
}
