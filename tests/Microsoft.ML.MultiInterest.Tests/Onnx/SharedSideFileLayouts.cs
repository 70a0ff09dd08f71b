using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// What the tests of shared side files (<see cref="OnnxSharedItemSideFileTests"/>, <see cref="OnnxSharedQuotaTablesTests"/>)
/// do alike: export a model with side files in the layout of this build and in the layout before tables were shared, read
/// where each table of a graph lies, and harm a side file.
/// </summary>
internal static class SharedSideFileLayouts
{
    /// <summary>
    /// Exports <paramref name="model"/> with external data forced (small tables included) into <paramref name="external"/>,
    /// and into <paramref name="separate"/> as exports did before tables were shared (each graph its own side file).
    /// </summary>
    public static void Export(MultiInterestModel model, string external, string separate)
    {
        using (ExternalDataPolicy.LowerMinTableForTests(64))
        {
            model.ExportOnnx(external, externalData: OnnxExternalData.Always);
            using (ExternalDataPolicy.SeparateSideFilesForTests())
                model.ExportOnnx(separate, externalData: OnnxExternalData.Always);
        }
    }

    /// <summary>Where each table of <paramref name="graph"/> kept in external data lies, by initializer name.</summary>
    public static Dictionary<string, OnnxExternalTable> ExternalTables(string graph) =>
        OnnxInitializerFile.ExternalTables(File.ReadAllBytes(graph), graph).ToDictionary(t => t.Name, t => t.Table);

    /// <summary>Harms the side file <paramref name="path"/>: "damaged" flips its last bit, "cut" drops its last 4 bytes, "removed" deletes it.</summary>
    public static void Harm(string path, string harm)
    {
        byte[] bytes = File.ReadAllBytes(path);
        switch (harm)
        {
            case "damaged": bytes[^1] ^= 1; File.WriteAllBytes(path, bytes); break;
            case "cut": File.WriteAllBytes(path, bytes[..^4]); break;
            case "removed": File.Delete(path); break;
            default: throw new ArgumentOutOfRangeException(nameof(harm), harm, null);
        }
    }
}
