using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Embedding;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// evaluate's embedding stage is heard from during Auto's selection: each validation measurement is a line, as the ML.NET
/// trainer logs it (the stage's sink took epochs only, so a selection of many minutes printed nothing until its end).
/// </summary>
public sealed class EmbeddingProgressTests
{
    [Fact]
    public void Autos_validation_measurements_are_printed_as_they_are_made()
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var progress = new PlainProgress(output, error);
        var options = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, Threads = 1, Seed = 1, ValidationCutoff = 10 };
        GraphEmbeddingResult fit;
        using (var stage = progress.Begin("Training embeddings: algorithm auto..."))
            fit = GraphEmbeddingTrainerEngine.Fit(PlantedGraph.Create().Train, options, stage.Epochs(options.ValidationCutoff));
        string printed = output.ToString() + error.ToString();
        Assert.NotEmpty(fit.Validation);
        // One line per measurement the fit recorded, in order, with its candidate and figures.
        for (int m = 0; m < fit.Validation.Count; m++)
        {
            var point = fit.Validation[m];
            Assert.Contains(FormattableString.Invariant($"  validation measurement {m + 1}: {point.Candidate}, Recall@10 {point.Recall:F4}, NDCG@10 {point.Ndcg:F4}"),
                printed, StringComparison.Ordinal);
        }
    }
}
