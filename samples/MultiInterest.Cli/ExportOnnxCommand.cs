using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary><c>export-onnx</c>: the ONNX serving graphs of a saved model, runnable by ONNX Runtime without this library.</summary>
internal static class ExportOnnxCommand
{
    public static Command Create(CliConsole console)
    {
        var model = Opt.Path("--model", "The model zip (fit or sweep).", "model.zip", required: true);
        var output = Opt.Path("--out", "Directory for encoder.onnx, quota_scorer.onnx, unimodal_scorer.onnx (round robin: round_robin_scorer.onnx, and for DCM history_encoder.onnx), manifest.json and the row -> id files.", "DIR", required: true);
        var command = new Command("export-onnx", "Writes the ONNX serving graphs of a saved model and the files that map rows to ids.") { model, output };
        command.SetAction(r => Run(r.Value(model)!, r.Value(output)!, console.Out));
        return command;
    }

    private static int Run(string modelPath, string outDirectory, TextWriter log)
    {
        using var model = MultiInterestModel.Load(new MLContext(seed: 1), modelPath);
        var manifest = model.ExportOnnx(outDirectory);
        log.WriteLine($"Exported M={manifest.Candidates}, alpha={manifest.Alpha}, {manifest.Users:N0} users, {manifest.Items:N0} items, {manifest.Clusters:N0} clusters to {outDirectory}:");
        foreach (var file in new DirectoryInfo(outDirectory).GetFiles().OrderBy(f => f.Name))
            log.WriteLine($"  {file.Name,-22} {file.Length / 1e6,8:F1} MB");
        return 0;
    }
}
