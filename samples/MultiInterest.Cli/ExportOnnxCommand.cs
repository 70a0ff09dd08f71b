using Microsoft.ML;
using Microsoft.ML.MultiInterest;

namespace MultiInterest.Cli;

/// <summary><c>export-onnx</c>: the ONNX serving graphs of a saved model, runnable by ONNX Runtime without this library.</summary>
internal static class ExportOnnxCommand
{
    public static int Run(CommandLine cl, TextWriter log)
    {
        string modelPath = cl.RequiredString("model"), outDirectory = cl.RequiredString("out");
        cl.RejectUnknown();
        var model = MultiInterestModel.Load(new MLContext(seed: 1), modelPath);
        var manifest = model.ExportOnnx(outDirectory);
        log.WriteLine($"Exported M={manifest.Candidates}, alpha={manifest.Alpha}, {manifest.Users:N0} users, {manifest.Items:N0} items, {manifest.Clusters:N0} clusters to {outDirectory}:");
        foreach (var file in new DirectoryInfo(outDirectory).GetFiles().OrderBy(f => f.Name))
            log.WriteLine($"  {file.Name,-22} {file.Length / 1e6,8:F1} MB");
        return 0;
    }
}
