using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.OnnxRuntime;
using static Microsoft.ML.MultiInterest.Onnx.MixtureOnnxExporter;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>What opening a serving directory refuses: a batch size below 1, and a directory whose graphs lack what the scorer reads.</summary>
public sealed partial class OnnxCandidateScorer
{
    /// <summary>Refuses a batch size below 1, before a scorer reads its directory.</summary>
    internal static void RequireBatchSize(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
    }

    /// <summary>Refuses a directory exported before the scorers had the candidate outputs the exact re-ranking reads.</summary>
    private static void CheckCandidateOutputs(OnnxServingManifest manifest, string directory)
    {
        bool quota = manifest.Retrieval != OnnxServingManifest.UnimodalRetrieval;
        if (manifest.CandidateSlack < 1 || (quota && !manifest.QuotaScorer.Outputs.Contains(ComponentCandidateRowsOutput))
            || (quota && !manifest.QuotaScorer.Outputs.Contains(FallbackCandidateRowsOutput)) || !manifest.UnimodalScorer.Outputs.Contains(UnimodalOnnxExporter.CandidateRowsOutput))
            throw new InvalidDataException($"The ONNX serving directory '{directory}' was exported without the scorers' candidate outputs "
                + $"({ComponentCandidateRowsOutput}, {UnimodalOnnxExporter.CandidateRowsOutput}), which serving the engine's exact lists needs; export it again "
                + "(OnnxServingDirectory.Export, MultiInterestModel.ExportOnnx or multiinterest export-onnx).");
    }

    /// <summary>
    /// Refuses a manifest whose list length, slack or catalogue do not give the candidate counts its graphs' TopK nodes keep
    /// (an edited "candidates"): a call would otherwise fail deep inside with a message that names nothing.
    /// </summary>
    private static void CheckCandidateCounts(OnnxServingManifest manifest, string directory, bool unimodalOnly)
    {
        int catalogue = UnimodalOnnxExporter.CandidateCount(manifest.Candidates, manifest.Items, manifest.CandidateSlack);
        var counts = new List<(OnnxServingGraph Graph, string Name, int Expected)> { (manifest.UnimodalScorer, UnimodalOnnxExporter.CandidateCountName, catalogue) };
        if (manifest.VectorScorer != null) counts.Add((manifest.VectorScorer, UnimodalOnnxExporter.CandidateCountName, catalogue));
        if (!unimodalOnly)
        {
            counts.Add((manifest.QuotaScorer, QuotaScorerGraph.FallbackCandidateCountName, catalogue));
            counts.Add((manifest.QuotaScorer, QuotaScorerGraph.ComponentCandidateCountName,
                QuotaScorerGraph.CandidatesPerComponent(manifest.Candidates, manifest.LargestCluster, manifest.CandidateSlack)));
        }
        foreach (var (graph, name, expected) in counts)
        {
            string path = Path.Combine(directory, graph.File);
            if (!OnnxVerifiedOpening.Exists(path)) continue; // opening the sessions names the missing file
            long kept = ((long[])OnnxInitializerFile.Read(path, (name, Proto.TensorProto.Types.DataType.Int64))[name].Values)[0];
            if (kept != expected)
                throw new InvalidDataException($"'{path}' keeps {kept} candidates per user (initializer '{name}'), but the manifest of '{directory}' "
                    + $"(candidates {manifest.Candidates}, candidate_slack {manifest.CandidateSlack}, {manifest.Items} items, largest cluster {manifest.LargestCluster}) "
                    + $"gives {expected}: the manifest does not match its graphs (was it edited?). Export the directory again.");
        }
    }

    /// <summary>
    /// Refuses a manifest whose component count (m) is not the one the quota scorer's graph takes (an edited "components"):
    /// it opened, and then every call failed inside ONNX Runtime ("invalid dimensions"), in the re-ranking ("Destination is
    /// too short") or with an overflow.
    /// </summary>
    private static void CheckComponents(OnnxServingManifest manifest, string directory, InferenceSession quotaScorer)
    {
        if (!quotaScorer.InputMetadata.TryGetValue(MixtureClustersName, out var input) || input.Dimensions.Length != 2 || input.Dimensions[1] < 1) return;
        if (input.Dimensions[1] != manifest.Components)
            throw new InvalidDataException($"'{Path.Combine(directory, manifest.QuotaScorer.File)}' takes {input.Dimensions[1]} mixture components per user (input "
                + $"'{MixtureClustersName}'), but the manifest of '{directory}' says components {manifest.Components}: the manifest does not match its graphs "
                + "(was it edited?). Export the directory again.");
    }

    internal static void CheckNames(InferenceSession session, OnnxServingGraph graph, string directory)
    {
        foreach (string name in graph.Inputs)
        {
            if (!session.InputMetadata.ContainsKey(name))
                throw new InvalidDataException($"'{Path.Combine(directory, graph.File)}' has no input '{name}' although the manifest lists it.");
        }
        foreach (string name in graph.Outputs)
        {
            if (!session.OutputMetadata.ContainsKey(name))
                throw new InvalidDataException($"'{Path.Combine(directory, graph.File)}' has no output '{name}' although the manifest lists it.");
        }
    }
}
