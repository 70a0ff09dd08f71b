using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>fit --divide-conquer</c>: the embedding trained by Kuaishou's divide-and-conquer model (the <c>--dc-*</c> settings of
/// evaluate's row) instead of <c>--algorithm</c>, for the retrievers that serve its new users by the model itself:
/// <c>--retriever quota</c> (the model's K clusters, kNN-Embed mixtures for the trained users, a new user's mixture by the
/// model's intent quotas and per-cluster queries), <c>--retriever unimodal</c>, <c>--retriever mmr</c> and
/// <c>--retriever conditional</c> (a new user's vector by the fold-in fitted to the encoder's queries, or with
/// <c>--history-vector encoder</c> the encoder's query; MMR's interest term and a merged conditional stage's implicit
/// components over the model's clusters). All save and export to ONNX with the model's history encoder where they read by it.
/// </summary>
internal static class FitDivideConquer
{
    /// <summary>The help of <c>--divide-conquer</c> and <c>--dc-clusters</c> as fit reads them (evaluate's describe its row).</summary>
    public static void Describe(DivideConquerFlags.Flags flags)
    {
        flags.On.Description = "Train the embedding by Kuaishou's divide-and-conquer model (prompted history encoder, within-cluster negatives; the --dc-* settings) "
            + "instead of --algorithm, for --retriever quota (its clusters, a new user's mixture by its intent quotas), unimodal, mmr or conditional.";
        flags.Clusters.Description = $"Divide-and-conquer: the model's item clusters K (fit; 0 = {DivideConquerDefaults.Clusters}); evaluate: re-cluster the run's item vectors into N (0 = the run's --clusters).";
        flags.Alpha.Description = "Divide-and-conquer: quota exponent alpha of evaluate's row (fit's quota stage takes --alpha).";
    }

    /// <summary>
    /// The model's training options with <c>--divide-conquer</c>, else null; refuses (usage errors) what such a fit does not
    /// read: another retriever, the single vector's options (<paramref name="singleVector"/>), <paramref name="clusters"/>
    /// (the clusters are the model's), <c>--dc-alpha</c>, and the <c>--dc-*</c> options without the flag.
    /// </summary>
    public static GraphEmbeddingOptions? Read(ParseResult r, DivideConquerFlags.Flags flags, FitRetriever stage, IEnumerable<Option> singleVector, Option clusters,
        int seed, int threads)
    {
        var row = flags.Read(r, seed, threads);
        if (row == null)
        {
            if (flags.All.FirstOrDefault(r.Given) is { } stray)
                throw new UsageException($"{stray.Name} sets the divide-and-conquer model of --divide-conquer, which this fit does not train: add --divide-conquer, or leave it out.");
            return null;
        }
        if (stage is not (FitRetriever.Quota or FitRetriever.Unimodal or FitRetriever.Mmr or FitRetriever.Conditional))
            throw new UsageException("--divide-conquer trains the vectors of --retriever quota, unimodal, mmr or conditional (the stages that serve its new users by the model): "
                + "add one, or leave it out.");
        if (singleVector.FirstOrDefault(r.Given) is { } vector)
            throw new UsageException($"{vector.Name} sets the single vector of --algorithm, which --divide-conquer trains instead: leave it out (the --dc-* options set the model).");
        if (r.Given(clusters))
            throw new UsageException($"{clusters.Name}: with --divide-conquer the item clusters (the quota stage's, multi-interest MMR's, a merged conditional stage's) are the model's own, which --dc-clusters sets: use it instead.");
        if (r.Given(flags.Alpha))
            throw new UsageException($"{flags.Alpha.Name} sets evaluate's divide-and-conquer row: fit's quota stage takes --alpha.");
        var options = row.Options;
        options.DivideConquer.Clusters = row.Clusters > 0 ? row.Clusters : DivideConquerDefaults.Clusters;
        return options;
    }
}
