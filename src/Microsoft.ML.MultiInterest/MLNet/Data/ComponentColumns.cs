using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The names of the three columns a learned multi-vector <see cref="GraphEmbeddingTransformer"/> appends.</summary>
internal sealed record ComponentColumns(string User, string Weights, string Item)
{
    /// <summary>The names an options object chose.</summary>
    public static ComponentColumns Of(GraphEmbeddingTrainer.Options o) => new(o.UserComponentsColumnName, o.UserComponentWeightsColumnName, o.ItemComponentsColumnName);

    /// <summary>Whether <paramref name="algorithm"/> learns several vectors per user, so the component columns are appended.</summary>
    public static bool AreAppendedBy(EmbeddingAlgorithm algorithm) =>
        algorithm is EmbeddingAlgorithm.MixtureEmbedding or EmbeddingAlgorithm.DifferentiableClustering;
}
