using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>A directory's divide-and-conquer history encoder and the fresh histories' own quota scorer, read and checked at opening.</summary>
public sealed partial class OnnxCandidateScorer
{
    /// <summary>
    /// A directory's divide-and-conquer model, read back from its history encoder (<see cref="DivideConquerGraphTables"/>); where
    /// it builds fresh histories' mixtures (<paramref name="mixture"/>) its clusters must be the ones the quota scorer groups the
    /// items by, since its mixtures name them.
    /// </summary>
    private static DivideConquerModel ReadHistoryModel(string directory, OnnxServingGraph history, OnnxServingManifest manifest, OnnxRerankTables tables, bool mixture,
        bool ownScorer)
    {
        string path = Path.Combine(directory, history.File);
        var model = DivideConquerGraphTables.Read(path, manifest, tables.Items, mixture, ownScorer);
        if (!mixture) return model;
        for (int i = 0; i < manifest.Items; i++)
            if (model.Clustering.ClusterOf(i) != tables.Clustering.ClusterOf(i))
                throw new InvalidDataException($"'{path}' places item row {i} in cluster {model.Clustering.ClusterOf(i)}, the quota scorer in cluster "
                    + $"{tables.Clustering.ClusterOf(i)}: the two graphs come from different exports. Export the directory again.");
        return model;
    }

    /// <summary>The fresh histories' quota scorer must take exactly the model's m components, which their mixtures are padded to.</summary>
    private static void CheckHistoryComponents(OnnxServingManifest manifest, string directory, InferenceSession scorer, DivideConquerModel model)
    {
        var dimensions = scorer.InputMetadata.TryGetValue(MixtureClustersName, out var input) ? input.Dimensions : [];
        if (dimensions.Length != 2 || dimensions[1] != model.Components)
            throw new InvalidDataException($"'{Path.Combine(directory, manifest.HistoryQuotaScorer!.File)}' takes [{string.Join(", ", dimensions)}] mixture components "
                + $"(input '{MixtureClustersName}'), but the history encoder's model gives {model.Components}: the two graphs come from different exports. Export the directory again.");
    }
}
