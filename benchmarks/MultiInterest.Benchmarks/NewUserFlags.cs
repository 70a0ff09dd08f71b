using System.CommandLine;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// The options the new-user benchmarks (<c>new-user-history</c>, <c>new-user-onnx</c>) share: the train/test pair, the share
/// of users left out of the fit, and the divide-and-conquer model's dimension, epochs, clusters, list length and seed.
/// </summary>
internal sealed class NewUserFlags(double newShare)
{
    public CliOption<string?> Train { get; } = Opt.InputFile("--train", "Training edges (user<TAB>item, header line, .gz allowed).", required: true);

    public CliOption<string?> Test { get; } = Opt.InputFile("--test", "Test edges, same format.", required: true);

    public CliOption<double> Share { get; } = Opt.Double("--new-share", newShare, "Share of the (sampled) users with test edges left out of the fit and served from their history.", 0.001, 1);

    public CliOption<int> Dim { get; } = BenchOpt.Count("--dim", 64, "Embedding dimension.", min: 1);

    public CliOption<int> Epochs { get; } = BenchOpt.Count("--epochs", 10, "Divide-and-conquer epochs.", min: 1);

    public CliOption<int> Clusters { get; } = BenchOpt.Count("--clusters", 20, "Item clusters K.", min: 1);

    public CliOption<int> Candidates { get; } = BenchOpt.Count("--candidates", 50, "M, the list length (Recall@M).", min: 1);

    public CliOption<int> Seed { get; } = BenchOpt.Count("--seed", 1, "Seed of the sample, the split and the fit.");

    /// <summary>Every option of the group.</summary>
    public IReadOnlyList<Option> All => [Train, Test, Share, Dim, Epochs, Clusters, Candidates, Seed];

    /// <summary>The divide-and-conquer model these options set (one thread); the command adds its own settings.</summary>
    public GraphEmbeddingTrainer.Options Model(ParseResult r) => new()
    {
        Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = r.Value(Dim), Epochs = r.Value(Epochs), Threads = 1, Seed = r.Value(Seed),
        DivideConquer = new DivideConquerOptions { Clusters = r.Value(Clusters) },
    };
}
