using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>The kNN-Embed paper's figures for its citation graph (Tables 1-3), for side-by-side display.</summary>
internal static class PaperReference
{
    public static readonly IReadOnlyDictionary<string, (double[] Recall, double[] Diversity, double Emd)> Rows =
        new Dictionary<string, (double[], double[], double)>
        {
            [ProtocolEvaluator.UnimodalName] = ([0.200, 0.300, 0.457], [0.49, 0.54, 0.61], 0.897),
            ["mixture"] = ([0.227, 0.334, 0.493], [0.58, 0.63, 0.68], 0.838),
            ["knn_embed"] = ([0.258, 0.374, 0.525], [0.54, 0.60, 0.66], 0.811),
        };

    public static readonly int[] Cutoffs = [10, 20, 50];
}
