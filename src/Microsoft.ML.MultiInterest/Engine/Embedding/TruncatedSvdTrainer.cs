using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary><see cref="EmbeddingAlgorithm.TruncatedSvd"/>: one randomized SVD at <see cref="GraphEmbeddingOptions.Dimension"/>.</summary>
internal static class TruncatedSvdTrainer
{
    /// <summary>Factorises <paramref name="graph"/> with <c>o.Svd</c> at rank <c>o.Dimension</c>; deterministic for a seed, whatever the thread count.</summary>
    public static GraphEmbeddingResult Fit(BipartiteGraph graph, GraphEmbeddingOptions o, int threads, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var factors = SpectralFactors.Compute(graph, o.Dimension, o.Svd, o.Seed, threads, ct);
        var (users, items) = factors.Embed(o.Dimension, o.Svd.SpectralExponent, o.Svd.ItemDegreeExponent);
        double seconds = clock.Elapsed.TotalSeconds;
        return new GraphEmbeddingResult(users, items, [new EpochStats(1, double.NaN, seconds, graph.EdgeCount / Math.Max(seconds, 1e-9))])
        {
            Algorithm = EmbeddingAlgorithm.TruncatedSvd,
            Settings = Describe(o.Dimension, o.Svd),
        };
    }

    /// <summary>The settings in words, for reports.</summary>
    public static string Describe(int rank, TruncatedSvdOptions s) => InvariantText.Of(() =>
        $"truncated-svd d={rank} a={s.DegreeNormalization:G3} s={s.DegreeSmoothing:G3} gamma={s.SpectralExponent:G3} c={s.ItemDegreeExponent:G3}"
        + (s.Oversampling == TruncatedSvdDefaults.Oversampling ? "" : $" sketch={rank + s.Oversampling}")
        + (s.PowerIterations == TruncatedSvdDefaults.PowerIterations ? "" : $" q={s.PowerIterations}"));
}
